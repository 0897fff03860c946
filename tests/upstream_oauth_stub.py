"""A stub OAuth authorization server and the API behind it, on a LoopbackServer (127.0.0.1), for
the upstream OAuth tests of actions (tests/actions/test_upstream_oauth.py, the browser test)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.loopback_server import LoopbackServer, RecordedRequest, Reply

CLIENT_ID = "studio-client"
CLIENT_SECRET = "client-secret-xyz"
ME_SCHEMA = """{
  "openapi": "3.1.0",
  "info": {"title": "Me", "version": "1"},
  "servers": [{"url": "https://api.example.com"}],
  "paths": {"/me": {"get": {"operationId": "getMe", "summary": "Who am I",
    "responses": {"200": {"description": "OK"}}}}}
}"""


def _json(status: int, body: dict) -> Reply:
    return Reply(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


@dataclass
class OAuthStub:
    """An authorization server and the API behind it: issues one code per sign-in, checks PKCE and
    the client's credentials at the token endpoint, and accepts only live access tokens at /me."""

    server: LoopbackServer
    codes: dict[str, dict] = field(default_factory=dict)  # code -> the authorization request
    live: dict[str, str] = field(default_factory=dict)  # access token -> user name
    refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> user name
    issued: int = 0
    deny: bool = False
    down: bool = False  # the token endpoint fails

    def __post_init__(self):
        self.server.handle("/authorize", self.authorize)
        self.server.handle("/token", self.token)
        self.server.handle("/me", self.me)

    def authorize(self, request: RecordedRequest) -> Reply:
        query = dict(parse_qsl(urlsplit(request.path).query))
        if self.deny:
            back = {"error": "access_denied", "error_description": "The user said no", "state": query["state"]}
        else:
            code = f"code-{len(self.codes) + 1}"
            self.codes[code] = query
            back = {"code": code, "state": query["state"]}
        return Reply(302, b"", {"Location": f"{query['redirect_uri']}?{urlencode(back)}"})

    def _tokens(self, user: str) -> Reply:
        self.issued += 1
        access, refresh = f"at-{self.issued}", f"rt-{self.issued}"
        self.live[access], self.refresh[refresh] = user, user
        tokens = {"access_token": access, "refresh_token": refresh, "expires_in": 3600, "token_type": "Bearer"}
        return _json(200, tokens)

    def token(self, request: RecordedRequest) -> Reply:
        if self.down:
            return _json(503, {"error": "temporarily_unavailable"})
        form = dict(parse_qsl(request.body.decode()))
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return _json(401, {"error": "invalid_client"})
        if form.get("grant_type") == "authorization_code":
            asked = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            redirect_uri = form.get("redirect_uri")
            if asked is None or asked["code_challenge"] != challenge or asked["redirect_uri"] != redirect_uri:
                return _json(400, {"error": "invalid_grant", "error_description": "Bad code"})
            return self._tokens(asked.get("login_hint", "browser user"))
        if form.get("grant_type") == "refresh_token" and form.get("refresh_token") in self.refresh:
            return self._tokens(self.refresh.pop(form["refresh_token"]))  # rotated
        return _json(400, {"error": "invalid_grant"})

    def me(self, request: RecordedRequest) -> Reply:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.live:
            return _json(401, {"error": "invalid_token"})
        return _json(200, {"user": self.live[token], "token": token})

    def revoke_all(self) -> None:
        self.live.clear()

    def token_requests(self) -> list[dict]:
        return [dict(parse_qsl(r.body.decode())) for r in self.server.requests if r.path == "/token"]

    def api_tokens(self) -> list[str]:
        return [r.headers.get("authorization", "") for r in self.server.requests if r.path == "/me"]

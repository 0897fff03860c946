"""Per-user OAuth for actions whose API wants OAuth (the upstream): GPT Studio is the OAuth client,
with the action's stored client ID, client secret, authorization URL, token URL and scope.

    upstream_authorization_start  the URL to send the user to (PKCE S256, a signed `state`)
    upstream_connect_finish       the callback: check `state`, exchange the code, store the tokens
    upstream_access_token         the user's access token for a call, refreshed when expired
    upstream_disconnect           forget the user's tokens

`state` is signed (django.core.signing) and names the user, the action and a nonce; the PKCE
verifier stays server-side (the caller keeps it in the session under the nonce), so the callback
accepts only the flow this user started, for this action, within STATE_MAX_AGE. Token requests go
through gptstudio.fetcher (the SSRF guard; a private token URL only via OUTBOUND_ALLOW_HOSTS).
Tokens are stored encrypted (UpstreamConnection) and are never logged: the fetcher logs URLs only,
and token requests carry their secrets in the body or the Authorization header.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gptstudio.fetcher import AddressNotAllowed, FetchError, FetchPolicy, fetch
from gptstudio.site import site_url

from .models import Action, UpstreamConnection

STATE_SALT = "actions.upstream.state"
STATE_MAX_AGE = 10 * 60  # seconds from Connect to the callback
# An access token this close to its expiry is refreshed before a call rather than sent.
EXPIRY_MARGIN = datetime.timedelta(seconds=30)
TOKEN_POLICY = FetchPolicy(
    schemes=frozenset({"https", "http"}),
    max_bytes=64 * 1024,
    max_redirects=0,  # a token endpoint answers; a redirect would carry the client secret elsewhere
    connect_timeout=5.0,
    read_timeout=15.0,
    total_timeout=20.0,
)


# What a user's tokens are bound to: the client that obtained them and where calls send them. When
# an editor changes any of these, every member's tokens for the action are deleted (they would
# otherwise go to another API, or belong to another client): members connect again.
UPSTREAM_BINDING_FIELDS = (
    "auth_type",
    "oauth_client_id",
    "oauth_authorization_url",
    "oauth_token_url",
    "domain",
    "base_url_override",
)


def upstream_binding(action: Action) -> tuple:
    return tuple(getattr(action, name) for name in UPSTREAM_BINDING_FIELDS)


class UpstreamAuthError(Exception):
    """The upstream refused or answered nonsense; `message` says so in plain words."""

    def __init__(self, message: str, oauth_error: str = ""):
        super().__init__(message)
        self.message = message
        self.oauth_error = oauth_error  # the token endpoint's `error` code, when it gave one


class UpstreamNotConnected(UpstreamAuthError):
    """The user has no (usable) connection to this action's API; `connect_url` fixes that."""

    def __init__(self, action: Action, reason: str = ""):
        self.connect_url = connect_url(action)
        reason = f" ({reason})" if reason else ""
        super().__init__(
            f"The action “{action.name}” uses OAuth and you have not connected your account with its API"
            f"{reason}. Connect it at {self.connect_url} and call again."
        )


@dataclass(frozen=True)
class AuthorizationStart:
    url: str  # the upstream's authorization URL with our parameters
    nonce: str  # the key under which the caller keeps `verifier` (the session)
    verifier: str  # the PKCE code verifier: server-side only


def callback_url() -> str:
    """The one redirect URI to register with every upstream (as ChatGPT had one callback URL)."""
    return site_url(reverse("actions:upstream_callback"))


def connect_url(action: Action) -> str:
    gpt = action.gpt
    return site_url(reverse("actions:upstream_connect", args=[gpt.workspace.slug, gpt.slug, action.slug]))


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def upstream_authorization_start(*, action: Action, user) -> AuthorizationStart:
    if action.auth_type != Action.AuthType.OAUTH:
        raise UpstreamAuthError(f"The action “{action.name}” does not use OAuth.")
    if not action.oauth_client_id:
        raise UpstreamAuthError(f"The action “{action.name}” has no OAuth client ID yet: an editor must enter it.")
    nonce = secrets.token_urlsafe(16)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = signing.dumps({"u": user.pk, "a": action.pk, "n": nonce}, salt=STATE_SALT)
    params = {
        "response_type": "code",
        "client_id": action.oauth_client_id,
        "redirect_uri": callback_url(),
        "state": state,
        # Sent to every upstream: RFC 6749 §3.1 has servers ignore parameters they do not know.
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if action.oauth_scope:
        params["scope"] = action.oauth_scope
    return AuthorizationStart(url=_with_query(action.oauth_authorization_url, params), nonce=nonce, verifier=verifier)


def upstream_state_read(*, state: str, user) -> tuple[int, str]:
    """(action id, nonce) of a callback's `state`, if it is ours, fresh and this user's."""
    try:
        data = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.SignatureExpired:
        raise UpstreamAuthError("The connection took too long; start it again with Connect.") from None
    except signing.BadSignature:
        raise UpstreamAuthError("The sign-in answer was not for a connection started here.") from None
    if data.get("u") != user.pk:
        raise UpstreamAuthError("This connection was started by another user; start it again with Connect.")
    return int(data["a"]), str(data["n"])


def _token_request(action: Action, fields: dict[str, str]) -> dict:
    """POST to the action's token URL (RFC 6749 §4.1.3 / §6) and return the token response."""
    headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
    secret = action.oauth_client_secret.reveal() if action.oauth_client_secret else ""
    if action.oauth_token_exchange_method == Action.TokenExchangeMethod.BASIC_AUTH_HEADER:
        pair = f"{quote(action.oauth_client_id, safe='')}:{quote(secret, safe='')}"  # RFC 6749 §2.3.1
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    else:
        fields = {**fields, "client_id": action.oauth_client_id, **({"client_secret": secret} if secret else {})}
    try:
        result = fetch(
            action.oauth_token_url,
            method="POST",
            headers=headers,
            content=urlencode(fields).encode(),
            policy=TOKEN_POLICY,
        )
    except AddressNotAllowed as exc:
        raise UpstreamAuthError(
            f"The token URL cannot be reached: {exc.message} (a private API can be allowed with OUTBOUND_ALLOW_HOSTS)."
        ) from None
    except FetchError as exc:
        raise UpstreamAuthError(f"The token URL could not be reached: {exc.message}") from None
    try:
        text = result.content.decode("utf-8")
        body = json.loads(text) if text.lstrip().startswith("{") else dict(parse_qsl(text))
    except (UnicodeDecodeError, ValueError):
        body = {}
    if not isinstance(body, dict):
        body = {}
    if result.status_code >= 400 or "error" in body:
        error = str(body.get("error") or f"HTTP {result.status_code}")
        detail = str(body.get("error_description") or "")[:300]
        raise UpstreamAuthError(
            f"The API's token URL refused: {error}{f' ({detail})' if detail else ''}.", oauth_error=error
        )
    if not isinstance(body.get("access_token"), str) or not body["access_token"]:
        raise UpstreamAuthError("The API's token URL answered without an access token.")
    if str(body.get("token_type", "bearer")).lower() != "bearer":
        raise UpstreamAuthError(f"The API's token URL gave a {body['token_type']!r} token; only Bearer tokens work.")
    return body


def _apply(connection: UpstreamConnection, body: dict) -> None:
    connection.access_token = body["access_token"]
    if isinstance(body.get("refresh_token"), str) and body["refresh_token"]:
        connection.refresh_token = body["refresh_token"]  # else the old one stays (RFC 6749 §6)
    try:
        lifetime = int(body.get("expires_in"))
    except (TypeError, ValueError):
        lifetime = None
    connection.expires_at = timezone.now() + datetime.timedelta(seconds=lifetime) if lifetime else None
    if isinstance(body.get("scope"), str):
        connection.scope = body["scope"][: UpstreamConnection._meta.get_field("scope").max_length]


def upstream_connect_finish(*, action: Action, user, code: str, verifier: str) -> UpstreamConnection:
    """Exchange the authorization code and keep the tokens as the user's connection (replacing one)."""
    body = _token_request(
        action,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": callback_url(), "code_verifier": verifier},
    )
    with transaction.atomic():
        connection = UpstreamConnection.objects.select_for_update().filter(
            user=user, action=action
        ).first() or UpstreamConnection(user=user, action=action)
        connection.refresh_token = ""
        connection.scope = action.oauth_scope
        _apply(connection, body)
        connection.full_clean(exclude=["user", "action"])
        connection.save()
    return connection


def upstream_access_token(*, action: Action, user, refused: str = "") -> str:
    """The user's access token for `action`, refreshed first when it has expired. `refused`: the
    token the upstream just answered 401 to, which is refreshed once (unless someone already did).
    Raises UpstreamNotConnected (with the connect URL) or UpstreamAuthError."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise UpstreamNotConnected(action)
    connection = UpstreamConnection.objects.filter(user=user, action=action).first()
    if connection is None:
        raise UpstreamNotConnected(action)
    if not _needs_refresh(connection, refused):
        return connection.access_token.reveal()
    with transaction.atomic():
        # Locked, so two calls at once refresh once (many upstreams rotate refresh tokens).
        connection = UpstreamConnection.objects.select_for_update().filter(pk=connection.pk).first()
        if connection is None:
            raise UpstreamNotConnected(action)
        if not _needs_refresh(connection, refused):
            return connection.access_token.reveal()
        gone = _refresh(connection, action)
    if gone:  # deleted in the transaction above, which had to commit first
        raise UpstreamNotConnected(action, gone)
    return connection.access_token.reveal()


def _refresh(connection: UpstreamConnection, action: Action) -> str:
    """Refresh the (locked) connection's tokens; "" when done, else why the connection was deleted."""
    if not connection.refresh_token:
        connection.delete()
        return "the API's token expired and it gave no refresh token"
    try:
        body = _token_request(
            action, {"grant_type": "refresh_token", "refresh_token": connection.refresh_token.reveal()}
        )
    except UpstreamAuthError as error:
        if error.oauth_error == "invalid_grant":  # revoked or expired for good: connect again
            connection.delete()
            return "the API no longer accepts the connection"
        raise
    _apply(connection, body)
    connection.save(update_fields=["access_token", "refresh_token", "expires_at", "scope", "updated_at"])
    return ""


def _needs_refresh(connection: UpstreamConnection, refused: str) -> bool:
    if refused:
        return connection.access_token.reveal() == refused
    return connection.expires_at is not None and connection.expires_at <= timezone.now() + EXPIRY_MARGIN


def upstream_disconnect(*, action: Action, user) -> bool:
    """Forget the user's tokens for `action` (the upstream is not told: few APIs offer revocation)."""
    deleted, _ = UpstreamConnection.objects.filter(user=user, action=action).delete()
    return bool(deleted)


def upstream_connected(*, action: Action, user) -> UpstreamConnection | None:
    return UpstreamConnection.objects.filter(user=user, action=action).only("id", "expires_at", "scope").first()

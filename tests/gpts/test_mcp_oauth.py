"""OAuth 2.1 for the hosted MCP endpoint: an owner registers a client (ChatGPT's callback as its
redirect URI), a member runs authorization code + PKCE for one GPT's endpoint (RFC 8707
`resource`), and the SDK client calls a tool with the token; refusals for the rest."""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from gpts import services as gpt_services
from gpts.mcp.oauth import MCPClientError, mcp_client_register
from gpts.models import GPT, Membership
from tests.factories import UserFactory, make_action, make_gpt
from tests.gpts.mcp_support import BASE, NOTES_SCHEMA, _post, _run, _session, _url

pytestmark = pytest.mark.django_db(transaction=True)

CALLBACK = "https://chatgpt.com/connector_platform_oauth_redirect"
HOST = "127.0.0.1:8000"
VERIFIER = "a-fixed-code-verifier-for-this-test-0123456789-abcdefghijklmnop"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


def _authorize(client, application, resource: str, *, challenge: str = CHALLENGE):
    query = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": CALLBACK,
        "scope": "mcp",
        "state": "s1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "resource": resource,
    }
    page = client.get("/o/authorize/", query, HTTP_HOST=HOST)
    if page.status_code != 200:
        return page
    return client.post("/o/authorize/", {**query, "allow": "Authorize"}, HTTP_HOST=HOST)


def _token(client, application, code: str, resource: str, verifier: str = VERIFIER):
    return client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": application.client_id,
            "code_verifier": verifier,
            "resource": resource,
        },
        HTTP_HOST=HOST,
    )


def _code(response) -> str:
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    return parse_qs(location.query)["code"][0]


def test_a_member_gets_a_token_with_pkce_and_the_sdk_client_calls_a_tool_with_it(hosted, client, mock_api):
    gpt, owner = hosted
    application, _secret = mcp_client_register(
        workspace=gpt.workspace, actor=owner, name="ChatGPT", redirect_uri=CALLBACK
    )
    editor = UserFactory()
    gpt_services.membership_set(workspace=gpt.workspace, user=editor, role=Membership.Role.EDITOR)
    client.force_login(editor)
    resource = _url(gpt)

    issued = _token(client, application, _code(_authorize(client, application, resource)), resource)
    assert issued.status_code == 200, issued.content
    access_token = issued.json()["access_token"]

    async def scenario(app):
        return await _session(app, resource, access_token)(lambda c: c.call_tool("getNote", {"id": "7"}))

    result = _run(scenario)
    assert not result.is_error
    assert json.loads(result.content[0].text)["text"] == "hello"
    (upstream,) = [r for r in mock_api.requests if r.path == "/notes/7"]
    assert access_token not in json.dumps(upstream.headers)  # never passed through


def test_the_token_endpoint_refuses_a_wrong_pkce_verifier(hosted, client):
    gpt, owner = hosted
    application, _ = mcp_client_register(workspace=gpt.workspace, actor=owner, name="ChatGPT", redirect_uri=CALLBACK)
    client.force_login(owner)
    resource = _url(gpt)
    code = _code(_authorize(client, application, resource))
    refused = _token(client, application, code, resource, verifier="x" * 60)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


def test_a_token_for_one_gpts_endpoint_is_refused_by_anothers(hosted, client, mock_api):
    gpt, owner = hosted
    other = make_gpt(workspace=gpt.workspace, actor=owner, name="Other notes")
    make_action(other, actor=owner, name="Notes", schema_text=NOTES_SCHEMA % {"url": mock_api.url("").rstrip("/")})
    GPT.objects.filter(pk=other.pk).update(mcp_enabled=True)
    other = GPT.objects.select_related("workspace").get(pk=other.pk)
    application, _ = mcp_client_register(workspace=gpt.workspace, actor=owner, name="ChatGPT", redirect_uri=CALLBACK)
    client.force_login(owner)
    resource = _url(gpt)
    access_token = _token(client, application, _code(_authorize(client, application, resource)), resource).json()[
        "access_token"
    ]

    async def scenario(app):
        own = await _post(app, urlsplit(_url(gpt)).path, access_token)
        foreign = await _post(app, urlsplit(_url(other)).path, access_token)
        return own, foreign

    own, foreign = _run(scenario)
    assert own.status_code == 200
    assert foreign.status_code == 401 and 'error="invalid_token"' in foreign.headers["www-authenticate"]


def test_a_token_whose_user_left_the_workspace_gets_403_insufficient_scope(hosted, client):
    gpt, owner = hosted
    application, _ = mcp_client_register(workspace=gpt.workspace, actor=owner, name="ChatGPT", redirect_uri=CALLBACK)
    editor = UserFactory()
    gpt_services.membership_set(workspace=gpt.workspace, user=editor, role=Membership.Role.EDITOR)
    client.force_login(editor)
    resource = _url(gpt)
    access_token = _token(client, application, _code(_authorize(client, application, resource)), resource).json()[
        "access_token"
    ]
    Membership.objects.filter(workspace=gpt.workspace, user=editor).delete()

    async def scenario(app):
        return await _post(app, urlsplit(resource).path, access_token)

    refused = _run(scenario)
    assert refused.status_code == 403
    assert refused.headers["www-authenticate"].startswith('Bearer error="insufficient_scope", scope="mcp"')


def test_only_members_get_a_token_and_only_for_a_named_switched_on_endpoint(hosted, client):
    gpt, owner = hosted
    application, _ = mcp_client_register(workspace=gpt.workspace, actor=owner, name="ChatGPT", redirect_uri=CALLBACK)
    client.force_login(UserFactory())
    assert _authorize(client, application, _url(gpt)).status_code == 403
    client.force_login(owner)
    assert _authorize(client, application, "").status_code == 403
    GPT.objects.filter(pk=gpt.pk).update(mcp_enabled=False)
    assert _authorize(client, application, _url(gpt)).status_code == 403


def test_only_owners_register_clients(hosted):
    gpt, _owner = hosted
    editor = UserFactory()
    gpt_services.membership_set(workspace=gpt.workspace, user=editor, role=Membership.Role.EDITOR)
    with pytest.raises(MCPClientError):
        mcp_client_register(workspace=gpt.workspace, actor=editor, name="ChatGPT", redirect_uri=CALLBACK)


def test_protected_resource_and_authorization_server_metadata(client):
    resource = client.get("/.well-known/oauth-protected-resource/mcp/acme/notes-helper/", HTTP_HOST=HOST).json()
    assert resource["resource"].startswith(f"{BASE}/mcp/acme/notes-helper")
    assert resource["authorization_servers"] == [BASE]
    server = client.get("/.well-known/oauth-authorization-server", HTTP_HOST=HOST).json()
    assert server["code_challenge_methods_supported"] == ["S256"]
    assert server["authorization_endpoint"] == f"{BASE}/o/authorize/"
    assert server["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert server["response_types_supported"] == ["code"]


def test_implicit_password_and_client_credentials_grants_are_refused(hosted, client):
    gpt, owner = hosted
    application, secret = mcp_client_register(
        workspace=gpt.workspace, actor=owner, name="Script", redirect_uri=CALLBACK, confidential=True
    )
    for grant in (
        {"grant_type": "password", "username": owner.username, "password": "x"},
        {"grant_type": "client_credentials"},
    ):
        refused = client.post(
            "/o/token/", {**grant, "client_id": application.client_id, "client_secret": secret}, HTTP_HOST=HOST
        )
        assert refused.status_code == 400 and refused.json()["error"] == "unsupported_grant_type"
    client.force_login(owner)
    implicit = client.get(
        "/o/authorize/",
        {"response_type": "token", "client_id": application.client_id, "redirect_uri": CALLBACK, "resource": _url(gpt)},
        HTTP_HOST=HOST,
    )
    assert implicit.status_code == 302 and implicit["Location"] == f"{CALLBACK}?error=unsupported_response_type"


def test_tokens_are_stored_as_checksums_only_and_refresh_rotates_them(hosted, client):
    from oauth2_provider.models import get_access_token_model, get_refresh_token_model

    gpt, owner = hosted
    application, _ = mcp_client_register(workspace=gpt.workspace, actor=owner, name="ChatGPT", redirect_uri=CALLBACK)
    client.force_login(owner)
    resource = _url(gpt)
    authorized = _authorize(client, application, resource)
    assert parse_qs(urlsplit(authorized["Location"]).query)["iss"] == [BASE]  # RFC 9207
    issued = _token(client, application, _code(authorized), resource).json()
    stored = get_access_token_model().objects.get()
    assert stored.token == "" and stored.token_checksum == hashlib.sha256(issued["access_token"].encode()).hexdigest()
    assert get_refresh_token_model().objects.get().token == ""

    refreshed = client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"], "client_id": application.client_id},
        HTTP_HOST=HOST,
    )
    assert refreshed.status_code == 200, refreshed.content
    new_token = refreshed.json()["access_token"]

    async def scenario(app):
        return await _post(app, urlsplit(resource).path, new_token)

    assert _run(scenario).status_code == 200
    replayed = client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"], "client_id": application.client_id},
        HTTP_HOST=HOST,
    )
    assert replayed.status_code == 400 and replayed.json()["error"] == "invalid_grant"
    assert _run(scenario).status_code == 401  # a replayed refresh token revokes the whole family

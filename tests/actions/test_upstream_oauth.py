"""Per-user upstream OAuth for actions: a member connects their own account with the action's API
(authorization code + PKCE against a stub authorization server on 127.0.0.1), the tokens are kept
encrypted per (user, action), test calls and the hosted MCP endpoint's tools send the caller's own
token (refreshed on expiry and once after a 401), and until then they answer with the connect link."""

from __future__ import annotations

import datetime
import json
import logging
from http.client import HTTPConnection  # noqa: TID251 (the test plays the browser on the stub's sign-in page)
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection as db_connection
from django.utils import timezone

from actions.models import Action, UpstreamConnection
from actions.runner import OperationRefused, run_operation
from actions.services import action_update
from gpts import services as gpt_services
from gpts.models import GPT, Membership
from tests.factories import UserFactory, make_action, make_gpt, make_workspace
from tests.gpts.mcp_support import _run, _session, _url
from tests.upstream_oauth_stub import CLIENT_ID, CLIENT_SECRET, ME_SCHEMA, OAuthStub

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "127.0.0.1:8000"


@pytest.fixture
def stub(loopback_server, settings):
    settings.OUTBOUND_ALLOW_HOSTS = [f"127.0.0.1:{loopback_server.port}"]  # the guard relaxed for the stub only
    settings.SITE_DOMAIN = HOST
    settings.MCP_TOKEN_THROTTLE_RATE = ""
    settings.MCP_GPT_THROTTLE_RATE = ""
    settings.ACTION_CALL_THROTTLE_RATE = ""
    return OAuthStub(loopback_server)


@pytest.fixture
def oauth_action(stub):
    owner = UserFactory(username="olga")
    workspace = make_workspace(owner=owner, name="Acme")
    gpt = make_gpt(workspace=workspace, actor=owner, name="Me helper")
    action = make_action(
        gpt,
        actor=owner,
        name="Me API",
        schema_text=ME_SCHEMA,
        auth_type="oauth",
        oauth_client_id=CLIENT_ID,
        oauth_client_secret=CLIENT_SECRET,
        oauth_authorization_url=stub.server.url("/authorize?prompt=consent"),
        oauth_token_url=stub.server.url("/token"),
        oauth_scope="profile read",
    )
    action = action_update(
        action=action, actor=owner, expected_version=action.version, base_url_override=stub.server.url("").rstrip("/")
    )
    GPT.objects.filter(pk=gpt.pk).update(mcp_enabled=True)
    return Action.objects.select_related("gpt__workspace").get(pk=action.pk), owner


def _connect(client, action: Action, user):
    """The whole flow as a browser runs it: Connect -> the stub's sign-in page -> the callback."""
    client.force_login(user)
    gpt = action.gpt
    start = client.get(f"/w/{gpt.workspace.slug}/g/{gpt.slug}/actions/{action.slug}/connect/", HTTP_HOST=HOST)
    assert start.status_code == 302
    sign_in = urlsplit(start["Location"])
    browser = HTTPConnection(sign_in.hostname, sign_in.port, timeout=10)
    browser.request("GET", f"{sign_in.path}?{sign_in.query}&login_hint={user.username}")
    answer = browser.getresponse()
    assert answer.status == 302
    back = urlsplit(answer.getheader("Location"))
    browser.close()
    assert f"{back.scheme}://{back.netloc}" == f"http://{HOST}"
    return start, client.get(f"{back.path}?{back.query}", HTTP_HOST=HOST)


def _call(action: Action, user):
    return run_operation(action=action, tool_name="getMe", arguments={}, actor=user)


def test_connecting_runs_authorization_code_with_pkce_and_stores_the_tokens_encrypted(
    client, stub, oauth_action, caplog
):
    action, owner = oauth_action
    caplog.set_level(logging.DEBUG)
    start, done = _connect(client, action, owner)
    _call(action, owner)
    assert not any(secret in caplog.text for secret in ("at-1", "rt-1", CLIENT_SECRET))

    asked = parse_qs(urlsplit(start["Location"]).query)
    assert asked["client_id"] == [CLIENT_ID] and asked["scope"] == ["profile read"] and asked["prompt"] == ["consent"]
    assert asked["code_challenge_method"] == ["S256"] and asked["redirect_uri"] == [
        f"http://{HOST}/actions/oauth/callback/"
    ]
    assert done.status_code == 302 and done["Location"].endswith(f"/actions/{action.slug}/")
    (exchange,) = stub.token_requests()
    assert exchange["grant_type"] == "authorization_code" and exchange["code_verifier"]
    assert exchange["code_verifier"] not in start["Location"]  # the verifier never left the server

    saved = UpstreamConnection.objects.get(user=owner, action=action)
    assert saved.access_token.reveal() == "at-1" and saved.refresh_token.reveal() == "rt-1"
    assert saved.expires_at > timezone.now()
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM actions_upstreamconnection")
        stored = " ".join(cursor.fetchone())
    assert "at-1" not in stored and "rt-1" not in stored

    page = client.get(done["Location"], HTTP_HOST=HOST).content.decode()
    assert "Connected" in page and "Disconnect" in page and "at-1" not in page


def test_before_connecting_a_test_call_and_a_tool_answer_with_the_absolute_connect_link(client, stub, oauth_action):
    action, owner = oauth_action
    link = f"http://{HOST}/w/acme/g/{action.gpt.slug}/actions/{action.slug}/connect/"
    client.force_login(owner)
    api = client.post(
        f"/api/v1/actions/{action.pk}/call/", {"operation": "getMe", "arguments": {}}, content_type="application/json"
    )
    assert api.json()["code"] == "runner.oauth_not_connected"
    assert "“Me API”" in api.json()["message"] and link in api.json()["message"]

    token = _api_token(owner)

    async def scenario(app):
        return await _session(app, _url(action.gpt), token)(lambda c: c.call_tool("getMe", {}))

    result = _run(scenario)
    assert result.is_error and link in result.content[0].text
    assert stub.api_tokens() == []


def _api_token(user) -> str:
    from gptstudio import services as core_services

    return core_services.token_create(user=user, name="mcp").plaintext


def test_a_tool_call_through_the_sdk_client_carries_the_callers_own_upstream_token(client, stub, oauth_action):
    action, owner = oauth_action
    editor = UserFactory(username="eddie")
    gpt_services.membership_set(workspace=action.gpt.workspace, user=editor, role=Membership.Role.EDITOR)
    _connect(client, action, owner)

    owner_token, editor_token = _api_token(owner), _api_token(editor)

    async def scenario(app):
        owners = await _session(app, _url(action.gpt), owner_token)(lambda c: c.call_tool("getMe", {}))
        editors = await _session(app, _url(action.gpt), editor_token)(lambda c: c.call_tool("getMe", {}))
        return owners, editors

    owners, editors = _run(scenario)
    assert not owners.is_error and json.loads(owners.content[0].text) == {"user": "olga", "token": "at-1"}
    assert editors.is_error and "connect" in editors.content[0].text.lower()  # never the owner's token
    assert stub.api_tokens() == ["Bearer at-1"]

    _connect(client, action, editor)
    assert json.loads(_call(action, editor).body)["user"] == "eddie"
    assert json.loads(_call(action, owner).body)["user"] == "olga"


def test_an_expired_token_is_refreshed_before_the_call(client, stub, oauth_action):
    action, owner = oauth_action
    _connect(client, action, owner)
    UpstreamConnection.objects.filter(user=owner).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    assert json.loads(_call(action, owner).body)["token"] == "at-2"
    assert [r["grant_type"] for r in stub.token_requests()] == ["authorization_code", "refresh_token"]
    assert stub.token_requests()[1]["refresh_token"] == "rt-1"
    saved = UpstreamConnection.objects.get(user=owner)
    assert saved.refresh_token.reveal() == "rt-2" and saved.expires_at > timezone.now()
    assert stub.api_tokens() == ["Bearer at-2"]  # the expired one was never sent


def test_a_401_from_the_api_refreshes_once_and_a_dead_refresh_token_asks_to_connect_again(client, stub, oauth_action):
    action, owner = oauth_action
    _connect(client, action, owner)
    stub.revoke_all()  # the API stops taking at-1 before its announced expiry

    assert json.loads(_call(action, owner).body)["token"] == "at-2"
    assert stub.api_tokens() == ["Bearer at-1", "Bearer at-2"]

    stub.revoke_all()
    stub.refresh.clear()  # and now the refresh token is dead too
    with pytest.raises(OperationRefused) as refused:
        _call(action, owner)
    assert refused.value.code == "runner.oauth_not_connected" and "/connect/" in refused.value.message
    assert not UpstreamConnection.objects.filter(user=owner).exists()


def test_a_failing_token_endpoint_answers_oauth_failed_and_keeps_the_connection(client, stub, oauth_action):
    action, owner = oauth_action
    _connect(client, action, owner)
    UpstreamConnection.objects.filter(user=owner).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    stub.down = True
    client.force_login(owner)
    api = client.post(
        f"/api/v1/actions/{action.pk}/call/", {"operation": "getMe", "arguments": {}}, content_type="application/json"
    )
    assert api.status_code == 502 and api.json()["code"] == "runner.oauth_failed"
    assert "temporarily_unavailable" in api.json()["message"]
    assert UpstreamConnection.objects.filter(user=owner).exists() and stub.api_tokens() == []


def test_disconnect_deletes_the_tokens_and_so_does_deleting_the_action_or_the_user(client, stub, oauth_action):
    action, owner = oauth_action
    _connect(client, action, owner)
    gpt = action.gpt
    gone = client.post(f"/w/{gpt.workspace.slug}/g/{gpt.slug}/actions/{action.slug}/disconnect/", HTTP_HOST=HOST)
    assert gone.status_code == 302 and not UpstreamConnection.objects.exists()
    with pytest.raises(OperationRefused):
        _call(action, owner)

    _connect(client, action, owner)
    other = UserFactory()
    gpt_services.membership_set(workspace=gpt.workspace, user=other, role=Membership.Role.VIEWER)
    _connect(client, action, other)  # a viewer connects too: read-only tools need a token
    assert UpstreamConnection.objects.count() == 2
    other.delete()
    assert UpstreamConnection.objects.count() == 1
    Action.objects.filter(pk=action.pk).delete()
    assert not UpstreamConnection.objects.exists()


def test_changing_where_the_tokens_go_or_which_client_got_them_deletes_every_members_tokens(client, stub, oauth_action):
    action, owner = oauth_action
    _connect(client, action, owner)
    action = action_update(action=action, actor=owner, expected_version=action.version, name="Me API v2")
    assert UpstreamConnection.objects.count() == 1  # a rename keeps them
    action_update(
        action=action, actor=owner, expected_version=action.version, base_url_override="https://elsewhere.example.com"
    )
    assert not UpstreamConnection.objects.exists()


def test_upstream_errors_are_shown_plainly(client, stub, oauth_action):
    action, owner = oauth_action
    stub.deny = True
    _start, denied = _connect(client, action, owner)
    assert denied.status_code == 400 and "you declined access" in denied.content.decode()

    stub.deny = False
    stub.codes.clear()
    client.force_login(owner)
    gpt = action.gpt
    start = client.get(f"/w/{gpt.workspace.slug}/g/{gpt.slug}/actions/{action.slug}/connect/", HTTP_HOST=HOST)
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    bad_code = client.get("/actions/oauth/callback/", {"code": "made-up", "state": state}, HTTP_HOST=HOST)
    assert bad_code.status_code == 502 and "invalid_grant" in bad_code.content.decode()
    assert "Bad code" in bad_code.content.decode()

    forged = client.get("/actions/oauth/callback/", {"code": "x", "state": "forged"}, HTTP_HOST=HOST)
    assert forged.status_code == 400
    assert not UpstreamConnection.objects.exists()


def test_a_state_started_by_another_user_is_refused(client, stub, oauth_action):
    action, owner = oauth_action
    gpt = action.gpt
    client.force_login(owner)
    start = client.get(f"/w/{gpt.workspace.slug}/g/{gpt.slug}/actions/{action.slug}/connect/", HTTP_HOST=HOST)
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    intruder = UserFactory()
    gpt_services.membership_set(workspace=gpt.workspace, user=intruder, role=Membership.Role.EDITOR)
    client.force_login(intruder)
    refused = client.get("/actions/oauth/callback/", {"code": "code-1", "state": state}, HTTP_HOST=HOST)
    assert refused.status_code == 400 and "another user" in refused.content.decode()
    assert stub.token_requests() == []

"""Connecting one's own account with an OAuth action's API in headless Chromium: the editor's
connection panel, the stub authorization server on 127.0.0.1, back to the editor connected; a
Try-it call then carries the token; Disconnect; no CSP violation on the way."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from actions.models import UpstreamConnection
from actions.services import action_update
from tests.factories import UserFactory, make_action, make_gpt, make_workspace
from tests.upstream_oauth_stub import CLIENT_ID, CLIENT_SECRET, ME_SCHEMA, OAuthStub

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_connects_calls_and_disconnects_in_the_browser(session, loopback_server, live_server, settings):
    settings.OUTBOUND_ALLOW_HOSTS = [f"127.0.0.1:{loopback_server.port}"]
    settings.SITE_DOMAIN = urlsplit(live_server.url).netloc  # the callback comes back to this server
    stub = OAuthStub(loopback_server)
    user = UserFactory()
    workspace = make_workspace(owner=user)
    gpt = make_gpt(workspace=workspace, actor=user, name="Me helper")
    action = make_action(
        gpt,
        actor=user,
        name="Me API",
        schema_text=ME_SCHEMA,
        auth_type="oauth",
        oauth_client_id=CLIENT_ID,
        oauth_client_secret=CLIENT_SECRET,
        oauth_authorization_url=loopback_server.url("/authorize"),
        oauth_token_url=loopback_server.url("/token"),
    )
    action = action_update(
        action=action, actor=user, expected_version=action.version, base_url_override=loopback_server.url("")
    )
    browser = session().login(user)
    page = browser.page
    page.goto(reverse("actions:action_edit", args=[workspace.slug, gpt.slug, action.slug]))
    panel = page.get_by_role("region", name="Your connection with this API")
    expect(panel).to_contain_text("Not connected")
    expect(panel).to_contain_text(f"{live_server.url}/actions/oauth/callback/")

    panel.get_by_role("link", name="Connect").click()
    page.wait_for_url(lambda url: url.endswith(f"/actions/{action.slug}/"))
    expect(page.get_by_role("region", name="Your connection with this API")).to_contain_text("Connected")
    assert UpstreamConnection.objects.filter(user=user, action=action).exists()
    assert "at-1" not in page.content()

    try_it = page.get_by_role("region", name="Try it")
    try_it.locator("summary", has_text="getMe").click()
    try_it.get_by_role("button", name="Send request").click()
    expect(try_it.locator("#try-result-getMe")).to_contain_text("HTTP 200")
    assert stub.api_tokens() == ["Bearer at-1"]

    page.get_by_role("region", name="Your connection with this API").get_by_role("button", name="Disconnect").click()
    expect(page.get_by_role("region", name="Your connection with this API")).to_contain_text("Not connected")
    assert not UpstreamConnection.objects.exists()

"""The action editor's "Try it" panel in headless Chromium: a form per operation, a real call to a
mock API on 127.0.0.1 (the action's base URL override, listed in OUTBOUND_ALLOW_HOSTS), the
response shown, a refusal shown, keyboard only, no CSP violation."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from actions.services import action_update
from tests.factories import UserFactory, make_action, make_gpt, make_workspace
from tests.loopback_server import Reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "sk-TRY-IT-key-0c9e"
SCHEMA = {
    "openapi": "3.1.0",
    "info": {"title": "Shop", "version": "1"},
    "servers": [{"url": "https://shop.example.com"}],
    "paths": {
        "/orders/{orderId}/notes": {
            "post": {
                "operationId": "addNote",
                "summary": "Add a note to an order",
                "parameters": [
                    {"name": "orderId", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "notify", "in": "query", "schema": {"type": "boolean"}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["text"],
                                "properties": {"text": {"type": "string"}},
                            }
                        }
                    },
                },
            }
        }
    },
}


def test_try_it_sends_a_real_call_and_shows_the_response(session, loopback_server, settings):
    settings.OUTBOUND_ALLOW_HOSTS = [f"127.0.0.1:{loopback_server.port}"]
    loopback_server.route(
        "/orders/42/notes", Reply(201, b'{"id": 7, "text": "hello"}', headers={"Content-Type": "application/json"})
    )
    user = UserFactory()
    workspace = make_workspace(owner=user)
    gpt = make_gpt(workspace=workspace, actor=user, name="Shop helper")
    action = make_action(
        gpt,
        actor=user,
        name="Shop",
        schema_text=json.dumps(SCHEMA),
        auth_type="api_key",
        api_key_auth_type="bearer",
        api_key=KEY,
    )
    action = action_update(
        action=action, actor=user, expected_version=action.version, base_url_override=loopback_server.url("")
    )
    browser = session().login(user)
    page = browser.page
    page.goto(reverse("actions:action_edit", args=[workspace.slug, gpt.slug, action.slug]))
    panel = page.get_by_role("region", name="Try it")
    expect(panel).to_be_visible()

    # Keyboard only: focus the operation's summary, open it, fill the labelled inputs.
    summary = panel.locator("summary", has_text="addNote")
    summary.focus()
    page.keyboard.press("Enter")
    page.get_by_label("orderId (path, required)").fill("42")
    page.get_by_label("notify (query)").select_option("true")
    body = page.get_by_label("Request body (application/json, required)")
    expect(body).to_have_value(json.dumps({"text": ""}, indent=2))
    body.fill('{"text": "hello"}')
    page.get_by_role("button", name="Send request").focus()
    page.keyboard.press("Enter")

    result = panel.locator("#try-result-addNote")
    expect(result).to_contain_text("HTTP 201")
    expect(result.get_by_label("Response body")).to_contain_text('"text": "hello"')
    (seen,) = loopback_server.requests
    assert (seen.method, seen.path, seen.body) == ("POST", "/orders/42/notes?notify=true", b'{"text": "hello"}')
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in page.content()
    browser.screenshot("try-it")

    # A body that does not match the schema is refused before anything is sent, with where.
    body.fill("{}")
    page.get_by_role("button", name="Send request").click()
    expect(result).to_contain_text("Not sent")
    expect(result).to_contain_text("/body")
    assert len(loopback_server.requests) == 1

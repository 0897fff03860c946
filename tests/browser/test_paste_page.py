"""The paste page in Debian's headless Chromium: every copy button puts its field's exact text on
the clipboard, and the character counts agree with JavaScript's own `length` (ChatGPT's count)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from actions.services import action_create
from gpts.document.build import gpt_document
from gpts.exporters.paste_plan import build_paste_plan
from tests.factories import make_rich_gpt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CRLF_SCHEMA = (
    'openapi: 3.1.0\r\ninfo: {title: "CRLF", version: "1"}\r\nservers:\r\n  - url: https://crlf.example.com\r\n'
)


@pytest.fixture
def page_setup(live_server, workspace, user):
    """Everything the database needs happens here, before Playwright starts its event loop."""
    gpt = make_rich_gpt(workspace, user, api_key="sk-browser-secret")
    action_create(gpt=gpt, actor=user, name="Line endings", schema_text=CRLF_SCHEMA)
    gpt.refresh_from_db()
    client = Client()
    client.force_login(user)
    plan = build_paste_plan(gpt_document(gpt), [])
    url = live_server.url + reverse("gpts_export:paste", args=[workspace.slug, gpt.slug])
    return {"url": url, "plan": plan, "session": client.cookies[settings.SESSION_COOKIE_NAME].value}


@pytest.fixture
def browser_page(page_setup, live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": page_setup["session"], "url": live_server.url}]
        )
        page = context.new_page()
        requests_outside = []
        page.on("request", lambda r: None if r.url.startswith(live_server.url) else requests_outside.append(r.url))
        page.goto(page_setup["url"])
        yield page
        assert requests_outside == [], "the page must load nothing from outside GPT Studio (no CDN)"
        browser.close()


def test_every_copy_button_copies_its_exact_text(browser_page, page_setup):
    page = browser_page
    copyable = [f for f in page_setup["plan"].all_fields() if f.copy and f.value]
    buttons = page.locator("[data-copy-target]")
    assert buttons.count() == len(copyable) > 15
    for field in copyable:
        page.evaluate("navigator.clipboard.writeText('')")
        page.locator(f'[data-copy-target="value-{field.key}"]').click()
        page.wait_for_function("() => navigator.clipboard.readText().then(t => t.length > 0)")
        assert page.evaluate("navigator.clipboard.readText()") == field.value, field.key
    assert "\r\n" in next(f.value for f in copyable if f.key.endswith("-schema") and "crlf" in f.value)


def test_a_copy_button_says_copied_then_resets_even_when_clicked_twice(browser_page):
    button = browser_page.locator("[data-copy-target]").first
    assert button.text_content() == "Copy"
    button.click()
    browser_page.wait_for_function("b => b.textContent === 'Copied'", arg=button.element_handle())
    button.click()  # Again while it says "Copied": the label it resets to is still "Copy".
    browser_page.wait_for_function("b => b.textContent === 'Copy'", arg=button.element_handle(), timeout=4000)
    assert "copied" not in (button.get_attribute("class") or "")


def test_character_counts_match_javascripts_length(browser_page, page_setup):
    counted = [f for f in page_setup["plan"].all_fields() if f.limit and f.value]
    assert {f.key for f in counted} == {"name", "description", "instructions"}
    for field in counted:
        js_length = browser_page.evaluate(f"document.getElementById('value-{field.key}').textContent.length")
        shown = browser_page.locator(f'[data-field="{field.key}"] .char-count[data-limit]').get_attribute("data-count")
        assert int(shown) == js_length == field.length

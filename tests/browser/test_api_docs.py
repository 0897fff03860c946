"""The API documentation pages render in real Chromium under the site's Content-Security-Policy,
with every asset from our own origin."""

import os
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL_HOSTS = {"localhost", "127.0.0.1"}
# Reported by the page itself, before a listener on the page could see it.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} refused ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def chromium():
    """A browser of this test's own: the session-wide one (conftest `browser`) would keep
    Playwright's event loop running into test_paste_page.py, which starts Playwright itself."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def docs_page(chromium, live_server):
    """A page that records every console error (failed loads included), every CSP violation and
    every request to a host other than the live server's; requests elsewhere are refused."""
    context = chromium.new_context(base_url=live_server.url)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    problems: list[str] = []

    def route(route):
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https") and url.hostname not in LOCAL_HOSTS:
            problems.append(f"request to another host: {route.request.url}")
            return route.abort()
        return route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.problems = problems
    yield page
    context.close()


def _operations(live_server_client) -> list[dict]:
    schema = yaml.safe_load(live_server_client.get("/api/schema/").content)
    return [operation for item in schema["paths"].values() for operation in item.values()]


def _finish(page):
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__cspViolations")
    assert not violations, f"CSP violations on {page.url}: {violations}"
    assert not page.problems, f"Problems on {page.url}:\n" + "\n".join(page.problems)


def test_swagger_ui_renders_every_operation_under_the_csp(docs_page, client):
    operations = _operations(client)
    response = docs_page.goto("/api/docs/")
    assert "script-src 'self';" in response.headers["content-security-policy"]
    expect(docs_page.locator(".opblock").first).to_be_visible(timeout=20_000)
    expect(docs_page.locator(".opblock")).to_have_count(len(operations))
    expect(docs_page.locator(".opblock-summary-description", has_text="Export a GPT (download)")).to_be_visible()
    _finish(docs_page)


def test_redoc_renders_every_operation_under_the_csp(docs_page, client):
    operations = _operations(client)
    response = docs_page.goto("/api/redoc/")
    policy = response.headers["content-security-policy"]
    # The one relaxation: styles with this response's nonce (Redoc's styled-components); scripts stay 'self'.
    assert "script-src 'self';" in policy and "style-src 'self' 'nonce-" in policy
    headings = docs_page.locator("h2:has(a[href*='/operation/'])")  # One per operation.
    expect(headings.first).to_be_visible(timeout=20_000)
    expect(headings).to_have_count(len(operations))
    expect(docs_page.get_by_role("heading", name="Export a GPT (download)")).to_be_visible()
    expect(docs_page.locator("li[data-item-id*='/operation/']")).to_have_count(len(operations))  # The menu.
    _finish(docs_page)

"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's
live_server. Screenshots go to test-artifacts/screenshots/ (git-ignored), except the ones the docs
show: `doc_screenshot` writes those into docs/screenshots/ (committed) on every run."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DOC_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
LAPTOP = {"width": 1280, "height": 860}
TABLET = {"width": 820, "height": 1180}


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the tests
    # themselves are still synchronous and safe. One browser per module, not per session: a module
    # that starts its own sync_playwright() (test_paste_page.py) cannot run while another's loop is
    # still open, whatever order the files run in.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Session:
    """One signed-in (or anonymous) browser session with its own cookies."""

    def __init__(self, browser, base_url, viewport=LAPTOP):
        self.context = browser.new_context(viewport=viewport, base_url=base_url)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message):
        # CSP violations ("Refused to ...") and script errors; HTTP statuses such as the conflict
        # page's 409 are expected answers, not problems.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(message.text)

    def login(self, user):
        page = self.page
        page.goto("/accounts/login/")
        page.fill("input[name=login]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return self

    def screenshot(self, name: str):
        """The whole page: the viewport grows to the page's height first, so the sticky save bar
        sits at the end of the page, as a reader scrolled to the bottom would see it."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size
        height = self.page.evaluate("() => document.documentElement.scrollHeight")
        self.page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        self.page.set_viewport_size(size)

    def doc_screenshot(self, path: Path):
        """What the viewport shows, still (no animations, no caret), for the docs: kept small."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.wait_for_load_state("networkidle")
        self.page.screenshot(path=str(path), animations="disabled", caret="hide")

    def close(self):
        self.context.close()


@pytest.fixture
def session(browser, live_server):
    """Open browser sessions; each test ends by checking no page broke its CSP or threw."""
    opened: list[Session] = []

    def open_session(viewport=LAPTOP) -> Session:
        s = Session(browser, live_server.url, viewport)
        opened.append(s)
        return s

    yield open_session
    problems = [p for s in opened for p in s.problems]
    for s in opened:
        s.close()
    assert not problems, "Browser console errors (CSP violations or script errors):\n" + "\n".join(problems)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's rate limits (e.g. one confirmation email per address every few minutes) live in
    the cache; an earlier test in this process must not throttle this one's sign-up email."""
    from django.core.cache import cache

    cache.clear()

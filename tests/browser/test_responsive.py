"""The studio on a phone (390 px) and a laptop (1280 px), in real Chromium: no page scrolls sideways,
the header keeps to one row, every table fits its box. The same walk writes the screenshots of every
page into docs/screenshots/pages/ (name-390.png, name-1280.png)."""

import pytest
from django.test import Client

from tests.browser.conftest import DOC_SCREENSHOTS, LAPTOP
from tests.studio_pages import make_world, studio_routes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PAGE_SHOTS = DOC_SCREENSHOTS / "pages"
HEADER_ONE_ROW_MAX_HEIGHT = 64  # one row of 2.5rem controls plus padding; two rows measure over 90


# The header's visible parts share one row when every part starts above the bottom of every other.
HEADER_ROWS = """() => {
  const header = document.querySelector(".site-header");
  if (!header) return {height: 0, oneRow: false};
  const boxes = Array.from(header.children).filter((el) => el.offsetParent !== null)
    .map((el) => el.getBoundingClientRect());
  const oneRow = Math.max(...boxes.map((b) => b.top)) < Math.min(...boxes.map((b) => b.bottom));
  return {height: header.getBoundingClientRect().height, oneRow: oneRow};
}"""

# Every visible table: how wide its content is, and the width of the box that holds it (its
# scrolling wrapper or parent).
TABLE_FITS = """() => Array.from(document.querySelectorAll("table")).filter((t) => t.offsetParent !== null)
  .map((t) => ({table: (t.className || t.querySelector("caption")?.textContent || "table").trim(),
                width: t.scrollWidth, box: t.parentElement.clientWidth}))"""


def html_pages(world, *, signed_in: bool) -> list[tuple[str, str]]:
    """(screenshot name, url) of every studio page that answers a GET with a whole HTML document (not
    an htmx fragment, such as a job's status, shown inside its page); signed out, the account pages
    only. Names come from the route ("gpts-history"), so they stay the same each run."""
    client = Client()
    if signed_in:
        client.force_login(world.owner)
    pages = []
    for route in studio_routes():
        if not signed_in and not route.name.startswith(("account_", "mfa_")):
            continue
        url = world.url(route)
        response = client.get(url)
        is_html = "text/html" in response.get("Content-Type", "")
        if response.status_code == 200 and is_html and response.content.lstrip().lower().startswith(b"<!doctype"):
            name = route.name.replace(":", "-").replace("_", "-")
            pages.append((name if signed_in else f"signed-out-{name}", url))
    return pages


def settle(page):
    page.wait_for_load_state("networkidle")


@pytest.fixture
def world(live_server):
    return make_world()


def walk(session, world, viewport):
    """Yield (name, page) for every HTML studio page, signed in, then the account pages signed out."""
    PAGE_SHOTS.mkdir(parents=True, exist_ok=True)
    signed_in = session(viewport).login(world.owner)
    anonymous = session(viewport)
    for signed, s in ((True, signed_in), (False, anonymous)):
        for name, url in html_pages(world, signed_in=signed):
            s.page.goto(url)
            settle(s.page)
            yield name, s.page


def test_no_studio_page_scrolls_sideways_on_a_phone_and_the_header_is_one_row(session, world):
    too_wide, tall_headers, visited = {}, {}, 0
    for name, page in walk(session, world, PHONE):
        visited += 1
        assert page.evaluate("() => document.documentElement.clientWidth") == PHONE["width"]
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = width
        header = page.evaluate(HEADER_ROWS)
        if not header["oneRow"] or header["height"] > HEADER_ONE_ROW_MAX_HEIGHT:
            tall_headers[name] = header
        page.screenshot(path=str(PAGE_SHOTS / f"{name}-390.png"), animations="disabled", caret="hide")
    assert visited > 25
    assert too_wide == {}
    assert tall_headers == {}


def test_every_table_fits_its_box_on_a_laptop(session, world):
    overflowing, measured = {}, {}
    for name, page in walk(session, world, LAPTOP):
        tables = page.evaluate(TABLE_FITS)
        measured[name] = [t["table"] for t in tables]
        if any(t["width"] > t["box"] for t in tables):
            overflowing[name] = tables
        page.screenshot(path=str(PAGE_SHOTS / f"{name}-1280.png"), animations="disabled", caret="hide")
    assert len(measured) > 25
    # The action editor's operations table (in the 22 rem side panel) was among those measured.
    assert "operations stacked" in measured["actions-action-edit"]
    assert overflowing == {}

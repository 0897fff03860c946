"""Accessibility checks in real Chromium: every control the keyboard reaches shows where the focus
is, and every visible form control on every studio page has an accessible name."""

import pytest
from django.test import Client

from tests.studio_pages import make_world, studio_routes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Run after each Tab: the focused element and what shows its focus (its own outline or box-shadow;
# for a visually hidden input, its label; or a wrapper that draws the ring with :focus-within).
FOCUS_PROBE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const ring = (e) => {
    const s = getComputedStyle(e);
    return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
  };
  const box = el.getBoundingClientRect();
  const hidden = box.width <= 1 || box.height <= 1;
  let shownBy = null;
  if (!hidden && ring(el)) shownBy = "itself";
  if (!shownBy && hidden) for (const label of el.labels || []) if (ring(label)) shownBy = "its label";
  for (let up = el.parentElement, i = 0; !shownBy && up && i < 3; up = up.parentElement, i++) {
    if (ring(up)) shownBy = "its " + up.className;
  }
  const text = (el.getAttribute("aria-label") || el.textContent || el.value || "").trim().slice(0, 40);
  return {key: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.name ? "[" + el.name + "]" : ""),
          text: text, shownBy: shownBy, isSchema: el.id === "id_schema_text"};
}"""


def tab_through(page) -> list[dict]:
    """Press Tab until the focus comes back round; the schema box keeps Tab for indenting, so
    leave it the documented way (Escape, then Tab)."""
    stops, seen = [], set()
    for _ in range(400):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_PROBE)
        if stop is None:
            continue
        identity = (stop["key"], stop["text"])
        if identity in seen:
            break
        seen.add(identity)
        stops.append(stop)
        if stop["isSchema"]:
            page.keyboard.press("Escape")
    return stops


@pytest.fixture
def world(live_server):
    return make_world()


def test_every_studio_page_shows_keyboard_focus_on_every_stop(session, world):
    pages = html_pages(world, signed_in=True)
    s = session().login(world.owner)
    checked, problems = {}, {}
    for url in pages:
        s.page.goto(url)
        s.page.wait_for_load_state()
        checked[url] = tab_through(s.page)
        invisible = [f"{stop['key']} “{stop['text']}”" for stop in checked[url] if not stop["shownBy"]]
        if invisible:
            problems[url] = invisible
    assert problems == {}
    assert sum(len(stops) for stops in checked.values()) > 200  # 261 when written
    # The editors were really walked through, including the schema upload behind its label.
    base = f"/w/{world.workspace.slug}/g/{world.gpt.slug}"
    editor = {stop["key"] for stop in checked[f"{base}/"]}
    assert {
        "input#id_profile_picture[profile_picture]",
        "input#id_name[name]",
        "textarea#id_instructions[instructions]",
        "select#id_visibility[visibility]",
    } <= editor
    upload = [stop for stop in checked[f"{base}/actions/new/"] if stop["key"] == "input#id_schema_file[schema_file]"]
    assert [stop["shownBy"] for stop in upload] == ["its label"]
    assert f"{base}/actions/{world.action.slug}/" in checked


# Every visible input, select and textarea (menus opened). Its accessible name, as Playwright's ARIA
# snapshot computes it, must not be empty, and must come from a label, aria-label(ledby) or title:
# a placeholder counts in the name computation but disappears as soon as one types.
CONTROLS = "input:not([type=hidden]), select, textarea"
LABELLED = """(el) => Boolean(
  (el.labels && Array.from(el.labels).some((label) => label.textContent.trim())) ||
  (el.getAttribute("aria-label") || "").trim() || (el.getAttribute("title") || "").trim() ||
  (el.getAttribute("aria-labelledby") || "").split(/\\s+/).some((id) => {
    const target = id && document.getElementById(id);
    return target && target.textContent.trim();
  }))"""


def unnamed_controls(page) -> list[str]:
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    problems = []
    controls = page.locator(CONTROLS)
    for index in range(controls.count()):
        control = controls.nth(index)
        if not control.is_visible():
            continue
        snapshot = control.aria_snapshot().strip()
        # "- textbox \"Name\"" when named, "- textbox" (maybe with a value) when not.
        if '"' not in snapshot.splitlines()[0] or not control.evaluate(LABELLED):
            problems.append(control.evaluate("(el) => el.outerHTML.slice(0, 120)"))
    return problems


def html_pages(world, *, signed_in: bool) -> list[str]:
    client = Client()
    if signed_in:
        client.force_login(world.owner)
    urls = []
    for route in studio_routes():
        if not signed_in and not route.name.startswith(("account_", "mfa_")):
            continue
        url = world.url(route)
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            urls.append(url)
    return urls


def test_the_name_check_finds_a_control_without_a_name(session):
    page = session().page
    page.set_content(
        '<label for="named">Named</label><input id="named"><input id="bare" placeholder="Only a placeholder">'
        '<select aria-label="Picked"><option>a</option></select><textarea></textarea>'
    )
    assert unnamed_controls(page) == ['<input id="bare" placeholder="Only a placeholder">', "<textarea></textarea>"]


def unnamed_on_pages(page, urls) -> dict[str, list[str]]:
    problems = {}
    for url in urls:
        page.goto(url)
        found = unnamed_controls(page)
        if found:
            problems[url] = found
    return problems


def test_every_visible_control_on_every_studio_page_has_an_accessible_name(session, world):
    pages = html_pages(world, signed_in=True)
    assert len(pages) > 20
    assert unnamed_on_pages(session().login(world.owner).page, pages) == {}


def test_every_visible_control_on_the_account_pages_has_an_accessible_name(session, world):
    pages = html_pages(world, signed_in=False)
    assert "/accounts/login/" in pages and "/accounts/signup/" in pages
    assert unnamed_on_pages(session().page, pages) == {}

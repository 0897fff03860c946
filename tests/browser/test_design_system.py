"""Parts of the design system in real Chromium: dropping a file on a drop zone hands it to the file
input (and the upload works), the phone header's Menu opens to the studio's links."""

import pytest
from playwright.sync_api import expect

from gpts.models import GPT
from tests.browser.test_responsive import PHONE
from tests.factories import UserFactory, make_gpt, make_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DROP_A_FILE = """(selector) => {
  const data = new DataTransfer();
  data.items.add(new File(["Opening hours: 9-17."], "dropped-notes.txt", {type: "text/plain"}));
  const zone = document.querySelector(selector);
  const over = new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: data});
  zone.dispatchEvent(over);
  const highlighted = zone.classList.contains("is-dragover");
  zone.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: data}));
  return {highlighted: highlighted, accepted: over.defaultPrevented, still: zone.classList.contains("is-dragover")};
}"""


def test_a_file_dropped_on_the_knowledge_zone_is_chosen_and_uploads(session):
    owner = UserFactory()
    gpt = make_gpt(workspace=make_workspace(owner=owner), actor=owner, name="Reader")
    page = session().login(owner).page
    page.goto(f"/w/{gpt.workspace.slug}/g/{gpt.slug}/")
    expect(page.locator("#knowledge-empty")).to_contain_text("No knowledge files yet")
    # The hint is on the zone, not the input: the drop lands beside the native control.
    dropped = page.evaluate(DROP_A_FILE, "#knowledge-form [data-file-drop]")
    assert dropped == {"highlighted": True, "accepted": True, "still": False}
    chosen = page.get_by_label("Upload a file").evaluate("input => Array.from(input.files).map(f => f.name)")
    assert chosen == ["dropped-notes.txt"]
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("list", name="Knowledge files")).to_contain_text("dropped-notes.txt")
    expect(page.locator("#knowledge-empty")).to_have_count(0)
    assert GPT.objects.get(pk=gpt.pk).knowledge_files.get().name == "dropped-notes.txt"


def test_on_a_phone_the_header_menu_holds_the_workspace_and_account_links(session):
    owner = UserFactory()
    workspace = make_workspace(owner=owner, name="Field Team")
    page = session(PHONE).login(owner).page
    page.goto(f"/w/{workspace.slug}/")
    # The wide header's links are not shown; the Menu button is.
    expect(page.locator(".header-wide")).to_be_hidden()
    expect(page.get_by_role("link", name="Members")).to_have_count(0)
    page.locator(".site-header summary", has_text="Menu").click()
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Members")).to_be_visible()
    expect(menu.get_by_role("link", name="API tokens")).to_be_visible()
    expect(menu.get_by_role("button", name="Log out")).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # the open menu fits the screen too
    menu.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    expect(page.locator("#members-empty")).to_contain_text("You are the only member")

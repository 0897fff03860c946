"""Rough edges of the studio in real Chromium: the import popover does not hide its own answer,
leaving with unsaved changes asks first, starter rows keep their width, the profile placeholder
is whole. (Read-only fields of viewers: test_studio.py, test_viewer_cannot_edit.)"""

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory, make_gpt, make_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def owner_and_gpt(**fields):
    owner = UserFactory()
    gpt = make_gpt(workspace=make_workspace(owner=owner), actor=owner, name="Edges", **fields)
    return owner, gpt


def editor_url(gpt):
    return f"/w/{gpt.workspace.slug}/g/{gpt.slug}/"


def test_the_import_popover_closes_so_its_error_is_visible_and_says_http_or_https(session):
    owner, gpt = owner_and_gpt()
    s = session().login(owner)
    page = s.page
    page.goto(editor_url(gpt) + "actions/new/")
    page.get_by_text("Import from URL").click()
    expect(page.locator("#import-menu .help")).to_contain_text("http or https")
    page.locator("#import-menu").get_by_role("button", name="Import").click()
    error = page.locator("#import-status .alert.error")
    expect(error).to_contain_text("Enter the URL of an OpenAPI schema")
    expect(page.locator("#import-menu")).not_to_have_attribute("open", "")
    # Nothing lies on top of the message: the element at its centre is the message itself.
    on_top = error.evaluate(
        """el => { const r = el.getBoundingClientRect();
                   return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }"""
    )
    assert on_top


def test_leaving_with_unsaved_changes_asks_first_and_saving_does_not(session):
    owner, gpt = owner_and_gpt(conversation_starters=["First", "Second"])
    s = session().login(owner)
    page = s.page
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # Stay on the page.

    page.on("dialog", answer)
    page.goto(editor_url(gpt))
    page.goto("/")  # Nothing typed: leaves without asking.
    assert dialogs == []

    page.goto(editor_url(gpt))
    page.get_by_label("Description").fill("Typed, not saved")
    page.locator("header a").first.click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(editor_url(gpt))  # Dismissed: still here, the text still typed.
    expect(page.get_by_label("Description")).to_have_value("Typed, not saved")

    page.get_by_role("button", name="Save").first.click()
    page.wait_for_load_state()
    page.locator("header a").first.click()
    page.wait_for_load_state()
    assert dialogs == ["beforeunload"]  # Saving made the form clean: no second prompt.

    page.goto(editor_url(gpt))
    page.get_by_role("button", name="Move starter 2 up").click()  # A click, not typing: still a change.
    page.locator("header a").first.click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload", "beforeunload"]


def test_starter_rows_keep_their_width_and_the_profile_placeholder_is_whole(session):
    owner, gpt = owner_and_gpt(conversation_starters=[f"Starter {n}" for n in range(1, 7)])
    page = session().login(owner).page
    page.goto(editor_url(gpt))
    widths = page.locator(".starter input[type=text]").evaluate_all("els => els.map(el => el.offsetWidth)")
    assert len(widths) >= 6 and len(set(widths)) == 1, widths  # "Shown" and "Not shown" rows alike.
    placeholder = page.locator(".avatar-placeholder")
    size = placeholder.evaluate("el => [el.offsetWidth, el.offsetHeight, el.scrollWidth, el.clientWidth]")
    assert size[0] == size[1] == 64 and size[2] <= size[3], size

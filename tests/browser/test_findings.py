"""The GPT editor's checks panel in real Chromium: a finding's link focuses its field, and the copy
buttons put the finding's JSON pointer and rule code on the clipboard."""

import pytest
from playwright.sync_api import expect

from gptstudio import limits
from tests.browser.conftest import SCREENSHOTS
from tests.factories import UserFactory, make_action, make_gpt, make_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def editor_url(gpt):
    return f"/w/{gpt.workspace.slug}/g/{gpt.slug}/"


def test_a_gpt_finding_focuses_its_field_and_copies_its_pointer(session, live_server):
    owner = UserFactory()
    gpt = make_gpt(
        workspace=make_workspace(owner=owner),
        actor=owner,
        name="x" * (limits.GPT_NAME_MAX_LENGTH.value + 1),
        conversation_starters=[f"Starter {n}" for n in range(1, 7)],
        visibility="gpt_store",
        category="Productivity",
    )
    make_action(gpt, actor=owner)  # no privacy policy URL: the GPT Store refuses it
    s = session().login(owner)
    s.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = s.page
    page.goto(editor_url(gpt))
    page.locator("aside .panel").screenshot(path=str(SCREENSHOTS / "gpt-editor-checks.png"))

    name_finding = page.locator('li.finding[data-code="gpt.name.too_long"]')
    name_finding.get_by_role("link", name="Shorten the name to 50 characters or fewer.").click()
    expect(page.locator("#id_name")).to_be_focused()
    assert page.url.endswith("#id_name")

    # The fifth starter is the first one ChatGPT does not show: its finding focuses that starter's input.
    page.locator('li.finding[data-code="gpt.starters.hidden"] a.finding-field').click()
    expect(page.locator("#starter-5")).to_be_focused()

    # A finding about an action goes to the Actions section: its heading takes focus (an anchor alone
    # would only scroll there).
    page.locator('li.finding[data-code="gpt.action.privacy_policy_required"] a.finding-field').click()
    expect(page.locator("#actions-heading")).to_be_focused()

    page.evaluate("navigator.clipboard.writeText('')")
    copy_pointer = name_finding.get_by_role("button", name="Copy JSON pointer /name")
    copy_pointer.click()
    expect(copy_pointer).to_have_text("Copied")
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.length > 0)")
    assert page.evaluate("navigator.clipboard.readText()") == "/name"

    name_finding.get_by_role("button", name="Copy rule code gpt.name.too_long").click()
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t !== '/name')")
    assert page.evaluate("navigator.clipboard.readText()") == "gpt.name.too_long"

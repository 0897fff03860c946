"""The rescue import in Debian's headless Chromium: paste ChatGPT's JSON of a GPT, read the
preview, confirm, and land on the imported GPT (no CSP violation or script error on the way)."""

import pytest

from gpts.models import GPT
from tests.browser.test_accessibility import tab_through, unnamed_controls
from tests.gpts.chatgpt_samples import GIZMO_ID, as_text, gizmo_json

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_paste_preview_confirm_and_land_on_the_gpt(session, user, workspace):
    s = session().login(user)
    page = s.page
    page.goto(f"/w/{workspace.slug}/")
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("Or paste it here").fill(as_text(gizmo_json()))
    page.get_by_role("button", name="Import", exact=True).click()

    page.wait_for_selector("h1:has-text('Preview: import from ChatGPT')")
    preview = page.locator("main").inner_text()
    assert "will create" in preview and "Weather Helper" in preview and "file-8kJhAbC" in preview
    assert not GPT.objects.filter(chatgpt_id=GIZMO_ID).exists()  # the preview wrote nothing
    s.screenshot("import-chatgpt-preview")
    # The preview and the result are POST answers, so the page-wide checks do not reach them: here.
    assert unnamed_controls(page) == []
    stops = tab_through(page)
    assert {"button", "a"} <= {stop["key"].split("#")[0].split("[")[0] for stop in stops}
    assert [stop for stop in stops if not stop["shownBy"]] == []

    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_selector("h1:has-text('Imported from ChatGPT')")
    s.screenshot("import-chatgpt-result")
    assert [stop for stop in tab_through(page) if not stop["shownBy"]] == []
    page.get_by_role("link", name="Open “Weather Helper”").click()
    page.wait_for_selector("#chatgpt-origin")
    gpt = GPT.objects.get(workspace=workspace, chatgpt_id=GIZMO_ID)
    assert page.url.endswith(f"/w/{workspace.slug}/g/{gpt.slug}/")
    assert "g-WeAtHeR123" in page.locator("#chatgpt-origin").inner_text()
    assert "file-8kJhAbC" in page.locator("#pending-knowledge").inner_text()

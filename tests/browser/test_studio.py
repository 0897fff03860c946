"""End-to-end journeys through the studio in real headless Chromium."""

import re
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from playwright.sync_api import expect

from gpts import services
from gpts.models import GPT
from tests.browser.conftest import DOC_SCREENSHOTS, TABLET
from tests.browser.test_responsive import PHONE
from tests.factories import UserFactory, make_action, make_gpt, make_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# An action schema whose server is plain http: ChatGPT refuses it ("None of the provided servers
# is under the root origin https://…"). Line 4 holds the URL.
HTTP_SCHEMA = """openapi: 3.1.0
info: {title: Forecast API, version: "1.0"}
servers:
  - url: http://api.forecast.example.com
paths:
  /forecast:
    get:
      operationId: getForecast
      summary: Ten-day forecast
      parameters:
        - {name: city, in: query, required: true, schema: {type: string}}
      responses:
        "200": {description: OK}
"""
SERVER_LINE = 4


def test_sign_up_create_a_gpt_add_an_action_see_a_finding_fix_it_and_export(session, tmp_path):
    s = session()
    page = s.page
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "ada@example.com")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password1]", "a-long-Passphrase-9")
    page.fill("input[name=password2]", "a-long-Passphrase-9")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="ada's workspace")).to_be_visible()

    # Email verification: the link from the (locmem) email confirms the address.
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("You have confirmed ada@example.com.")).to_be_visible()
    assert EmailAddress.objects.get(email="ada@example.com").verified
    page.goto("/")

    page.get_by_role("link", name="Create your first GPT").click()
    page.get_by_label("Name", exact=True).fill("Forecaster")
    expect(page.locator("#id_name-count")).to_have_text("10 / 50")
    page.get_by_label("Description").fill("Ten-day forecasts for any city.")
    page.get_by_label("Instructions").fill("You are Forecaster. Always call getForecast before answering.")
    page.get_by_label("Conversation starter 1").fill("Will it rain in Oslo?")
    expect(page.get_by_label("Conversation starter 2")).to_be_visible()  # a new empty row appears
    page.get_by_role("button", name="Create GPT").click()
    expect(page.get_by_text("“Forecaster” created.")).to_be_visible()

    page.get_by_role("link", name="+ Create new action").click()
    page.wait_for_load_state()  # htmx binds the live validation once the page has loaded
    schema = page.locator("#id_schema_text")
    schema.fill(HTTP_SCHEMA)
    marker = page.locator("#schema-gutter span").nth(SERVER_LINE - 1)
    expect(marker).to_have_class("has-error")
    finding = page.locator("#schema-report").get_by_role("button", name=re.compile(f"^Line {SERVER_LINE}\\b"))
    expect(finding).to_be_visible()
    expect(page.locator("#schema-report")).to_contain_text("action.server.not_https")
    operation = page.locator("table.operations tbody tr")
    expect(operation).to_have_count(1)
    expect(operation).to_contain_text("get")
    expect(operation).to_contain_text("/forecast")
    expect(operation).to_contain_text("getForecast")
    expect(operation).to_contain_text("No (default)")
    s.screenshot("action-editor-findings")
    finding.click()
    caret_line = page.evaluate(
        "() => { const t = document.getElementById('id_schema_text');"
        " return t.value.slice(0, t.selectionStart).split('\\n').length; }"
    )
    assert caret_line == SERVER_LINE

    schema.fill(HTTP_SCHEMA.replace("http://", "https://"))
    expect(marker).not_to_have_class("has-error")
    expect(page.locator("#schema-report [data-goto-line]").filter(has_text=f"Line {SERVER_LINE},")).to_have_count(0)
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Action “Forecast API” added to Forecaster.")).to_be_visible()

    gpt = GPT.objects.get(name="Forecaster")
    action = gpt.actions.get()
    assert action.schema_text.startswith("openapi: 3.1.0") and "https://api.forecast.example.com" in action.schema_text
    assert gpt.version == 2 and gpt.revisions.count() == 2

    # Export: the ChatGPT bundle from the editor's Export menu, then the paste page.
    page.get_by_role("link", name="Back to Forecaster").click()
    page.get_by_text("Export", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download ChatGPT bundle (.zip)").click()
    bundle = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(bundle)
    assert bundle.suffix == ".zip"
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        assert any(name.endswith("PASTE_GUIDE.md") for name in names)
        schema_files = [n for n in names if n.endswith((".yaml", ".yml", ".json")) and "forecast" in n.lower()]
        assert any(archive.read(n).decode() == action.schema_text for n in schema_files)
    page.get_by_role("link", name="Paste into ChatGPT (step by step)").click()  # the menu is still open
    expect(page.get_by_text("Forecaster").first).to_be_visible()
    s.screenshot("paste-page")


def test_format_button_pretty_prints_the_schema(session, live_server):
    owner = UserFactory()
    gpt = make_gpt(workspace=make_workspace(owner=owner), actor=owner, name="Formatter")
    s = session().login(owner)
    s.page.goto(f"/w/{gpt.workspace.slug}/g/{gpt.slug}/actions/new/")
    s.page.locator("#id_schema_text").fill('{"openapi":"3.1.0","info":{"title":"T","version":"1"}}')
    s.page.get_by_role("button", name="Format").click()
    expect(s.page.locator("#schema-status")).to_have_text("Formatted as JSON.")
    assert s.page.locator("#id_schema_text").input_value().startswith('{\n  "openapi": "3.1.0",\n  "info": {')
    expect(s.page.locator("#schema-gutter span")).to_have_count(8)


def test_two_sessions_editing_the_same_gpt_get_the_conflict_page_and_merge(session):
    owner, colleague = UserFactory(), UserFactory()
    workspace = make_workspace(owner=owner)
    services.membership_set(workspace=workspace, user=colleague, role="editor")
    gpt = make_gpt(workspace=workspace, actor=owner, name="Shared", instructions="Original instructions.")
    url = f"/w/{workspace.slug}/g/{gpt.slug}/"

    first, second = session().login(owner), session().login(colleague)
    first.page.goto(url)
    second.page.goto(url)

    first.page.get_by_label("Instructions").fill("Owner's instructions.")
    first.page.get_by_role("button", name="Save").click()
    expect(first.page.get_by_text("Saved as version 2.")).to_be_visible()

    second.page.get_by_label("Name", exact=True).fill("Shared (renamed)")
    second.page.get_by_label("Instructions").fill("Colleague's instructions.")
    second.page.get_by_role("button", name="Save").click()
    page = second.page
    expect(page.get_by_role("heading", name="Someone else saved this GPT while you were editing")).to_be_visible()
    expect(page.get_by_label("Your Instructions")).to_have_text("Colleague's instructions.")
    expect(page.get_by_label("Their Instructions")).to_have_text("Owner's instructions.")
    assert GPT.objects.get(pk=gpt.pk).instructions == "Owner's instructions."  # nothing overwritten
    second.screenshot("conflict")

    expect(page.locator("#pick_name_mine")).to_be_checked()  # only you renamed it
    page.locator("#pick_instructions_theirs").check()  # both changed the instructions: take theirs
    page.get_by_role("button", name=re.compile("Save merge as version 3")).click()
    expect(page.get_by_text("Merged and saved as version 3.")).to_be_visible()
    merged = GPT.objects.get(pk=gpt.pk)
    assert (merged.name, merged.instructions, merged.version) == ("Shared (renamed)", "Owner's instructions.", 3)


def test_viewer_cannot_edit(session):
    owner, viewer = UserFactory(), UserFactory()
    workspace = make_workspace(owner=owner)
    services.membership_set(workspace=workspace, user=viewer, role="viewer")
    gpt = make_gpt(workspace=workspace, actor=owner, name="Look only")
    make_action(gpt, actor=owner)
    s = session().login(viewer)
    page = s.page
    page.goto(f"/w/{workspace.slug}/g/{gpt.slug}/")
    expect(page.get_by_text("read-only", exact=True)).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_be_disabled()
    expect(page.get_by_label("Instructions")).to_be_disabled()
    for label in ("Name", "Instructions"):  # Grey, not white: nothing looks typeable.
        background = page.get_by_label(label, exact=True).evaluate("el => getComputedStyle(el).backgroundColor")
        assert background != "rgb(255, 255, 255)", label
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.get_by_role("link", name="+ Create new action")).to_have_count(0)
    page.get_by_role("link", name="Weather").click()
    expect(page.locator("#id_schema_text")).to_be_disabled()
    expect(page.get_by_role("button", name="Save action")).to_have_count(0)
    # Even a hand-made request is refused by the server.
    status = page.evaluate(
        """async (url) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const body = new URLSearchParams(
                {name: "Hacked", visibility: "invite_only", version: "1", csrfmiddlewaretoken: token});
            return (await fetch(url, {method: "POST", body})).status;
        }""",
        f"/w/{workspace.slug}/g/{gpt.slug}/",
    )
    assert status == 403
    assert GPT.objects.get(pk=gpt.pk).name == "Look only"


def test_restore_an_old_revision(session):
    owner = UserFactory()
    gpt = make_gpt(
        workspace=make_workspace(owner=owner),
        actor=owner,
        name="Versioned",
        instructions="First draft.\nKeep it short.",
    )
    services.gpt_update(gpt=gpt, actor=owner, expected_version=1, instructions="Second draft.\nKeep it short.")
    services.gpt_update(gpt=gpt, actor=owner, expected_version=2, name="Versioned v3", conversation_starters=["Hi"])
    s = session().login(owner)
    page = s.page
    page.goto(f"/w/{gpt.workspace.slug}/g/{gpt.slug}/history/")
    page.get_by_label("Compare from version 1").check()
    page.get_by_label("Compare to version 3").check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page.get_by_role("heading", name="Version 1 → version 3")).to_be_visible()
    expect(page.locator(".diff .del").filter(has_text="-First draft.")).to_be_visible()
    expect(page.locator(".diff .add").filter(has_text="+Second draft.")).to_be_visible()
    s.screenshot("diff")

    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.get_by_role("button", name="Restore version 1").click()
    expect(page.get_by_text("Restored revision 1 as version 4")).to_be_visible()
    # No action, so no secret to type again; and no promise that nothing is lost.
    assert questions == ["Restore version 1? It becomes a new version; the current one stays in the history."]
    restored = GPT.objects.get(pk=gpt.pk)
    assert (restored.version, restored.name, restored.instructions) == (4, "Versioned", "First draft.\nKeep it short.")
    assert [r.number for r in restored.revisions.all()] == [4, 3, 2, 1]


def test_starters_are_reordered_and_removed_with_the_keyboard(session):
    owner = UserFactory()
    gpt = make_gpt(
        workspace=make_workspace(owner=owner),
        actor=owner,
        name="Starters",
        conversation_starters=["A", "B", "C", "D", "E"],
    )
    s = session().login(owner)
    page = s.page
    page.goto(f"/w/{gpt.workspace.slug}/g/{gpt.slug}/")
    expect(page.locator("#starter-count")).to_contain_text("5 / 12 starters")
    page.get_by_role("button", name="Move starter 5 up").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Conversation starter 4")).to_have_value("E")
    expect(page.locator(".starter").nth(3)).to_have_class(re.compile(r"\bshown\b"))
    expect(page.locator(".starter").nth(4)).not_to_have_class(re.compile(r"\bshown\b"))
    page.get_by_role("button", name="Remove starter 1").click()
    expect(page.locator("#starter-count")).to_contain_text("4 / 12 starters")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    assert [st.text for st in GPT.objects.get(pk=gpt.pk).conversation_starters.all()] == ["B", "C", "E", "D"]


def test_counters_flag_text_over_chatgpts_limits(session):
    owner = UserFactory()
    gpt = make_gpt(workspace=make_workspace(owner=owner), actor=owner, name="Counter")
    s = session().login(owner)
    s.page.goto(f"/w/{gpt.workspace.slug}/g/{gpt.slug}/")
    s.page.get_by_label("Description").fill("d" * 305)
    counter = s.page.locator("#id_description-count")
    expect(counter).to_have_text("305 / 300 — 5 over ChatGPT's limit")
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    expect(s.page.get_by_label("Description")).to_have_attribute("aria-invalid", "true")


def test_dashboard_and_editor_screenshots_at_laptop_tablet_and_phone_width(session):
    owner = UserFactory(username="maria")
    workspace = make_workspace(owner=owner, name="Travel Team")
    planner = make_gpt(
        workspace=workspace,
        actor=owner,
        name="Trip Planner",
        description="Plans city trips with weather-aware packing lists.",
        instructions=(
            "You plan trips. Ask for dates, budget and interests.\nCheck the forecast before suggesting outdoor plans."
        ),
        conversation_starters=[
            "Plan 3 days in Lisbon",
            "What should I pack for Oslo?",
            "Find a rainy-day museum",
            "Budget weekend in Rome",
            "Family trip ideas",
        ],
        visibility="link",
        category="Lifestyle",
    )
    make_action(planner, actor=owner, privacy_policy_url="https://weather.example.com/privacy")
    make_gpt(
        workspace=workspace,
        actor=owner,
        name="Visa Helper",
        description="Checks visa rules for a passport and destination.",
        visibility="workspace",
    )
    make_gpt(
        workspace=workspace,
        actor=owner,
        name="Packing Coach",
        description="Turns a forecast into a packing list.",
        capabilities={"code_interpreter": True},
    )
    s = session().login(owner)
    s.page.goto(f"/w/{workspace.slug}/")
    expect(s.page.get_by_role("link", name="Trip Planner")).to_be_visible()
    s.screenshot("dashboard")
    s.page.get_by_label("Search").fill("pack")
    expect(s.page.get_by_role("link", name="Visa Helper")).to_have_count(0)
    expect(s.page.get_by_role("link", name="Packing Coach")).to_be_visible()
    assert "q=pack" in s.page.url
    s.page.goto(f"/w/{workspace.slug}/g/{planner.slug}/")
    s.doc_screenshot(DOC_SCREENSHOTS / "gpt-editor.png")  # the README's picture, beside the phone one
    s.screenshot("gpt-editor")

    tablet = session(TABLET).login(owner)
    tablet.page.goto(f"/w/{workspace.slug}/g/{planner.slug}/")
    width = tablet.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= TABLET["width"], "the editor must not scroll sideways on a tablet"
    tablet.screenshot("gpt-editor-tablet")

    phone = session(PHONE).login(owner)
    phone.page.goto(f"/w/{workspace.slug}/g/{planner.slug}/")
    assert phone.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    phone.doc_screenshot(DOC_SCREENSHOTS / "gpt-editor-phone.png")


def test_knowledge_upload_shows_the_file_and_keeps_the_page_saveable(session, tmp_path):
    owner = UserFactory()
    gpt = make_gpt(workspace=make_workspace(owner=owner), actor=owner, name="Reader")
    notes = tmp_path / "handbook.txt"
    notes.write_text("Opening hours: 9-17.\n")
    s = session().login(owner)
    page = s.page
    page.goto(f"/w/{gpt.workspace.slug}/g/{gpt.slug}/")
    page.get_by_label("Upload a file").set_input_files(str(notes))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("list", name="Knowledge files")).to_contain_text("handbook.txt")
    expect(page.locator("#knowledge-count")).to_contain_text("1 / 20 files")
    # The upload moved the page to the new version, so saving the form is not a false conflict.
    page.get_by_label("Description").fill("Answers from the handbook.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved as version 3.")).to_be_visible()
    assert GPT.objects.get(pk=gpt.pk).knowledge_files.get().name == "handbook.txt"


def test_multi_line_instructions_near_the_limit_are_stored_at_the_counters_length(session):
    owner = UserFactory()
    gpt = make_gpt(workspace=make_workspace(owner=owner), actor=owner, name="Long lines")
    s = session().login(owner)
    page = s.page
    page.goto(f"/w/{gpt.workspace.slug}/g/{gpt.slug}/")
    instructions = page.get_by_label("Instructions")
    # 789 lines pasted, then the last line typed key by key with Enter: 7,950 characters, 790 line
    # breaks. The browser submits each break as CRLF (8,740 characters on the wire).
    instructions.fill(("x" * 9 + "\n") * 789)
    instructions.press("End")
    page.keyboard.type("y" * 9)
    page.keyboard.press("Enter")
    page.keyboard.type("z" * 50)
    counter = page.locator("#id_instructions-count")
    expect(counter).to_have_text("7950 / 8000")
    shown = int(counter.inner_text().split(" / ")[0])
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    stored = GPT.objects.get(pk=gpt.pk).instructions
    assert len(stored) == shown == 7950
    assert "\r" not in stored and stored.count("\n") == 790
    expect(page.locator("aside")).not_to_contain_text("gpt.instructions.too_long")
    expect(counter).to_have_text("7950 / 8000")  # the saved page counts the same

"""Export targets: the ChatGPT bundle and the document; deterministic, streaming, secret-free."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile

from gpts import services
from gpts.document.build import gpt_document
from gpts.document.read import parse_document
from gpts.document.render import render_document
from gpts.exporters import EXPORTERS, ExportRefused, UnknownTarget, gpt_export
from gpts.models import GPT
from gpts.validation import GPTReport
from gptstudio.findings import Finding, Severity
from tests.factories import CALENDAR_SCHEMA, NOTES_SCHEMA, RICH_INSTRUCTIONS, WEATHER_SCHEMA, make_rich_gpt

API_KEY = "sk-live-7f3c9a1e-KNOWN-SECRET"
CLIENT_SECRET = "oauth-cs-5b2d8e-KNOWN-SECRET"


@pytest.fixture
def rich(workspace, user):
    gpt = make_rich_gpt(workspace, user, api_key=API_KEY, client_secret=CLIENT_SECRET)
    services.knowledge_file_add(gpt=gpt, actor=user, upload=ContentFile(b"# Team notes\n" * 50, name="notes.md"))
    services.knowledge_file_add(
        gpt=gpt, actor=user, upload=ContentFile(b"%PDF-1.7 fake", name="manual.pdf"), name="manual.pdf"
    )
    return GPT.objects.get(pk=gpt.pk)


def export_bytes(gpt, target="chatgpt", **kwargs) -> bytes:
    buffer = io.BytesIO()
    gpt_export(gpt=gpt, target=target, **kwargs).write_to(buffer)
    return buffer.getvalue()


def test_the_bundle_holds_exactly_the_listed_files_in_order(rich):
    names = zipfile.ZipFile(io.BytesIO(export_bytes(rich))).namelist()
    assert names == [
        "PASTE_GUIDE.md",
        "gpt.yaml",
        "instructions.md",
        "conversation_starters.txt",
        "actions/weather/openapi.json",
        "actions/weather/authentication.md",
        "actions/calendar/openapi.yaml",
        "actions/calendar/authentication.md",
        "actions/notes/openapi.json",
        "actions/notes/authentication.md",
        "knowledge/manual.pdf",
        "knowledge/notes.md",
    ]


def test_bundle_files_hold_the_exact_values(rich):
    bundle = zipfile.ZipFile(io.BytesIO(export_bytes(rich)))
    assert bundle.read("instructions.md").decode() == RICH_INSTRUCTIONS
    assert bundle.read("conversation_starters.txt").decode() == "What's on today?\nPlan my week\nYes\n"
    assert bundle.read("actions/weather/openapi.json").decode() == WEATHER_SCHEMA
    assert bundle.read("actions/calendar/openapi.yaml").decode() == CALENDAR_SCHEMA
    assert bundle.read("actions/notes/openapi.json").decode() == NOTES_SCHEMA
    assert bundle.read("knowledge/notes.md") == b"# Team notes\n" * 50
    assert parse_document(bundle.read("gpt.yaml")).document == gpt_document(rich)


def test_same_gpt_gives_byte_identical_zips_with_fixed_metadata(rich):
    first, second = export_bytes(rich), export_bytes(rich)
    assert first == second
    for info in zipfile.ZipFile(io.BytesIO(first)).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert (info.create_system, info.external_attr >> 16) == (3, 0o100644)
        assert info.extra == b"" and info.comment == b""
    bundle = zipfile.ZipFile(io.BytesIO(first))
    assert bundle.getinfo("knowledge/manual.pdf").compress_type == zipfile.ZIP_STORED
    assert bundle.getinfo("knowledge/notes.md").compress_type == zipfile.ZIP_DEFLATED


def test_the_guide_follows_the_configure_tab_and_says_where_secrets_go(rich):
    guide = zipfile.ZipFile(io.BytesIO(export_bytes(rich))).read("PASTE_GUIDE.md").decode()
    headings = [line for line in guide.splitlines() if line.startswith("## ")]
    assert headings == [
        "## 1. Name",
        "## 2. Description",
        "## 3. Instructions",
        "## 4. Conversation starters",
        "## 5. Knowledge",
        "## 6. Capabilities",
        "## 7. Recommended model",
        "## 8. Actions",
        "## 9. Additional settings",
        "## 10. Visibility and category",
        "## Publish checklist (GPT Store)",
    ]
    assert "### Action 2: Calendar" in guide
    assert "Type the API key here yourself" in guide and "Type the client secret here yourself" in guide
    assert "https://chatgpt.com/aip/<your GPT's id>/oauth/callback" in guide
    assert "- [x] Every action has a privacy policy URL (required for link and GPT Store sharing)" in guide
    assert "- [x] A category is chosen (required for the GPT Store)" in guide
    auth = zipfile.ZipFile(io.BytesIO(export_bytes(rich))).read("actions/calendar/authentication.md").decode()
    assert "**Auth Type**: Custom" in auth and "X-Api-Key" in auth


def test_no_exported_file_contains_a_secret(rich):
    outputs = {
        "chatgpt.zip": export_bytes(rich),
        "gpt.yaml": export_bytes(rich, target="document"),
        "gpt.json": export_bytes(rich, target="document", fmt="json"),
    }
    files = dict(outputs)
    bundle = zipfile.ZipFile(io.BytesIO(outputs["chatgpt.zip"]))
    files.update({f"zip:{name}": bundle.read(name) for name in bundle.namelist()})
    assert len(files) == 3 + 12
    for secret in (API_KEY, CLIENT_SECRET):
        hits = [name for name, data in files.items() if secret.encode() in data]
        assert hits == [], f"{secret} found in {hits}"
    revisions = "".join(str(r.document) for r in rich.revisions.all())
    assert API_KEY not in revisions and CLIENT_SECRET not in revisions
    assert rich.actions.get(name="Calendar").api_key.reveal() == API_KEY  # the secret was really stored


def test_the_document_target_renders_the_document(rich):
    assert export_bytes(rich, target="document").decode() == render_document(gpt_document(rich), "yaml")
    assert export_bytes(rich, target="document", fmt="json").decode() == render_document(gpt_document(rich), "json")
    export = gpt_export(gpt=rich, target="document", fmt="json")
    assert (export.filename, export.media_type) == ("planner.gpt.json", "application/json")


@pytest.fixture
def failing_validation(monkeypatch):
    error = Finding(Severity.ERROR, "gpt.instructions.too_long", "Instructions are too long.", pointer="/instructions")

    def validate(gpt, **options):
        return GPTReport(findings=[error])

    monkeypatch.setattr("gpts.exporters.base.validate_gpt", validate)
    return error


def test_a_gpt_with_errors_is_refused_unless_forced_and_the_guide_lists_them_first(rich, failing_validation):
    with pytest.raises(ExportRefused) as excinfo:
        gpt_export(gpt=rich, target="chatgpt")
    assert excinfo.value.findings == [failing_validation]
    export = gpt_export(gpt=rich, target="chatgpt", force=True)
    assert export.findings == [failing_validation]
    buffer = io.BytesIO()
    export.write_to(buffer)
    guide = zipfile.ZipFile(buffer).read("PASTE_GUIDE.md").decode()
    warning = guide.index("## ⚠ Exported with validation errors")
    assert warning < guide.index("## 1. Name")
    assert (
        "- **error** Shorten the instructions to 8,000 characters or fewer, or move reference text into knowledge "
        "files. `gpt.instructions.too_long` at `/instructions`: Instructions are too long." in guide
    )  # what to do first
    assert "Blocks publishing:" in guide[guide.index("## 3. Instructions") :]


def test_the_document_target_keeps_drafts_with_errors(rich, failing_validation):
    rich.error_count = 1  # what store_validation records for such a GPT
    export = gpt_export(gpt=rich, target="document")
    assert export.findings == [failing_validation]
    assert b"".join(export.chunks)


def test_the_document_target_trusts_a_stored_count_of_no_errors_and_skips_validation(rich, monkeypatch):
    assert rich.error_count == 0
    monkeypatch.setattr("gpts.exporters.base.validate_gpt", lambda gpt, **options: pytest.fail("validated"))
    export = gpt_export(gpt=rich, target="document", fmt="json")
    assert export.findings == []
    assert parse_document(b"".join(export.chunks)).document == gpt_document(rich)


def test_unknown_targets_and_formats_are_refused_clearly(rich):
    with pytest.raises(UnknownTarget, match="agent-plugin, agent-skill, chatgpt, document, mcp-server, openai-tools"):
        gpt_export(gpt=rich, target="plugin")
    with pytest.raises(ValueError, match="writes zip"):
        gpt_export(gpt=rich, target="chatgpt", fmt="json")
    assert set(EXPORTERS) == {"chatgpt", "document", "agent-skill", "agent-plugin", "openai-tools", "mcp-server"}


def test_a_bare_gpt_exports_a_complete_guide_and_round_trips(gpt, workspace, user):
    from gpts.uploads import gpt_import

    bundle = export_bytes(gpt)
    guide = zipfile.ZipFile(io.BytesIO(bundle)).read("PASTE_GUIDE.md").decode()
    assert "No actions." in guide and "No knowledge files." in guide
    assert "## Publish checklist (Invite-only)" in guide
    copy = gpt_import(workspace=workspace, actor=user, upload=io.BytesIO(bundle)).gpt
    assert export_bytes(copy) == bundle


def test_real_validation_errors_block_the_export_and_show_at_their_action(rich, user):
    from actions.services import action_update

    weather = rich.actions.get(name="Weather")
    action_update(action=weather, actor=user, expected_version=weather.version, privacy_policy_url="")
    rich = GPT.objects.get(pk=rich.pk)
    with pytest.raises(ExportRefused) as excinfo:
        gpt_export(gpt=rich, target="chatgpt")
    assert [(f.code, f.pointer) for f in excinfo.value.findings] == [
        ("gpt.action.privacy_policy_required", "/actions/0/privacy_policy_url")
    ]
    guide = zipfile.ZipFile(io.BytesIO(export_bytes(rich, force=True))).read("PASTE_GUIDE.md").decode()
    weather_step = guide[guide.index("### Action 1: Weather") : guide.index("### Action 2: Calendar")]
    assert "Blocks publishing:" in weather_step and "gpt.action.privacy_policy_required" in weather_step
    assert "missing: Weather" in guide


@pytest.mark.parametrize(
    ("pointer", "section"),
    [("/actions/0/schema", "action-1"), ("/actions/11", "action-12"), ("/name", "name"), ("/actions/²/x", "")],
)
def test_findings_are_placed_at_their_paste_step(pointer, section):
    from gpts.exporters.paste_plan import _section_for_pointer

    assert _section_for_pointer(pointer) == section

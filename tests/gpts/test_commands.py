"""export_gpt, import_gpt and validate_gpt: outputs, exit statuses (0/1/2), nothing written on refusal."""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from gpts.document.build import gpt_document
from gpts.document.read import parse_document
from gpts.exporters import gpt_export
from gpts.models import GPT
from gpts.validation import GPTReport
from gptstudio.findings import Finding, Severity
from tests.factories import make_gpt, make_rich_gpt, make_workspace


@pytest.fixture
def rich(workspace, user):
    return make_rich_gpt(workspace, user, api_key="sk-cmd", client_secret="cs-cmd")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def exit_status(*args) -> int:
    with pytest.raises(CommandError) as excinfo:
        run(*args)
    return excinfo.value.returncode


def test_export_writes_the_same_bytes_as_the_service(rich, tmp_path):
    out = tmp_path / "planner.zip"
    stdout, _ = run("export_gpt", "planner", "--workspace", rich.workspace.slug, "--target", "chatgpt", "--out", out)
    expected = io.BytesIO()
    gpt_export(gpt=rich, target="chatgpt").write_to(expected)
    assert out.read_bytes() == expected.getvalue()
    assert "Wrote" in stdout and not list(tmp_path.glob("*.part"))


def test_export_document_format_follows_the_file_name(rich, tmp_path):
    out = tmp_path / "planner.json"
    run("export_gpt", "planner", "--workspace", rich.workspace.slug, "--target", "document", "--out", out)
    assert json.loads(out.read_text()) == gpt_document(rich)


def test_export_refuses_errors_with_status_1_unless_forced(rich, tmp_path, monkeypatch):
    error = Finding(Severity.ERROR, "gpt.name.empty", "Name is empty.", pointer="/name")
    monkeypatch.setattr("gpts.exporters.base.validate_gpt", lambda gpt, **options: GPTReport(findings=[error]))
    out = tmp_path / "planner.zip"
    args = ("export_gpt", "planner", "--workspace", rich.workspace.slug, "--target", "chatgpt", "--out", out)
    assert exit_status(*args) == 1
    assert not out.exists()
    _, stderr = run(*args, "--force")
    assert "gpt.name.empty" in stderr and zipfile.is_zipfile(out)


@pytest.mark.parametrize(
    "args",
    [
        ("export_gpt", "nope", "--workspace", "acme", "--target", "chatgpt", "--out", "x.zip"),
        ("export_gpt", "planner", "--workspace", "acme", "--target", "chatgpt", "--format", "json", "--out", "x"),
        ("import_gpt", "/no/such/file.zip", "--workspace", "acme"),
        ("import_gpt", __file__, "--workspace", "nope"),
        ("validate_gpt", "no-such-gpt-or-file"),
    ],
)
def test_bad_usage_exits_with_2(rich, args):
    assert exit_status(*args) == 2


def test_import_creates_then_updates_and_reports_secrets(rich, tmp_path):
    bundle = tmp_path / "planner.zip"
    gpt_export(gpt=rich, target="chatgpt").write_to(bundle.open("wb"))
    stdout, _ = run("import_gpt", bundle, "--workspace", rich.workspace.slug)
    assert "Created GPT 'planner-2' (version 1)." in stdout
    assert "To be entered: the API Key of action 'Calendar'." in stdout
    copy = GPT.objects.get(slug="planner-2")
    assert gpt_document(copy) == gpt_document(rich)
    stdout, _ = run("import_gpt", bundle, "--workspace", rich.workspace.slug, "--gpt", "planner", "--format", "json")
    result = json.loads(stdout)
    assert (result["created"], result["revision"], result["gpt"]["slug"]) == (False, None, "planner")


def test_a_refused_import_exits_1_and_writes_nothing(rich, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: gptstudio/gpt@1\nname: x\n")
    count = GPT.objects.count()
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "import_gpt", broken, "--workspace", rich.workspace.slug, stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert excinfo.value.returncode == 1
    assert GPT.objects.count() == count


def test_import_reports_a_conflict_with_status_1(rich, tmp_path):
    document = tmp_path / "planner.yaml"
    gpt_export(gpt=rich, target="document").write_to(document.open("wb"))
    args = ("import_gpt", document, "--workspace", rich.workspace.slug, "--gpt", "planner")
    assert exit_status(*args, "--expected-version", str(rich.version - 1)) == 1


def test_validate_a_stored_gpt_and_a_file_without_saving(rich, tmp_path):
    stdout, _ = run("validate_gpt", "planner", "--format", "json")
    assert json.loads(stdout)["valid"] is True
    document = tmp_path / "planner.yaml"
    gpt_export(gpt=rich, target="document").write_to(document.open("wb"))
    count = GPT.objects.count()
    stdout, _ = run("validate_gpt", document)
    assert "valid" in stdout
    assert GPT.objects.count() == count


def test_validate_a_broken_file_exits_1_with_json_findings(tmp_path, db):
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: gptstudio/gpt@1\nname: x\n")
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("validate_gpt", broken, "--format", "json", stdout=out)
    assert excinfo.value.returncode == 1
    result = json.loads(out.getvalue())
    assert result["valid"] is False and {f["code"] for f in result["findings"]} == {"document.schema"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("format: gptstudio/gpt@1\nname: !!binary aGVsbG8=\n", "document.unsupported_tag"),
        ('{"format": "gptstudio/gpt@1", "name": ' + "[" * 500 + "]" * 500 + "}", "document.too_deep"),
    ],
)
def test_validate_reports_documents_that_used_to_raise_as_findings(tmp_path, db, text, code):
    path = tmp_path / "doc.yaml"
    path.write_text(text)
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("validate_gpt", path, "--format", "json", stdout=out)
    assert excinfo.value.returncode == 1
    assert [f["code"] for f in json.loads(out.getvalue())["findings"]] == [code]


def test_validate_a_bundle_file(rich, tmp_path):
    bundle = tmp_path / "planner.zip"
    gpt_export(gpt=rich, target="chatgpt").write_to(bundle.open("wb"))
    stdout, _ = run("validate_gpt", bundle, "--workspace", rich.workspace.slug)
    assert stdout.strip().endswith("valid (0 finding(s)).")
    assert parse_document(zipfile.ZipFile(bundle).read("gpt.yaml")).valid


def test_an_ambiguous_slug_needs_a_workspace(rich, other_user):
    other = make_workspace(owner=other_user, name="Other")
    make_gpt(workspace=other, actor=other_user, name="Planner")
    assert exit_status("validate_gpt", "planner") == 2
    run("validate_gpt", "planner", "--workspace", other.slug)


def test_export_needs_no_workspace_for_a_slug_unique_across_workspaces(rich, tmp_path, other_user):
    make_gpt(workspace=make_workspace(owner=other_user, name="Other"), actor=other_user, name="Elsewhere")
    out = tmp_path / "planner.zip"
    run("export_gpt", "planner", "--target", "chatgpt", "--out", out)
    expected = io.BytesIO()
    gpt_export(gpt=rich, target="chatgpt").write_to(expected)
    assert out.read_bytes() == expected.getvalue()


def test_export_of_a_slug_in_several_workspaces_is_a_usage_error_naming_them(rich, tmp_path, other_user):
    other = make_workspace(owner=other_user, name="Other")
    make_gpt(workspace=other, actor=other_user, name="Planner")
    out = tmp_path / "planner.yaml"
    with pytest.raises(CommandError) as excinfo:
        run("export_gpt", "planner", "--target", "document", "--out", out)
    assert excinfo.value.returncode == 2
    assert f"({rich.workspace.slug}, {other.slug})" in str(excinfo.value) and "--workspace" in str(excinfo.value)
    assert not out.exists()
    run("export_gpt", "planner", "--workspace", other.slug, "--target", "document", "--out", out)
    assert parse_document(out.read_bytes()).document["name"] == "Planner"


def test_validate_names_each_value_the_import_would_trim(rich, tmp_path):
    document = tmp_path / "planner.yaml"
    gpt_export(gpt=rich, target="document").write_to(document.open("wb"))
    document.write_text(document.read_text().replace("name: Planner", 'name: "  Planner  "'))
    stdout, _ = run("validate_gpt", document, "--format", "json")
    result = json.loads(stdout)
    assert result["valid"] is True
    assert [(f["code"], f["pointer"]) for f in result["findings"] if f["code"] == "import.trimmed"] == [
        ("import.trimmed", "/name")
    ]

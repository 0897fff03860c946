"""Export (download) and import (upload) endpoints: the same exporters, importers and permissions
as the pages and the commands, answered in the API's error shape."""

import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from actions.models import Action
from gpts import services
from gpts.document.build import gpt_document
from gpts.document.render import render_document
from gpts.document_schema import build_document_schema, build_openapi_document_schema
from gpts.exporters import gpt_export
from gpts.models import GPT, KnowledgeFile, Revision
from gptstudio import limits
from tests.api.conftest import API_KEY, CLIENT_SECRET, SECRET_MARKER
from tests.factories import WEATHER_SCHEMA, make_action, make_gpt, make_rich_gpt, make_workspace

TOO_LONG = "x" * (limits.GPT_INSTRUCTIONS_MAX_LENGTH.value + 1)  # an error finding, but storable


@pytest.fixture
def rich(workspace, user):
    """Every part of the document, stored secrets, and a knowledge file."""
    gpt = make_rich_gpt(workspace, user, api_key=API_KEY, client_secret=CLIENT_SECRET)
    services.knowledge_file_add(gpt=gpt, actor=user, upload=ContentFile(b"notes " * 100, name="notes.md"))
    return GPT.objects.get(pk=gpt.pk)


@pytest.fixture
def broken(workspace, user):
    """A GPT with a validation error (instructions over ChatGPT's limit)."""
    return make_gpt(workspace=workspace, actor=user, name="Too Long", instructions=TOO_LONG)


def export_url(gpt, query=""):
    return f"/api/v1/gpts/{gpt.pk}/export/" + (f"?{query}" if query else "")


def import_url(workspace):
    return f"/api/v1/workspaces/{workspace.slug}/import/"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def exported(gpt, target, **kwargs) -> bytes:
    buffer = io.BytesIO()
    gpt_export(gpt=gpt, target=target, **kwargs).write_to(buffer)
    return buffer.getvalue()


def upload(data: bytes, name="planner.chatgpt.zip"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def stored_files(settings) -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def counts():
    return (GPT.objects.count(), Action.objects.count(), Revision.objects.count(), KnowledgeFile.objects.count())


# --- Export ------------------------------------------------------------------------------------


def test_a_viewer_downloads_the_chatgpt_bundle_streamed_with_its_headers(client_for, member_of, rich):
    response = client_for(member_of("viewer")).get(export_url(rich, "target=chatgpt"))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="planner.chatgpt.zip"'
    assert response["ETag"] == f'W/"{rich.version}-chatgpt-zip"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body_of(response) == exported(rich, "chatgpt")  # the exporter's bytes, exactly


@pytest.mark.parametrize(
    ("query", "fmt", "media_type"), [("", "yaml", "application/yaml"), ("&format=json", "json", "application/json")]
)
def test_the_document_target_in_yaml_or_json_matches_both_published_schemas(api, rich, query, fmt, media_type):
    response = api.get(export_url(rich, f"target=document{query}"))
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert response["Content-Disposition"] == f'attachment; filename="planner.gpt.{fmt}"'
    data = body_of(response)
    assert data == render_document(gpt_document(rich), fmt).encode()
    document = json.loads(data) if fmt == "json" else yaml.safe_load(data)
    jsonschema.validate(document, build_document_schema())
    jsonschema.Draft4Validator(build_openapi_document_schema()).validate(document)  # what the API docs promise


def test_each_target_format_and_force_has_its_own_etag(api, rich):
    tags = {
        query: api.get(export_url(rich, query))["ETag"]
        for query in (
            "target=chatgpt",
            "target=chatgpt&force=true",
            "target=document",
            "target=document&format=yaml",
            "target=document&format=json",
        )
    }
    assert tags == {
        "target=chatgpt": f'W/"{rich.version}-chatgpt-zip"',
        "target=chatgpt&force=true": f'W/"{rich.version}-chatgpt-zip-forced"',
        "target=document": f'W/"{rich.version}-document-yaml"',  # yaml is the default format
        "target=document&format=yaml": f'W/"{rich.version}-document-yaml"',
        "target=document&format=json": f'W/"{rich.version}-document-json"',
    }


def test_if_none_match_with_the_current_tag_is_304_until_the_gpt_changes(api, rich, user):
    url = export_url(rich, "target=document&format=json")
    tag = api.get(url)["ETag"]
    for sent in (tag, tag.removeprefix("W/"), f'"other", {tag}', "*"):
        cached = api.get(url, HTTP_IF_NONE_MATCH=sent)
        assert cached.status_code == 304, sent
        assert cached["ETag"] == tag and cached.content == b""
    # Another format's tag, or a tag of the same export at an older version, downloads it again.
    assert api.get(url, HTTP_IF_NONE_MATCH=tag.replace("json", "yaml")).status_code == 200
    services.gpt_update(gpt=rich, actor=user, expected_version=rich.version, description="Changed")
    fresh = api.get(url, HTTP_IF_NONE_MATCH=tag)
    assert fresh.status_code == 200 and b"Changed" in body_of(fresh)
    assert fresh["ETag"] == f'W/"{rich.version + 1}-document-json"'


def test_if_none_match_does_not_hide_a_refusal_or_bad_input(api, broken):
    tag = api.get(export_url(broken, "target=chatgpt&force=true"))["ETag"]
    refused = api.get(export_url(broken, "target=chatgpt"), HTTP_IF_NONE_MATCH="*")
    assert refused.status_code == 409
    assert api.get(export_url(broken, "target=zip"), HTTP_IF_NONE_MATCH=tag).status_code == 400


def test_a_gpt_with_errors_is_409_with_the_findings_unless_forced(api, broken):
    refused = api.get(export_url(broken, "target=chatgpt"))
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "export_refused" and "force=true" in body["message"]
    assert [f["code"] for f in body["findings"]] == ["gpt.instructions.too_long"]
    assert body["findings"][0]["pointer"] == "/instructions"
    for force in ("true", "1"):
        forced = api.get(export_url(broken, f"target=chatgpt&force={force}"))
        assert forced.status_code == 200
        guide = zipfile.ZipFile(io.BytesIO(body_of(forced))).read("PASTE_GUIDE.md").decode()
        assert guide.index("Exported with validation errors") < guide.index("gpt.instructions.too_long")
    # force=false is the default; the document target never refuses a draft.
    assert api.get(export_url(broken, "target=chatgpt&force=false")).status_code == 409
    assert api.get(export_url(broken, "target=document")).status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "allowed"),
    [
        ("", "target", "chatgpt, document, agent-skill, agent-plugin, openai-tools, mcp-server"),
        ("target=plugin", "target", "chatgpt, document, agent-skill, agent-plugin, openai-tools, mcp-server"),
        ("target=document&format=xml", "format", "zip, yaml, json"),
        ("target=chatgpt&format=json", "format", "The chatgpt target writes zip, not 'json'."),
        ("target=document&format=zip", "format", "The document target writes yaml, json, not 'zip'."),
        ("target=chatgpt&force=maybe", "force", "Use true or false."),
    ],
)
def test_unknown_targets_and_formats_are_400_with_the_allowed_values(api, rich, query, field, allowed):
    response = api.get(export_url(rich, query))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == [field]
    assert allowed in body["errors"][field][0]


def test_an_accept_header_for_the_file_works_and_errors_stay_json(api, rich, broken):
    response = api.get(export_url(rich, "target=chatgpt"), HTTP_ACCEPT="application/zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    refused = api.get(export_url(broken, "target=chatgpt"), HTTP_ACCEPT="application/zip")
    assert refused.status_code == 409 and refused["Content-Type"] == "application/json"
    assert refused.json()["code"] == "export_refused"


def test_export_is_404_outside_and_401_without_credentials(client_for, other_user, anon, rich):
    assert client_for(other_user).get(export_url(rich, "target=document")).status_code == 404
    assert anon.get(export_url(rich, "target=document")).status_code == 401
    assert client_for(other_user).get("/api/v1/gpts/999999/export/?target=document").status_code == 404


def test_no_exported_byte_holds_a_secret(api, rich):
    """The stored secrets are real (the fixture seeds them); every exported file, unzipped, is free of them."""
    assert {a.api_key.reveal() for a in Action.objects.all()} >= {API_KEY}
    assert {a.oauth_client_secret.reveal() for a in Action.objects.all()} >= {CLIENT_SECRET}
    files = {}
    bundle = zipfile.ZipFile(io.BytesIO(body_of(api.get(export_url(rich, "target=chatgpt")))))
    files.update({name: bundle.read(name) for name in bundle.namelist()})
    for fmt in ("yaml", "json"):
        files[fmt] = body_of(api.get(export_url(rich, f"target=document&format={fmt}")))
    assert len(files) >= 10 and any(name.startswith("actions/") for name in files)
    for name, data in files.items():
        for secret in (API_KEY, CLIENT_SECRET, SECRET_MARKER):
            assert secret.encode() not in data, f"{secret} in {name}"


def test_the_export_query_count_does_not_grow_with_actions(api, workspace, user, django_assert_max_num_queries):
    small = make_gpt(workspace=workspace, actor=user, name="Small")
    large = make_gpt(workspace=workspace, actor=user, name="Large")
    make_action(small, actor=user, name="A0")
    for n in range(10):
        schema = WEATHER_SCHEMA.replace("api.weather.example.com", f"api{n}.example.com")
        make_action(GPT.objects.get(pk=large.pk), actor=user, name=f"A{n}", schema_text=schema)
    with django_assert_max_num_queries(20) as small_run:
        assert len(body_of(api.get(export_url(small, "target=chatgpt&force=true")))) > 0
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        assert len(body_of(api.get(export_url(large, "target=chatgpt&force=true")))) > 0


# --- Import ------------------------------------------------------------------------------------


def test_an_editor_imports_a_bundle_as_a_new_gpt(client_for, member_of, rich, workspace):
    before = Revision.objects.count()
    response = client_for(member_of("editor")).post(
        import_url(workspace), {"file": upload(exported(rich, "chatgpt"))}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    imported = GPT.objects.get(pk=body["gpt"]["id"])
    assert response["ETag"] == f'"{imported.version}"'
    assert (body["created"], body["revision"], body["gpt"]["slug"]) == (True, 1, "planner-2")
    assert body["gpt"]["name"] == "Planner" and [a["name"] for a in body["gpt"]["actions"]] == [
        "Weather",
        "Calendar",
        "Notes",
    ]
    assert body["gpt"]["knowledge_files"][0]["name"] == "notes.md"
    assert body["secrets_to_enter"] == [
        {"action": "Calendar", "field": "API Key"},
        {"action": "Notes", "field": "Client Secret"},
    ]
    codes = [f["code"] for f in body["findings"]]
    assert codes.count("import.secret_to_enter") == 2
    assert body["valid"] == ("error" not in {f["severity"] for f in body["findings"]})
    assert gpt_document(imported) == gpt_document(rich)
    assert Revision.objects.count() == before + 1


def test_a_document_in_yaml_or_json_imports_too(api, rich, workspace):
    for fmt in ("yaml", "json"):
        data = exported(rich, "document", fmt=fmt)
        response = api.post(import_url(workspace), {"file": upload(data, f"planner.gpt.{fmt}")}, format="multipart")
        assert response.status_code == 201, response.json()
        imported = GPT.objects.get(pk=response.json()["gpt"]["id"])
        # A document carries no knowledge bytes; this workspace stores them already, so they are reused.
        assert gpt_document(imported) == gpt_document(rich)


def test_export_import_export_through_the_api_is_byte_identical(api, rich, workspace):
    original = body_of(api.get(export_url(rich, "target=chatgpt")))
    response = api.post(import_url(workspace), {"file": upload(original)}, format="multipart")
    assert response.status_code == 201, response.json()
    copy = GPT.objects.get(pk=response.json()["gpt"]["id"])
    assert gpt_document(copy) == gpt_document(rich)
    assert body_of(api.get(export_url(copy, "target=chatgpt"))) == original
    for fmt in ("yaml", "json"):
        query = f"target=document&format={fmt}"
        assert body_of(api.get(export_url(copy, query))) == body_of(api.get(export_url(rich, query)))


def test_a_new_revision_of_an_existing_gpt_with_the_version_check(api, rich, workspace, user):
    document = gpt_document(rich) | {"description": "Changed through the API."}
    data = render_document(document, "yaml").encode()
    version = rich.version
    response = api.post(
        import_url(workspace),
        {"file": upload(data, "p.gpt.yaml"), "gpt": rich.pk, "version": version},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["gpt"]["id"], body["gpt"]["description"]) == (
        False,
        rich.pk,
        "Changed through the API.",
    )
    assert body["revision"] == version + 1 and response["ETag"] == f'"{version + 1}"'
    assert GPT.objects.get(pk=rich.pk).version == version + 1
    # Matched actions keep their stored secrets: nothing to enter.
    assert body["secrets_to_enter"] == []
    # The same upload again changes nothing: 200, no revision.
    again = api.post(
        import_url(workspace),
        {"file": upload(data, "p.gpt.yaml"), "gpt": rich.pk},
        HTTP_IF_MATCH=f'"{version + 1}"',
        format="multipart",
    )
    assert again.status_code == 200 and again.json()["revision"] is None
    assert GPT.objects.get(pk=rich.pk).version == version + 1


def test_a_stale_version_or_if_match_is_412_and_nothing_is_written(api, rich, workspace, settings):
    data = render_document(gpt_document(rich) | {"description": "Stale"}, "yaml").encode()
    before, files = counts(), stored_files(settings)
    stale = api.post(
        import_url(workspace),
        {"file": upload(data, "p.yaml"), "gpt": rich.pk, "version": rich.version - 1},
        format="multipart",
    )
    assert stale.status_code == 412
    assert stale.json()["current_version"] == rich.version and stale["ETag"] == f'"{rich.version}"'
    header = api.post(
        import_url(workspace), {"file": upload(data, "p.yaml"), "gpt": rich.pk}, HTTP_IF_MATCH='"1"', format="multipart"
    )
    assert header.status_code == 412 and header.json()["code"] == "precondition_failed"
    assert counts() == before and stored_files(settings) == files
    assert GPT.objects.get(pk=rich.pk).description != "Stale"


def test_an_edit_landing_during_the_import_is_409(api, rich, workspace, user, monkeypatch):
    from gpts.api import views

    real_import = views.gpt_import

    def someone_saves_first(**kwargs):
        services.gpt_update(gpt=GPT.objects.get(pk=rich.pk), actor=user, expected_version=rich.version, name="Theirs")
        return real_import(**kwargs)

    monkeypatch.setattr(views, "gpt_import", someone_saves_first)
    data = render_document(gpt_document(rich) | {"description": "Mine"}, "yaml").encode()
    response = api.post(
        import_url(workspace),
        {"file": upload(data, "p.yaml"), "gpt": rich.pk, "version": rich.version},
        format="multipart",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict" and response.json()["current_version"] == rich.version + 1
    assert GPT.objects.get(pk=rich.pk).name == "Theirs"


def test_version_or_if_match_without_a_gpt_is_400(api, rich, workspace):
    data = exported(rich, "document")
    before = counts()
    for extra, headers in (({"version": 1}, {}), ({}, {"HTTP_IF_MATCH": '"1"'})):
        response = api.post(
            import_url(workspace), {"file": upload(data, "p.yaml"), **extra}, format="multipart", **headers
        )
        assert response.status_code == 400 and list(response.json()["errors"]) == ["gpt"]
    assert counts() == before


def test_the_gpt_must_be_one_of_this_workspaces(api, user, rich, workspace, foreign_gpt):
    mine_elsewhere = make_gpt(workspace=make_workspace(owner=user, name="Second"), actor=user, name="Elsewhere")
    data = exported(rich, "document")
    response = api.post(
        import_url(workspace), {"file": upload(data, "p.yaml"), "gpt": mine_elsewhere.pk}, format="multipart"
    )
    assert response.status_code == 400 and "gpt" in response.json()["errors"]
    response = api.post(
        import_url(workspace), {"file": upload(data, "p.yaml"), "gpt": foreign_gpt.pk}, format="multipart"
    )
    assert response.status_code == 404


def _rebuild(original: bytes, add=(), replace=None) -> bytes:
    """A copy of a bundle with entries added or replaced."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(original))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, data in add:
            target.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "code", "message"),
    [
        (lambda b: _rebuild(b, [("../evil.txt", b"x")]), "import.zip.unsafe_path", "'../evil.txt'"),
        (
            lambda b: _rebuild(b, [("extra.exe", b"MZ")]),
            "import.zip.unexpected_file",
            "not part of a GPT Studio bundle",
        ),
        (
            lambda b: _rebuild(b, [("knowledge/bomb.bin", b"\0" * (8 * 1024 * 1024))]),
            "import.zip.bomb",
            "zip bomb",
        ),
        (lambda b: b"PK\x03\x04 not really a zip", "import.zip.unreadable", "not a readable zip"),
        (lambda b: b"format: gptstudio/gpt@1\nname: x\n", "document.schema", ""),
        (lambda b: b"\x00\x01binary", "document.unreadable", ""),
    ],
)
def test_unsafe_or_malformed_uploads_are_400_with_the_bundle_messages_and_write_nothing(
    api, rich, workspace, settings, make, code, message
):
    data = make(exported(rich, "chatgpt"))
    before, files = counts(), stored_files(settings)
    response = api.post(import_url(workspace), {"file": upload(data)}, format="multipart")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "import_refused" and body["message"].startswith(
        "The import was refused; nothing was written."
    )
    assert code in [f["code"] for f in body["findings"]]
    assert message in body["message"]
    assert counts() == before and stored_files(settings) == files


def test_a_value_the_services_refuse_midway_is_400_and_rolls_everything_back(api, rich, workspace, settings):
    """The GPT and two of its actions are written before the third action is refused."""
    document = gpt_document(rich)
    document["actions"][2]["authentication"]["oauth"]["token_url"] = "https://..."
    bundle = _rebuild(exported(rich, "chatgpt"), replace={"gpt.yaml": render_document(document, "yaml").encode()})
    before, files = counts(), stored_files(settings)
    response = api.post(import_url(workspace), {"file": upload(bundle)}, format="multipart")
    assert response.status_code == 400, response.json()
    (finding,) = response.json()["findings"]
    assert (finding["code"], finding["pointer"]) == (
        "import.invalid_value",
        "/actions/2/authentication/oauth/token_url",
    )
    assert counts() == before and stored_files(settings) == files


def test_too_large_is_413(api, rich, workspace, monkeypatch, settings):
    bundle = exported(rich, "chatgpt")
    before = counts()
    # The bundle's expanded size over the cap: the bundle module's finding, as a 413.
    monkeypatch.setattr(limits, "STUDIO_BUNDLE_MAX_TOTAL_BYTES", len(bundle) * 2)
    monkeypatch.setattr("gpts.bundle.DOCUMENT_MAX_BYTES", 100)  # gpt.yaml alone is over this entry cap
    response = api.post(import_url(workspace), {"file": upload(bundle)}, format="multipart")
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert "import.zip.too_large" in [f["code"] for f in response.json()["findings"]]
    # A document over what GPT Studio reads.
    monkeypatch.setattr("gpts.document.read.DOCUMENT_MAX_BYTES", 100)
    monkeypatch.setattr("gpts.uploads.DOCUMENT_MAX_BYTES", 100)
    response = api.post(
        import_url(workspace), {"file": upload(exported(rich, "document"), "p.yaml")}, format="multipart"
    )
    assert response.status_code == 413 and [f["code"] for f in response.json()["findings"]] == ["document.too_large"]
    # An upload over the cap: refused before its body is parsed.
    monkeypatch.setattr(limits, "STUDIO_BUNDLE_MAX_TOTAL_BYTES", 1000)
    response = api.post(import_url(workspace), {"file": upload(b"x" * 2_000_000)}, format="multipart")
    assert (
        response.status_code == 413 and "GPT Studio imports bundles of up to 1000 bytes" in response.json()["message"]
    )
    # An upload over the cap that fits in the multipart allowance: refused after parsing, before reading.
    response = api.post(import_url(workspace), {"file": upload(bundle)}, format="multipart")
    assert response.status_code == 413 and "larger than GPT Studio imports" in response.json()["message"]
    assert counts() == before


def test_import_needs_edit_rights_a_file_and_multipart(client_for, member_of, api, rich, workspace, other_user):
    data = exported(rich, "document")
    before = counts()
    viewer = client_for(member_of("viewer")).post(
        import_url(workspace), {"file": upload(data, "p.yaml")}, format="multipart"
    )
    assert viewer.status_code == 403 and viewer.json()["code"] == "permission_denied"
    outsider = client_for(other_user).post(import_url(workspace), {"file": upload(data, "p.yaml")}, format="multipart")
    assert outsider.status_code == 404
    assert api.post(import_url(workspace), {}, format="multipart").json()["errors"] == {
        "file": ["No file was submitted."]
    }
    assert api.post(import_url(workspace), {"file": data.decode()}, format="json").status_code == 415
    assert counts() == before

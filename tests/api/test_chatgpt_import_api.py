"""ChatGPT's GPT JSON through the API: the workspace import answers per GPT, re-imports are
version-checked, the GPT detail shows the ChatGPT identity, the profile picture is fetched as a job,
and fuzzed JSON never gives a 500 nor a partial write."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from actions.models import Action
from gpts.chatgpt_import import chatgpt_import
from gpts.exporters import gpt_export
from gpts.importers import DocumentRejected
from gpts.models import GPT, ConversationStarter, Job, Revision
from gptstudio.fetcher import allow_loopback_for_tests
from tests.loopback_server import Reply

DATA = Path(__file__).resolve().parent.parent / "data" / "chatgpt"
FIXTURES = sorted(p.name for p in DATA.glob("*.json"))


def import_url(workspace):
    return f"/api/v1/workspaces/{workspace.slug}/import/"


def upload(api, workspace, data: bytes, headers: dict | None = None, **fields):
    files = {"file": SimpleUploadedFile("gizmo.json", data, content_type="application/json"), **fields}
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
    return api.post(import_url(workspace), files, format="multipart", **meta)


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_a_gpt_json_imports_as_a_new_gpt_with_a_per_gpt_report(api, workspace):
    response = upload(api, workspace, fixture("api_key_gpt.json"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["created"], body["updated"], body["refused"]) == ("chatgpt", 1, 0, 0)
    (result,) = body["results"]
    assert result["written"] and result["created"] and result["chatgpt_id"] == "g-StAtUs0001"
    assert result["knowledge_file_ids"] == ["file-8kJhAAAA", "file-9xYzBBBB"]
    codes = {f["code"] for f in result["findings"]}
    assert {"chatgpt.secret_to_enter", "chatgpt.knowledge_to_upload", "action.auth.secret_missing"} <= codes
    detail = api.get(f"/api/v1/gpts/{result['gpt']['id']}/").json()
    assert detail["chatgpt_id"] == "g-StAtUs0001" and detail["chatgpt_imported_at"]
    assert detail["chatgpt_profile_picture_url"] == "https://files.example.com/status-helper.png"
    assert detail["chatgpt_pending_knowledge"] == ["file-8kJhAAAA", "file-9xYzBBBB"]
    assert detail["readiness"] == "errors"


def test_a_list_answers_per_gpt_and_writes_the_good_ones(api, workspace):
    response = upload(api, workspace, fixture("list_array.json"))
    assert response.status_code == 201
    assert [r["written"] for r in response.json()["results"]] == [True, True, False, False]
    assert GPT.objects.filter(workspace=workspace).count() == 2


def test_reimport_needs_the_version_and_records_one_revision(api, workspace):
    first = upload(api, workspace, fixture("api_key_gpt.json")).json()["results"][0]["gpt"]
    changed = json.loads(fixture("api_key_gpt.json"))
    changed["gizmo"]["instructions"] = "Changed in ChatGPT."
    data = json.dumps(changed).encode()

    missing = upload(api, workspace, data)
    assert missing.status_code == 428 and missing.json()["current_version"] == first["version"]
    stale = upload(api, workspace, data, headers={"If-Match": '"9"'})
    assert stale.status_code == 412
    assert GPT.objects.get(pk=first["id"]).instructions != "Changed in ChatGPT."

    by_if_match = upload(api, workspace, data, headers={"If-Match": f'"{first["version"]}"'})
    assert by_if_match.status_code == 200, by_if_match.json()
    result = by_if_match.json()["results"][0]
    assert not result["created"] and result["revision"] == first["version"] + 1
    changed["gizmo"]["instructions"] = "Changed again."
    by_versions = upload(
        api, workspace, json.dumps(changed).encode(), versions=json.dumps({"g-StAtUs0001": first["version"] + 1})
    )
    assert by_versions.status_code == 200 and by_versions.json()["results"][0]["revision"] == first["version"] + 2
    assert Revision.objects.filter(gpt_id=first["id"]).count() == 3
    assert GPT.objects.filter(workspace=workspace).count() == 1


@pytest.mark.parametrize(
    ("data", "fields", "status"),
    [
        (b'{"gizmo": {"id": "g-p-Project1", "gizmo_type": "snorlax"}}', {}, 400),
        (b'{"hello": "world", "gizmo_type": 3}', {}, 400),
        (b'{"gizmo": {"id": "g-NewOne0001"}}', {"versions": "[1]"}, 400),
        (b'{"gizmo": {"id": "g-NewOne0001"}}', {"version": "1"}, 400),
    ],
)
def test_refusals_are_4xx_and_write_nothing(api, workspace, data, fields, status):
    response = upload(api, workspace, data, **fields)
    assert response.status_code == status, response.json()
    assert GPT.objects.count() == 0


def test_a_project_is_refused_with_a_finding_saying_what_it_is(api, workspace):
    response = upload(api, workspace, fixture("project.json"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_refused" and "Project" in body["message"]
    assert "chatgpt.project" in {f["code"] for f in body["findings"]}


def test_the_command_imports_chatgpt_json_with_per_gpt_lines_and_exit_codes(workspace, user, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "list.json"
    path.write_bytes(fixture("list_items.json"))
    out = io.StringIO()
    call_command("import_gpt", path, "--workspace", workspace.slug, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("1. Item One [g-ItEmOnE001]: created GPT 'item-one'")
    assert any(line.startswith("2. Item Two [g-ItEmTwO002]: created GPT") for line in lines)

    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_gpt", path, "--workspace", workspace.slug, "--format", "json", stdout=out)
    assert refused.value.returncode == 1  # both exist now, and no version was given
    assert [r["current_version"] for r in json.loads(out.getvalue())["results"]] == [1, 1]

    out = io.StringIO()
    call_command(
        "import_gpt",
        path,
        "--workspace",
        workspace.slug,
        "--chatgpt-version",
        "g-ItEmOnE001=1",
        "--chatgpt-version",
        "g-ItEmTwO002=1",
        "--format",
        "json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["valid"] is True
    with pytest.raises(CommandError) as usage:
        call_command("import_gpt", path, "--workspace", workspace.slug, "--chatgpt-version", "g-x=²")
    assert usage.value.returncode == 2


def test_the_imported_gpt_exports_as_a_chatgpt_bundle_whose_fields_match_the_json(workspace, user):
    source = json.loads(fixture("api_key_gpt.json"))
    result = chatgpt_import(workspace=workspace, actor=user, data=fixture("api_key_gpt.json"))
    gpt = GPT.objects.get(pk=result.results[0].outcome.gpt.pk)
    buffer = io.BytesIO()
    gpt_export(gpt=gpt, target="chatgpt", force=True).write_to(buffer)
    bundle = zipfile.ZipFile(buffer)
    import yaml

    document = yaml.safe_load(bundle.read("gpt.yaml"))
    display = source["gizmo"]["display"]
    assert document["name"] == display["name"] and document["description"] == display["description"]
    assert document["instructions"] == source["gizmo"]["instructions"]
    assert document["conversation_starters"] == [s for s in display["prompt_starters"] if s.strip()]
    assert document["recommended_model"] == source["gizmo"]["model"]
    assert document["visibility"] == "link" and document["category"] == "Productivity"
    tools = [t for t in source["tools"] if t["type"] == "plugins_prototype"]
    assert [json.loads(a["schema"]) for a in document["actions"]] == [t["metadata"]["json_schema"] for t in tools]
    assert [a["privacy_policy_url"] for a in document["actions"]] == [
        t["metadata"]["privacy_policy_url"] for t in tools
    ]
    assert [a["authentication"]["api_key"]["auth_type"] for a in document["actions"]] == [
        t["metadata"]["auth"]["authorization_type"] for t in tools
    ]
    names = bundle.namelist()
    assert any(name.startswith("actions/") for name in names)


# --- The profile picture job -----------------------------------------------------------------------


def png_bytes(side=64) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def imported_with_picture(workspace, user, url: str, gizmo_id="g-BaReGiZmO1") -> GPT:
    data = json.loads(fixture("bare_gizmo.json"))
    data["id"] = gizmo_id
    data["display"]["profile_picture_url"] = url
    return chatgpt_import(workspace=workspace, actor=user, data=json.dumps(data).encode()).results[0].outcome.gpt


@pytest.mark.eager  # the job runs in the request: with a broker it waits for a worker
def test_the_profile_picture_is_fetched_as_a_job_and_saved_as_a_revision(
    api, workspace, user, loopback_server, django_capture_on_commit_callbacks
):
    url = loopback_server.route("/picture.png", Reply(body=png_bytes(), headers={"Content-Type": "image/png"}))
    gpt = imported_with_picture(workspace, user, url)
    with allow_loopback_for_tests(), django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/gpts/{gpt.pk}/fetch-profile-picture/")
    assert response.status_code == 202, response.json()
    job = Job.objects.get(pk=response.json()["id"])
    assert (job.kind, job.status, job.error) == ("profile_picture_fetch", "succeeded", "")
    gpt.refresh_from_db()
    assert gpt.profile_picture.name.endswith(".png") and gpt.version == 2
    assert gpt.revisions.first().summary == "Profile picture fetched from ChatGPT"
    assert loopback_server.requests[0].path == "/picture.png"


@pytest.mark.eager  # the job runs in the request: with a broker it waits for a worker
def test_a_picture_that_is_not_an_image_fails_the_job_and_changes_nothing(
    api, workspace, user, loopback_server, django_capture_on_commit_callbacks
):
    url = loopback_server.route("/picture.png", Reply(body=b"<html>expired</html>"))
    gpt = imported_with_picture(workspace, user, url)
    with allow_loopback_for_tests(), django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/gpts/{gpt.pk}/fetch-profile-picture/")
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == "failed" and "PNG, JPEG, GIF or WebP" in job.error
    gpt.refresh_from_db()
    assert not gpt.profile_picture and gpt.version == 1


@pytest.mark.eager  # the job runs in the request: with a broker it waits for a worker
def test_a_picture_over_the_size_cap_is_not_downloaded_whole(
    api, workspace, user, loopback_server, django_capture_on_commit_callbacks
):
    from gptstudio import limits

    oversized = png_bytes() + b"\0" * limits.STUDIO_PROFILE_PICTURE_MAX_BYTES
    url = loopback_server.route("/big.png", Reply(body=oversized, headers={"Content-Type": "image/png"}))
    gpt = imported_with_picture(workspace, user, url)
    with allow_loopback_for_tests(), django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/gpts/{gpt.pk}/fetch-profile-picture/")
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == "failed" and job.error
    gpt.refresh_from_db()
    assert not gpt.profile_picture and gpt.version == 1


def test_the_fetcher_guard_applies_to_the_picture_address(api, workspace, user):
    gpt = imported_with_picture(workspace, user, "http://127.0.0.1:9/picture.png")
    response = api.post(f"/api/v1/gpts/{gpt.pk}/fetch-profile-picture/")
    assert response.status_code == 400 and Job.objects.count() == 0
    plain = imported_with_picture(workspace, user, "", gizmo_id="g-NoPicture01")
    assert api.post(f"/api/v1/gpts/{plain.pk}/fetch-profile-picture/").status_code == 400


def test_a_viewer_cannot_fetch_the_picture_or_clear_pending_files(client_for, member_of, workspace, user):
    gpt = chatgpt_import(workspace=workspace, actor=user, data=fixture("api_key_gpt.json")).results[0].outcome.gpt
    viewer = client_for(member_of("viewer"))
    assert viewer.post(f"/api/v1/gpts/{gpt.pk}/fetch-profile-picture/").status_code == 403
    assert viewer.post(f"/api/v1/gpts/{gpt.pk}/knowledge-pending-clear/", {}, format="json").status_code == 403


def test_pending_knowledge_is_cleared_through_the_api(api, workspace, user):
    gpt = chatgpt_import(workspace=workspace, actor=user, data=fixture("api_key_gpt.json")).results[0].outcome.gpt
    url = f"/api/v1/gpts/{gpt.pk}/knowledge-pending-clear/"
    response = api.post(url, {"file_ids": ["file-8kJhAAAA"]}, format="json")
    assert response.status_code == 200 and response.json()["chatgpt_pending_knowledge"] == ["file-9xYzBBBB"]
    assert api.post(url, {}, format="json").json()["chatgpt_pending_knowledge"] == []
    assert api.post(url, {"file_ids": "x"}, format="json").status_code == 400


# --- Fuzzing: never a 500, never a partial write -----------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


# Derandomized: the same examples on every run, so a verdict depends on the commit, not on luck.
FUZZ = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


@st.composite
def mutated_fixture(draw):
    """A fixture with a few of its values replaced by random JSON, or removed."""
    name = draw(st.sampled_from(FIXTURES))
    data = json.loads((DATA / name).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return json.dumps(data).encode()


def _rows():
    return (GPT.objects.count(), Action.objects.count(), ConversationStarter.objects.count(), Revision.objects.count())


def _expected_rows(results) -> tuple[int, int, int, int]:
    """What the written GPTs account for: each written GPT exactly as its document says."""
    gpts = actions = starters = 0
    for item in results:
        if item.get("written"):
            gpt = GPT.objects.get(pk=item["gpt"]["id"])
            gpts += 1
            actions += gpt.actions.count()
            starters += gpt.conversation_starters.count()
    return gpts, actions, starters


@pytest.mark.django_db(transaction=False)
@FUZZ
@given(data=mutated_fixture())
def test_fuzzed_json_through_the_api_is_never_a_500_nor_a_partial_write(api, workspace, data):
    GPT.objects.filter(workspace=workspace).delete()
    response = upload(api, workspace, data)
    assert response.status_code in (200, 201, 400, 413, 428), response.content[:500]
    body = response.json()
    results = body.get("results", [])
    gpts, actions, starters = _expected_rows(results)
    assert (GPT.objects.filter(workspace=workspace).count(), Action.objects.count()) == (gpts, actions)
    assert ConversationStarter.objects.count() == starters
    for item in results:
        if item.get("written"):
            gpt = GPT.objects.get(pk=item["gpt"]["id"])
            assert gpt.revisions.count() == 1 and gpt.chatgpt_id == item["chatgpt_id"]
    if response.status_code >= 400:
        assert GPT.objects.filter(workspace=workspace).count() == 0


@pytest.mark.django_db
@FUZZ
@given(data=mutated_fixture())
def test_fuzzed_json_through_the_service_writes_each_gpt_whole_or_not_at_all(workspace, user, data):
    GPT.objects.filter(workspace=workspace).delete()
    try:
        result = chatgpt_import(workspace=workspace, actor=user, data=data)
    except DocumentRejected:
        assert GPT.objects.filter(workspace=workspace).count() == 0
        return
    for item in result.results:
        if item.outcome is None:
            continue
        gpt = GPT.objects.get(pk=item.outcome.gpt.pk)
        document = item.plan.document
        assert gpt.name == document["name"].strip()
        assert gpt.actions.count() == len(document["actions"])
        assert [s.text for s in gpt.conversation_starters.all()] == [
            s.strip() for s in document["conversation_starters"] if s.strip()
        ]
    assert GPT.objects.filter(workspace=workspace).count() == result.created
    # Importing the same input again updates, never duplicates (given the versions).
    versions = {r.plan.chatgpt_id: r.outcome.gpt.version for r in result.results if r.outcome and r.plan.chatgpt_id}
    again = chatgpt_import(workspace=workspace, actor=user, data=data, expected_versions=versions)
    assert again.created == sum(1 for r in result.results if r.outcome and not r.plan.chatgpt_id)
    assert all(r.outcome is not None for r in again.results if r.plan.chatgpt_id in versions)

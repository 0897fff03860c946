"""The import page with ChatGPT's JSON: a preview that writes nothing, then a confirmed import
against the versions the preview showed (gpts/views_export.py, gpts/chatgpt_import.py)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given

from actions.models import Action
from gpts import services
from gpts.models import GPT, Revision
from tests.api.test_chatgpt_import_api import FUZZ, mutated_fixture
from tests.factories import UserFactory
from tests.gpts.chatgpt_samples import GIZMO_ID, as_text, gizmo_json, project_json
from tests.studio_pages import inline_code


def import_url(workspace):
    return reverse("gpts_export:import", args=[workspace.slug])


def rows() -> tuple[int, int, int]:
    return GPT.objects.count(), Revision.objects.count(), Action.objects.count()


def preview_token(html: str) -> str:
    return re.search(r'name="preview" value="([^"]+)"', html).group(1)


def confirm(client, workspace, html: str, step: str = "import"):
    return client.post(import_url(workspace), {"preview": preview_token(html), "step": step})


@pytest.fixture
def editor(client, user):
    client.force_login(user)
    return client


def test_pasted_json_is_previewed_and_nothing_is_written(editor, workspace):
    before = rows()
    response = editor.post(import_url(workspace), {"text": as_text(gizmo_json())})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview: import from ChatGPT" in html and "will create" in html
    assert "Weather Helper" in html and GIZMO_ID in html
    assert "<li>Visibility: Invite-only · category: Productivity</li>" in html
    assert "<li>Capabilities: Web Search</li>" in html
    assert "<li>Action “Weather”: authentication API Key</li>" in html
    # The report: what ChatGPT never gives back and what the studio has no field for.
    assert "file-8kJhAbC" in html
    assert "Hello! Ask me about the weather." in html
    assert 'type="submit" class="primary">Import</button>' in html
    assert inline_code(html) == []
    assert rows() == before


def test_confirming_the_preview_creates_the_gpt_with_its_chatgpt_identity(editor, workspace):
    preview = editor.post(import_url(workspace), {"text": as_text(gizmo_json())}).content.decode()
    response = confirm(editor, workspace, preview)
    assert response.status_code == 201
    gpt = GPT.objects.get(workspace=workspace, chatgpt_id=GIZMO_ID)
    assert gpt.name == "Weather Helper" and gpt.instructions == "Answer questions about the weather."
    assert gpt.revisions.count() == 1 and gpt.chatgpt_imported_at is not None
    assert gpt.chatgpt_pending_knowledge == ["file-8kJhAbC"]
    html = response.content.decode()
    assert "created" in html and f'href="/w/{workspace.slug}/g/{gpt.slug}/"' in html
    assert f'href="/w/{workspace.slug}/g/{gpt.slug}/history/"' in html
    assert inline_code(html) == []


def test_an_uploaded_json_file_is_previewed_and_imported_the_same_way(editor, workspace):
    upload = SimpleUploadedFile("weather.json", as_text(gizmo_json()).encode(), content_type="application/json")
    before = rows()
    preview = editor.post(import_url(workspace), {"upload": upload})
    assert preview.status_code == 200 and "will create" in preview.content.decode()
    assert rows() == before
    assert confirm(editor, workspace, preview.content.decode()).status_code == 201
    assert GPT.objects.filter(workspace=workspace, chatgpt_id=GIZMO_ID).count() == 1


def test_a_re_import_previews_the_changed_fields_and_records_one_new_revision(editor, workspace):
    confirm(editor, workspace, editor.post(import_url(workspace), {"text": as_text(gizmo_json())}).content.decode())
    gpt = GPT.objects.get(workspace=workspace, chatgpt_id=GIZMO_ID)
    changed = as_text(gizmo_json(instructions="Answer questions about the weather, in metric units."))
    before = rows()
    preview = editor.post(import_url(workspace), {"text": changed})
    html = preview.content.decode()
    assert preview.status_code == 200 and rows() == before
    assert f'will update</span> <a href="/w/{workspace.slug}/g/{gpt.slug}/">Weather Helper</a> (v1 → v2)' in html
    assert "+Answer questions about the weather, in metric units." in html  # the instructions' line diff
    assert "-Answer questions about the weather." in html
    response = confirm(editor, workspace, html)
    assert response.status_code == 200
    gpt.refresh_from_db()
    assert gpt.version == 2 and gpt.revisions.count() == 2
    assert gpt.instructions == "Answer questions about the weather, in metric units."
    assert f"/w/{workspace.slug}/g/{gpt.slug}/history/diff/?from=1&amp;to=2" in response.content.decode()


def test_a_save_between_preview_and_confirm_is_a_conflict_not_an_overwrite(editor, workspace, user):
    confirm(editor, workspace, editor.post(import_url(workspace), {"text": as_text(gizmo_json())}).content.decode())
    gpt = GPT.objects.get(workspace=workspace, chatgpt_id=GIZMO_ID)
    preview = editor.post(import_url(workspace), {"text": as_text(gizmo_json(instructions="From ChatGPT."))})
    services.gpt_update(gpt=gpt, actor=user, expected_version=gpt.version, instructions="Edited in the studio.")
    before = rows()
    response = confirm(editor, workspace, preview.content.decode())
    assert response.status_code == 409
    html = response.content.decode()
    assert "Edit conflict" in html and "nothing was written" in html
    assert rows() == before
    assert GPT.objects.get(pk=gpt.pk).instructions == "Edited in the studio."
    # Previewing again compares with the version saved meanwhile.
    again = confirm(editor, workspace, html, step="preview")
    assert again.status_code == 200 and "(v2 → v3)" in again.content.decode()
    assert "-Edited in the studio." in again.content.decode()


def test_a_project_is_refused_with_the_reason_and_nothing_is_written(editor, workspace):
    before = rows()
    response = editor.post(import_url(workspace), {"text": as_text(project_json())})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Project" in html and "nothing was written" in html
    assert 'name="preview"' not in html  # no way to confirm
    assert rows() == before


@pytest.mark.parametrize(
    "text",
    ["{not json at all", '{"gizmo": 42}', "[1, 2, 3]", "just some words"],
    ids=["broken", "wrong", "list", "words"],
)
def test_junk_is_refused_with_a_reason_and_nothing_is_written(editor, workspace, text):
    before = rows()
    response = editor.post(import_url(workspace), {"text": text})
    assert response.status_code == 400
    assert 'class="finding finding-error"' in response.content.decode()
    assert rows() == before


def test_a_list_imports_the_gpts_and_skips_the_project_each_reported(editor, workspace):
    listing = as_text({"items": [gizmo_json(), project_json()]})
    preview = editor.post(import_url(workspace), {"text": listing})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "will create" in html and "refused" in html and "Team project" in html
    response = confirm(editor, workspace, html)
    assert response.status_code == 201
    assert list(GPT.objects.filter(workspace=workspace).values_list("chatgpt_id", flat=True)) == [GIZMO_ID]
    assert "not imported" in response.content.decode()
    assert "Preview again" not in response.content.decode()  # a refusal is not a conflict


def test_a_changed_or_foreign_preview_is_refused_before_anything_is_read(editor, workspace, user):
    html = editor.post(import_url(workspace), {"text": as_text(gizmo_json())}).content.decode()
    token = preview_token(html)
    before = rows()
    tampered = editor.post(import_url(workspace), {"preview": token[:-3] + "abc", "step": "import"})
    assert tampered.status_code == 400 and "expired or was changed" in tampered.content.decode()
    someone = UserFactory()
    services.membership_set(workspace=workspace, user=someone, role="editor")
    other = Client()
    other.force_login(someone)
    assert other.post(import_url(workspace), {"preview": token, "step": "import"}).status_code == 400
    assert rows() == before


def test_viewers_cannot_preview_or_confirm(client, editor, workspace):
    html = editor.post(import_url(workspace), {"text": as_text(gizmo_json())}).content.decode()
    viewer = UserFactory()
    services.membership_set(workspace=workspace, user=viewer, role="viewer")
    client.force_login(viewer)
    assert client.post(import_url(workspace), {"text": as_text(gizmo_json())}).status_code == 403
    assert client.post(import_url(workspace), {"preview": preview_token(html), "step": "import"}).status_code == 403
    assert not GPT.objects.filter(chatgpt_id=GIZMO_ID).exists()


def test_confirming_needs_the_csrf_token(user, workspace):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    page = browser.get(import_url(workspace)).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    preview = browser.post(import_url(workspace), {"text": as_text(gizmo_json()), "csrfmiddlewaretoken": csrf})
    assert preview.status_code == 200
    token = preview_token(preview.content.decode())
    assert browser.post(import_url(workspace), {"preview": token, "step": "import"}).status_code == 403
    assert not GPT.objects.filter(chatgpt_id=GIZMO_ID).exists()


def test_chatgpt_json_with_a_chosen_target_gpt_is_refused_with_the_reason(editor, workspace, gpt):
    before = rows()
    response = editor.post(import_url(workspace), {"text": as_text(gizmo_json()), "gpt": f"{gpt.slug}@{gpt.version}"})
    assert response.status_code == 400
    assert "it finds the GPT it updates by its ChatGPT id" in response.content.decode()
    assert rows() == before


def test_a_re_import_keeps_the_knowledge_uploaded_in_the_studio_and_the_files_marked_done(editor, workspace, user):
    confirm(editor, workspace, editor.post(import_url(workspace), {"text": as_text(gizmo_json())}).content.decode())
    gpt = GPT.objects.get(workspace=workspace, chatgpt_id=GIZMO_ID)
    named = list(gpt.chatgpt_pending_knowledge)
    assert named  # the fixture names knowledge files by id
    services.knowledge_file_add(gpt=gpt, actor=user, upload=SimpleUploadedFile("handbook.txt", b"rules"))
    services.gpt_knowledge_pending_clear(gpt=gpt)

    html = editor.post(import_url(workspace), {"text": as_text(gizmo_json())}).content.decode()
    assert "Importing removes the knowledge file" not in html
    confirm(editor, workspace, html)

    gpt = GPT.objects.get(pk=gpt.pk)
    assert [k.name for k in gpt.knowledge_files.all()] == ["handbook.txt"]
    assert gpt.chatgpt_pending_knowledge == []  # marked uploaded: a re-import does not bring them back
    assert gpt.chatgpt_knowledge_ids == named


@pytest.mark.parametrize("size", [1, 6])
def test_previewing_a_list_of_known_gpts_takes_the_same_queries_however_many(
    editor, workspace, size, django_assert_max_num_queries
):
    listing = as_text([gizmo_json(gizmo_id=f"g-Known{n:06d}") for n in range(size)])
    confirm(editor, workspace, editor.post(import_url(workspace), {"text": listing}).content.decode())
    assert GPT.objects.filter(workspace=workspace).exclude(chatgpt_id="").count() == size
    with django_assert_max_num_queries(11):  # 11 at both sizes when written (the targets, their knowledge files, ...)
        response = editor.post(import_url(workspace), {"text": listing})
    assert response.status_code == 200 and response.content.decode().count("will update") == size


@pytest.mark.django_db
@FUZZ
@given(data=mutated_fixture())
def test_fuzzed_json_on_the_page_previews_without_writing_and_never_answers_500(client, workspace, user, data):
    """The page's own code around the service (preview, diffs against the GPTs it would update,
    the signed round trip) on the API tests' mutated fixtures."""
    GPT.objects.filter(workspace=workspace).delete()
    client.force_login(user)
    before = rows()
    preview = client.post(import_url(workspace), {"upload": SimpleUploadedFile("gizmo.json", data)})
    assert preview.status_code in (200, 400), preview.content[:300]
    assert rows() == before
    if preview.status_code != 200:
        return
    html = preview.content.decode()
    confirmed = confirm(client, workspace, html)
    assert confirmed.status_code in (200, 201, 409)
    created = confirmed.content.decode().count('<span class="badge ok">created</span>')
    assert GPT.objects.filter(workspace=workspace).count() == created
    # Previewing the same JSON again compares it with what was just written, and writes nothing.
    written = rows()
    again = client.post(import_url(workspace), {"upload": SimpleUploadedFile("gizmo.json", data)})
    assert again.status_code == 200 and rows() == written
    # Each GPT written with its ChatGPT id is now the one its JSON updates (one without an id is new again).
    known = GPT.objects.filter(workspace=workspace).exclude(chatgpt_id="").count()
    assert again.content.decode().count('<span class="badge info">will update</span>') == known


def test_an_expired_preview_is_refused_and_nothing_is_written(editor, workspace, monkeypatch):
    html = editor.post(import_url(workspace), {"text": as_text(gizmo_json())}).content.decode()
    monkeypatch.setattr("gpts.views_export.PREVIEW_MAX_AGE", -1)  # every preview is older than that
    before = rows()
    response = confirm(editor, workspace, html)
    assert response.status_code == 400 and "This preview has expired or was changed" in response.content.decode()
    assert rows() == before

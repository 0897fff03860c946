"""Knowledge file endpoints: multipart upload with ChatGPT's limits (413 over the size), list, delete."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gpts.models import GPT, KnowledgeFile
from gptstudio import limits


def _upload(name="notes.txt", content=b"hello knowledge"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


def test_upload_list_get_and_delete(api, gpt, user):
    url = f"/api/v1/gpts/{gpt.pk}/knowledge/"
    response = api.post(url, {"file": _upload()}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sha256"] == hashlib.sha256(b"hello knowledge").hexdigest()
    assert (body["name"], body["size"], body["uploaded_by"]) == ("notes.txt", 15, user.username)
    assert GPT.objects.get().version == 2
    assert [f["name"] for f in api.get(url).json()["results"]] == ["notes.txt"]
    assert api.get(f"{url}{body['id']}/").json()["media_type"] == "text/plain"
    assert api.get(f"/api/v1/gpts/{gpt.pk}/").json()["knowledge_files"][0]["id"] == body["id"]
    assert api.delete(f"{url}{body['id']}/?version=2").status_code == 204
    assert not KnowledgeFile.objects.exists()


def test_upload_with_a_name_and_a_version(api, gpt):
    url = f"/api/v1/gpts/{gpt.pk}/knowledge/"
    response = api.post(url, {"file": _upload(), "name": "facts.md", "version": 1}, format="multipart")
    assert response.status_code == 201 and response.json()["name"] == "facts.md"
    stale = api.post(url, {"file": _upload("b.txt"), "version": 1}, format="multipart")
    assert stale.status_code == 412 and stale.json()["current_version"] == 2


def test_a_duplicate_name_is_400(api, gpt):
    url = f"/api/v1/gpts/{gpt.pk}/knowledge/"
    api.post(url, {"file": _upload()}, format="multipart")
    response = api.post(url, {"file": _upload()}, format="multipart")
    assert response.status_code == 400


def test_a_file_over_the_limit_is_413_and_nothing_is_stored(api, gpt, monkeypatch):
    monkeypatch.setattr(limits, "GPT_KNOWLEDGE_FILE_MAX_BYTES", limits.Limit(10, "test", "confirmed", "bytes"))
    response = api.post(f"/api/v1/gpts/{gpt.pk}/knowledge/", {"file": _upload()}, format="multipart")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not KnowledgeFile.objects.exists()


def test_a_body_larger_than_any_upload_is_413_before_parsing(api, gpt, monkeypatch):
    monkeypatch.setattr(limits, "GPT_KNOWLEDGE_FILE_MAX_BYTES", limits.Limit(10, "test", "confirmed", "bytes"))
    response = api.post(
        f"/api/v1/gpts/{gpt.pk}/knowledge/", {"file": _upload(content=b"x" * 2_000_000)}, format="multipart"
    )
    assert response.status_code == 413


def test_the_twenty_first_file_is_refused(api, gpt, monkeypatch):
    monkeypatch.setattr(limits, "GPT_KNOWLEDGE_FILES_MAX", limits.Limit(1, "test", "confirmed", "files"))
    url = f"/api/v1/gpts/{gpt.pk}/knowledge/"
    assert api.post(url, {"file": _upload("a.txt")}, format="multipart").status_code == 201
    response = api.post(url, {"file": _upload("b.txt")}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["errors"]


@pytest.mark.parametrize("payload", [{}, {"file": "not a file"}])
def test_upload_without_a_file_is_400(api, gpt, payload):
    response = api.post(f"/api/v1/gpts/{gpt.pk}/knowledge/", payload, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["errors"]


def test_json_is_415_for_uploads(api, gpt):
    response = api.post(f"/api/v1/gpts/{gpt.pk}/knowledge/", {"file": "x"}, format="json")
    assert response.status_code == 415


def test_knowledge_of_foreign_gpts_is_404(api, foreign_gpt):
    assert api.get(f"/api/v1/gpts/{foreign_gpt.pk}/knowledge/").status_code == 404
    response = api.post(f"/api/v1/gpts/{foreign_gpt.pk}/knowledge/", {"file": _upload()}, format="multipart")
    assert response.status_code == 404

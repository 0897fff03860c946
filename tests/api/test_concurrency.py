"""Versions as ETags, If-Match / body `version` preconditions (412; 428 when a change sends none),
conflicts found under the row lock (409), and no lost update when writes race (threads against
PostgreSQL)."""

import threading

import pytest
from django.db import connection

from actions.models import Action
from gpts import services
from gpts.models import GPT, Revision
from tests.api.conftest import SecretGuardClient
from tests.api.test_permission_matrix import ACTION_PUT, GPT_PUT
from tests.factories import UserFactory, make_action, make_gpt, make_workspace


@pytest.mark.parametrize("if_match", ['"1"', "1", '"7", "1"', 'W/"1", "1"', "*"])
def test_a_matching_if_match_saves(api, gpt, if_match):
    response = api.patch(f"/api/v1/gpts/{gpt.pk}/", {"name": "New"}, format="json", HTTP_IF_MATCH=if_match)
    assert response.status_code == 200
    assert response["ETag"] == '"2"'


# If-Match compares strongly (RFC 9110 13.1.1): a weak tag matches nothing, even the current version.
@pytest.mark.parametrize("if_match", ['"2"', "garbage", '""', 'W/"1"', 'W/"1", "7"', 'w/"1"'])
def test_a_stale_if_match_is_412_with_the_current_version(api, gpt, if_match):
    response = api.patch(f"/api/v1/gpts/{gpt.pk}/", {"name": "New"}, format="json", HTTP_IF_MATCH=if_match)
    assert response.status_code == 412
    assert response.json()["current_version"] == 1 and response["ETag"] == '"1"'
    assert GPT.objects.get().name == "Weather Buddy"


def test_a_body_version_works_like_if_match(api, gpt):
    stale = api.patch(f"/api/v1/gpts/{gpt.pk}/", {"name": "New", "version": 5}, format="json")
    assert stale.status_code == 412 and stale.json()["current_version"] == 1
    fresh = api.patch(f"/api/v1/gpts/{gpt.pk}/", {"name": "New", "version": 1}, format="json")
    assert fresh.status_code == 200 and fresh.json()["version"] == 2


def test_delete_honours_if_match_and_the_version_query(api, gpt):
    assert api.delete(f"/api/v1/gpts/{gpt.pk}/", HTTP_IF_MATCH='"3"').status_code == 412
    assert api.delete(f"/api/v1/gpts/{gpt.pk}/?version=3").status_code == 412
    assert api.delete(f"/api/v1/gpts/{gpt.pk}/?version=x").status_code == 400
    assert GPT.objects.exists()
    assert api.delete(f"/api/v1/gpts/{gpt.pk}/?version=1").status_code == 204


def _changes_without_a_precondition(gpt, action, knowledge):
    """(method, url, body, current version): the GPT is at 3 after adding the action and the file."""
    body = {"name": "Blind"}
    return [
        ("patch", f"/api/v1/gpts/{gpt.pk}/", body, 3),
        ("put", f"/api/v1/gpts/{gpt.pk}/", GPT_PUT, 3),
        ("delete", f"/api/v1/gpts/{gpt.pk}/", None, 3),
        ("patch", f"/api/v1/actions/{action.pk}/", body, 1),
        ("put", f"/api/v1/actions/{action.pk}/", ACTION_PUT, 1),
        ("delete", f"/api/v1/actions/{action.pk}/", None, 1),
        ("delete", f"/api/v1/gpts/{gpt.pk}/knowledge/{knowledge.pk}/", None, 3),  # The GPT's.
    ]


def test_a_change_without_if_match_or_version_is_428_with_the_current_version(api, gpt, user):
    """RFC 6585: a PUT, PATCH or DELETE must say which version it changes; nothing is written."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gpts.models import KnowledgeFile

    action = make_action(gpt, actor=user)
    knowledge = services.knowledge_file_add(
        gpt=GPT.objects.get(pk=gpt.pk), actor=user, upload=SimpleUploadedFile("k.txt", b"k")
    )
    for method, url, body, current in _changes_without_a_precondition(gpt, action, knowledge):
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 428, (method, url, response.content)
        answer = response.json()
        assert answer["code"] == "precondition_required" and answer["current_version"] == current
        assert "If-Match" in answer["message"] and response["ETag"] == f'"{current}"'
    assert GPT.objects.get().version == 3 and GPT.objects.get().name == "Weather Buddy"
    assert Action.objects.get().version == 1 and KnowledgeFile.objects.exists()


def test_if_match_star_overwrites_whatever_is_there(api, gpt, user):
    services.gpt_update(gpt=GPT.objects.get(pk=gpt.pk), actor=user, expected_version=1, name="Someone else's")
    response = api.patch(f"/api/v1/gpts/{gpt.pk}/", {"name": "Mine"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200 and response.json()["version"] == 3
    assert api.delete(f"/api/v1/gpts/{gpt.pk}/", HTTP_IF_MATCH="*").status_code == 204
    assert not GPT.objects.exists()


def test_action_versions_are_their_own(api, secret_action):
    assert api.get(f"/api/v1/actions/{secret_action.pk}/")["ETag"] == '"1"'
    stale = api.patch(f"/api/v1/actions/{secret_action.pk}/", {"name": "X"}, format="json", HTTP_IF_MATCH='"2"')
    assert stale.status_code == 412 and stale.json()["current_version"] == 1
    assert api.delete(f"/api/v1/actions/{secret_action.pk}/", HTTP_IF_MATCH='"2"').status_code == 412
    ok = api.patch(f"/api/v1/actions/{secret_action.pk}/", {"name": "X", "version": 1}, format="json")
    assert ok.status_code == 200 and ok["ETag"] == '"2"'


def test_an_edit_that_lands_between_read_and_lock_is_409(api, gpt, user, monkeypatch):
    """The request read version 1; someone saves before the service takes the row lock."""
    from gpts.api import views

    real_update = services.gpt_update

    def update_after_a_rival(**kwargs):
        real_update(gpt=GPT.objects.get(pk=gpt.pk), actor=user, expected_version=1, name="Rival")
        return real_update(**kwargs)

    monkeypatch.setattr(views.services, "gpt_update", update_after_a_rival)
    response = api.patch(f"/api/v1/gpts/{gpt.pk}/", {"description": "Mine"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and body["current_version"] == 2
    assert GPT.objects.get().description == ""


def _race(requests, workers):
    """Run `requests` (callables returning a status) in threads released at the same moment."""
    barrier = threading.Barrier(workers)
    statuses = []

    def run(send):
        try:
            barrier.wait()
            statuses.append(send())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(send,)) for send in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def _client(user):
    client = SecretGuardClient()
    client.force_authenticate(user)
    return client


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_writes_from_the_same_version_have_one_winner():
    owner = UserFactory()
    gpt = make_gpt(workspace=make_workspace(owner=owner), actor=owner, name="Contested")
    workers = 6

    def edit(i):
        return lambda: (
            _client(owner)
            .patch(f"/api/v1/gpts/{gpt.pk}/", {"instructions": f"Writer {i}"}, format="json", HTTP_IF_MATCH='"1"')
            .status_code
        )

    statuses = _race([edit(i) for i in range(workers)], workers)
    assert statuses.count(200) == 1
    assert set(statuses) <= {200, 409, 412}
    stored = GPT.objects.get()
    assert stored.version == 2
    # The stored text is the winner's, and its revision says so: nothing lost, nothing mixed.
    assert Revision.objects.get(gpt=stored, number=2).document["instructions"] == stored.instructions


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_overwrites_with_if_match_star_are_serialised_not_lost():
    owner = UserFactory()
    gpt = make_gpt(workspace=make_workspace(owner=owner), actor=owner, name="Busy")
    action = make_action(gpt, actor=owner)
    workers = 6

    def edit_gpt(i):
        return lambda: (
            _client(owner)
            .patch(f"/api/v1/gpts/{gpt.pk}/", {"description": f"D{i}"}, format="json", HTTP_IF_MATCH="*")
            .status_code
        )

    def edit_action(i):
        return lambda: (
            _client(owner)
            .patch(f"/api/v1/actions/{action.pk}/", {"name": f"A{i}"}, format="json", HTTP_IF_MATCH="*")
            .status_code
        )

    statuses = _race([edit_gpt(i) for i in range(3)] + [edit_action(i) for i in range(3)], workers)
    assert set(statuses) <= {200, 409}
    stored = GPT.objects.get()
    # Every accepted write is one version and one revision, in order; none was overwritten silently.
    assert stored.version == 2 + statuses.count(200)
    assert list(stored.revisions.values_list("number", flat=True)) == list(range(stored.version, 0, -1))
    latest = stored.revisions.first().document
    assert latest["description"] == stored.description
    assert latest["actions"][0]["name"] == Action.objects.get().name


# Digits Python's isdigit() accepts but a version is not made of, and a number int() refuses.
NOT_VERSIONS = ["²", "١", "9" * 5000]


@pytest.mark.parametrize("tag", NOT_VERSIONS, ids=["superscript", "arabic-indic", "5000-digits"])
def test_an_if_match_that_is_no_version_matches_nothing(api, gpt, user, tag):
    """An entity tag is opaque: one that is not a version is a failed precondition (412), like
    "garbage", on every endpoint that takes If-Match; nothing is written."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    header = f'"{tag}"'
    patch = api.patch(f"/api/v1/gpts/{gpt.pk}/", {"name": "New"}, format="json", HTTP_IF_MATCH=header)
    upload = api.post(
        f"/api/v1/gpts/{gpt.pk}/knowledge/",
        {"file": SimpleUploadedFile("k.txt", b"k")},
        format="multipart",
        HTTP_IF_MATCH=header,
    )
    restore = api.post(f"/api/v1/gpts/{gpt.pk}/revisions/1/restore/", {}, format="json", HTTP_IF_MATCH=header)
    for response in (patch, upload, restore):
        assert response.status_code == 412, response.content
        body = response.json()
        assert body["current_version"] == 1
        assert len(body["message"]) < 200  # A 5,000-digit header is not echoed back whole.
    assert GPT.objects.get().version == 1


@pytest.mark.parametrize("raw", [*NOT_VERSIONS, "-1", "1.0", " 1"])
def test_a_version_query_that_is_no_whole_number_is_400(api, gpt, secret_action, raw):
    from urllib.parse import quote

    for url in (f"/api/v1/gpts/{gpt.pk}/", f"/api/v1/actions/{secret_action.pk}/"):
        response = api.delete(f"{url}?version={quote(raw)}")
        assert response.status_code == 400, response.content
        assert response.json()["errors"]["version"] == [
            "A version is a whole number written with the digits 0-9 (at most 18)."
        ]
    assert GPT.objects.exists() and Action.objects.exists()

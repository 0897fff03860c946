"""Revision endpoints (list, detail, diff, restore as a new revision) and job status."""

import io

import pytest

from gpts import services
from gpts.models import GPT, Job


def _two_revisions(gpt, user):
    return services.gpt_update(gpt=gpt, actor=user, expected_version=1, name="Renamed", instructions="New rules.")


def test_list_and_detail(api, gpt, user):
    _two_revisions(gpt, user)
    rows = api.get(f"/api/v1/gpts/{gpt.pk}/revisions/").json()["results"]
    assert [(r["number"], r["author"]) for r in rows] == [(2, user.username), (1, user.username)]
    assert "document" not in rows[0]
    detail = api.get(f"/api/v1/gpts/{gpt.pk}/revisions/1/").json()
    assert detail["document"]["name"] == "Weather Buddy"
    assert api.get(f"/api/v1/gpts/{gpt.pk}/revisions/9/").status_code == 404


def test_diff_with_the_previous_and_with_a_chosen_revision(api, gpt, user):
    _two_revisions(gpt, user)
    diff = api.get(f"/api/v1/gpts/{gpt.pk}/revisions/2/diff/").json()
    assert (diff["from_number"], diff["to_number"]) == (1, 2)
    assert {c["field"] for c in diff["fields"]} == {"name", "instructions"}
    assert any("+New rules." in line for line in diff["text_diffs"]["instructions"])
    backwards = api.get(f"/api/v1/gpts/{gpt.pk}/revisions/1/diff/?against=2").json()
    assert [c["new"] for c in backwards["fields"] if c["field"] == "name"] == ["Weather Buddy"]
    first = api.get(f"/api/v1/gpts/{gpt.pk}/revisions/1/diff/").json()
    assert first["from_number"] == 0 and {c["field"] for c in first["fields"]} >= {"name", "instructions"}
    assert api.get(f"/api/v1/gpts/{gpt.pk}/revisions/2/diff/?against=x").status_code == 400
    assert api.get(f"/api/v1/gpts/{gpt.pk}/revisions/2/diff/?against=7").status_code == 404


def test_restore_is_a_new_revision(api, gpt, user):
    _two_revisions(gpt, user)
    response = api.post(f"/api/v1/gpts/{gpt.pk}/revisions/1/restore/", {}, format="json", HTTP_IF_MATCH='"2"')
    assert response.status_code == 200, response.json()
    assert (response.json()["name"], response.json()["version"], response["ETag"]) == ("Weather Buddy", 3, '"3"')
    assert "validation" in response.json()
    assert GPT.objects.get().revisions.first().summary == "Restored revision 1"
    stale = api.post(f"/api/v1/gpts/{gpt.pk}/revisions/1/restore/", {"version": 2}, format="json")
    assert stale.status_code == 412 and stale.json()["current_version"] == 3


def test_revisions_of_foreign_gpts_are_404(api, foreign_gpt):
    assert api.get(f"/api/v1/gpts/{foreign_gpt.pk}/revisions/").status_code == 404
    assert api.get(f"/api/v1/gpts/{foreign_gpt.pk}/revisions/1/").status_code == 404
    assert api.post(f"/api/v1/gpts/{foreign_gpt.pk}/revisions/1/restore/", {}, format="json").status_code == 404


def _job(workspace, gpt=None, **fields):
    return Job.objects.create(workspace=workspace, gpt=gpt, kind=Job.Kind.SCHEMA_IMPORT, **fields)


def test_jobs_list_filter_and_detail(api, workspace, gpt, foreign_gpt, user):
    done = _job(workspace, gpt, status=Job.Status.SUCCEEDED, result={"operations": 3}, created_by=user)
    _job(workspace, status=Job.Status.FAILED, error="Host refused")
    _job(foreign_gpt.workspace, foreign_gpt)
    rows = api.get("/api/v1/jobs/").json()["results"]
    assert {r["status"] for r in rows} == {"succeeded", "failed"}
    assert [r["id"] for r in api.get("/api/v1/jobs/?status=succeeded").json()["results"]] == [done.pk]
    assert [r["id"] for r in api.get(f"/api/v1/jobs/?gpt={gpt.pk}").json()["results"]] == [done.pk]
    assert api.get("/api/v1/jobs/?status=bogus").status_code == 400
    detail = api.get(f"/api/v1/jobs/{done.pk}/").json()
    assert (detail["kind"], detail["result"], detail["created_by"]) == (
        "schema_import",
        {"operations": 3},
        user.username,
    )


def test_foreign_jobs_are_404(api, foreign_gpt):
    job = _job(foreign_gpt.workspace, foreign_gpt)
    assert api.get(f"/api/v1/jobs/{job.pk}/").status_code == 404


@pytest.mark.parametrize("raw", ["²", "١", "9" * 5000, "2 "])
def test_a_diff_against_anything_but_ascii_digits_is_400(api, gpt, user, raw):
    """An Arabic-Indic one (١) used to be read as 1, and "²" or 5,000 digits were a server error."""
    from urllib.parse import quote

    _two_revisions(gpt, user)
    response = api.get(f"/api/v1/gpts/{gpt.pk}/revisions/2/diff/?against={quote(raw)}")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "against": ["A revision number is a whole number written with the digits 0-9 (at most 18)."]
    }


def test_restore_brings_back_the_whole_document_and_lists_the_secrets_to_enter(api, gpt, user):
    """Restore applies the revision's whole document: an action added since is deleted, one
    deleted since is re-created without its secret, which `secrets_to_enter` names (as import does)."""
    from actions.models import Action
    from actions.services import action_delete
    from tests.api.conftest import API_KEY
    from tests.factories import make_action

    action = make_action(gpt, actor=user, auth_type="api_key", api_key_auth_type="bearer", api_key=API_KEY)
    with_action = GPT.objects.get().version  # Revision 2: the action with its key.
    action_delete(action=action, actor=user)
    url = f"/api/v1/gpts/{gpt.pk}/revisions"

    back = api.post(f"{url}/{with_action}/restore/", {}, format="json")
    assert back.status_code == 200, back.content
    body = back.json()
    assert [a["name"] for a in body["actions"]] == ["Weather"]
    assert body["secrets_to_enter"] == [{"action": "Weather", "field": "API Key"}]
    assert not Action.objects.get().has_api_key  # Re-created: revisions hold no secrets.

    entered = api.patch(
        f"/api/v1/actions/{Action.objects.get().pk}/", {"api_key": API_KEY}, format="json", HTTP_IF_MATCH="*"
    )
    assert entered.status_code == 200
    again = api.post(f"{url}/{with_action}/restore/", {}, format="json").json()
    assert again["secrets_to_enter"] == []  # The action still exists: it keeps the key entered again.

    first = api.post(f"{url}/1/restore/", {}, format="json")
    assert first.status_code == 200
    assert first.json()["actions"] == [] and first.json()["secrets_to_enter"] == []
    assert not Action.objects.exists()  # Revision 1 had no action: restoring it deletes the one added since.


def test_a_job_running_past_its_time_limit_reads_as_failed_with_the_reason(api, gpt, settings):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from gpts.models import Job

    limit = settings.CELERY_TASK_TIME_LIMIT + 60
    long_ago = timezone.now() - datetime.timedelta(seconds=limit + 1)
    dead = Job.objects.create(workspace=gpt.workspace, gpt=gpt, kind=Job.Kind.SCHEMA_IMPORT, status="running")
    busy = Job.objects.create(workspace=gpt.workspace, gpt=gpt, kind=Job.Kind.SCHEMA_IMPORT, status="running")
    queued = Job.objects.create(workspace=gpt.workspace, gpt=gpt, kind=Job.Kind.SCHEMA_IMPORT)
    Job.objects.filter(pk__in=[dead.pk, queued.pk]).update(updated_at=long_ago)
    body = api.get(f"/api/v1/jobs/{dead.pk}/").json()
    assert body["status"] == "failed" and "Stopped without finishing" in body["error"]
    assert Job.objects.get(pk=dead.pk).finished_at is not None
    assert Job.objects.get(pk=busy.pk).status == "running"  # Within its time limit.
    assert Job.objects.get(pk=queued.pk).status == "pending"  # Waiting for a worker is not stale.
    Job.objects.filter(pk=busy.pk).update(updated_at=long_ago)
    out = io.StringIO()
    call_command("fail_stale_jobs", stdout=out)
    assert "Marked 1 stale job(s) failed" in out.getvalue()
    assert Job.objects.get(pk=busy.pk).status == "failed"

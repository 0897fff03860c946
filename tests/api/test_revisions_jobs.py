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


def test_restore_brings_back_the_whole_document_with_the_secret_the_action_had(api, gpt, user):
    """Restore applies the revision's whole document: an action added since is deleted (its secret
    kept aside), one deleted since is re-created with the secret it had; `secrets_to_enter` names
    only a secret that was cleared on purpose."""
    from actions.models import Action
    from actions.services import action_delete
    from tests.api.conftest import API_KEY
    from tests.factories import make_action

    action = make_action(gpt, actor=user, auth_type="api_key", api_key_auth_type="bearer", api_key=API_KEY)
    with_action = GPT.objects.get().version  # Revision 2: the action with its key.
    action_delete(action=action, actor=user)

    def restore(number):  # naming the version it starts from, as every write does
        url = f"/api/v1/gpts/{gpt.pk}/revisions/{number}/restore/"
        response = api.post(url, {"version": GPT.objects.get().version}, format="json")
        assert response.status_code == 200, response.content
        return response.json()

    back = restore(with_action)
    assert [a["name"] for a in back["actions"]] == ["Weather"]
    assert back["secrets_to_enter"] == []
    assert Action.objects.get().api_key.reveal() == API_KEY

    first = restore(1)
    assert first["actions"] == [] and first["secrets_to_enter"] == []
    assert not Action.objects.exists()  # Revision 1 had no action: restoring it deletes the one added since.
    forward = restore(with_action)
    assert forward["secrets_to_enter"] == [] and Action.objects.get().api_key.reveal() == API_KEY

    stored = Action.objects.get()
    cleared = api.patch(f"/api/v1/actions/{stored.pk}/", {"api_key": "", "version": stored.version}, format="json")
    assert cleared.status_code == 200 and not cleared.json()["has_api_key"]
    restore(1)
    again = restore(with_action)
    assert again["secrets_to_enter"] == [{"action": "Weather", "field": "API Key"}]  # cleared on purpose
    assert not Action.objects.get().has_api_key


# --- Revision reads carry a schema's text only when it changed or when asked -------------------


def _gpt_with_big_schemas(gpt, user, count=2, size=200_000):
    from tests.factories import big_schema, make_action

    for n in range(count):
        make_action(gpt, actor=user, name=f"Big {n}", schema_text=big_schema(size, seed=n))
    gpt = GPT.objects.get(pk=gpt.pk)
    return services.gpt_update(gpt=gpt, actor=user, expected_version=gpt.version, description="Edited")


def test_a_revision_read_leaves_out_unchanged_schemas_unless_asked(api, gpt, user):
    from gpts.document.build import gpt_document

    edited = _gpt_with_big_schemas(gpt, user)
    url = f"/api/v1/gpts/{gpt.pk}/revisions/{edited.version}/"

    small = api.get(url)
    full = api.get(url, {"include": "schemas"})

    assert small.status_code == full.status_code == 200
    assert len(small.content) < 5_000 < 400_000 < len(full.content)
    assert [a["schema"] for a in small.json()["document"]["actions"]] == [None, None]
    assert [(s["action"], s["changed"], s["included"]) for s in small.json()["schemas"]] == [
        ("Big 0", False, False),
        ("Big 1", False, False),
    ]
    assert full.json()["document"] == gpt_document(edited)  # the whole document, as before
    assert all(s["size"] > 200_000 and len(s["sha256"]) == 64 for s in full.json()["schemas"])


def test_a_revision_read_includes_the_schema_that_changed_in_it(api, gpt, user):
    from tests.factories import make_action

    make_action(gpt, actor=user, name="Small")
    _gpt_with_big_schemas(gpt, user, count=1, size=20_000)
    added = GPT.objects.get(pk=gpt.pk).version - 1  # the revision that added "Big 0"

    body = api.get(f"/api/v1/gpts/{gpt.pk}/revisions/{added}/").json()

    assert [(s["action"], s["changed"], s["included"]) for s in body["schemas"]] == [
        ("Small", False, False),
        ("Big 0", True, True),
    ]
    assert body["document"]["actions"][0]["schema"] is None
    assert body["document"]["actions"][1]["schema"].startswith("{")


def test_a_revision_read_refuses_an_unknown_include(api, gpt):
    response = api.get(f"/api/v1/gpts/{gpt.pk}/revisions/1/", {"include": "everything"})
    assert response.status_code == 400
    assert "include" in response.json()["errors"]


@pytest.mark.parametrize("actions", [1, 5])
def test_revision_reads_query_count_does_not_grow_with_actions(api, gpt, user, actions, django_assert_max_num_queries):
    edited = _gpt_with_big_schemas(gpt, user, count=actions, size=2_000)
    with django_assert_max_num_queries(9):
        assert api.get(f"/api/v1/gpts/{gpt.pk}/revisions/{edited.version}/").status_code == 200
    with django_assert_max_num_queries(9):
        assert api.get(f"/api/v1/gpts/{gpt.pk}/revisions/{edited.version}/", {"include": "schemas"}).status_code == 200
    with django_assert_max_num_queries(9):
        assert api.get(f"/api/v1/gpts/{gpt.pk}/revisions/").status_code == 200


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

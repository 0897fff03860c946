"""The action editor with a schema over the synchronous cap: checked and saved by a job the page polls."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from actions import heavy, tasks
from actions.models import Action
from gpts.models import Job
from tests.api.test_heavy_input import CAP, sized
from tests.factories import make_action


@pytest.fixture(autouse=True)
def small_cap(settings, monkeypatch):
    settings.SCHEMA_SYNC_MAX_BYTES = CAP
    settings.HEAVY_JOBS_PER_USER = 2
    cache.clear()
    monkeypatch.setattr(tasks.heavy_job_task, "delay", lambda job_id: None)  # run by hand below


def validate_url(gpt):
    return reverse("actions:schema_validate", args=[gpt.workspace.slug, gpt.slug])


def job_url(gpt, job):
    return reverse("actions:heavy_job", args=[gpt.workspace.slug, gpt.slug, job.pk])


def test_the_live_check_of_a_large_schema_polls_a_job_that_shows_the_same_findings(client, user, gpt, settings):
    client.force_login(user)
    text = sized(CAP + 2).replace("https://calendar", "http://calendar")  # an error finding; CAP + 1 bytes
    html = client.post(validate_url(gpt), {"schema_text": text}, headers={"HX-Request": "true"}).content.decode()
    job = Job.objects.get(kind="schema_check")
    assert job.gpt == gpt and job.workspace == gpt.workspace
    assert "Checking a large schema…" in html
    assert f'hx-get="{job_url(gpt, job)}" hx-trigger="every 1s"' in html
    assert client.get(job_url(gpt, job)).content.decode().count("every 1s") == 1  # still pending: still polling

    heavy.heavy_job_run(job_id=job.pk)
    finished = client.get(job_url(gpt, job)).content.decode()
    assert "every 1s" not in finished and "action.server.not_https" in finished
    settings.SCHEMA_SYNC_MAX_BYTES = CAP + 1  # the same text checked in the request renders the same panel
    cache.clear()
    assert client.post(validate_url(gpt), {"schema_text": text}).content.decode() == finished


def test_the_live_check_over_the_per_user_limit_says_so(client, user, gpt):
    client.force_login(user)
    for title in ("One", "Two"):
        client.post(validate_url(gpt), {"schema_text": sized(CAP + 1, title=title)})
    html = client.post(validate_url(gpt), {"schema_text": sized(CAP + 1, title="Three")}).content.decode()
    assert 'role="alert"' in html and "at most 2 may run at once" in html
    assert Job.objects.count() == 2


def test_adding_an_action_with_a_large_schema_saves_it_in_a_job(client, user, gpt):
    client.force_login(user)
    text = sized(CAP + 1, title="Big calendar")
    url = reverse("actions:action_new", args=[gpt.workspace.slug, gpt.slug])
    response = client.post(url, {"schema_text": text, "auth_type": "none"})
    assert response.status_code == 202
    html = response.content.decode()
    job = Job.objects.get()
    assert job.kind == "action_save" and "Saving a large schema…" in html
    assert f'hx-get="{job_url(gpt, job)}" hx-trigger="every 1s"' in html
    assert 'hx-trigger="load"' not in html  # the save checks the schema: no second job
    assert not Action.objects.exists()

    heavy.heavy_job_run(job_id=job.pk)
    finished = client.get(job_url(gpt, job)).content.decode()
    action = Action.objects.get()
    assert (action.name, action.schema_text) == ("Big calendar", text)
    edit = reverse("actions:action_edit", args=[gpt.workspace.slug, gpt.slug, action.slug])
    assert "Saved." in finished and f'href="{edit}"' in finished and "every 1s" not in finished


def test_a_stale_large_save_fails_its_job_with_the_conflict(client, user, action):
    from actions.services import action_update

    client.force_login(user)
    gpt = action.gpt
    url = reverse("actions:action_edit", args=[gpt.workspace.slug, gpt.slug, action.slug])
    payload = {"schema_text": sized(CAP + 1), "auth_type": "none", "version": action.version}
    assert client.post(url, payload).status_code == 202
    action_update(action=action, actor=user, expected_version=action.version, name="Renamed meanwhile")
    job = Job.objects.get()
    heavy.heavy_job_run(job_id=job.pk)
    html = client.get(job_url(gpt, job)).content.decode()
    assert "Not saved." in html and "changed by someone else" in html


def test_opening_an_action_with_a_large_unchecked_schema_starts_the_check_from_the_page(client, user, gpt):
    action = make_action(gpt, actor=user, schema_text=sized(CAP + 1))
    cache.clear()
    client.force_login(user)
    html = client.get(reverse("actions:action_edit", args=[gpt.workspace.slug, gpt.slug, action.slug])).content
    html = html.decode()
    assert f'hx-post="{validate_url(gpt)}" hx-trigger="load" hx-include="#id_schema_text"' in html
    assert "Checking a large schema…" in html and not Job.objects.exists()


def test_a_job_is_shown_only_under_its_own_gpt_and_to_members(client, user, gpt, login_as):
    client.force_login(user)
    client.post(validate_url(gpt), {"schema_text": sized(CAP + 1)})
    job = Job.objects.get()
    login_as("viewer")
    assert client.get(job_url(gpt, job)).status_code == 200
    login_as("outsider")
    assert client.get(job_url(gpt, job)).status_code == 404

"""The GPT editor for a GPT rescued from ChatGPT: where it came from, the knowledge files still to
upload (with "Done uploading"), the profile picture fetch, and the findings in the checks panel."""

import datetime

import pytest
from django.urls import reverse

from actions.services import action_create
from gpts import services
from gpts.models import GPT, Job
from tests.factories import WEATHER_SCHEMA, UserFactory

IMPORTED_AT = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)
PICTURE_URL = "https://files.oaiusercontent.com/file-pic?se=2026"


@pytest.fixture
def imported(gpt, user):
    action_create(
        gpt=gpt,
        actor=user,
        name="Weather",
        schema_text=WEATHER_SCHEMA,
        auth_type="api_key",
        api_key_auth_type="bearer",
    )
    return services.gpt_chatgpt_identity_set(
        gpt=gpt,
        chatgpt_id="g-WeAtHeR123",
        profile_picture_url=PICTURE_URL,
        knowledge_file_ids=["file-8kJhAbC", "file-2xYz"],
        imported_at=IMPORTED_AT,
    )


def editor_url(gpt):
    return reverse("gpts:gpt_edit", args=[gpt.workspace.slug, gpt.slug])


def as_member(client, workspace, role):
    someone = UserFactory()
    services.membership_set(workspace=workspace, user=someone, role=role)
    client.force_login(someone)


def test_an_imported_gpt_shows_its_chatgpt_id_when_it_was_imported_and_what_is_left_to_do(client, imported, user):
    client.force_login(user)
    html = client.get(editor_url(imported)).content.decode()
    assert "Imported from ChatGPT: <code>g-WeAtHeR123</code>" in html
    assert 'datetime="2026-12-01T09:30:00+00:00"' in html
    assert "<code>file-8kJhAbC</code>" in html and "<code>file-2xYz</code>" in html
    assert ">Done uploading</button>" in html
    assert ">Fetch profile picture from ChatGPT</button>" in html
    # The checks panel lists the missing secret and the pending knowledge files (from validation).
    checks = html[html.index('id="findings-heading"') :]
    assert "gpt.knowledge.pending" in checks and "action.auth.secret_missing" in checks


def test_viewers_see_what_is_pending_but_no_controls(client, imported, workspace):
    as_member(client, workspace, "viewer")
    html = client.get(editor_url(imported)).content.decode()
    assert "<code>file-8kJhAbC</code>" in html and "g-WeAtHeR123" in html
    assert "Done uploading" not in html and "Fetch profile picture" not in html
    clear = reverse("gpts:knowledge_pending_clear", args=[workspace.slug, imported.slug])
    fetch = reverse("gpts:profile_picture_fetch", args=[workspace.slug, imported.slug])
    assert client.post(clear).status_code == 403 and client.post(fetch).status_code == 403
    assert not Job.objects.filter(kind=Job.Kind.PROFILE_PICTURE_FETCH).exists()
    assert GPT.objects.get(pk=imported.pk).chatgpt_pending_knowledge == ["file-8kJhAbC", "file-2xYz"]


def test_a_gpt_made_in_the_studio_shows_none_of_it(client, gpt, user):
    client.force_login(user)
    html = client.get(editor_url(gpt)).content.decode()
    assert "Imported from ChatGPT" not in html and "Done uploading" not in html and "Fetch profile picture" not in html


def test_done_uploading_clears_the_pending_files_without_a_new_version(client, imported, user, workspace):
    client.force_login(user)
    version = imported.version
    response = client.post(reverse("gpts:knowledge_pending_clear", args=[workspace.slug, imported.slug]))
    assert response.status_code == 302 and response.url == editor_url(imported)
    cleared = GPT.objects.get(pk=imported.pk)
    assert cleared.chatgpt_pending_knowledge == [] and cleared.version == version
    html = client.get(editor_url(imported)).content.decode()
    assert "gpt.knowledge.pending" not in html and "Done uploading" not in html


def fetch_url(gpt):
    return reverse("gpts:profile_picture_fetch", args=[gpt.workspace.slug, gpt.slug])


def test_fetch_profile_picture_starts_a_job_for_the_kept_address(client, imported, user, monkeypatch):
    started = []
    monkeypatch.setattr("gpts.tasks.profile_picture_fetch_task.delay", started.append)
    client.force_login(user)
    response = client.post(fetch_url(imported), follow=True)
    job = Job.objects.get(kind=Job.Kind.PROFILE_PICTURE_FETCH)
    assert (job.gpt_id, job.created_by_id, job.params["url"]) == (imported.pk, user.pk, PICTURE_URL)
    html = response.content.decode()
    assert response.redirect_chain == [(editor_url(imported), 302)]
    assert "Fetching the profile picture from ChatGPT" in html
    assert 'id="profile-picture-fetch-status">Last fetch: pending.' in html


def test_a_picture_address_the_fetcher_refuses_is_an_error_on_the_page_and_no_job(client, imported, user):
    GPT.objects.filter(pk=imported.pk).update(chatgpt_profile_picture_url="https://169.254.169.254/latest/pic.png")
    client.force_login(user)
    response = client.post(fetch_url(imported), follow=True)
    assert "The profile picture cannot be fetched:" in response.content.decode()
    assert not Job.objects.filter(kind=Job.Kind.PROFILE_PICTURE_FETCH).exists()


def test_a_failed_fetch_shows_its_reason_in_the_editor(client, imported, user):
    Job.objects.create(
        workspace=imported.workspace,
        gpt=imported,
        kind=Job.Kind.PROFILE_PICTURE_FETCH,
        status=Job.Status.FAILED,
        error="The address answered 403.",
    )
    client.force_login(user)
    html = client.get(editor_url(imported)).content.decode()
    assert "Last fetch: failed: The address answered 403.." not in html
    assert "Last fetch: failed: The address answered 403.</span>" in html

"""The GPT editor for a GPT rescued from ChatGPT: where it came from, the knowledge files still to
upload (with "Done uploading"), the profile picture fetch, and the findings in the checks panel."""

import datetime

import pytest
from django.urls import reverse

from actions.services import action_create
from gpts import services
from gpts.models import GPT
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
        pending_knowledge=["file-8kJhAbC", "file-2xYz"],
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
    # The checks panel lists the missing secret and the pending knowledge files (from validation).
    checks = html[html.index('id="findings-heading"') :]
    assert "gpt.knowledge.pending" in checks and "action.auth.secret_missing" in checks


def test_viewers_see_what_is_pending_but_no_controls(client, imported, workspace):
    as_member(client, workspace, "viewer")
    html = client.get(editor_url(imported)).content.decode()
    assert "<code>file-8kJhAbC</code>" in html and "g-WeAtHeR123" in html
    assert "Done uploading" not in html
    clear = reverse("gpts:knowledge_pending_clear", args=[workspace.slug, imported.slug])
    assert client.post(clear).status_code == 403
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

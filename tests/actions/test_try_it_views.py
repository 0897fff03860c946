"""The Try-it panel's endpoints (htmx fragments): who sees and may use it, the form's inputs
turned into arguments, the job variant, and the base URL override field of the editor."""

import pytest
from django.urls import reverse

from actions.models import Action, CallRecord
from actions.services import action_update
from gpts.models import Job
from tests.loopback_server import Reply


def try_url(action, operation="getCurrent"):
    gpt = action.gpt
    return reverse("actions:action_try", args=[gpt.workspace.slug, gpt.slug, action.slug, operation])


def edit_url(action):
    gpt = action.gpt
    return reverse("actions:action_edit", args=[gpt.workspace.slug, gpt.slug, action.slug])


@pytest.fixture
def local(action, user, loopback_server, settings):
    settings.OUTBOUND_ALLOW_HOSTS = [f"127.0.0.1:{loopback_server.port}"]
    loopback_server.route("/current", Reply(200, b'{"temp": 21}', headers={"Content-Type": "application/json"}))
    return action_update(
        action=action, actor=user, expected_version=action.version, base_url_override=loopback_server.url("")
    )


@pytest.mark.parametrize(("role", "sees", "status"), [("editor", True, 200), ("viewer", False, 403)])
def test_editors_see_and_use_the_panel_viewers_do_not(login_as, client, local, loopback_server, role, sees, status):
    login_as(role)
    assert ('id="try-heading"' in client.get(edit_url(local)).content.decode()) == sees
    response = client.post(try_url(local), {"arg-city": "Oslo"})
    assert response.status_code == status
    assert len(loopback_server.requests) == (1 if sees else 0)
    if sees:
        assert "HTTP 200" in response.content.decode() and "temp" in response.content.decode()
        assert loopback_server.requests[0].path == "/current?city=Oslo"


def test_a_missing_required_input_is_refused_in_the_fragment(login_as, client, local, loopback_server):
    login_as("owner")
    html = client.post(try_url(local), {}).content.decode()
    assert "Not sent" in html and "runner.bad_arguments" in html
    assert loopback_server.requests == [] and CallRecord.objects.get().error_code == "runner.bad_arguments"


@pytest.mark.eager  # the job runs in the request: with a broker it waits for a worker
def test_as_a_job_the_fragment_polls_until_the_response_is_there(
    login_as, client, local, django_capture_on_commit_callbacks
):
    login_as("owner")
    with django_capture_on_commit_callbacks(execute=True):
        html = client.post(try_url(local), {"arg-city": "Oslo", "as_job": "1"}).content.decode()
    assert "every 1s" in html
    job = Job.objects.get(kind=Job.Kind.ACTION_TEST)
    gpt = local.gpt
    poll = reverse("actions:action_try_job", args=[gpt.workspace.slug, gpt.slug, local.slug, job.pk])
    polled = client.get(poll).content.decode()
    assert "HTTP 200" in polled and "every 1s" not in polled


def test_the_editor_saves_the_base_url_override(login_as, client, action):
    login_as("owner")
    html = client.get(edit_url(action)).content.decode()
    assert 'name="base_url_override"' in html
    data = {
        "version": action.version,
        "name": action.name,
        "schema_text": action.schema_text,
        "auth_type": "none",
        "base_url_override": "https://staging.example.com/api",
    }
    assert client.post(edit_url(action), data).status_code == 302
    assert Action.objects.get(pk=action.pk).base_url_override == "https://staging.example.com/api"


def test_the_panel_shares_the_api_throttle(login_as, client, local, settings, loopback_server):
    from django.core.cache import cache

    cache.clear()
    settings.ACTION_CALL_THROTTLE_RATE = "1/minute"
    login_as("owner")
    assert client.post(try_url(local), {"arg-city": "Oslo"}).status_code == 200
    refused = client.post(try_url(local), {"arg-city": "Oslo"})
    assert "Too many test calls" in refused.content.decode()
    assert len(loopback_server.requests) == 1

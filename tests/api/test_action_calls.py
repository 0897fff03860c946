"""`POST /api/v1/actions/{id}/call/` and `GET /api/v1/actions/{id}/operations/`: test calls for
scripts, against a mock API on 127.0.0.1 (listed in OUTBOUND_ALLOW_HOSTS for the test)."""

import json

import pytest

from actions.models import CallRecord
from actions.services import action_update
from gpts.models import Job
from tests.factories import make_action
from tests.loopback_server import Reply

from .conftest import API_KEY

SCHEMA = {
    "openapi": "3.1.0",
    "info": {"title": "Echo", "version": "1"},
    "servers": [{"url": "https://echo.example.com"}],
    "paths": {
        "/items/{id}": {
            "post": {
                "operationId": "addItem",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                ],
                "requestBody": {
                    "content": {"application/json": {"schema": {"type": "object", "required": ["n"]}}},
                },
            }
        }
    },
}


@pytest.fixture
def echo(gpt, user, loopback_server, settings):
    settings.OUTBOUND_ALLOW_HOSTS = [f"127.0.0.1:{loopback_server.port}"]
    loopback_server.route("/items/5", Reply(200, b'{"saved": 1}', headers={"Content-Type": "application/json"}))
    action = make_action(
        gpt,
        actor=user,
        name="Echo",
        schema_text=json.dumps(SCHEMA),
        auth_type="api_key",
        api_key_auth_type="custom",
        api_key_custom_header="X-Key",
        api_key=API_KEY,
    )
    return action_update(
        action=action, actor=user, expected_version=action.version, base_url_override=loopback_server.url("")
    )


def call_url(action, suffix=""):
    return f"/api/v1/actions/{action.pk}/call/{suffix}"


def test_an_editor_calls_an_operation_and_gets_status_headers_and_body(echo, member_of, client_for, loopback_server):
    body = {"operation": "addItem", "arguments": {"id": 5, "q": "x y", "body": {"n": 1}}}
    response = client_for(member_of("editor")).post(call_url(echo), body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["body"], data["truncated"]) == (200, '{"saved": 1}', False)
    assert data["headers"]["content-type"] == "application/json" and data["duration_ms"] >= 0
    (seen,) = loopback_server.requests
    assert (seen.method, seen.path, seen.body) == ("POST", "/items/5?q=x%20y", b'{"n": 1}')
    assert seen.headers["x-key"] == API_KEY  # sent upstream; the guard client checks it never comes back


def test_a_viewer_may_list_the_operations_but_not_call_them(echo, member_of, client_for, loopback_server):
    viewer = client_for(member_of("viewer"))
    response = viewer.post(call_url(echo), {"operation": "addItem", "arguments": {"id": 5}}, format="json")
    assert response.status_code == 403
    assert loopback_server.requests == [] and not CallRecord.objects.exists()
    (operation,) = viewer.get(f"/api/v1/actions/{echo.pk}/operations/").json()
    assert operation["name"] == "addItem" and operation["problem"] == ""
    assert operation["input_schema"]["required"] == ["id"]
    assert operation["annotations"]["readOnlyHint"] is False


@pytest.mark.parametrize(
    ("payload", "code", "pointer"),
    [
        ({"operation": "nope", "arguments": {}}, "runner.unknown_operation", ""),
        ({"operation": "addItem", "arguments": {"id": "five"}}, "runner.bad_arguments", "/id"),
        ({"operation": "addItem", "arguments": {"id": 5, "body": {}}}, "runner.bad_arguments", "/body"),
        ({"operation": "addItem", "arguments": [1]}, "runner.bad_arguments", ""),
    ],
)
def test_refusals_say_what_and_where(api, echo, payload, code, pointer, loopback_server):
    response = api.post(call_url(echo), payload, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["pointer"]) == (code, pointer)
    assert response.json()["message"]
    assert loopback_server.requests == []


def test_an_unreachable_api_is_a_502(api, echo, loopback_server):
    loopback_server.route("/items/5", Reply(200, b"late", delay=0))
    loopback_server.stop()
    response = api.post(call_url(echo), {"operation": "addItem", "arguments": {"id": 5}}, format="json")
    assert response.status_code == 502 and response.json()["code"] == "runner.fetch_failed"


@pytest.mark.eager  # the job runs in the request: with a broker it waits for a worker
def test_async_answers_202_with_a_job_that_holds_the_response(api, echo, django_capture_on_commit_callbacks):
    payload = {"operation": "addItem", "arguments": {"id": 5, "body": {"n": 2}}}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(call_url(echo, "?async=true"), payload, format="json")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    job = api.get(f"/api/v1/jobs/{response.json()['id']}/").json()
    assert (job["kind"], job["status"]) == ("action_test", "succeeded")
    assert job["result"]["status"] == 200 and job["result"]["body"] == '{"saved": 1}'
    with django_capture_on_commit_callbacks(execute=True):
        bad = api.post(call_url(echo, "?async=true"), {"operation": "addItem", "arguments": {}}, format="json")
    failed = Job.objects.get(pk=bad.json()["id"])
    assert (failed.status, failed.result["code"], failed.result["pointer"]) == ("failed", "runner.bad_arguments", "")


def test_test_calls_are_throttled_per_user(api, echo, settings):
    settings.ACTION_CALL_THROTTLE_RATE = "2/minute"
    payload = {"operation": "addItem", "arguments": {"id": 5}}
    statuses = [api.post(call_url(echo), payload, format="json").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]

"""Importing a schema from a URL: the job's start, success, failures, retries, conflicts and
idempotency, against a real HTTP server on 127.0.0.1 with the fetcher's guard relaxed explicitly
for each test that needs it (and a test that the guard refuses the same server otherwise)."""

import json
import socket
import time
from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError

from actions import imports
from actions.imports import TransientImportFailure, retry_delay, schema_import_run, schema_import_start
from actions.models import Action
from actions.schema import parsing
from actions.services import action_update
from actions.tasks import schema_import_task
from gpts.models import Job
from gptstudio import limits
from gptstudio.fetcher import allow_loopback_for_tests
from tests.factories import make_action, make_gpt
from tests.loopback_server import Reply


def petstore_schema(title="Petstore", server="https://petstore.example.com", extra=None) -> str:
    schema = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1.0.0"},
        "servers": [{"url": server}],
        "paths": {
            "/pets": {
                "get": {"operationId": "listPets", "summary": "List pets", "responses": {"200": {"description": "OK"}}}
            }
        },
        **(extra or {}),
    }
    return json.dumps(schema, indent=2) + "\n"


JSON = {"Content-Type": "application/json"}


@pytest.fixture
def start_import(gpt, user, django_capture_on_commit_callbacks):
    """Start an import with the guard relaxed; the enqueue callback is captured, not run."""

    def start(url, *, action=None, on_gpt=None):
        with allow_loopback_for_tests(), django_capture_on_commit_callbacks() as callbacks:
            job = schema_import_start(gpt=on_gpt or gpt, actor=user, url=url, action=action)
        assert len(callbacks) == 1
        return job

    return start


def run(job, *, relaxed=True) -> Job:
    """Run the task in this process (retries included, without waiting), like an eager worker."""
    if relaxed:
        with allow_loopback_for_tests():
            schema_import_task.apply(args=[job.pk])
    else:
        schema_import_task.apply(args=[job.pk])
    job.refresh_from_db()
    return job


@pytest.fixture
def small_policy(monkeypatch):
    def shrink(**changes):
        monkeypatch.setattr(imports, "SCHEMA_IMPORT_POLICY", replace(imports.SCHEMA_IMPORT_POLICY, **changes))

    return shrink


# --- Start -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter a URL"),
        ("ftp://example.com/openapi.json", "Only https or http URLs"),
        ("file:///etc/passwd", "Only https or http URLs"),
        ("https://user:pw@example.com/openapi.json", "user name or password"),
        ("http://127.0.0.1:8000/openapi.json", "loopback"),
        ("http://2130706433/openapi.json", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[::ffff:10.0.0.1]/", "private"),
        ("http://localhost:8000/openapi.json", "local-only"),
        ("https://example.com/" + "a" * 2000, "longer than 2000"),
    ],
)
def test_start_refuses_a_bad_url_with_a_field_error(gpt, user, url, message, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as excinfo:
        schema_import_start(gpt=gpt, actor=user, url=url)
    assert message in excinfo.value.message_dict["url"][0]
    assert not Job.objects.exists()
    assert callbacks == []


def test_start_creates_a_pending_job_and_enqueues_it_on_commit(
    gpt, user, monkeypatch, django_capture_on_commit_callbacks
):
    enqueued = []
    monkeypatch.setattr(schema_import_task, "delay", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True):
        job = schema_import_start(gpt=gpt, actor=user, url="  https://petstore.example.com/openapi.json ")
        assert enqueued == []  # not before the commit
    assert enqueued == [job.pk]
    job.refresh_from_db()
    assert (job.kind, job.status, job.attempts, job.gpt, job.workspace, job.created_by, job.action) == (
        "schema_import",
        "pending",
        0,
        gpt,
        gpt.workspace,
        user,
        None,
    )
    assert job.params == {
        "url": "https://petstore.example.com/openapi.json",
        "action_id": None,
        "expected_action_version": None,
    }


def test_start_over_an_action_records_its_version(gpt, user, action, start_import):
    job = start_import("https://petstore.example.com/openapi.json", action=action)
    assert job.action == action
    assert (job.params["action_id"], job.params["expected_action_version"]) == (action.pk, action.version)


def test_start_refuses_an_action_of_another_gpt(gpt, user, workspace):
    other_action = make_action(make_gpt(workspace=workspace, actor=user, name="Other"), actor=user)
    with pytest.raises(ValidationError) as excinfo:
        schema_import_start(gpt=gpt, actor=user, url="https://example.com/openapi.json", action=other_action)
    assert "another GPT" in excinfo.value.message_dict["action"][0]
    assert not Job.objects.exists()


def test_start_refuses_a_new_action_on_a_full_gpt(gpt, user, monkeypatch):
    monkeypatch.setattr(limits, "GPT_ACTIONS_MAX", limits.Limit(1, "test", "confirmed", "actions"))
    make_action(gpt, actor=user)
    with pytest.raises(ValidationError, match="at most 1 actions"):
        schema_import_start(gpt=gpt, actor=user, url="https://example.com/openapi.json")


# --- Success ---------------------------------------------------------------------------------------------


def test_import_creates_an_action_with_the_schema_exactly_as_fetched(gpt, user, loopback_server, start_import):
    body = petstore_schema()
    url = loopback_server.route("/openapi.json", Reply(body=body.encode(), headers=JSON))
    job = run(start_import(url))
    assert (job.status, job.error, job.attempts) == ("succeeded", "", 1)
    assert job.started_at <= job.finished_at
    action = Action.objects.get(gpt=gpt)
    assert job.action == action
    assert (action.name, action.schema_text, action.schema_format, action.domain) == (
        "Petstore",
        body,
        "json",
        "petstore.example.com",
    )
    assert job.result["valid"] is True
    assert job.result["domain"] == "petstore.example.com"
    assert job.result["error_count"] == 0
    assert job.result["created"] is True
    assert job.result["action_id"] == action.pk
    assert {"operation_count", "warning_count", "openapi_version", "final_url"} <= set(job.result)
    assert gpt.revisions.first().summary == "Added action Petstore"
    request = loopback_server.requests[0]
    assert "application/json" in request.headers["accept"]


def test_yaml_is_decoded_by_the_response_charset(gpt, loopback_server, start_import):
    body = (
        "openapi: 3.0.3\ninfo:\n  title: Café API\n  version: '1'\n"
        "servers:\n  - url: https://cafe.example.com\npaths: {}\n"
    )
    url = loopback_server.route(
        "/spec.yaml", Reply(body=body.encode("latin-1"), headers={"Content-Type": "application/yaml; charset=latin-1"})
    )
    job = run(start_import(url))
    assert job.status == "succeeded", job.error
    action = job.action
    assert (action.name, action.schema_text, action.schema_format) == ("Café API", body, "yaml")


def test_the_new_action_gets_a_unique_name(gpt, user, loopback_server, start_import):
    make_action(gpt, actor=user, name="Petstore")
    make_action(gpt, actor=user, name="petstore (2)")
    url = loopback_server.route("/openapi.json", Reply(body=petstore_schema().encode()))
    job = run(start_import(url))
    assert job.action.name == "Petstore (3)"


def test_a_schema_without_a_title_gets_a_default_name(loopback_server, start_import):
    body = petstore_schema().replace('"title": "Petstore"', '"title": 42')
    url = loopback_server.route("/openapi.json", Reply(body=body.encode()))
    assert run(start_import(url)).action.name == "Imported action"


def test_import_over_an_action_replaces_its_schema(gpt, action, loopback_server, start_import):
    body = petstore_schema(title="Something else")
    url = loopback_server.route("/openapi.json", Reply(body=body.encode()))
    job = run(start_import(url, action=action))
    assert job.status == "succeeded", job.error
    action.refresh_from_db()
    assert (action.schema_text, action.version, action.name, action.domain) == (
        body,
        2,
        "Weather",
        "petstore.example.com",
    )
    assert job.result["created"] is False
    assert Action.objects.filter(gpt=gpt).count() == 1
    assert gpt.revisions.first().summary.startswith("Imported the schema of action Weather from http://127.0.0.1")


def test_the_fetched_text_is_parsed_once_for_the_report_and_the_action(loopback_server, start_import, monkeypatch):
    url = loopback_server.route("/openapi.json", Reply(body=petstore_schema("Parsed once").encode()))
    job = start_import(url)
    parses = []
    real_parse_json = parsing._parse_json
    monkeypatch.setattr(parsing, "_parse_json", lambda *args: parses.append(args[0]) or real_parse_json(*args))
    written = {}
    monkeypatch.setattr(imports, "_write", lambda job, **kwargs: written.update(kwargs) or job)
    with allow_loopback_for_tests():
        schema_import_run(job_id=job.pk)
    assert parses == [petstore_schema("Parsed once")]  # the report's parse also gave the data
    assert written["data"]["info"]["title"] == "Parsed once"
    assert written["summary"]["operation_count"] == 1


def test_remote_refs_are_never_followed(loopback_server, start_import):
    remote = loopback_server.route("/components.json", Reply(body=b"{}"))
    body = petstore_schema(extra={"components": {"schemas": {"Pet": {"$ref": f"{remote}#/Pet"}}}})
    url = loopback_server.route("/openapi.json", Reply(body=body.encode()))
    job = run(start_import(url))
    assert job.status == "succeeded", job.error
    assert loopback_server.hits("/components.json") == 0
    assert remote in job.action.schema_text


def test_an_invalid_openapi_schema_is_still_imported_with_its_findings_counted(loopback_server, start_import):
    body = "swagger: '2.0'\ninfo:\n  title: Old API\n  version: '1'\npaths: {}\n"
    url = loopback_server.route("/swagger.yaml", Reply(body=body.encode()))
    job = run(start_import(url))
    assert job.status == "succeeded", job.error
    assert job.action.schema_text == body
    assert job.result["valid"] == (job.result["error_count"] == 0)


# --- Permanent failures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(404, b"nope"), "answered 404"),
        (Reply(403, b"private"), "answered 403"),
        (
            Reply(body=b"<!doctype html><html><body>Docs</body></html>", headers={"Content-Type": "text/html"}),
            "not an OpenAPI schema",
        ),
        (Reply(body=b'{"name": "not a schema"}', headers=JSON), "without an 'openapi' field"),
        (Reply(body=b"[1, 2, 3]", headers=JSON), "a list, not a JSON/YAML object"),
        (Reply(body=b'{"openapi": "3.1.0", "info": {"title": "\xff"}}', headers=JSON), "not valid utf-8"),
        (Reply(302, headers={"Location": "http://10.0.0.1/openapi.json"}), "private address"),
        (Reply(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}), "metadata"),
        (Reply(body=b"x" * 5000), "at most 4,096 are accepted"),
    ],
)
def test_a_permanent_failure_fails_the_job_at_once(gpt, loopback_server, start_import, small_policy, reply, message):
    small_policy(max_bytes=4096)
    url = loopback_server.route("/openapi.json", reply)
    job = run(start_import(url))
    assert (job.status, job.attempts) == ("failed", 1)
    assert message in job.error
    assert job.finished_at is not None
    assert loopback_server.hits("/openapi.json") == 1
    assert not Action.objects.filter(gpt=gpt).exists()


def test_with_the_guard_not_relaxed_the_same_loopback_server_is_refused(gpt, user, loopback_server, start_import):
    url = loopback_server.route("/openapi.json", Reply(body=petstore_schema().encode()))
    with pytest.raises(ValidationError, match="loopback"):
        schema_import_start(gpt=gpt, actor=user, url=url)
    job = run(start_import(url), relaxed=False)  # accepted while relaxed, run without the relaxation
    assert (job.status, job.attempts) == ("failed", 1)
    assert "loopback" in job.error
    assert loopback_server.requests == []
    assert not Action.objects.filter(gpt=gpt).exists()


def test_an_edit_made_meanwhile_is_a_conflict_not_an_overwrite(gpt, user, action, loopback_server, start_import):
    url = loopback_server.route("/openapi.json", Reply(body=petstore_schema().encode()))
    job = start_import(url, action=action)
    their_schema = petstore_schema(title="Edited meanwhile", server="https://edited.example.com")
    action_update(action=action, actor=user, expected_version=1, schema_text=their_schema)
    job = run(job)
    assert (job.status, job.attempts) == ("failed", 1)
    assert "changed by someone else" in job.error
    assert job.result["conflict"] == {"expected_version": 1, "current_version": 2}
    action.refresh_from_db()
    assert (action.schema_text, action.version) == (their_schema, 2)


def test_an_action_deleted_meanwhile_fails_the_job(action, user, loopback_server, start_import):
    from actions.services import action_delete

    url = loopback_server.route("/openapi.json", Reply(body=petstore_schema().encode()))
    job = start_import(url, action=action)
    action_delete(action=action, actor=user)
    job = run(job)
    assert (job.status, job.action) == ("failed", None)
    assert "deleted after the import started" in job.error


def test_a_gpt_filled_up_meanwhile_fails_the_job(gpt, user, loopback_server, start_import, monkeypatch):
    monkeypatch.setattr(limits, "GPT_ACTIONS_MAX", limits.Limit(1, "test", "confirmed", "actions"))
    job = start_import(loopback_server.route("/openapi.json", Reply(body=petstore_schema().encode())))
    make_action(gpt, actor=user)
    job = run(job)
    assert job.status == "failed"
    assert "at most 1 actions" in job.error
    assert Action.objects.filter(gpt=gpt).count() == 1


# --- Transient failures and retries --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    [
        Reply(503, b"busy"),
        Reply(500, b"oops"),
        Reply(502, b"bad gateway"),
        Reply(429, b"slow down", headers={"Retry-After": "0"}),
    ],
)
def test_a_transient_failure_is_retried_until_it_succeeds(gpt, loopback_server, start_import, first):
    url = loopback_server.route("/openapi.json", first, Reply(body=petstore_schema().encode()))
    job = run(start_import(url))
    assert (job.status, job.attempts, job.error) == ("succeeded", 2, "")
    assert loopback_server.hits("/openapi.json") == 2
    assert Action.objects.filter(gpt=gpt).count() == 1


def test_a_timeout_is_retried(gpt, loopback_server, start_import, small_policy):
    small_policy(read_timeout=0.2)
    url = loopback_server.route("/openapi.json", Reply(body=b"{}", delay=1), Reply(body=petstore_schema().encode()))
    job = run(start_import(url))
    assert (job.status, job.attempts) == ("succeeded", 2)


def test_retries_stop_at_the_maximum(gpt, loopback_server, start_import):
    url = loopback_server.route("/openapi.json", Reply(503, b"down"))
    job = run(start_import(url))
    assert (job.status, job.attempts) == ("failed", imports.SCHEMA_IMPORT_MAX_ATTEMPTS)
    assert job.error.startswith("Gave up after 4 attempts. The server answered 503")
    assert loopback_server.hits("/openapi.json") == 4
    assert not Action.objects.filter(gpt=gpt).exists()


def test_connection_errors_are_retried_then_fail(start_import):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    job = run(start_import(f"http://127.0.0.1:{port}/openapi.json"))
    assert (job.status, job.attempts) == ("failed", 4)
    assert "Could not connect" in job.error


def test_a_transient_failure_leaves_the_job_pending_with_the_next_try_announced(loopback_server, start_import):
    url = loopback_server.route("/openapi.json", Reply(503, headers={"Retry-After": "7"}))
    job = start_import(url)
    with allow_loopback_for_tests(), pytest.raises(TransientImportFailure) as excinfo:
        schema_import_run(job_id=job.pk)
    assert excinfo.value.retry_in == 7
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("pending", 1)
    assert (
        job.error
        == "Attempt 1 of 4 failed: The server answered 503 (server error) for " + url + ". Trying again in 7 s."
    )


@pytest.mark.parametrize(
    ("attempt", "retry_after", "expected"),
    [
        (1, None, 10),
        (2, None, 30),
        (3, None, 90),
        (5, None, 300),
        (1, 7.0, 7),
        (1, 0.0, 0),
        (1, 86400.0, 300),
        (1, -3.0, 0),
    ],
)
def test_retry_delay_backs_off_and_honours_retry_after(attempt, retry_after, expected):
    assert retry_delay(attempt, retry_after) == expected


# --- Idempotency -------------------------------------------------------------------------------------------


def test_running_a_finished_job_again_changes_nothing(gpt, loopback_server, start_import):
    url = loopback_server.route("/openapi.json", Reply(body=petstore_schema().encode()))
    job = run(start_import(url))
    finished_at = job.finished_at
    again = run(job)
    assert (again.status, again.attempts, again.finished_at) == ("succeeded", 1, finished_at)
    assert Action.objects.filter(gpt=gpt).count() == 1
    assert loopback_server.hits("/openapi.json") == 1


def test_two_deliveries_racing_create_one_action(gpt, loopback_server, start_import, monkeypatch):
    url = loopback_server.route("/openapi.json", Reply(body=petstore_schema().encode()))
    job = start_import(url)
    real_validate = imports.parse_and_validate_schema
    nested = []

    def validate_while_a_second_delivery_runs(text):
        if not nested:  # the first delivery has fetched; the second one runs to the end now
            nested.append(None)
            nested[0] = schema_import_run(job_id=job.pk)
        return real_validate(text)

    monkeypatch.setattr(imports, "parse_and_validate_schema", validate_while_a_second_delivery_runs)
    with allow_loopback_for_tests():
        first = schema_import_run(job_id=job.pk)
    assert nested[0].status == "succeeded"
    assert (first.status, first.action_id) == ("succeeded", nested[0].action_id)
    assert Action.objects.filter(gpt=gpt).count() == 1
    assert loopback_server.hits("/openapi.json") == 2


# --- Through Celery --------------------------------------------------------------------------------------


@pytest.mark.eager
def test_eagerly_the_job_runs_on_commit(gpt, user, loopback_server, django_capture_on_commit_callbacks):
    url = loopback_server.route("/openapi.json", Reply(503), Reply(body=petstore_schema().encode()))
    with allow_loopback_for_tests(), django_capture_on_commit_callbacks(execute=True):
        job = schema_import_start(gpt=gpt, actor=user, url=url)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.action.name) == ("succeeded", 2, "Petstore")


WORKER_RELAXED = [{"GPTSTUDIO_TEST_FETCHER_ALLOW_LOOPBACK": "1"}]


def _wait_until_finished(job: Job, seconds: float = 30) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    pytest.fail(f"job {job.pk} still {job.status} after {seconds} s: {job.error}")


@pytest.fixture
def enqueue_to_test_worker(monkeypatch, celery_worker_process):
    """The service enqueues with .delay(); send those messages to this test's worker queue."""
    monkeypatch.setattr(
        schema_import_task,
        "delay",
        lambda *args: schema_import_task.apply_async(args=args, queue=celery_worker_process),
    )


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("celery_worker_env", WORKER_RELAXED)
def test_a_real_worker_imports_the_schema(gpt, user, loopback_server, enqueue_to_test_worker):
    body = petstore_schema()
    url = loopback_server.route("/openapi.json", Reply(body=body.encode()))
    with allow_loopback_for_tests():
        job = schema_import_start(gpt=gpt, actor=user, url=url)
    job = _wait_until_finished(job)
    assert (job.status, job.attempts) == ("succeeded", 1), job.error
    assert job.action.schema_text == body


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("celery_worker_env", WORKER_RELAXED)
def test_a_real_worker_retries_a_transient_failure(gpt, user, loopback_server, enqueue_to_test_worker):
    url = loopback_server.route(
        "/openapi.json", Reply(503, headers={"Retry-After": "0"}), Reply(body=petstore_schema().encode())
    )
    with allow_loopback_for_tests():
        job = schema_import_start(gpt=gpt, actor=user, url=url)
    job = _wait_until_finished(job)
    assert (job.status, job.attempts) == ("succeeded", 2), job.error
    assert loopback_server.hits("/openapi.json") == 2


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_without_the_test_setting_refuses_loopback(gpt, user, loopback_server, enqueue_to_test_worker):
    url = loopback_server.route("/openapi.json", Reply(body=petstore_schema().encode()))
    with allow_loopback_for_tests():  # relaxed in this process only, not in the worker
        job = schema_import_start(gpt=gpt, actor=user, url=url)
    job = _wait_until_finished(job)
    assert (job.status, job.attempts) == ("failed", 1)
    assert "loopback" in job.error
    assert loopback_server.requests == []

"""Celery wiring: eager without a broker; a real worker consuming real tasks with Redis."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from actions.models import Action
from actions.tasks import action_refresh_domain_task
from gptstudio.tasks import ping

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.eager
def test_without_a_broker_tasks_run_eagerly():
    from gptstudio.celery import app

    assert app.conf.task_always_eager
    assert ping.delay("hello").get()["payload"] == "hello"


@pytest.mark.eager
def test_refresh_domain_task_recomputes_a_stale_domain(action):
    Action.objects.filter(pk=action.pk).update(domain="stale.example.com")
    assert action_refresh_domain_task.delay(action.pk).get() == "api.weather.example.com"
    action.refresh_from_db()
    assert action.domain == "api.weather.example.com"
    # The last revision already recorded this domain, so the document did not change: no new revision.
    assert action.gpt.revisions.count() == 2


def _database_url_for_worker() -> str:
    s = connection.settings_dict
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    auth = s.get("USER") or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


@pytest.fixture
def celery_worker_process(redis_url, tmp_path):
    """A real `celery worker` process on this test's Redis and (when PostgreSQL) test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gptstudio.settings.test",
        "REDIS_URL": redis_url,
    }
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = _database_url_for_worker()
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "gptstudio", "worker", "--pool=solo", "-Q", queue, "-l", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text() and time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"celery worker exited early:\n{log.read_text()}")
        time.sleep(0.2)
    if "ready." not in log.read_text():
        process.kill()
        pytest.fail(f"celery worker did not become ready in 60 s:\n{log.read_text()}")
    yield queue
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.redis
def test_a_real_worker_consumes_the_ping_task(celery_worker_process):
    result = ping.apply_async(args=["through-redis"], queue=celery_worker_process)
    reply = result.get(timeout=30)
    assert reply["payload"] == "through-redis"
    assert reply["pid"] != os.getpid()  # Ran in the worker process, not eagerly here.


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_recomputes_an_actions_domain(celery_worker_process, action):
    Action.objects.filter(pk=action.pk).update(domain="stale.example.com")
    result = action_refresh_domain_task.apply_async(args=[action.pk], queue=celery_worker_process)
    assert result.get(timeout=30) == "api.weather.example.com"
    action.refresh_from_db()
    assert action.domain == "api.weather.example.com"

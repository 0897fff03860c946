"""Celery wiring: eager without a broker; a real worker consuming real tasks with Redis."""

import os
import subprocess
import sys

import pytest

from actions.models import Action
from actions.tasks import action_refresh_domain_task
from gptstudio.tasks import ping
from tests.conftest import ROOT


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


def test_the_web_entry_point_defaults_to_production_settings():
    """wsgi's default must not be overridden by another module imported first (the Celery app)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY")}
    run = subprocess.run(
        [sys.executable, "-c", "import gptstudio.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode != 0
    assert "SECRET_KEY must be set in production" in run.stderr


def test_a_worker_without_a_broker_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "gptstudio.settings.test"
    run = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "gptstudio", "worker", "--pool=solo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert "REDIS_URL is not set" in run.stderr

"""Shared fixtures, and the rules for test groups that need real services.

Groups (markers) `redis`, `postgres` and `browser` need a real Redis + Celery worker, PostgreSQL,
or Debian's Chromium; `eager` needs the embedded mode (no broker). Where a service is not
configured they are *deselected* (not skipped), and the run ends with a line saying which groups
did not run here and why. With CI=true, browser tests that cannot run fail the run instead.
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from hypothesis import settings as hypothesis_settings

from tests.factories import UserFactory, make_action, make_gpt, make_workspace
from tests.loopback_server import LoopbackServer

ROOT = Path(__file__).resolve().parent.parent

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Property tests explore new random inputs on every developer run (that is how they find bugs);
# in CI they replay one fixed sequence, so a run's verdict depends on the commit, not on luck.
# "fast" (`make test-fast`, HYPOTHESIS_PROFILE=fast) replays a fixed, ten times shorter sequence:
# a quick check while editing, not a search (tests/hypothesis_examples.py scales explicit counts).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("fast", derandomize=True, max_examples=10, print_blob=True)
if os.environ.get("HYPOTHESIS_PROFILE"):
    hypothesis_settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
elif CI:
    hypothesis_settings.load_profile("ci")
_not_run: dict[str, tuple[int, str]] = {}


def _unavailable_groups() -> dict[str, str]:
    reasons = {}
    if not os.environ.get("REDIS_URL"):
        reasons["redis"] = "REDIS_URL is not set (tasks run eagerly here)"
    else:
        reasons["eager"] = "REDIS_URL is set; eager mode is covered by the run without a broker"
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        reasons["postgres"] = "DATABASE_URL is not PostgreSQL"
    if not (shutil.which("chromium") and _has_playwright()):
        reasons["browser"] = "Debian's chromium or the playwright package is missing"
    return reasons


def _has_playwright() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return True


def pytest_collection_modifyitems(config, items):
    reasons = _unavailable_groups()
    if CI and "browser" in reasons and any(item.get_closest_marker("browser") for item in items):
        raise pytest.UsageError(f"CI=true but the browser tests cannot run: {reasons['browser']}.")
    kept, dropped = [], []
    for item in items:
        missing = [group for group in reasons if item.get_closest_marker(group)]
        if missing:
            dropped.append(item)
            count, _ = _not_run.get(missing[0], (0, ""))
            _not_run[missing[0]] = (count + 1, reasons[missing[0]])
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_sessionfinish(session):
    # Under pytest-xdist the workers collect and deselect; each hands its count to the controller,
    # which prints the summary (every worker collects the whole suite, so they agree).
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["not_run"] = dict(_not_run)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    for group, entry in getattr(node, "workeroutput", {}).get("not_run", {}).items():
        _not_run[group] = tuple(entry)


def pytest_terminal_summary(terminalreporter):
    for group, (count, reason) in sorted(_not_run.items()):
        terminalreporter.write_line(f"NOT RUN HERE: {count} '{group}' test(s): {reason}.", yellow=True)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def workspace(user):
    return make_workspace(owner=user)


@pytest.fixture
def gpt(workspace, user):
    return make_gpt(workspace=workspace, actor=user, name="Weather Buddy", conversation_starters=["Hi", "Rain?"])


@pytest.fixture
def action(gpt, user):
    return make_action(gpt, actor=user)


@pytest.fixture
def redis_url():
    url = settings.REDIS_URL
    assert url, "redis tests are deselected without REDIS_URL"
    return url


def _database_url_for_worker() -> str:
    s = connection.settings_dict
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    auth = s.get("USER") or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


@pytest.fixture
def celery_worker_env():
    """Extra environment for the worker process; a test overrides it with
    `@pytest.mark.parametrize("celery_worker_env", [{...}])`."""
    return {}


@pytest.fixture
def celery_worker_process(redis_url, tmp_path, celery_worker_env):
    """A real `celery worker` process on this test's Redis and (when PostgreSQL) test database,
    consuming its own queue (the fixture's value: send tasks there with `queue=`)."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gptstudio.settings.test",
        "REDIS_URL": redis_url,
        **celery_worker_env,
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


@pytest.fixture
def loopback_server():
    """A real HTTP server on 127.0.0.1 (see tests/loopback_server.py). The fetcher refuses it
    unless a test relaxes the guard explicitly."""
    server = LoopbackServer().start()
    yield server
    server.stop()


ROLES = ("owner", "editor", "viewer", "outsider")


@pytest.fixture
def login_as(client, workspace, user):
    """Log the test client in with a role in `workspace` ("outsider": a user of another team)."""
    from gpts.services import membership_set

    def login(role: str):
        if role == "owner":
            member = user
        else:
            member = UserFactory()
            if role != "outsider":
                membership_set(workspace=workspace, user=member, role=role)
        client.force_login(member)
        return member

    return login

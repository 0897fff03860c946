"""Shared fixtures, and the rules for test groups that need real services.

Groups (markers) `redis`, `postgres` and `browser` need a real Redis + Celery worker, PostgreSQL,
or Debian's Chromium; `eager` needs the embedded mode (no broker). Where a service is not
configured they are *deselected* (not skipped), and the run ends with a line saying which groups
did not run here and why. With CI=true, browser tests that cannot run fail the run instead.
"""

import os
import shutil

import pytest
from django.conf import settings

from tests.factories import UserFactory, make_action, make_gpt, make_workspace

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
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

"""DATABASE_POOL: psycopg's connection pool for PostgreSQL under ASGI (Django's advice instead of
persistent connections there), refused where it cannot work."""

import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.gptstudio.test_settings_email import BASE_SETTINGS

ROOT = BASE_SETTINGS.parents[2]
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def load(monkeypatch, **environment):
    import importlib.util

    for name in ("DATABASE_URL", "DATABASE_POOL", "CONN_MAX_AGE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gptstudio_settings_under_test", BASE_SETTINGS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DATABASES["default"]


def test_the_pool_is_off_unless_asked_for(monkeypatch):
    assert "pool" not in load(monkeypatch, DATABASE_URL=POSTGRES_URL).get("OPTIONS", {})


def test_the_pool_opens_on_postgresql_with_its_sizes(monkeypatch):
    database = load(monkeypatch, DATABASE_URL=POSTGRES_URL, DATABASE_POOL="true", DATABASE_POOL_MAX_SIZE="4")
    assert database["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 4}
    assert database["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize(
    ("environment", "says"),
    [
        ({"DATABASE_POOL": "true"}, "needs PostgreSQL"),
        ({"DATABASE_POOL": "true", "DATABASE_URL": POSTGRES_URL, "CONN_MAX_AGE": "60"}, "CONN_MAX_AGE"),
    ],
)
def test_a_pool_that_cannot_work_is_refused_with_the_reason(monkeypatch, environment, says):
    with pytest.raises(ImproperlyConfigured, match=says):
        load(monkeypatch, **environment)


@pytest.mark.postgres
def test_queries_run_through_the_pool_on_a_real_server():
    """A fresh process with DATABASE_POOL=true: its connection comes from psycopg's pool, and a
    closed connection goes back to it (the next query reuses the server's backend process)."""
    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c: c.execute('SELECT pg_backend_pid()'); first = c.fetchone()[0]\n"
        "assert connection.pool is not None\n"
        "connection.close()\n"
        "with connection.cursor() as c: c.execute('SELECT pg_backend_pid()'); second = c.fetchone()[0]\n"
        "print(first == second)\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gptstudio.settings.local",
        # The server's own maintenance database: it always exists, unlike DATABASE_URL's (the suite
        # runs in a test database made from that name).
        "DATABASE_URL": urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres").geturl(),
        "DATABASE_POOL": "true",
        "DATABASE_POOL_MIN_SIZE": "1",
        "DATABASE_POOL_MAX_SIZE": "1",
        "CONN_MAX_AGE": "0",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"

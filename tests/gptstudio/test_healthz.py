"""/healthz: up and down per check, nothing about the infrastructure in the answer, short
timeouts, and reachable over plain http behind production's https redirect."""

import importlib
import logging
import sys
import time

import pytest
from cryptography.fernet import Fernet
from django.db import OperationalError

from gptstudio import health

# What a real failure message carries: exactly what a stranger must not learn.
INTERNALS = 'connection to server at "db.internal.example" (10.20.30.40), port 5432 failed: password for "gptstudio"'


def test_healthz_reports_database_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "up"


class UnreachableDatabase:
    vendor = "postgresql"

    def cursor(self):
        raise OperationalError(INTERNALS)

    def close(self):
        pass


def test_healthz_is_503_when_the_database_is_down_and_says_why_only_in_the_log(client, db, monkeypatch, caplog):
    monkeypatch.setattr(health, "probe_connection", UnreachableDatabase)
    with caplog.at_level(logging.ERROR, logger="gptstudio.health"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"status": "down", "error": "The database did not answer."}
    for detail in ("db.internal.example", "10.20.30.40", "5432", "gptstudio", "OperationalError"):
        assert detail not in response.content.decode()
    assert INTERNALS in caplog.text


def test_healthz_without_broker_says_not_configured(client, db, settings):
    settings.REDIS_URL = ""
    assert client.get("/healthz").json()["checks"]["broker"]["status"] == "not_configured"


def test_healthz_is_503_when_the_configured_broker_is_down_and_hides_the_url(client, db, settings, caplog):
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    settings.REDIS_URL = "redis://:hunter2@127.0.0.1:1/0"
    with caplog.at_level(logging.ERROR, logger="gptstudio.health"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"status": "down", "error": "The broker did not answer."}
    assert "127.0.0.1" not in response.content.decode() and "hunter2" not in response.content.decode()
    assert "127.0.0.1:1" in caplog.text


def test_the_probe_connection_has_short_postgresql_timeouts():
    settings_dict = {"ENGINE": "django.db.backends.postgresql", "NAME": "x", "OPTIONS": {"options": "-c search_path=a"}}
    probe = health.probe_settings(settings_dict)
    assert probe["OPTIONS"] == {
        "connect_timeout": health.TIMEOUT_SECONDS,
        "options": f"-c search_path=a -c statement_timeout={health.TIMEOUT_SECONDS * 1000}",
    }
    assert settings_dict["OPTIONS"] == {"options": "-c search_path=a"}  # the app's own settings stay
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}
    assert health.probe_settings(sqlite) == sqlite


def test_the_probe_leaves_the_requests_connection_alone(client, db):
    from django.db import connection

    with connection.cursor():
        pass
    before = connection.connection
    assert client.get("/healthz").status_code == 200
    assert connection.connection is before


@pytest.mark.postgres
def test_a_database_that_stops_answering_is_down_within_the_timeout(client, db, monkeypatch):
    monkeypatch.setattr(health, "PROBE_QUERY", "SELECT pg_sleep(30)")
    started = time.monotonic()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert time.monotonic() - started < health.TIMEOUT_SECONDS + 3


@pytest.fixture
def production_settings(monkeypatch):
    """The production settings module as a fresh import (it reads the environment at import)."""
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-key")
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")  # Only read: nothing connects here.
    for name in ("gptstudio.settings.production", "gptstudio.settings.base"):
        sys.modules.pop(name, None)
    yield importlib.import_module("gptstudio.settings.production")
    for name in ("gptstudio.settings.production", "gptstudio.settings.base"):
        sys.modules.pop(name, None)


def test_production_redirects_to_https_except_the_health_check(client, db, settings, production_settings):
    settings.SECURE_SSL_REDIRECT = production_settings.SECURE_SSL_REDIRECT
    settings.SECURE_REDIRECT_EXEMPT = production_settings.SECURE_REDIRECT_EXEMPT
    assert settings.SECURE_SSL_REDIRECT is True
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz/").status_code == 301  # only the real URL is exempt
    redirected = client.get("/rules/")
    assert (redirected.status_code, redirected["Location"]) == (301, "https://testserver/rules/")


@pytest.mark.redis
def test_healthz_reports_the_real_broker_up(client, db, redis_url):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["status"] == "up"


def test_production_settings_default_hsts_to_a_year(production_settings):
    assert production_settings.SECURE_HSTS_SECONDS == 31_536_000


def test_production_settings_refuse_to_start_without_a_broker(monkeypatch, production_settings):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("REDIS_URL", "")
    for name in ("gptstudio.settings.production", "gptstudio.settings.base"):
        sys.modules.pop(name, None)
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must be set in production"):
        importlib.import_module("gptstudio.settings.production")

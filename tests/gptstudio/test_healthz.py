import pytest
from django.db import OperationalError


def test_healthz_reports_database_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "up"


class UnreachableDatabase:
    vendor = "postgresql"

    def cursor(self):
        raise OperationalError("connection refused")


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    monkeypatch.setattr("gptstudio.health.connections", {"default": UnreachableDatabase()})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["status"] == "down"
    assert "connection refused" in response.json()["checks"]["database"]["error"]


def test_healthz_without_broker_says_not_configured(client, db, settings):
    settings.REDIS_URL = ""
    assert client.get("/healthz").json()["checks"]["broker"]["status"] == "not_configured"


def test_healthz_is_503_when_the_configured_broker_is_down(client, db, settings):
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "down"


@pytest.mark.redis
def test_healthz_reports_the_real_broker_up(client, db, redis_url):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["status"] == "up"

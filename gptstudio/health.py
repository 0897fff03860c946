"""`/healthz`: is the database reachable, and the broker when one is configured?

Load balancers and uptime monitors call it without signing in, so the answer says only "up" or
"down" per check. Why a check failed (an exception naming the database host, port or user, or
the Redis URL) goes to the server log, never into the response.

Each check is bounded by `TIMEOUT_SECONDS`, so a database or broker that stops answering makes
the probe report "down" quickly instead of hanging until the monitor gives up.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2
PROBE_QUERY = "SELECT 1"


def probe_settings(settings_dict: dict) -> dict:
    """The database settings for the probe's own connection: PostgreSQL gets a connect timeout
    and a statement timeout (libpq options; the app's connections keep theirs). SQLite is a
    local file with nothing to wait for but locks, which `SELECT 1` does not take."""
    if "postgresql" not in settings_dict["ENGINE"]:
        return settings_dict
    options = dict(settings_dict.get("OPTIONS") or {})
    options["connect_timeout"] = TIMEOUT_SECONDS
    statement_timeout = f"-c statement_timeout={TIMEOUT_SECONDS * 1000}"
    options["options"] = f"{options.get('options', '')} {statement_timeout}".strip()
    return {**settings_dict, "OPTIONS": options}


def probe_connection():
    """A private connection to the default database, so the timeouts never touch (or wait for)
    the connection this request's other code uses, and the probe sees whether the database
    accepts new connections at all."""
    probe = connections.create_connection(DEFAULT_DB_ALIAS)
    probe.settings_dict = probe_settings(probe.settings_dict)
    return probe


def check_database() -> dict:
    probe = probe_connection()
    try:
        with probe.cursor() as cursor:
            cursor.execute(PROBE_QUERY)
            cursor.fetchone()
    except Exception:  # Any failure means "down"; the log says which.
        logger.exception("Health check: the database did not answer")
        return {"status": "down", "error": "The database did not answer."}
    finally:
        probe.close()
    return {"status": "up", "vendor": probe.vendor}


def check_broker() -> dict:
    if not settings.REDIS_URL:
        return {"status": "not_configured", "detail": "No REDIS_URL: Celery tasks run eagerly in-process."}
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
        client.ping()
    except Exception:
        logger.exception("Health check: the broker did not answer")
        return {"status": "down", "error": "The broker did not answer."}
    return {"status": "up"}


@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(check["status"] != "down" for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )

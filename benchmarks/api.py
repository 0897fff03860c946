"""API throughput (prints JSON lines; run `python benchmarks/api.py`, needs PostgreSQL).

gunicorn serving the app on PostgreSQL with 1,000 GPTs x 3 actions; a token client hits
1. a trivial JSON view behind the same stack (token auth, permissions, renderer; routed only with
   BENCHMARK_ENDPOINTS=true),
2. the GPT list, 50 per page (`GET /api/v1/gpts/?page_size=50`), pages spread over all 20,
3. the GPT detail (`GET /api/v1/gpts/{id}/`), ids spread over all 1,000,
each for BENCH_SECONDS (split into BENCH_ROUNDS interleaved rounds) with BENCH_CLIENTS threads, and
prints the settings it ran with, then per endpoint the median round (requests per second, median and
95th percentile latency; every round's rate too), then the list's and the detail's ratios to the
trivial view and whether the target is met.
Target: the list serves at least 50% of the trivial view's throughput.

The server runs with the deployment's database settings as the environment gives them, defaulting
to the app's own defaults (README, Configuration): CONN_MAX_AGE (0: a connection per request) and
DATABASE_PREPARED_STATEMENTS (false). Compare with, e.g., `CONN_MAX_AGE=60
DATABASE_PREPARED_STATEMENTS=true python benchmarks/api.py`.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gptstudio_bench; the
database is created and seeded once, then reused), BENCH_SECONDS (15), BENCH_ROUNDS (5), BENCH_CLIENTS (4),
BENCH_WORKERS (gunicorn workers, 2: the machine has 2 cores, shared with the client threads).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection  # noqa: TID251 (only to its own server on 127.0.0.1)
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gptstudio_bench")
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))  # per endpoint, split over ROUNDS
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
GPTS, ACTIONS_PER_GPT, PAGE_SIZE = 1000, 3, 50
SERVER_ENV = {
    "DATABASE_URL": DATABASE_URL,
    "DJANGO_SETTINGS_MODULE": "gptstudio.settings.local",
    "DEBUG": "false",
    "BENCHMARK_ENDPOINTS": "true",
    "API_TOKEN_THROTTLE_RATE": "",
    "LOG_LEVEL": "WARNING",
    # The deployment's choices, defaulting to the app's defaults (gptstudio/settings/base.py).
    "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "0"),
    "DATABASE_PREPARED_STATEMENTS": os.environ.get("DATABASE_PREPARED_STATEMENTS", "false"),
}
TARGET = 0.5  # gpt_list throughput / trivial throughput
os.environ.update(SERVER_ENV)
os.environ.pop("REDIS_URL", None)  # Embedded mode: the benchmark measures the app and PostgreSQL.
sys.path.insert(0, str(ROOT))


def emit(**record) -> None:
    print(json.dumps({"bench": "api", **record}), flush=True)


def ensure_database() -> None:
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    try:
        connection = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        emit(error=f"PostgreSQL is not reachable at {parts.hostname}:{parts.port}: {exc}".strip())
        raise SystemExit(1) from None
    with connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def seed() -> str:
    """Migrate, create 1,000 GPTs x 3 actions through the services (once), return a fresh token."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from actions.services import action_create
    from gpts import services
    from gpts.models import GPT, Workspace
    from gptstudio.services import token_create
    from tests.factories import WEATHER_SCHEMA

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench")
    workspace = Workspace.objects.filter(slug="bench").first() or services.workspace_create(
        name="Bench", slug="bench", owner=user
    )
    existing = GPT.objects.filter(workspace=workspace).count()
    started = time.perf_counter()
    for i in range(existing, GPTS):
        gpt = services.gpt_create(
            workspace=workspace,
            actor=user,
            name=f"Bench GPT {i:04d}",
            description="A GPT for the API benchmark.",
            instructions="Answer briefly. " * 20,
            conversation_starters=["Hello", "What can you do?"],
        )
        for a in range(ACTIONS_PER_GPT):
            gpt = GPT.objects.get(pk=gpt.pk)
            action_create(
                gpt=gpt,
                actor=user,
                name=f"Action {a}",
                schema_text=WEATHER_SCHEMA.replace("api.weather", f"api{a}.weather"),
                auth_type="api_key",
                api_key_auth_type="bearer",
                api_key=f"bench-key-{i}-{a}",
            )
    if existing < GPTS:
        emit(step="seed", gpts=GPTS - existing, seconds=round(time.perf_counter() - started, 1))
    # Fresh planner statistics and no dead rows (seeding, or a migration that rewrote a column), as
    # autovacuum would leave them in a running deployment.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    ids = list(GPT.objects.filter(workspace=workspace).order_by("id").values_list("id", flat=True)[:GPTS])
    return token_create(user=user, name="benchmark").plaintext, ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "gptstudio.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **SERVER_ENV})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start within 30 s")


def hammer(port: int, token: str, paths: list[str], seconds: float) -> dict:
    """CLIENTS threads request `paths` round robin for `seconds`; latencies of 200 answers."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def client(offset: int):
        mine, failed, i = [], 0, offset
        while time.monotonic() < stop_at:
            path = paths[i % len(paths)]
            i += CLIENTS
            began = time.perf_counter()
            connection = HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                mine.append(time.perf_counter() - began)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / elapsed,
        "median_ms": statistics.median(latencies) * 1000 if latencies else None,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000 if latencies else None,
    }


def median_round(rounds: list[dict]) -> dict:
    """The rounds' medians, each figure on its own: on a shared 2-core machine other load comes and
    goes, and the median round says what a typical stretch looked like (the best one would not)."""

    def median(key):
        values = [r[key] for r in rounds if r[key] is not None]
        return round(statistics.median(values), 2) if values else None

    return {
        "rps": median("rps"),
        "median_ms": median("median_ms"),
        "p95_ms": median("p95_ms"),
        "requests": sum(r["requests"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "rounds_rps": [round(r["rps"], 1) for r in rounds],
    }


def main() -> None:
    emit(
        settings={
            "CONN_MAX_AGE": int(SERVER_ENV["CONN_MAX_AGE"]),
            "DATABASE_PREPARED_STATEMENTS": SERVER_ENV["DATABASE_PREPARED_STATEMENTS"].lower() in ("1", "true", "yes"),
            "workers": WORKERS,
            "clients": CLIENTS,
            "rounds": ROUNDS,
            "seconds": SECONDS,
            "gpts": GPTS,
            "actions_per_gpt": ACTIONS_PER_GPT,
            "page_size": PAGE_SIZE,
            "database": "{0.hostname}:{0.port}{0.path}".format(urlsplit(DATABASE_URL)),  # No credentials.
        }
    )
    ensure_database()
    token, ids = seed()
    port = free_port()
    server = start_server(port)
    try:
        pages = GPTS // PAGE_SIZE
        endpoints = {
            "trivial": ["/api/v1/bench/trivial/"],
            "gpt_list": [f"/api/v1/gpts/?page_size={PAGE_SIZE}&page={p}" for p in range(1, pages + 1)],
            "gpt_detail": [f"/api/v1/gpts/{gpt_id}/" for gpt_id in ids],
        }
        # Interleaved rounds, so that load from elsewhere on the machine falls on every endpoint.
        for paths in endpoints.values():
            hammer(port, token, paths, 1.0)  # Warm up: connections, caches, imports.
        rounds: dict[str, list[dict]] = {name: [] for name in endpoints}
        for _ in range(ROUNDS):
            for name, paths in endpoints.items():
                rounds[name].append(hammer(port, token, paths, SECONDS / ROUNDS))
        results = {name: median_round(measured) for name, measured in rounds.items()}
        for name, measured in results.items():
            emit(endpoint=name, statistic="median round", **measured)
        trivial = results["trivial"]
        for name in ("gpt_list", "gpt_detail"):
            ratio = results[name]["rps"] / trivial["rps"] if trivial["rps"] else 0
            emit(
                ratio=f"{name}/trivial",
                throughput=round(ratio, 3),
                median_latency=round(results[name]["median_ms"] / trivial["median_ms"], 2),
            )
        ratio = results["gpt_list"]["rps"] / trivial["rps"] if trivial["rps"] else 0
        emit(target=f"gpt_list throughput >= {TARGET:.0%} of trivial", ratio=round(ratio, 3), met=ratio >= TARGET)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

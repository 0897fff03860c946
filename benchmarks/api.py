"""API latency under load (prints JSON lines; run `python benchmarks/api.py`, needs PostgreSQL).

The goals (issue 11): with 10,000 GPTs x 3 actions on PostgreSQL, served by gunicorn (2 workers,
persistent database connections) to 4 concurrent clients, the 95th percentile latency is at most
50 ms for
1. `gpt_list`: the GPT list, 50 per page, with a search
   (`GET /api/v1/gpts/?search=<topic>&page_size=50&page=N`; each topic matches 1,000 GPTs, and the
   pages of every topic are requested in turn),
2. `gpt_detail`: the GPT detail (`GET /api/v1/gpts/{id}/`, ids spread over all 10,000),
3. `gpt_export`: the chatgpt bundle (`GET /api/v1/gpts/{id}/export/?target=chatgpt`, a zip),
and each of them runs the same number of queries whatever the row (counted in this process, on the
first and the last page or GPT). `trivial`, a JSON view on the same stack (token auth,
permissions, renderer; routed only with BENCHMARK_ENDPOINTS=true), is measured alongside as the
floor: what this machine and the stack cost for a request that does nothing.

It prints the settings, the seeding time, the query counts, then per endpoint the 50th, 95th and
99th percentile latency over every answered request (and each round's 95th percentile), and per
goal whether it is met. Rounds of BENCH_SECONDS / BENCH_ROUNDS per endpoint take turns, so load from
elsewhere on the machine falls on every endpoint alike.

Seeding is fast because only one GPT goes through the services: it and its three actions are
written as the app writes them (stored validation, counts, derived action fields, encrypted keys),
then copied with `bulk_create` (GPTs, then their starters and actions, 1,000 rows per INSERT), each
copy with its own name, slug, description and API keys. 10,000 GPTs take seconds, not the hour
that 40,000 service calls would.

The database is its own: BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/gptstudio_bench_plain) is created for the run (dropped first if
a killed run left it) and dropped at the end. The run stops by itself: every round is time-bound,
every request times out after 30 s, the whole run is cut after BENCH_TIMEOUT seconds, and the
server is stopped and the database dropped however it ends.

Environment: BENCH_DATABASE_URL, BENCH_SECONDS (30 per endpoint), BENCH_ROUNDS (5), BENCH_CLIENTS
(4), BENCH_WORKERS (gunicorn workers, 2), BENCH_GPTS (10000), BENCH_TIMEOUT (900),
BENCH_RANDOM_PAGE_COST (the database's random_page_cost; unset: the server's); the server's
CONN_MAX_AGE (60: persistent connections) and DATABASE_PREPARED_STATEMENTS (false) as the
environment gives them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection  # noqa: TID251 (only to its own server on 127.0.0.1)
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gptstudio_bench_plain")
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))  # per endpoint, split over ROUNDS
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
GPTS = int(os.environ.get("BENCH_GPTS", "10000"))
TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", "900"))
# The planner's cost of a random page read on the benchmark's database (PostgreSQL's default is 4,
# a spinning disk's; its docs suggest about 1.1 for SSDs and cached data): "" leaves the server's.
RANDOM_PAGE_COST = os.environ.get("BENCH_RANDOM_PAGE_COST", "")
ACTIONS_PER_GPT, PAGE_SIZE = 3, 50
GOAL_P95_MS = 50
GOAL_ENDPOINTS = ("gpt_list", "gpt_detail", "gpt_export")
# Each GPT's description names one topic, so a search for a topic finds a tenth of the GPTs.
TOPICS = ("weather", "calendar", "travel", "recipes", "finance", "fitness", "music", "gardening", "chess", "poetry")
SERVER_ENV = {
    "DATABASE_URL": DATABASE_URL,
    "DJANGO_SETTINGS_MODULE": "gptstudio.settings.local",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",  # testserver: the in-process query counts
    "BENCHMARK_ENDPOINTS": "true",
    "API_TOKEN_THROTTLE_RATE": "",
    "LOG_LEVEL": "WARNING",
    "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
    "DATABASE_PREPARED_STATEMENTS": os.environ.get("DATABASE_PREPARED_STATEMENTS", "false"),
}
os.environ.update(SERVER_ENV)
os.environ.pop("REDIS_URL", None)  # Embedded mode: the benchmark measures the app and PostgreSQL.
sys.path.insert(0, str(ROOT))


def emit(**record) -> None:
    print(json.dumps({"bench": "api", **record}), flush=True)


def _admin_connection():
    import psycopg

    parts = urlsplit(DATABASE_URL)
    try:
        return psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        emit(error=f"PostgreSQL is not reachable at {parts.hostname}:{parts.port}: {exc}".strip())
        raise SystemExit(1) from None


def _database_name() -> str:
    return urlsplit(DATABASE_URL).path.lstrip("/")


def drop_database() -> None:
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{_database_name()}" WITH (FORCE)')


def create_database() -> None:
    drop_database()  # a run that was killed may have left it
    with _admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{_database_name()}"')
        if RANDOM_PAGE_COST:
            cost = float(RANDOM_PAGE_COST)
            connection.execute(f'ALTER DATABASE "{_database_name()}" SET random_page_cost = {cost}')


def _copy(instance, **changes):
    """An unsaved copy of a model instance (every concrete field but the primary key), changed."""
    fields = [f for f in type(instance)._meta.concrete_fields if not f.primary_key]
    values = {f.attname: getattr(instance, f.attname) for f in fields}
    return type(instance)(**{**values, **changes})


def seed() -> tuple[str, list[int]]:
    """Migrate, write GPTS GPTs x 3 actions (see the module docstring), return a token and the ids."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from actions.models import Action
    from actions.services import action_create
    from gpts import services
    from gpts.models import GPT, ConversationStarter
    from gptstudio.services import token_create
    from tests.factories import WEATHER_SCHEMA

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    user = get_user_model().objects.create_user("bench")
    workspace = services.workspace_create(name="Bench", slug="bench", owner=user)
    template = services.gpt_create(
        workspace=workspace,
        actor=user,
        name="Bench GPT 00000",
        description=f"Helps with {TOPICS[0]}.",
        instructions="Answer briefly. " * 20,
        conversation_starters=["Hello", "What can you do?"],
    )
    for a in range(ACTIONS_PER_GPT):
        action_create(
            gpt=GPT.objects.get(pk=template.pk),
            actor=user,
            name=f"Action {a}",
            schema_text=WEATHER_SCHEMA.replace("api.weather", f"api{a}.weather"),
            auth_type="api_key",
            api_key_auth_type="bearer",
            api_key=f"bench-key-0-{a}",
        )
    template = GPT.objects.get(pk=template.pk)
    starters = list(template.conversation_starters.all())
    actions = list(template.actions.all())
    copies = GPT.objects.bulk_create(
        [
            _copy(
                template,
                name=f"Bench GPT {i:05d}",
                slug=f"bench-gpt-{i:05d}",
                description=f"Helps with {TOPICS[i % len(TOPICS)]}.",
            )
            for i in range(1, GPTS)
        ],
        batch_size=1000,
    )
    ConversationStarter.objects.bulk_create(
        [_copy(starter, gpt_id=gpt.pk) for gpt in copies for starter in starters], batch_size=1000
    )
    Action.objects.bulk_create(
        [
            _copy(action, gpt_id=gpt.pk, api_key=f"bench-key-{gpt.pk}-{action.position}")
            for gpt in copies
            for action in actions
        ],
        batch_size=1000,
    )
    # Fresh planner statistics, as autovacuum would leave them in a running deployment.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    emit(
        step="seed",
        gpts=GPT.objects.count(),
        actions=Action.objects.count(),
        migrate_seconds=round(migrated - started, 1),
        seed_seconds=round(time.perf_counter() - migrated, 1),
    )
    ids = list(GPT.objects.order_by("id").values_list("id", flat=True))
    return token_create(user=user, name="benchmark").plaintext, ids


def endpoints(ids: list[int]) -> dict[str, list[str]]:
    pages = GPTS // len(TOPICS) // PAGE_SIZE or 1
    return {
        "trivial": ["/api/v1/bench/trivial/"],
        "gpt_list": [
            f"/api/v1/gpts/?search={topic}&page_size={PAGE_SIZE}&page={page}"
            for page in range(1, pages + 1)
            for topic in TOPICS
        ],
        "gpt_detail": [f"/api/v1/gpts/{gpt_id}/" for gpt_id in ids],
        "gpt_export": [f"/api/v1/gpts/{gpt_id}/export/?target=chatgpt" for gpt_id in ids],
    }


def query_counts(token: str, paths: dict[str, list[str]], goals: tuple[str, ...]) -> None:
    """Queries per request of each endpoint on its first and its last path, in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"Authorization": f"Bearer {token}"})
    client.get("/api/v1/bench/trivial/")  # the token's first use records when it was used
    for name in goals:
        counts = []
        for path in (paths[name][0], paths[name][-1]):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
                if response.streaming:
                    response.getvalue()  # a download's bytes are made (and its queries run) as it is read
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            counts.append(len(queries.captured_queries))
        emit(endpoint=name, queries_first_and_last=counts, constant=counts[0] == counts[1])
    connection.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "gptstudio.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
    # No control socket: its default path is shared by every gunicorn of the user.
    command += ["--no-control-socket", "--log-level", "warning"]
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


def hammer(port: int, token: str, paths: list[str], seconds: float, start: int = 0) -> dict:
    """CLIENTS threads request `paths` in turn from `start` for `seconds` (a new connection per
    request, as separate clients would); the latencies of the 200 answers, and the other answers."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}", "Accept": "*/*"}

    def client(offset: int):
        mine, failed, i = [], 0, start + offset
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

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": errors[0]}


def percentile(ordered: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of sorted seconds, in milliseconds."""
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000, 1)


def measure(port: int, token: str, paths: dict[str, list[str]]) -> dict[str, dict]:
    for endpoint_paths in paths.values():
        hammer(port, token, endpoint_paths, 1.0)  # Warm up: connections, caches, imports.
    rounds: dict[str, list[dict]] = {name: [] for name in paths}
    for number in range(ROUNDS):
        for name, endpoint_paths in paths.items():
            # Each round starts further along the paths: other pages, other GPTs.
            start = number * len(endpoint_paths) // ROUNDS
            rounds[name].append(hammer(port, token, endpoint_paths, SECONDS / ROUNDS, start))
    results = {}
    for name, measured in rounds.items():
        every = sorted(latency for r in measured for latency in r["latencies"])
        results[name] = {
            "requests": len(every),
            "errors": sum(r["errors"] for r in measured),
            "rps": round(len(every) / SECONDS, 1),
            "p50_ms": percentile(every, 0.50),
            "p95_ms": percentile(every, 0.95),
            "p99_ms": percentile(every, 0.99),
            "rounds_p95_ms": [percentile(sorted(r["latencies"]), 0.95) for r in measured],
        }
    return results


def main(goals: tuple[str, ...] = GOAL_ENDPOINTS) -> None:
    emit(
        settings={
            "CONN_MAX_AGE": int(SERVER_ENV["CONN_MAX_AGE"]),
            "DATABASE_PREPARED_STATEMENTS": SERVER_ENV["DATABASE_PREPARED_STATEMENTS"].lower() in ("1", "true", "yes"),
            "random_page_cost": float(RANDOM_PAGE_COST) if RANDOM_PAGE_COST else "server default",
            "workers": WORKERS,
            "clients": CLIENTS,
            "rounds": ROUNDS,
            "seconds_per_endpoint": SECONDS,
            "gpts": GPTS,
            "actions_per_gpt": ACTIONS_PER_GPT,
            "page_size": PAGE_SIZE,
            "database": "{0.hostname}:{0.port}{0.path}".format(urlsplit(DATABASE_URL)),  # No credentials.
            "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
            "cpus": os.cpu_count(),
            "goals": list(goals),
        }
    )

    def out_of_time(signum, frame):
        raise SystemExit(f"stopped after BENCH_TIMEOUT={TIMEOUT} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(TIMEOUT)
    server = None
    create_database()
    try:
        token, ids = seed()
        paths = {name: paths for name, paths in endpoints(ids).items() if name == "trivial" or name in goals}
        query_counts(token, paths, goals)
        port = free_port()
        server = start_server(port)
        results = measure(port, token, paths)
        for name, measured in results.items():
            emit(endpoint=name, **measured)
        for name in goals:
            p95 = results[name]["p95_ms"]
            emit(
                goal=f"{name} p95 <= {GOAL_P95_MS} ms",
                p95_ms=p95,
                met=p95 is not None and p95 <= GOAL_P95_MS and not results[name]["errors"],
            )
        emit(load_average_at_end=[round(load, 2) for load in os.getloadavg()])
    finally:
        signal.alarm(0)
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        from django.db import connections

        connections.close_all()
        drop_database()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="API latency under load (see the module docstring).")
    parser.add_argument("--only", action="append", choices=GOAL_ENDPOINTS, help="Measure only this goal's endpoint.")
    main(tuple(parser.parse_args().only or GOAL_ENDPOINTS))

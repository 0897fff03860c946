"""Hosted MCP endpoint speed, in one run against one loopback mock API, three ways:

1. the mock API called directly (the baseline),
2. FastMCP's `from_openapi` serving the same schema (the usual hand-rolled proxy; installed for
   this benchmark only, into its own virtualenv under ~/.cache/gptstudio-bench/, never into the
   app's: its `mcp` pin differs from ours),
3. GPT Studio's endpoint, /mcp/<workspace>/<gpt>/, served as the README's production entry point
   says (gunicorn with 2 uvicorn workers), on a throwaway database: SQLite (the embedded default;
   `--database sqlite`) or PostgreSQL with psycopg's pool (`--database postgres`, the production
   setting DATABASE_POOL=true; the database BENCH_DATABASE_URL names, default
   postgres://postgres@127.0.0.1:5432/gptstudio_bench_mcp, is created and dropped by the run).

Both MCP servers are driven by the official SDK's client. Printed (JSON lines): p50/p95 of one
client at a time and the latency each server adds over the direct call; calls/s with 20 concurrent
clients; errors over 2,000 calls through GPT Studio. Targets: added p50 <= 10 ms; at least half
of FastMCP's throughput; 0 errors. Everything binds 127.0.0.1 and every process is stopped at the end.

    python benchmarks/mcp.py [--serial 300] [--calls 2000] [--clients 20] [--database sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, and this file is named like the SDK
# (`mcp`): drop the folder so that `import mcp` finds the SDK.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
FASTMCP_VERSION = "4.1.6"
FASTMCP_VENV = Path(os.environ.get("GPTSTUDIO_BENCH_CACHE", Path.home() / ".cache" / "gptstudio-bench")) / (
    f"fastmcp-{FASTMCP_VERSION}"
)
TOOL = "getItem"
SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Items", "version": "1.0.0"},
    "servers": [{"url": "http://127.0.0.1:0"}],  # replaced by the mock's address
    "paths": {
        "/items/{id}": {
            "get": {
                "operationId": TOOL,
                "summary": "Read one item",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The item"}},
            }
        }
    },
}
ITEM = json.dumps({"id": "42", "name": "A benchmark item", "tags": ["a", "b", "c"], "price": 9.5}).encode()


# --- The processes -------------------------------------------------------------------------------


async def mock_api(scope, receive, send):
    """The upstream API: a fixed JSON item for any path (an ASGI app, served by uvicorn)."""
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(ITEM)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": ITEM})


def serve_mock(port: int) -> None:
    import uvicorn

    uvicorn.run(mock_api, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def serve_fastmcp(port: int, mock_port: int) -> None:
    """Runs in FastMCP's own virtualenv."""
    import httpx2  # FastMCP 4 proxies through httpx2, like the MCP SDK
    from fastmcp import FastMCP

    spec = json.loads(json.dumps(SPEC).replace("127.0.0.1:0", f"127.0.0.1:{mock_port}"))
    client = httpx2.AsyncClient(base_url=f"http://127.0.0.1:{mock_port}")
    server = FastMCP.from_openapi(openapi_spec=spec, client=client, name="items")
    server.run(transport="http", host="127.0.0.1", port=port, show_banner=False, log_level="warning")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def fastmcp_python() -> Path:
    python = FASTMCP_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(FASTMCP_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"fastmcp=={FASTMCP_VERSION}"], check=True)
    return python


SETUP = """
from django.contrib.auth import get_user_model
from actions.services import action_create
from gpts import services
from gptstudio.services import token_create
user = get_user_model().objects.create_user("bench", password="bench-only")
workspace = services.workspace_create(name="Bench", owner=user)
gpt = services.gpt_create(workspace=workspace, actor=user, name="Items", instructions="Look items up.")
action_create(gpt=gpt, actor=user, name="Items", schema_text=SCHEMA, auth_type="api_key",
              api_key_auth_type="bearer", api_key="bench-upstream-key", base_url_override=BASE_URL)
services.gpt_set_mcp_enabled(gpt=gpt, actor=user, enabled=True)
print(f"/mcp/{workspace.slug}/{gpt.slug}/ " + token_create(user=user, name="bench").plaintext)
"""


BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gptstudio_bench_mcp")


def postgres_database(create: bool) -> None:
    """Create (or drop) BENCH_DATABASE_URL's database, from the server's maintenance database."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(BENCH_DATABASE_URL)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            admin.execute(f'CREATE DATABASE "{name}"')


def database_env(database: str, workdir: Path) -> dict[str, str]:
    if database == "postgres":
        return {"DATABASE_URL": BENCH_DATABASE_URL, "DATABASE_POOL": "true", "CONN_MAX_AGE": "0"}
    return {"DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}", "DATABASE_POOL": "false"}


def studio_env(workdir: Path, mock_port: int, database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gptstudio.settings.local",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "OUTBOUND_ALLOW_HOSTS": f"127.0.0.1:{mock_port}",  # the runner may reach the mock API
        **database_env(database, workdir),
        "MEDIA_ROOT": str(workdir / "media"),
        "MCP_TOKEN_THROTTLE_RATE": "",
        "MCP_GPT_THROTTLE_RATE": "",
        "LOG_LEVEL": "WARNING",
    }


def setup_studio(env: dict[str, str], mock_port: int) -> tuple[str, str]:
    python = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    # The schema keeps its own server; the action's base URL override points it at the mock.
    script = f"SCHEMA = {json.dumps(SPEC)!r}\nBASE_URL = 'http://127.0.0.1:{mock_port}'\n" + SETUP
    out = subprocess.run(
        [python, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path, token = out.strip().splitlines()[-1].split(" ")
    return path, token


# --- The measurements ----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


async def direct_latencies(mock_port: int, n: int) -> list[float]:
    import httpx2

    url = f"http://127.0.0.1:{mock_port}/items/42"
    async with httpx2.AsyncClient() as http:
        for _ in range(20):
            await http.get(url)
        times = []
        for _ in range(n):
            started = time.perf_counter()
            response = await http.get(url)
            response.raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return times


def mcp_client(url: str, token: str | None):
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = httpx2.AsyncClient(headers=headers, timeout=60)
    return http, Client(streamable_http_client(url, http_client=http))


FIRST_ERRORS: list[str] = []  # a few error texts, printed with the results (what went wrong)


async def call_ok(client) -> bool:
    try:
        result = await client.call_tool(TOOL, {"id": "42"})
    except Exception as failure:  # any transport or protocol failure counts as an error
        text = f"{type(failure).__name__}: {failure}"
    else:
        text = result.content[0].text if result.content else ""
        if not result.is_error and "benchmark item" in text:
            return True
    if len(FIRST_ERRORS) < 3:
        FIRST_ERRORS.append(text[:300])
    return False


async def mcp_latencies(url: str, token: str | None, n: int) -> tuple[list[float], int]:
    http, client = mcp_client(url, token)
    errors = 0
    async with http, client:
        for _ in range(20):
            await call_ok(client)
        times = []
        for _ in range(n):
            started = time.perf_counter()
            errors += not await call_ok(client)
            times.append((time.perf_counter() - started) * 1000)
    return times, errors


async def mcp_throughput(url: str, token: str | None, calls: int, clients: int) -> tuple[float, int]:
    """calls/s over `calls` tool calls shared by `clients` concurrent SDK clients, and the errors."""
    sessions = [mcp_client(url, token) for _ in range(clients)]
    errors = 0
    async with contextlib_exit(sessions) as connected:
        per_client = calls // clients

        async def run(client) -> int:
            return sum([not await call_ok(client) for _ in range(per_client)])

        started = time.perf_counter()
        errors = sum(await asyncio.gather(*(run(client) for client in connected)))
        elapsed = time.perf_counter() - started
    return per_client * clients / elapsed, errors


class contextlib_exit:
    """Enter every (http, client) pair; leave them all however the block ends."""

    def __init__(self, sessions):
        import contextlib

        self.stack = contextlib.AsyncExitStack()
        self.sessions = sessions

    async def __aenter__(self):
        connected = []
        for http, client in self.sessions:
            await self.stack.enter_async_context(http)
            connected.append(await self.stack.enter_async_context(client))
        return connected

    async def __aexit__(self, *exc):
        await self.stack.aclose()


def emit(**row) -> None:
    print(json.dumps(row), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serial", type=int, default=300, help="calls one at a time, per way")
    parser.add_argument("--calls", type=int, default=2000, help="calls with concurrent clients, per server")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="GPT Studio's gunicorn workers")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--serve-mock", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-fastmcp", type=int, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_mock:
        return serve_mock(args.serve_mock)
    if args.serve_fastmcp:
        return serve_fastmcp(*args.serve_fastmcp)

    processes: list[subprocess.Popen] = []
    workdir = Path(tempfile.mkdtemp(prefix="gptstudio-bench-mcp-"))
    try:
        mock_port, fastmcp_port, studio_port = free_port(), free_port(), free_port()
        processes.append(subprocess.Popen([sys.executable, __file__, "--serve-mock", str(mock_port)]))
        wait_for(mock_port)
        fast_python = fastmcp_python()
        processes.append(
            subprocess.Popen(
                [str(fast_python), __file__, "--serve-fastmcp", str(fastmcp_port), str(mock_port)],
                stdout=subprocess.DEVNULL,
            )
        )
        if args.database == "postgres":
            postgres_database(create=True)
        env = studio_env(workdir, mock_port, args.database)
        path, token = setup_studio(env, mock_port)
        gunicorn = Path(sys.executable).parent / "gunicorn"
        processes.append(
            subprocess.Popen(
                [
                    *(str(gunicorn), "gptstudio.asgi:application", "-k", "uvicorn_worker.UvicornWorker"),
                    *("-w", str(args.workers), "-b", f"127.0.0.1:{studio_port}", "--log-level", "warning"),
                ],
                cwd=ROOT,
                env=env,
            )
        )
        wait_for(fastmcp_port)
        wait_for(studio_port)
        time.sleep(2)  # let every worker finish booting
        fastmcp_url = f"http://127.0.0.1:{fastmcp_port}/mcp"
        studio_url = f"http://127.0.0.1:{studio_port}{path}"

        direct = asyncio.run(direct_latencies(mock_port, args.serial))
        fast, fast_serial_errors = asyncio.run(mcp_latencies(fastmcp_url, None, args.serial))
        studio, studio_serial_errors = asyncio.run(mcp_latencies(studio_url, token, args.serial))
        base = statistics.median(direct)
        for way, times, errors in (("direct", direct, 0), ("fastmcp", fast, fast_serial_errors)):
            emit(
                benchmark="mcp.one_client",
                way=way,
                calls=len(times),
                p50_ms=round(statistics.median(times), 2),
                p95_ms=round(percentile(times, 95), 2),
                added_p50_ms=round(statistics.median(times) - base, 2),
                errors=errors,
            )
        studio_added = statistics.median(studio) - base
        emit(
            benchmark="mcp.one_client",
            way="gptstudio",
            calls=len(studio),
            p50_ms=round(statistics.median(studio), 2),
            p95_ms=round(percentile(studio, 95), 2),
            added_p50_ms=round(studio_added, 2),
            errors=studio_serial_errors,
            database=args.database,
            meets_target=studio_added <= 10,
        )
        fast_rate, fast_errors = asyncio.run(mcp_throughput(fastmcp_url, None, args.calls, args.clients))
        studio_rate, studio_errors = asyncio.run(mcp_throughput(studio_url, token, args.calls, args.clients))
        emit(benchmark="mcp.concurrent", way="fastmcp", clients=args.clients, calls=args.calls,
             calls_per_s=round(fast_rate, 1), errors=fast_errors)  # fmt: skip
        emit(
            benchmark="mcp.concurrent",
            way="gptstudio",
            clients=args.clients,
            calls=args.calls,
            workers=args.workers,
            database=args.database,
            calls_per_s=round(studio_rate, 1),
            ratio_to_fastmcp=round(studio_rate / fast_rate, 2),
            errors=studio_errors,
            meets_target=studio_rate >= fast_rate / 2 and studio_errors == 0,
        )
        if FIRST_ERRORS:
            emit(benchmark="mcp.errors", first=FIRST_ERRORS)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)
        if args.database == "postgres":
            postgres_database(create=False)


if __name__ == "__main__":
    main()

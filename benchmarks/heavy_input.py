"""Heavy input cannot starve the server (prints JSON lines; run `python benchmarks/heavy_input.py`).

gunicorn with 2 workers on its own SQLite database (a temporary folder, deleted afterwards), its own
Redis on a free loopback port (when `redis-server` is installed) and a Celery worker:
1. baseline: one client measures small GETs (`GET /api/v1/gpts/{id}/`) alone;
2. load: two clients loop `POST /api/v1/validate/schema/` with a schema of exactly the synchronous
   cap (real operations from Twilio's spec, a counter comment making each text new, so no report
   comes from the cache) while a third measures the same small GETs; p50/p95/max of the GETs.
   Target: p95 < 100 ms;
3. a schema over the cap (GitHub's 13 MB spec) answers 202 with a job at once; how long the job takes;
4. memory: the Celery worker child's resident memory before and after one heavy job (GitHub's spec),
   without and with CELERY_WORKER_MAX_MEMORY_PER_CHILD (the child is replaced after the job).
Bounded: every phase has a fixed length or a timeout; only 127.0.0.1; every process it starts is
stopped and the folder removed at the end.

Environment: BENCH_SECONDS (per measuring phase, 15), BENCH_MEMORY_LIMIT_KIB (the per-child limit
tried in phase 4; default: the setting's default), SCHEMA_SYNC_MAX_BYTES (the cap to try; default:
the app's), BENCH_NICE (e.g. -10, needs root: run the benchmark and every process it starts at that
priority, to approximate a dedicated machine on a shared one). The first line gives the machine's
load average and the niceness: on a shared machine, read the load phase against the baseline phase.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.client import HTTPConnection  # noqa: TID251 (only to its own server on 127.0.0.1)
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
WORKERS = 2
SCRATCH = Path(tempfile.mkdtemp(prefix="gptstudio-heavy-"))
SERVER_ENV = {
    "DATABASE_URL": f"sqlite:///{SCRATCH / 'bench.sqlite3'}",
    "DJANGO_SETTINGS_MODULE": "gptstudio.settings.local",
    "DEBUG": "false",
    "API_TOKEN_THROTTLE_RATE": "",
    "LOG_LEVEL": "WARNING",
    "MEDIA_ROOT": str(SCRATCH / "media"),
}
if os.environ.get("SCHEMA_SYNC_MAX_BYTES"):
    SERVER_ENV["SCHEMA_SYNC_MAX_BYTES"] = os.environ["SCHEMA_SYNC_MAX_BYTES"]
os.environ.update(SERVER_ENV)
os.environ.pop("REDIS_URL", None)
sys.path.insert(0, str(ROOT))
PROCESSES: list[subprocess.Popen] = []


def emit(**fields) -> None:
    print(json.dumps(fields), flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], env: dict, log: str) -> subprocess.Popen:
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=(SCRATCH / log).open("w"), stderr=subprocess.STDOUT
    )
    PROCESSES.append(process)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(check, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if check():
                return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not become ready within {timeout:.0f} s")


def seed() -> tuple[str, int, int, int]:
    """Migrate, create a user with a workspace, one GPT and a token; the app's two caps."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from gpts import services
    from gptstudio.services import token_create

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create(username="bench")
    workspace = services.workspace_create(name="Bench", slug="bench", owner=user)
    gpt = services.gpt_create(workspace=workspace, actor=user, name="Bench GPT", description="Small.")
    token = token_create(user=user, name="benchmark").plaintext
    return token, gpt.pk, settings.SCHEMA_SYNC_MAX_BYTES, settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD


def schema_at(size: int) -> str:
    """A valid YAML schema of `size` - 40 bytes made of real Twilio operations; `numbered` pads it
    to exactly `size` with a counter."""
    import yaml

    from tests.corpus import corpus_text

    twilio = json.loads(corpus_text("large", "twilio_api_v2010.json"))
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Twilio (part)", "version": "1.0.0"},
        "servers": [{"url": "https://api.twilio.com"}],
        "paths": {},
    }
    text = ""
    for path, item in twilio["paths"].items():
        document["paths"][path] = item
        candidate = yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=100)
        if len(candidate.encode()) > size - 40:
            break
        text = candidate
    return text


def numbered(text: str, size: int, n: int) -> str:
    tail = f"# request {n}\n"
    padding = size - len(text.encode()) - len(tail.encode())
    return text + "#" * (padding - 1) + "\n" + tail


def request(port: int, method: str, path: str, token: str, body: bytes | None = None) -> tuple[int, bytes]:
    connection = HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def measure(port: int, token: str, gpt_id: int, seconds: float, loopers: list) -> dict:
    """GETs of one small GPT for `seconds` while `loopers` (threads' targets) run; their timings."""
    stop_at = time.monotonic() + seconds
    gets: list[float] = []
    failures = [0]

    def get_loop():
        while time.monotonic() < stop_at:
            began = time.perf_counter()
            status, _ = request(port, "GET", f"/api/v1/gpts/{gpt_id}/", token)
            if status == 200:
                gets.append(time.perf_counter() - began)
            else:
                failures[0] += 1
            time.sleep(0.05)  # a reader, not a flood: ~15 GETs a second at most

    threads = [threading.Thread(target=target, args=(stop_at,)) for target in loopers]
    threads.append(threading.Thread(target=get_loop))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {**percentiles(gets), "failures": failures[0]}


def validation_looper(port: int, token: str, text: str, size: int, timings: list, statuses: list, offset: int):
    def loop(stop_at: float):
        n = offset
        while time.monotonic() < stop_at:
            body = json.dumps({"schema_text": numbered(text, size, n)}).encode()
            n += 2
            began = time.perf_counter()
            status, _ = request(port, "POST", "/api/v1/validate/schema/", token, body)
            timings.append(time.perf_counter() - began)
            statuses.append(status)

    return loop


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used (from /proc, in clock ticks)."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_job(port: int, token: str, text: str) -> dict:
    body = json.dumps({"schema_text": text}).encode()
    began = time.perf_counter()
    status, data = request(port, "POST", "/api/v1/validate/schema/", token, body)
    answered = time.perf_counter() - began
    if status != 202:
        raise SystemExit(f"expected 202 for a heavy schema, got {status}: {data[:200]!r}")
    job = json.loads(data)
    deadline = time.monotonic() + 300
    while job["status"] in ("pending", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
        job = json.loads(request(port, "GET", f"/api/v1/jobs/{job['id']}/", token)[1])
    return {
        "answered_ms": round(answered * 1000, 1),
        "job_seconds": round(time.perf_counter() - began, 2),
        "status": job["status"],
        "findings": len(job["result"].get("findings", [])),
    }


def worker_memory(env: dict, limit_kib: int | None, port: int, token: str, text: str) -> dict:
    """One heavy job on a fresh prefork worker (one child): the child's RSS before and after."""
    worker_env = {**env, "CELERY_WORKER_MAX_MEMORY_PER_CHILD": str(limit_kib or 0)}
    celery = str(Path(sys.executable).with_name("celery"))
    worker = start([celery, "-A", "gptstudio", "worker", "--concurrency=1", "-l", "WARNING"], worker_env, "worker.log")
    try:
        wait_for(lambda: children(worker.pid), "the Celery worker's child", timeout=60)
        time.sleep(3)  # let the child finish importing
        child = children(worker.pid)[0]
        before = rss_kib(child)
        job = run_job(port, token, text)
        # A replaced child appears under a new pid shortly after the task; give it 20 s.
        deadline = time.monotonic() + 20
        current = children(worker.pid)
        while time.monotonic() < deadline and (not current or current[0] == child):
            time.sleep(0.5)
            current = children(worker.pid)
        time.sleep(3)  # a new child: let it finish starting
        current = children(worker.pid)
        after = rss_kib(current[0]) if current else 0
        after_children = current
        return {
            "max_memory_per_child_kib": limit_kib or None,
            "child_rss_before_mib": round(before / 1024, 1),
            "child_rss_after_mib": round(after / 1024, 1),
            "child_replaced": bool(after_children) and after_children[0] != child,
            **job,
        }
    finally:
        stop(worker)


def main() -> None:
    if os.environ.get("BENCH_NICE"):
        os.nice(int(os.environ["BENCH_NICE"]))  # inherited by every process started below
    token, gpt_id, cap, default_limit = seed()
    limit = int(os.environ.get("BENCH_MEMORY_LIMIT_KIB", default_limit or 0))
    redis_port = free_port() if shutil.which("redis-server") else None
    env = dict(SERVER_ENV)
    if redis_port:
        start(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""], {}, "redis.log")
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        wait_for(lambda: socket.create_connection(("127.0.0.1", redis_port), timeout=1).close() or True, "Redis")
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = start(
        [gunicorn, "gptstudio.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)],
        env,
        "gunicorn.log",
    )
    wait_for(lambda: request(port, "GET", "/healthz", token)[0] == 200, "gunicorn")
    text = schema_at(cap)
    emit(
        settings={"workers": WORKERS, "seconds": SECONDS, "sync_cap_bytes": cap, "redis": bool(redis_port)},
        cpus=os.cpu_count(),
        load_average_1m=round(os.getloadavg()[0], 2),
        niceness=os.nice(0),
    )

    emit(phase="baseline", gets=measure(port, token, gpt_id, SECONDS, []))
    timings: list[float] = []
    statuses: list[int] = []
    loopers = [validation_looper(port, token, text, cap, timings, statuses, offset) for offset in (0, 1)]
    web_workers = children(server.pid)
    cpu_before = cpu_seconds(web_workers)
    gets = measure(port, token, gpt_id, SECONDS, loopers)
    # CPU the web workers spent per validation (the few GETs included): the cost that does not
    # depend on what else runs on the machine.
    cpu_per_validation_ms = round((cpu_seconds(web_workers) - cpu_before) / max(len(timings), 1) * 1000, 1)
    emit(
        phase="two clients validating a schema at the cap",
        gets=gets,
        validations={
            **percentiles(timings),
            "statuses": sorted(set(statuses)),
            "server_cpu_ms_each": cpu_per_validation_ms,
        },
        target_p95_ms=100,
        met=gets.get("p95_ms", 1e9) < 100,
    )

    from tests.corpus import corpus_text

    big = corpus_text("large", "github_api.github.com_octokit-openapi-23.0.2.json")
    if not redis_port:
        emit(
            phase="heavy job",
            note="redis-server not installed: jobs run eagerly in the web worker",
            **run_job(port, token, big),
        )
        return
    emit(
        phase="heavy job memory, no per-child limit",
        size_bytes=len(big.encode()),
        **worker_memory(env, None, port, token, big),
    )
    big_other = big + "\n"  # a new text: no cached report
    emit(
        phase="heavy job memory, with the per-child limit",
        size_bytes=len(big.encode()),
        **worker_memory(env, limit, port, token, big_other),
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        for process in reversed(PROCESSES):
            stop(process)
        shutil.rmtree(SCRATCH, ignore_errors=True)

"""An exported `mcp-server` project, run for real: its own requirements installed into a fresh
virtualenv (cached by the requirements' hash), `server.py` started on 127.0.0.1, its tools listed
and called with the official SDK's Streamable HTTP client against a mock API on 127.0.0.1."""

import asyncio
import base64
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from mcp import Client

from gpts.exporters import gpt_export
from tests.factories import make_action, make_gpt
from tests.loopback_server import LoopbackServer, Reply

pytestmark = pytest.mark.slow

CACHE_DIR = Path(os.environ.get("GPTSTUDIO_TEST_CACHE", Path.home() / ".cache" / "gptstudio-test"))
BEARER_KEY = "test-bearer-key-5e1f"
BASIC_KEY = "alice:s3cret-pass"
CUSTOM_KEY = "test-custom-key-c04d"


def schema(server: str, paths: dict) -> str:
    return json.dumps(
        {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "servers": [{"url": server}], "paths": paths}
    )


FORECAST = schema(
    "https://weather.example.com/v1",
    {
        "/forecast/{city}": {
            "get": {
                "operationId": "getForecast",
                "summary": "Forecast for a city",
                "parameters": [
                    {"name": "city", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "units", "in": "query", "schema": {"type": "string", "enum": ["metric", "imperial"]}},
                    {"name": "days", "in": "query", "schema": {"type": "array", "items": {"type": "integer"}}},
                ],
            }
        }
    },
)
NOTES = schema(
    "https://notes.example.net",
    {
        "/notes": {
            "post": {
                "operationId": "createNote",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["title"],
                                "properties": {
                                    "title": {"type": "string"},
                                    "tags": {"type": "array", "items": {"type": "string"}, "nullable": True},
                                },
                            }
                        }
                    },
                },
            }
        }
    },
)
TICKETS = schema(
    "https://tickets.example.org/api",
    {
        "/tickets/{id}": {
            "patch": {
                "operationId": "updateTicket",
                "x-openai-isConsequential": True,
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "X-Request-Id", "in": "header", "schema": {"type": "string"}},
                ],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            },
            "delete": {
                "operationId": "deleteTicket",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            },
        }
    },
)
CALENDAR = schema(
    "https://calendar.example.com",
    {"/events": {"get": {"operationId": "listEvents", "summary": "List events"}}},
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def project_venv(requirements: Path) -> Path:
    """A virtualenv with the project's pinned requirements, built once per requirements file."""
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    venv = CACHE_DIR / f"mcp-server-venv-{digest}"
    python = venv / "bin" / "python"
    started = time.perf_counter()
    if not python.exists():
        building = CACHE_DIR / f"{venv.name}.building-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(building)], check=True, timeout=120)
        subprocess.run(
            [
                str(building / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
                str(requirements),
            ],
            check=True,
            timeout=900,
        )
        # Built aside and renamed, so an interrupted build is never reused. Only `python -m pip`
        # and `python` are used, which do not depend on the venv's own path.
        shutil.rmtree(venv, ignore_errors=True)
        building.rename(venv)
        print(f"virtualenv built (cold) in {time.perf_counter() - started:.1f} s")
    else:
        print(f"virtualenv reused (warm) in {time.perf_counter() - started:.3f} s")
    return python


@pytest.fixture
def mock_api():
    server = LoopbackServer().start()
    yield server
    server.stop()


@pytest.fixture
def project(db, tmp_path):
    gpt = make_gpt(name="Desk Helper", instructions="Help with the desk.")
    make_action(
        gpt,
        name="Weather API",
        schema_text=FORECAST,
        auth_type="api_key",
        api_key_auth_type="bearer",
        api_key="never-exported-1",
    )
    make_action(
        gpt, name="Notes", schema_text=NOTES, auth_type="api_key", api_key_auth_type="basic", api_key="never-exported-2"
    )
    make_action(
        gpt,
        name="Tickets",
        schema_text=TICKETS,
        auth_type="api_key",
        api_key_auth_type="custom",
        api_key_custom_header="X-Api-Key",
        api_key="never-exported-3",
        changes_public_state=False,
    )
    make_action(
        gpt,
        name="Calendar",
        schema_text=CALENDAR,
        auth_type="oauth",
        oauth_client_id="cal-client",
        oauth_authorization_url="https://calendar.example.com/oauth/authorize",
        oauth_token_url="https://calendar.example.com/oauth/token",
        oauth_client_secret="never-exported-4",
    )
    gpt.refresh_from_db()
    data = io.BytesIO()
    gpt_export(gpt=gpt, target="mcp-server").write_to(data)
    assert b"never-exported" not in data.getvalue()
    zipfile.ZipFile(data).extractall(tmp_path)
    return tmp_path / "desk-helper-mcp"


@pytest.fixture
def running_server(project, mock_api):
    python = project_venv(project / "requirements.txt")
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "warning",
        "UPSTREAM_TIMEOUT_SECONDS": "1",
        "UPSTREAM_MAX_RESPONSE_BYTES": "4096",
        "WEATHER_API_BASE_URL": mock_api.url("/v1"),
        "WEATHER_API_API_KEY": BEARER_KEY,
        "NOTES_BASE_URL": mock_api.url("/"),
        "NOTES_API_KEY": BASIC_KEY,
        "TICKETS_BASE_URL": mock_api.url("/api"),
        "TICKETS_API_KEY": CUSTOM_KEY,
    }
    process = subprocess.Popen([str(python), "server.py"], cwd=project, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"server.py did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/mcp"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


async def session(url: str, calls: list[tuple[str, dict]]):
    async with Client(url) as client:
        listed = await client.list_tools()
        results = [await client.call_tool(name, arguments) for name, arguments in calls]
    return listed.tools, results


def text_of(result) -> str:
    return "".join(block.text for block in result.content if block.type == "text")


def test_the_exported_server_lists_every_operation_and_calls_the_api_with_its_auth(running_server, mock_api):
    mock_api.route("/v1/forecast/Paris%20Nord", Reply(200, b'{"temp": 21}', {"Content-Type": "application/json"}))
    mock_api.route("/notes", Reply(201, b'{"id": 7}', {"Content-Type": "application/json"}))
    mock_api.route("/api/tickets/42", Reply(200, b"{}", {"Content-Type": "application/json"}))
    mock_api.route("/v1/forecast/Big", Reply(200, b"x" * 10_000))
    mock_api.route("/api/tickets/43", Reply(204, delay=3))
    calls = [
        ("getForecast", {"city": "Paris Nord", "units": "metric", "days": [1, 2]}),
        ("createNote", {"body": {"title": "Buy milk", "tags": None}}),
        ("updateTicket", {"id": 42, "X-Request-Id": "r-1", "body": {"status": "done"}}),
        ("listEvents", {}),
        ("getForecast", {"units": "metric"}),
        ("getForecast", {"city": "Big"}),
        ("deleteTicket", {"id": 43}),
    ]
    tools, results = asyncio.run(session(running_server, calls))

    by_name = {tool.name: tool for tool in tools}
    assert sorted(by_name) == ["createNote", "deleteTicket", "getForecast", "listEvents", "updateTicket"]
    for tool in tools:
        hints = tool.annotations
        assert None not in (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint, hints.open_world_hint)
    forecast = by_name["getForecast"]
    assert (forecast.annotations.read_only_hint, forecast.annotations.open_world_hint) == (True, False)
    assert forecast.input_schema["properties"]["units"] == {"type": "string", "enum": ["metric", "imperial"]}
    assert forecast.input_schema["required"] == ["city"]
    assert by_name["createNote"].annotations.destructive_hint is True  # POST, consequential by default
    assert by_name["updateTicket"].annotations.open_world_hint is False  # the action's own private system
    assert by_name["deleteTicket"].annotations.destructive_hint is True
    assert by_name["updateTicket"].meta["io.gptstudio/x-openai-isConsequential"] is True

    forecast_call, note_call, ticket_call, events_call, invalid_call, big_call, slow_call = results
    assert not forecast_call.is_error and text_of(forecast_call) == '{"temp": 21}'
    assert not note_call.is_error and text_of(note_call) == '{"id": 7}'
    assert not ticket_call.is_error
    seen = {request.method: request for request in mock_api.requests[:3]}
    assert set(seen) == {"GET", "POST", "PATCH"}  # the OAuth and invalid calls never reached the API
    assert [r.path for r in mock_api.requests[3:]] == ["/v1/forecast/Big", "/api/tickets/43"]
    assert seen["GET"].path == "/v1/forecast/Paris%20Nord?units=metric&days=1&days=2"
    assert seen["GET"].headers["authorization"] == f"Bearer {BEARER_KEY}"
    assert seen["POST"].path == "/notes"
    assert json.loads(seen["POST"].body) == {"title": "Buy milk", "tags": None}
    assert seen["POST"].headers["authorization"] == "Basic " + base64.b64encode(BASIC_KEY.encode()).decode()
    assert seen["PATCH"].path == "/api/tickets/42"
    assert json.loads(seen["PATCH"].body) == {"status": "done"}
    assert seen["PATCH"].headers["x-api-key"] == CUSTOM_KEY and seen["PATCH"].headers["x-request-id"] == "r-1"
    assert "authorization" not in seen["PATCH"].headers

    assert events_call.is_error and "OAuth" in text_of(events_call) and "CALENDAR_ACCESS_TOKEN" in text_of(events_call)
    assert invalid_call.is_error and "city" in text_of(invalid_call)
    assert big_call.is_error and "more than 4,096 bytes" in text_of(big_call)
    assert slow_call.is_error and "did not answer within 1 s" in text_of(slow_call)

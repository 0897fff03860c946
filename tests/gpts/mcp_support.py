"""Shared by the hosted MCP endpoint tests: a mock API on 127.0.0.1, a GPT with one API-key action
served at /mcp/acme/notes-helper/, and the official SDK client against the ASGI app in-process
(httpx2's ASGI transport)."""

from __future__ import annotations

import asyncio

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from gpts.mcp.endpoint import MCPApp
from gpts.models import GPT
from gptstudio import services as core_services
from gptstudio.asgi import build_application
from tests.factories import UserFactory, make_action, make_gpt, make_workspace
from tests.loopback_server import LoopbackServer, Reply

BASE = "http://127.0.0.1:8000"

NOTES_SCHEMA = """{
  "openapi": "3.1.0",
  "info": {"title": "Notes", "version": "1.0.0"},
  "servers": [{"url": "%(url)s"}],
  "paths": {
    "/notes/{id}": {
      "get": {"operationId": "getNote", "summary": "Read a note",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "OK"}}},
      "delete": {"operationId": "deleteNote", "summary": "Delete a note",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"204": {"description": "Gone"}}}
    }
  }
}"""


@pytest.fixture
def mock_api():
    server = LoopbackServer().start()
    server.route("/notes/7", Reply(200, b'{"id": "7", "text": "hello"}', {"Content-Type": "application/json"}))
    yield server
    server.stop()


@pytest.fixture
def hosted(mock_api, settings):
    settings.OUTBOUND_ALLOW_HOSTS = [f"127.0.0.1:{mock_api.port}"]
    settings.MCP_TOKEN_THROTTLE_RATE = ""
    settings.MCP_GPT_THROTTLE_RATE = ""
    owner = UserFactory()
    workspace = make_workspace(owner=owner, name="Acme")
    gpt = make_gpt(workspace=workspace, actor=owner, name="Notes helper", instructions="Answer from the notes.")
    make_action(
        gpt,
        actor=owner,
        name="Notes",
        schema_text=NOTES_SCHEMA % {"url": "https://notes.example.com"},
        base_url_override=mock_api.url("").rstrip("/"),
        auth_type="api_key",
        api_key_auth_type="bearer",
        api_key="upstream-secret-123",
    )
    GPT.objects.filter(pk=gpt.pk).update(mcp_enabled=True)
    return GPT.objects.select_related("workspace").get(pk=gpt.pk), owner


def _token(user) -> str:
    return core_services.token_create(user=user, name="mcp").plaintext


def _url(gpt) -> str:
    return f"{BASE}/mcp/{gpt.workspace.slug}/{gpt.slug}/"


def _run(coroutine_factory):
    """Serve a fresh app (its own SDK session manager) for the duration of one client session."""

    async def main():
        mcp_app = MCPApp()
        app = build_application(mcp_app)
        async with mcp_app.lifespan():
            return await coroutine_factory(app)

    return asyncio.run(main())


def _http(app, token: str | None) -> httpx2.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), headers=headers, timeout=30)


def _session(app, url: str, token: str):
    async def use(work):
        async with _http(app, token) as http, Client(streamable_http_client(url, http_client=http)) as client:
            return await work(client)

    return use


def _post(app, path: str, token: str | None):
    async def send():
        async with _http(app, token) as http:
            return await http.post(
                f"{BASE}{path}",
                json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}},
                headers={"Accept": "application/json, text/event-stream"},
            )

    return send()

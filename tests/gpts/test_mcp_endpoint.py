"""The hosted MCP endpoint driven by the official SDK's own client (Streamable HTTP) against the
real ASGI application in-process (httpx2's ASGI transport), with a mock API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from django.db.backends.signals import connection_created
from django.test import Client

from gpts import services as gpt_services
from gpts.exporters.base import export_source
from gpts.exporters.mcp_server import build_tools_spec
from gpts.mcp.catalog import gpt_catalog
from gpts.models import GPT, Membership
from tests.factories import UserFactory, make_action
from tests.gpts.mcp_support import BASE, NOTES_SCHEMA, _post, _run, _session, _token, _url

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_sdk_client_lists_the_saved_gpts_tools_with_the_exports_names_schemas_and_hints(hosted):
    gpt, owner = hosted
    token = _token(owner)

    async def scenario(app):
        async def work(client):
            return await client.list_tools(), client.instructions

        return await _session(app, _url(gpt), token)(work)

    listed, instructions = _run(scenario)
    assert instructions == "Answer from the notes."
    exported, _ = build_tools_spec(export_source(gpt))
    assert [
        (tool.name, tool.input_schema, tool.annotations.model_dump(by_alias=True, exclude_none=True))
        for tool in listed.tools
    ] == [
        (entry["tool"]["name"], entry["tool"]["inputSchema"], entry["tool"]["annotations"])
        for entry in exported["tools"]
    ]
    tools = {tool.name: tool for tool in listed.tools}
    assert sorted(tools) == ["deleteNote", "getNote"]
    assert tools["getNote"].input_schema["properties"]["id"]["type"] == "string"
    assert tools["getNote"].annotations.read_only_hint is True
    assert tools["deleteNote"].annotations.destructive_hint is True


def test_a_tool_call_reaches_the_mock_api_with_the_stored_key_and_not_the_callers_token(hosted, mock_api):
    gpt, owner = hosted
    token = _token(owner)

    async def scenario(app):
        return await _session(app, _url(gpt), token)(lambda client: client.call_tool("getNote", {"id": "7"}))

    result = _run(scenario)
    assert not result.is_error
    assert json.loads(result.content[0].text) == {"id": "7", "text": "hello"}
    page = Client()
    page.force_login(owner)
    assert "1 call through the MCP server" in page.get(f"/w/{gpt.workspace.slug}/g/{gpt.slug}/").content.decode()
    (request,) = [r for r in mock_api.requests if r.path == "/notes/7"]
    assert request.headers.get("authorization") == "Bearer upstream-secret-123"
    assert token not in json.dumps(request.headers)


def test_a_viewer_sees_and_calls_read_only_tools_only(hosted, mock_api):
    gpt, _owner = hosted
    viewer = UserFactory()
    gpt_services.membership_set(workspace=gpt.workspace, user=viewer, role=Membership.Role.VIEWER)
    token = _token(viewer)

    async def scenario(app):
        async def work(client):
            return await client.list_tools(), await client.call_tool("deleteNote", {"id": "7"})

        return await _session(app, _url(gpt), token)(work)

    listed, refused = _run(scenario)
    assert [tool.name for tool in listed.tools] == ["getNote"]
    assert refused.is_error and "read-only" in refused.content[0].text
    assert not any(r.method == "DELETE" for r in mock_api.requests)


def test_refusals_401_without_a_valid_token_403_outside_the_workspace_404_when_off_or_unknown(hosted):
    gpt, owner = hosted
    path = f"/mcp/{gpt.workspace.slug}/{gpt.slug}/"
    outsider_token = _token(UserFactory())  # valid, but its user belongs to another team
    owner_token = _token(owner)

    async def scenario(app):
        no_token = await _post(app, path, None)
        bad_token = await _post(app, path, "gps_not-a-token")
        outsider = await _post(app, path, outsider_token)
        unknown = await _post(app, f"/mcp/{gpt.workspace.slug}/no-such-gpt/", owner_token)
        await asyncio.to_thread(GPT.objects.filter(pk=gpt.pk).update, mcp_enabled=False)
        switched_off = await _post(app, path, owner_token)
        return no_token, bad_token, outsider, unknown, switched_off

    no_token, bad_token, outsider, unknown, switched_off = _run(scenario)
    metadata = f"{BASE}/.well-known/oauth-protected-resource{path}"
    assert no_token.status_code == 401 and bad_token.status_code == 401
    assert no_token.headers["www-authenticate"] == f'Bearer resource_metadata="{metadata}"'
    assert outsider.status_code == 403
    assert outsider.headers["www-authenticate"] == (
        f'Bearer error="insufficient_scope", scope="mcp", resource_metadata="{metadata}", '
        'error_description="You are not a member of this GPT\'s workspace."'
    )
    assert outsider.json()["code"] == "mcp.403"
    assert (unknown.status_code, switched_off.status_code) == (404, 404)
    assert unknown.json() == switched_off.json()


def test_per_token_rate_limit_answers_429_with_retry_after(hosted, settings):
    gpt, owner = hosted
    settings.MCP_TOKEN_THROTTLE_RATE = "2/minute"
    token = _token(owner)
    path = f"/mcp/{gpt.workspace.slug}/{gpt.slug}/"

    async def scenario(app):
        return [await _post(app, path, token) for _ in range(3)]

    statuses = [response.status_code for response in _run(scenario)]
    assert statuses[:2] == [200, 200] and statuses[2] == 429


BROKEN_SCHEMA = """{
  "openapi": "3.1.0",
  "info": {"title": "Half", "version": "1.0.0"},
  "servers": [{"url": "https://half.example.com"}],
  "paths": {
    "/ok": {"get": {"operationId": "fine", "responses": {"200": {"description": "OK"}}}},
    "/items/{id}": {"get": {"operationId": "noParam", "responses": {"200": {"description": "OK"}}}}
  }
}"""


def test_operations_that_cannot_be_built_are_left_out_and_said_why(hosted):
    gpt, owner = hosted
    make_action(gpt, actor=owner, name="Half", schema_text=BROKEN_SCHEMA)
    catalog = gpt_catalog(GPT.objects.select_related("workspace").get(pk=gpt.pk))
    assert "fine" in [tool.name for tool in catalog.tools]
    assert "noParam" not in [tool.name for tool in catalog.tools]
    (left_out,) = catalog.left_out
    assert (left_out.action, left_out.operation) == ("Half", "noParam")
    assert "{id}" in left_out.reason


@contextlib.contextmanager
def queries_in_every_thread():
    """Count the queries of every database connection opened meanwhile (the endpoint runs its
    database work in worker threads, each with its own connection; `_run` starts fresh ones)."""
    executed: list[str] = []
    with contextlib.ExitStack() as wrappers:

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        instrumented = []  # held, so no other connection object can take a counted one's place

        def instrument(sender, connection, **kwargs):
            # Once per connection object: PostgreSQL reconnects the same object on each request
            # (CONN_MAX_AGE=0), which must not stack a second counter on it.
            if not any(seen is connection for seen in instrumented):
                instrumented.append(connection)
                wrappers.enter_context(connection.execute_wrapper(count))

        connection_created.connect(instrument)
        try:
            yield executed
        finally:
            connection_created.disconnect(instrument)


def test_a_tool_call_costs_the_same_few_queries_whatever_the_number_of_actions(hosted):
    gpt, owner = hosted
    token = _token(owner)

    def queries_per_call() -> float:
        with queries_in_every_thread() as executed:

            async def scenario(app):
                async def work(client):
                    await client.call_tool("getNote", {"id": "7"})  # the catalog is built once per GPT version
                    executed.clear()
                    for _ in range(3):
                        assert not (await client.call_tool("getNote", {"id": "7"})).is_error
                    return len(executed) / 3

                return await _session(app, _url(gpt), token)(work)

            return _run(scenario)

    few = queries_per_call()
    for number in range(4):
        make_action(gpt, actor=owner, name=f"Notes {number}", schema_text=NOTES_SCHEMA % {"url": "https://x.example"})
    # The credential, the GPT with the caller's role, and the call's audit record.
    assert few == queries_per_call() == 3

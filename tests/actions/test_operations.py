"""The one operations → tools derivation (actions/operations.py): what the exports, the runner
and the hosted MCP endpoint share."""

import json

import pytest

from actions.operations import action_tools


def schema(paths: dict, **extra) -> str:
    return json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, **extra})


SERVERS = {"servers": [{"url": "https://api.example.com/v1/"}]}


def test_a_form_body_keeps_its_schema_and_another_media_type_is_one_string():
    text = schema(
        {
            "/form": {
                "post": {
                    "operationId": "form",
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {"type": "object", "properties": {"a": {"type": "string"}}}
                            }
                        }
                    },
                }
            },
            "/text": {"post": {"operationId": "text", "requestBody": {"content": {"text/csv": {}}}}},
        },
        **SERVERS,
    )
    form, csv = action_tools(text, set()).tools
    assert form.body.content_type == "application/x-www-form-urlencoded"
    assert form.input_schema["properties"]["body"]["properties"] == {"a": {"type": "string"}}
    assert csv.body.content_type == "text/csv" and csv.input_schema["properties"]["body"]["type"] == "string"


def test_an_operation_that_cannot_be_built_says_why_and_a_chatgpt_only_finding_is_no_problem():
    text = schema(
        {
            "/pets/{id}": {
                "get": {"operationId": "noParam"},
                "delete": {"operationId": "badRef", "parameters": [{"$ref": "#/components/parameters/Nope"}]},
            },
            "/ok": {"get": {"operationId": "ok", "description": "x" * 400}},
        },
        servers=[{"url": "http://api.example.com"}],  # not https: ChatGPT refuses, the runner does not care
    )
    tools = {tool.name: tool for tool in action_tools(text, set()).tools}
    assert tools["ok"].problems == []
    assert "{id}" in tools["noParam"].problems[0]
    assert any("cannot be resolved" in problem for problem in tools["badRef"].problems)


def test_the_same_component_inlined_many_times_is_converted_once_and_stays_equal():
    item = {"type": "object", "properties": {"n": {"type": "integer", "nullable": True}}}
    paths = {
        f"/p{i}": {
            "post": {
                "operationId": f"op{i}",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
            }
        }
        for i in range(3)
    }
    result = action_tools(schema(paths, components={"schemas": {"Item": item}}, **SERVERS), set())
    bodies = [tool.input_schema["properties"]["body"] for tool in result.tools]
    assert bodies[0] == bodies[1] == bodies[2] == {"type": "object", "properties": {"n": {"type": ["integer", "null"]}}}
    assert result.base_url == "https://api.example.com/v1"


def test_names_are_unique_across_actions_sharing_the_used_set():
    used: set[str] = set()
    first = action_tools(schema({"/a": {"get": {"operationId": "ping"}}}, **SERVERS), used)
    second = action_tools(schema({"/b": {"get": {"operationId": "ping"}}}, **SERVERS), used)
    assert [t.name for t in first.tools + second.tools] == ["ping", "ping_2"]
    assert any(f.code == "export.tools.name_changed" for f in second.findings)


def _junk_required_schema() -> str:
    body = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a", 1, {"x": 1}, None]}
    loose = {"type": "object", "required": [{"x": 1}, "b"]}  # no properties: a name still counts
    return schema(
        {
            "/x": {
                "post": {
                    "operationId": "x",
                    "requestBody": {"content": {"application/json": {"schema": body}}},
                },
                "put": {"operationId": "y", "requestBody": {"content": {"application/json": {"schema": loose}}}},
            }
        },
        **SERVERS,
    )


def test_required_lists_keep_only_names_of_declared_properties():
    posted, put = action_tools(_junk_required_schema(), set()).tools
    assert posted.input_schema["properties"]["body"]["required"] == ["a"]
    assert put.input_schema["properties"]["body"]["required"] == ["b"]


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["openai-tools", "mcp-server", "agent-plugin"])
def test_an_export_of_a_schema_with_junk_in_required_is_a_zip_not_a_crash(target):
    from gpts.exporters import gpt_export
    from tests.factories import make_action, make_gpt

    gpt = make_gpt()
    make_action(gpt, schema_text=_junk_required_schema())
    data = b"".join(gpt_export(gpt=gpt, target=target).chunks)
    assert data[:2] == b"PK"

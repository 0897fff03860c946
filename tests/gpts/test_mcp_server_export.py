"""The `mcp-server` target: OpenAPI operations → MCP tools (schemas, names, hints), the zip it
writes (deterministic, no secret), and the corpus converting without an error."""

import io
import json
import re
import time
import zipfile

import jsonschema
import pytest

from actions.operations import TOOL_NAME_MAX_LENGTH, action_tools, tool_annotations, tool_name
from actions.services import action_update
from gpts.exporters import EXPORTERS, gpt_export
from gpts.exporters.tools import env_prefix
from tests.corpus import corpus_files, corpus_text
from tests.factories import make_action, make_gpt, make_rich_gpt, make_workspace

API_KEY = "sk-MCP-EXPORT-api-key-91d2"
CLIENT_SECRET = "sk-MCP-EXPORT-client-secret-4e7a"

PETS = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "https://{region}.pets.example.com/v1/", "variables": {"region": {"default": "eu"}}}],
    "paths": {
        "/pets/{petId}": {
            "parameters": [{"$ref": "#/components/parameters/PetId"}],
            "get": {
                "operationId": "getPet",
                "summary": "Get a pet",
                "parameters": [
                    {"name": "fields", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "petId", "in": "query", "schema": {"type": "integer"}},
                    {"name": "X-Trace", "in": "header", "required": True, "schema": {"type": "string"}},
                    {"name": "Authorization", "in": "header", "schema": {"type": "string"}},
                    {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                ],
            },
            "put": {
                "operationId": "replacePet",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
                },
            },
            "delete": {"operationId": "deletePet", "x-openai-isConsequential": False},
        },
        "/pets": {
            "post": {"operationId": "createPet", "x-openai-isConsequential": False},
            "patch": {"operationId": "x" * 80},
        },
    },
    "components": {
        "parameters": {"PetId": {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}},
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "name": {"type": "string", "nullable": True, "example": "Rex"},
                    "kind": {"type": "string", "enum": ["cat", "dog"], "nullable": True},
                    "age": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
                    "parent": {"$ref": "#/components/schemas/Pet"},
                    "x-internal": {"type": "string"},
                },
            }
        },
    },
}


def tools_of(data) -> dict:
    result = action_tools(json.dumps(data), set())
    return {tool.name: tool for tool in result.tools}


def test_one_tool_per_operation_with_the_schema_server_as_base_url():
    result = action_tools(json.dumps(PETS), set())
    assert [t.method for t in result.tools] == ["GET", "PUT", "DELETE", "POST", "PATCH"]
    assert result.base_url == "https://eu.pets.example.com/v1"
    assert any("cookie parameter `session`" in note for note in result.notes)


def test_parameters_merge_by_location_with_path_item_parameters_and_clashes_suffixed():
    tool = tools_of(PETS)["getPet"]
    schema = tool.input_schema
    assert list(schema["properties"]) == ["petId", "fields", "petId__query", "X-Trace"]
    assert schema["required"] == ["petId", "X-Trace"]
    assert schema["additionalProperties"] is False
    locations = {(a.argument, a.location, a.name) for a in tool.arguments}
    assert ("petId__query", "query", "petId") in locations and ("petId", "path", "petId") in locations
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_json_body_is_inlined_with_nullable_as_type_unions_and_read_only_fields_dropped():
    body = tools_of(PETS)["replacePet"].input_schema["properties"]["body"]
    assert body["type"] == "object"
    assert "id" not in body["properties"] and body["required"] == ["name"]
    assert body["properties"]["name"] == {"type": ["string", "null"], "examples": ["Rex"]}
    assert body["properties"]["kind"] == {"type": ["string", "null"], "enum": ["cat", "dog", None]}
    assert body["properties"]["age"] == {"type": "number", "exclusiveMinimum": 0}
    assert "x-internal" in body["properties"]  # a property *named* x-…, not an extension keyword
    assert "recursive" in body["properties"]["parent"]["description"]
    assert "$ref" not in json.dumps(body)
    validator = jsonschema.Draft202012Validator(tools_of(PETS)["replacePet"].input_schema)
    assert validator.is_valid({"petId": "7", "body": {"name": None, "kind": None}})
    assert not validator.is_valid({"petId": "7", "body": {"name": "Rex", "age": 0}})


def test_names_are_safe_at_most_64_characters_and_unique():
    used: set[str] = set()
    assert tool_name("get pets/{id}", used) == "get_pets_id"
    assert tool_name("get pets/{id}", used) == "get_pets_id_2"
    long = tool_name("a" * 100, used)
    assert len(long) == TOOL_NAME_MAX_LENGTH and re.fullmatch(r"a{57}_[0-9a-f]{6}", long)
    assert tool_name("a" * 100, used) != long and len(tool_name("a" * 100, used)) <= TOOL_NAME_MAX_LENGTH
    assert tool_name("ü", used) == "operation"
    names = list(tools_of(PETS))
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name) for name in names)


@pytest.mark.parametrize(
    ("method", "consequential", "public", "hints"),
    [
        ("get", None, True, (True, False, True, False)),
        ("get", True, True, (False, False, True, True)),
        ("post", None, True, (False, True, False, True)),
        ("post", False, False, (False, False, False, False)),
        ("put", None, True, (False, True, True, True)),
        ("patch", False, True, (False, False, False, True)),
        ("patch", True, True, (False, True, False, True)),
        ("delete", False, False, (False, True, True, False)),
    ],
)
def test_every_hint_is_set_from_the_method_and_is_consequential(method, consequential, public, hints):
    op = {"operationId": "op"}
    if consequential is not None:
        op["x-openai-isConsequential"] = consequential
    data = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {method: op}}}
    (tool,) = tools_of(data).values()
    annotations = tool_annotations(tool, changes_public_state=public)
    assert tuple(annotations.values()) == hints
    assert list(annotations) == ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]


def test_env_prefix_is_named_from_the_slug():
    assert env_prefix("weather-api") == "WEATHER_API_"
    assert env_prefix("3d-print") == "ACTION_3D_PRINT_"


# --- The export --------------------------------------------------------------------------------


@pytest.fixture
def rich(db):
    workspace = make_workspace()
    user = workspace.memberships.first().user
    return make_rich_gpt(workspace, user, api_key=API_KEY, client_secret=CLIENT_SECRET)


def export_bytes(gpt) -> bytes:
    buffer = io.BytesIO()
    gpt_export(gpt=gpt, target="mcp-server").write_to(buffer)
    return buffer.getvalue()


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_the_target_is_registered_as_a_zip():
    assert EXPORTERS["mcp-server"].formats == ("zip",)


def test_the_zip_is_a_project_with_the_gpts_tools_and_no_secret(rich):
    data = export_bytes(rich)
    files = entries(data)
    assert sorted(files) == [
        f"planner-mcp/{name}" for name in ("README.md", "migration.md", "requirements.txt", "server.py", "tools.json")
    ]
    for secret in (API_KEY, CLIENT_SECRET, "sk-MCP-EXPORT"):
        assert secret.encode() not in data
        assert all(secret.encode() not in body for body in files.values())
    spec = json.loads(files["planner-mcp/tools.json"])
    assert [t["tool"]["name"] for t in spec["tools"]] == ["getCurrent", "listEvents", "addNote"]
    assert [(a["slug"], a["envPrefix"], a["auth"]["type"]) for a in spec["actions"]] == [
        ("weather", "WEATHER_", "none"),
        ("calendar", "CALENDAR_", "api_key"),
        ("notes", "NOTES_", "oauth"),
    ]
    assert spec["actions"][1]["auth"] == {"type": "api_key", "apiKeyAuthType": "custom", "customHeader": "X-Api-Key"}
    assert "client_secret" not in json.dumps(spec) and "secret:" not in json.dumps(spec)
    for entry in spec["tools"]:
        assert set(entry["tool"]["annotations"]) == {
            "readOnlyHint",
            "destructiveHint",
            "idempotentHint",
            "openWorldHint",
        }
    add_note = spec["tools"][2]
    assert add_note["call"] == {
        "action": "notes",
        "method": "POST",
        "path": "/notes",
        "bodyMediaType": "",
        "arguments": [],
    }
    assert add_note["tool"]["_meta"]["io.gptstudio/x-openai-isConsequential"] is None
    readme = files["planner-mcp/README.md"].decode()
    assert "`CALENDAR_API_KEY`" in readme and "`X-Api-Key`" in readme and "`NOTES_ACCESS_TOKEN`" in readme
    assert "OAuthProxy" in readme
    assert re.search(r"^mcp==\d+\.\d+\.\d+$", files["planner-mcp/requirements.txt"].decode(), re.M)
    assert all(
        re.fullmatch(r"[a-z0-9-]+==[0-9][0-9a-z.]*", line)
        for line in files["planner-mcp/requirements.txt"].decode().splitlines()
        if line and not line.startswith("#")
    )
    migration = files["planner-mcp/migration.md"].decode()
    assert "## What is lost" in migration and "**Host the MCP server**" in migration


def test_the_same_gpt_gives_the_same_bytes(rich):
    assert export_bytes(rich) == export_bytes(rich)


def test_the_public_state_flag_gives_open_world_hint(rich):
    notes = rich.actions.get(slug="notes")
    spec = json.loads(entries(export_bytes(rich))["planner-mcp/tools.json"])
    assert spec["tools"][2]["tool"]["annotations"]["openWorldHint"] is True
    action_update(action=notes, actor=rich.created_by, expected_version=notes.version, changes_public_state=False)
    spec = json.loads(entries(export_bytes(rich))["planner-mcp/tools.json"])
    assert spec["tools"][2]["tool"]["annotations"]["openWorldHint"] is False
    assert spec["actions"][2]["changesPublicState"] is False
    # A read-only tool never changes anything, whatever the action says.
    assert spec["tools"][0]["tool"]["annotations"]["openWorldHint"] is False


def test_a_gpt_with_validation_errors_still_exports(db):
    gpt = make_gpt(name="Many Ops")
    paths = {f"/r{i}": {"get": {"operationId": f"r{i}", "summary": "s" * 400}} for i in range(40)}
    schema = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    make_action(gpt, schema_text=json.dumps(schema))
    gpt.refresh_from_db()
    assert gpt.error_count > 0
    export = gpt_export(gpt=gpt, target="mcp-server")
    spec = json.loads(entries(b"".join(export.chunks))["many-ops-mcp/tools.json"])
    assert len(spec["tools"]) == 40
    assert export.findings  # the errors it went ahead with are named


def test_an_unreadable_schema_gives_no_tools_and_a_note(db):
    gpt = make_gpt(name="Broken")
    make_action(gpt, schema_text="openapi: [unclosed")
    files = entries(export_bytes(gpt))
    assert json.loads(files["broken-mcp/tools.json"])["tools"] == []
    assert "could not be read" in files["broken-mcp/README.md"].decode()


# --- The corpus --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", corpus_files("gpt_actions"))
def test_every_corpus_action_schema_converts(name):
    text = corpus_text("gpt_actions", name)
    result = action_tools(text, set())
    for tool in result.tools:
        jsonschema.Draft202012Validator.check_schema(tool.input_schema)
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", tool.name)
    assert len({t.name for t in result.tools}) == len(result.tools)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in corpus_files("large") if n != "MANIFEST.md"])
def test_every_large_corpus_schema_converts(name):
    result = action_tools(corpus_text("large", name), set())
    assert len({t.name for t in result.tools}) == len(result.tools)
    json.dumps([t.input_schema for t in result.tools])


@pytest.mark.slow
def test_the_13_mb_github_spec_exports_as_an_mcp_server(db):
    """Its time is printed, not asserted (benchmarks/export.py measures export speed): a bound
    on wall time fails on a loaded machine, not on slow code."""
    text = corpus_text("large", "github_api.github.com_octokit-openapi-23.0.2.json")
    gpt = make_gpt(name="GitHub")
    make_action(gpt, name="GitHub", schema_text=text)
    gpt.refresh_from_db()
    started = time.perf_counter()
    data = export_bytes(gpt)
    elapsed = time.perf_counter() - started
    print(f"GitHub spec ({len(text) / 1e6:.1f} MB) → mcp-server zip ({len(data) / 1e6:.1f} MB) in {elapsed:.2f} s")
    spec = json.loads(entries(data)["github-mcp/tools.json"])
    assert len(spec["tools"]) > 1000


def test_the_studio_export_menu_offers_the_mcp_server_and_downloads_it(client, rich):
    from django.urls import reverse

    client.force_login(rich.created_by)
    url = reverse("gpts_export:export", args=[rich.workspace.slug, rich.slug, "mcp-server"])
    page = client.get(reverse("gpts_export:paste", args=[rich.workspace.slug, rich.slug])).content.decode()
    assert f'href="{url}"' in page and "Download MCP server" in page
    editor = client.get(reverse("gpts:gpt_edit", args=[rich.workspace.slug, rich.slug])).content.decode()
    assert f'<a href="{url}">Download MCP server for the actions (.zip)</a>' in editor
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="planner.mcp-server.zip"'
    assert b"".join(response.streaming_content) == export_bytes(rich)


def test_the_generated_server_is_valid_python_without_a_secret_or_a_gpt_specific_line(rich):
    server = entries(export_bytes(rich))["planner-mcp/server.py"].decode()
    compile(server, "server.py", "exec")
    assert "Planner" not in server and "planner" not in server  # everything GPT-specific is in tools.json

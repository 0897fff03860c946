"""The operation runner (actions/runner.py): request building over the whole corpus, real calls
against a mock API on 127.0.0.1 (reached through the base URL override and OUTBOUND_ALLOW_HOSTS,
the guard relaxed explicitly), refusals, and the audit trail."""

import base64
import json

import pytest

from actions.models import CallRecord
from actions.operations import action_tools
from actions.runner import OperationRefused, action_operations, build_request, run_operation
from actions.services import action_update
from gptstudio.fetcher import FetchPolicy, validate_url
from tests.corpus import corpus_files, corpus_text
from tests.factories import make_action, make_gpt
from tests.loopback_server import Reply

API_KEY = "sk-RUNNER-stored-key-5d1c"

PETS = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "https://pets.example.com/v1"}],
    "paths": {
        "/pets/{petId}": {
            "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {
                "operationId": "getPet",
                "parameters": [
                    {"name": "fields", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                ],
            },
            "put": {
                "operationId": "replacePet",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
                            }
                        }
                    },
                },
            },
        },
        "/relative": {"get": {"operationId": "ping"}},
    },
}


# --- Building requests (pure: no network, no database) ------------------------------------------


def sample(schema, depth=0):
    """A value for a (converted) JSON Schema: enough to exercise serialisation, not to be valid."""
    if not isinstance(schema, dict) or depth > 6:
        return "x"
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("examples"):
        return schema["examples"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return sample(schema[key][0], depth + 1)
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        return {name: sample(sub, depth + 1) for name, sub in properties.items()}
    if kind == "array":
        return [sample(schema.get("items", {}), depth + 1)]
    return {"integer": 1, "number": 1.5, "boolean": True}.get(kind, "a b/c?d")


def test_a_request_substitutes_and_encodes_path_parameters_and_serialises_query_headers_and_body():
    tools = {t.name: t for t in action_tools(json.dumps(PETS), set()).tools}
    request = build_request(
        tools["getPet"],
        "https://pets.example.com/v1",
        {"petId": "a b/c", "fields": ["name", "age"], "verbose": False, "X-Trace": "t-1"},
    )
    assert request.method == "GET"
    assert request.url == "https://pets.example.com/v1/pets/a%20b%2Fc?fields=name&fields=age&verbose=false"
    assert request.headers["X-Trace"] == "t-1" and request.body is None
    put = build_request(tools["replacePet"], "https://pets.example.com/v1/", {"petId": "7", "body": {"name": "Rex"}})
    assert (put.method, put.url, put.body) == ("PUT", "https://pets.example.com/v1/pets/7", b'{"name": "Rex"}')
    assert put.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("name", corpus_files("gpt_actions"))
def test_every_corpus_operation_builds_a_request(name):
    converted = action_tools(corpus_text("gpt_actions", name), set())
    base = converted.base_url or "https://api.example.com"
    for tool in converted.tools:
        arguments = {key: sample(schema) for key, schema in tool.input_schema.get("properties", {}).items()}
        request = build_request(tool, base, arguments)
        assert request.method == tool.method
        assert validate_url(request.url, policy=FetchPolicy(allow_loopback=True)).host  # a URL the fetcher takes
        assert "{" not in request.url.split("?")[0] or tool.problems


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in corpus_files("large") if n != "MANIFEST.md"])
def test_every_large_corpus_operation_builds_a_request(name):
    converted = action_tools(corpus_text("large", name), set())
    for tool in converted.tools:
        arguments = {key: sample(schema) for key, schema in tool.input_schema.get("properties", {}).items()}
        assert build_request(tool, converted.base_url or "https://api.example.com", arguments).url


# --- Real calls against a mock API on 127.0.0.1 ---------------------------------------------------------


@pytest.fixture
def local_api(loopback_server, settings):
    """The mock API, listed in OUTBOUND_ALLOW_HOSTS (the guard relaxed for exactly its host:port)."""
    settings.OUTBOUND_ALLOW_HOSTS = [f"127.0.0.1:{loopback_server.port}"]
    return loopback_server


def pets_action(server, **auth):
    gpt = make_gpt()
    action = make_action(gpt, name="Pets", schema_text=json.dumps(PETS), **auth)
    return action_update(
        action=action, actor=gpt.created_by, expected_version=action.version, base_url_override=server.url("/v1")
    )


@pytest.mark.parametrize(
    ("auth", "header", "expected"),
    [
        ({"api_key_auth_type": "bearer"}, "authorization", f"Bearer {API_KEY}"),
        ({"api_key_auth_type": "basic"}, "authorization", f"Basic {API_KEY}"),
        ({"api_key_auth_type": "custom", "api_key_custom_header": "X-Api-Key"}, "x-api-key", API_KEY),
    ],
)
def test_a_call_reaches_the_mock_api_with_method_path_query_headers_body_and_the_stored_key(
    db, local_api, auth, header, expected
):
    local_api.route("/v1/pets/7", Reply(201, b'{"ok": true}', headers={"Content-Type": "application/json"}))
    action = pets_action(local_api, auth_type="api_key", api_key=API_KEY, **auth)
    result = run_operation(
        action=action,
        tool_name="replacePet",
        arguments={"petId": "7", "body": {"name": "Rex", "age": 3}},
        actor=action.gpt.created_by,
    )
    assert (result.status, result.body, result.truncated) == (201, '{"ok": true}', False)
    assert result.content_type == "application/json" and result.headers["content-type"] == "application/json"
    (seen,) = local_api.requests
    assert (seen.method, seen.path) == ("PUT", "/v1/pets/7")
    assert json.loads(seen.body) == {"name": "Rex", "age": 3}
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers[header] == expected


def test_a_basic_key_written_as_user_and_password_is_encoded(db, local_api):
    local_api.route("/v1/pets/1", Reply(200, b"{}"))
    action = pets_action(local_api, auth_type="api_key", api_key_auth_type="basic", api_key="me:pw")
    run_operation(action=action, tool_name="getPet", arguments={"petId": "1"}, actor=None)
    assert local_api.requests[0].headers["authorization"] == "Basic " + base64.b64encode(b"me:pw").decode()


def test_query_and_header_arguments_arrive_and_the_base_url_override_leaves_the_schema_alone(db, local_api):
    local_api.route("/v1/pets/7", Reply(200, b"{}"))
    action = pets_action(local_api)
    run_operation(
        action=action,
        tool_name="getPet",
        arguments={"petId": "7", "fields": ["a", "b"], "X-Trace": "abc"},
        actor=action.gpt.created_by,
    )
    (seen,) = local_api.requests
    assert seen.path == "/v1/pets/7?fields=a&fields=b" and seen.headers["x-trace"] == "abc"
    assert "authorization" not in seen.headers
    action.refresh_from_db()
    assert json.loads(action.schema_text)["servers"] == PETS["servers"]


def test_an_oauth_action_sends_the_callers_upstream_token_and_refuses_without_one(db, local_api):
    local_api.route("/v1/pets/7", Reply(200, b"{}"))
    action = pets_action(
        local_api,
        auth_type="oauth",
        oauth_client_id="cid",
        oauth_authorization_url="https://auth.example.com/authorize",
        oauth_token_url="https://auth.example.com/token",
    )
    with pytest.raises(OperationRefused) as refused:
        run_operation(action=action, tool_name="getPet", arguments={"petId": "7"}, actor=None)
    assert refused.value.code == "runner.oauth_not_connected"
    run_operation(action=action, tool_name="getPet", arguments={"petId": "7"}, actor=None, upstream_token="up-tok")
    assert [r.headers["authorization"] for r in local_api.requests] == ["Bearer up-tok"]


def test_a_big_response_is_cut_at_100000_characters_and_marked(db, local_api):
    local_api.route("/v1/pets/7", Reply(200, "é".encode() * 150_000, headers={"Content-Type": "text/plain"}))
    result = run_operation(action=pets_action(local_api), tool_name="getPet", arguments={"petId": "7"}, actor=None)
    assert result.truncated and len(result.body) == 100_000 and set(result.body) == {"é"}


# --- Refusals ------------------------------------------------------------------------------------------


def refusal(action, tool_name, arguments) -> OperationRefused:
    with pytest.raises(OperationRefused) as excinfo:
        run_operation(action=action, tool_name=tool_name, arguments=arguments, actor=action.gpt.created_by)
    return excinfo.value


def test_bad_arguments_are_refused_with_a_pointer_before_anything_is_sent(db, local_api):
    action = pets_action(local_api)
    error = refusal(action, "replacePet", {"petId": "7", "body": {"name": "Rex", "age": -1}})
    assert (error.code, error.pointer) == ("runner.bad_arguments", "/body/age")
    assert refusal(action, "replacePet", {"petId": "7"}).code == "runner.bad_arguments"
    assert refusal(action, "getPet", {"petId": "7", "nope": 1}).code == "runner.bad_arguments"
    assert local_api.requests == []


def test_an_unknown_operation_a_missing_key_and_a_private_host_are_refused(db, loopback_server, settings):
    action = pets_action(loopback_server)
    assert refusal(action, "deletePet", {}).code == "runner.unknown_operation"
    settings.OUTBOUND_ALLOW_HOSTS = []
    loopback_server.route("/v1/pets/7", Reply(200, b"{}"))
    error = refusal(action, "getPet", {"petId": "7"})
    assert error.code == "runner.host_not_allowed" and "OUTBOUND_ALLOW_HOSTS" in error.message
    keyless = pets_action(loopback_server, auth_type="api_key", api_key_auth_type="bearer")
    assert refusal(keyless, "getPet", {"petId": "7"}).code == "runner.needs_secret"
    assert loopback_server.requests == []


def test_an_operation_without_a_server_is_unusable_until_an_override_is_set(db):
    schema = {**PETS, "servers": [{"url": "/relative"}]}
    gpt = make_gpt()
    action = make_action(gpt, name="Pets", schema_text=json.dumps(schema))
    operations = {op.name: op for op in action_operations(action)}
    assert "server URL" in operations["getPet"].problem
    assert refusal(action, "getPet", {"petId": "7"}).code == "runner.unusable"
    action = action_update(
        action=action, actor=gpt.created_by, expected_version=action.version, base_url_override="https://x.example"
    )
    assert all(op.problem == "" for op in action_operations(action))


def test_names_are_unique_across_the_gpt_like_the_mcp_export(db):
    gpt = make_gpt()
    make_action(gpt, name="One", schema_text=json.dumps(PETS))
    second = make_action(gpt, name="Two", schema_text=json.dumps(PETS))
    assert [op.name for op in action_operations(second)] == ["getPet_2", "replacePet_2", "ping_2"]


# --- The audit trail -------------------------------------------------------------------------------------


def test_every_call_leaves_a_record_without_secret_arguments_or_body(db, local_api):
    local_api.route("/v1/pets/7", Reply(200, b'{"secret-answer": "BODY-MARKER"}'))
    action = pets_action(local_api, auth_type="api_key", api_key_auth_type="bearer", api_key=API_KEY)
    user = action.gpt.created_by
    run_operation(
        action=action, tool_name="replacePet", arguments={"petId": "7", "body": {"name": "ARG-MARKER"}}, actor=user
    )
    with pytest.raises(OperationRefused):
        run_operation(action=action, tool_name="getPet", arguments={"petId": 7}, actor=user)
    ok, refused = CallRecord.objects.order_by("id")
    assert (ok.actor, ok.gpt_id, ok.action_id, ok.operation, ok.method, ok.via) == (
        user,
        action.gpt_id,
        action.pk,
        "replacePet",
        "PUT",
        "test_call",
    )
    assert ok.status == 200 and ok.error_code == "" and ok.bytes_out == len(b'{"name": "ARG-MARKER"}')
    assert ok.bytes_in == len(b'{"secret-answer": "BODY-MARKER"}')
    assert (refused.status, refused.error_code, refused.bytes_out) == (None, "runner.bad_arguments", 0)
    stored = json.dumps(list(CallRecord.objects.values()), default=str)
    for marker in (API_KEY, "ARG-MARKER", "BODY-MARKER"):
        assert marker not in stored

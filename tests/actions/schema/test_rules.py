"""One case per registered schema rule: a text on which the rule fires (at the expected pointer),
and a close variant on which it does not."""

import copy
import json
import random

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.schema import parse_schema, validate_schema_text
from actions.schema.rules import check_action_schema, oauth_url_problem, registrable_domain
from gptstudio.findings import RULES, Severity
from tests.corpus import corpus_text
from tests.hypothesis_examples import scaled

from .helpers import codes, get_op, post_op, schema_data, schema_text


def _set(path, value):
    """A change that sets data[path...] = value."""

    def change(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _delete(path):
    def change(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


def _both(*changes):
    def change(data):
        for c in changes:
            c(data)

    return change


def _add_get_param(param):
    return lambda data: get_op(data)["parameters"].append(param)


def _body_schema(schema):
    return lambda data: post_op(data)["requestBody"]["content"]["application/json"].__setitem__("schema", schema)


def _response_schema(schema, media="application/json"):
    return lambda data: get_op(data)["responses"]["200"].__setitem__("content", {media: {"schema": schema}})


def _security(schemes):
    return lambda data: data.setdefault("components", {}).__setitem__("securitySchemes", schemes)


def _components_schemas(schemas):
    return lambda data: data.setdefault("components", {}).__setitem__("schemas", schemas)


def _many_ops(count):
    def change(data):
        for i in range(count - 2):
            data["paths"][f"/extra{i}"] = {
                "get": {"operationId": f"extra{i}", "responses": {"200": {"description": "OK"}}}
            }

    return change


OAUTH = {
    "type": "oauth2",
    "flows": {
        "authorizationCode": {
            "authorizationUrl": "https://auth.weather.example.com/authorize",
            "tokenUrl": "https://auth.weather.example.com/token",
            "scopes": {},
        }
    },
}

# Parsing rules: (code, firing text, quiet text, expected pointer or None)
PARSE_CASES = [
    ("schema.empty", "  \n", schema_text(), None),
    ("schema.syntax", "openapi: 3.1.0\ninfo: [unclosed\n", schema_text(), None),
    ("schema.too_deep", "[" * 1100 + "]" * 1100, schema_text(), None),
    (
        "schema.yaml.alias_bomb",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)),
        "base: &b {type: string}\nother: *b\n",
        None,
    ),
    ("schema.yaml.alias_cycle", "a: &a\n  b: *a\n", "a: &a {b: 1}\nc: *a\n", None),
    ("schema.yaml.unsupported_tag", "openapi: !!python/object:os.system 3.1.0\n", "openapi: !!str 3.1.0\n", None),
    ("schema.yaml.complex_key", "? [a, b]\n: value\n", "'[a, b]': value\n", None),
    ("schema.duplicate_key", '{"openapi": "3.1.0", "openapi": "3.0.0"}', '{"openapi": "3.1.0"}', "/openapi"),
    ("schema.not_object", "[1, 2]", schema_text(), ""),
    ("schema.json_read_as_yaml", '{"openapi": "3.1.0",}', '{"openapi": "3.1.0"}', None),
]

# Action rules: (code, change making it fire, change keeping it quiet, expected pointer)
SCHEMA_CASES = [
    ("openapi.swagger2", _both(_delete(["openapi"]), _set(["swagger"], "2.0")), None, "/swagger"),
    ("openapi.version.missing", _delete(["openapi"]), None, ""),
    ("openapi.version.unsupported", _set(["openapi"], "2.0"), _set(["openapi"], "3.0.3"), "/openapi"),
    ("openapi.version.untested", _set(["openapi"], "3.1.1"), _set(["openapi"], "3.1.0"), "/openapi"),
    ("openapi.structure", _delete(["info"]), None, ""),
    ("action.server.missing", _delete(["servers"]), None, ""),
    ("action.server.not_absolute", _set(["servers"], [{"url": "/api"}]), None, "/servers/0/url"),
    ("action.server.not_https", _set(["servers"], [{"url": "http://api.example.com"}]), None, "/servers/0/url"),
    ("action.server.localhost", _set(["servers"], [{"url": "https://localhost:8443"}]), None, "/servers/0/url"),
    ("action.server.ip_address", _set(["servers"], [{"url": "https://203.0.113.7"}]), None, "/servers/0/url"),
    (
        "action.server.port",
        _set(["servers"], [{"url": "https://api.example.com:8443"}]),
        _set(["servers"], [{"url": "https://api.example.com:443/v1"}]),
        "/servers/0/url",
    ),
    (
        "action.server.invalid_host",
        _set(["servers"], [{"url": "https://<orgname>-<account>.snowflakecomputing.com"}]),
        _set(["servers"], [{"url": "https://orgname-account.snowflakecomputing.com"}]),
        "/servers/0/url",
    ),
    (
        "action.server.placeholder",
        _set(["servers"], [{"url": "https://tenant.example.com/{version}"}]),
        _set(["servers"], [{"url": "https://tenant.example.com/v1"}]),
        "/servers/0/url",
    ),
    (
        "action.path.not_absolute",
        lambda d: d["paths"].__setitem__("current", d["paths"].pop("/current")),
        lambda d: d["paths"].__setitem__("/current/{city}", d["paths"].pop("/current")),
        "/paths/current",
    ),
    (
        "action.server.multiple_hosts",
        _set(["servers"], [{"url": "https://api.example.com"}, {"url": "https://uploads.example.com"}]),
        _set(["servers"], [{"url": "https://api.example.com"}]),
        "/servers/1",
    ),
    (
        "action.server.multiple",
        _set(["servers"], [{"url": "https://api.example.com"}, {"url": "https://api.example.com/v2"}]),
        None,
        "/servers/1",
    ),
    ("action.operations.too_many", _many_ops(31), _many_ops(30), "/paths"),
    ("action.operations.none", _set(["paths"], {}), None, "/paths"),
    ("action.operation.missing_id", lambda d: get_op(d).pop("operationId"), None, "/paths/~1current/get"),
    (
        "action.operation.invalid_id",
        lambda d: get_op(d).__setitem__("operationId", "weather/current"),
        lambda d: get_op(d).__setitem__("operationId", "weather_current-v2"),
        "/paths/~1current/get/operationId",
    ),
    (
        "action.operation.duplicate_id",
        lambda d: post_op(d).__setitem__("operationId", "getCurrent"),
        None,
        "/paths/~1alerts/post/operationId",
    ),
    (
        "action.operation.description_too_long",
        lambda d: get_op(d).__setitem__("description", "x" * 301),
        lambda d: get_op(d).__setitem__("description", "x" * 300),
        "/paths/~1current/get/description",
    ),
    (
        "action.parameter.description_too_long",
        lambda d: get_op(d)["parameters"][0].__setitem__("description", "x" * 701),
        lambda d: get_op(d)["parameters"][0].__setitem__("description", "x" * 700),
        "/paths/~1current/get/parameters/0/description",
    ),
    (
        "action.parameter.header",
        _add_get_param({"name": "X-Trace", "in": "header", "schema": {"type": "string"}}),
        _add_get_param({"name": "units", "in": "query", "schema": {"type": "string"}}),
        "/paths/~1current/get/parameters/1",
    ),
    (
        "action.parameter.ref",
        _both(
            _add_get_param({"$ref": "#/components/parameters/Units"}),
            lambda d: d.setdefault("components", {}).__setitem__(
                "parameters", {"Units": {"name": "units", "in": "query", "schema": {"type": "string"}}}
            ),
        ),
        None,
        "/paths/~1current/get/parameters/1",
    ),
    (
        "action.parameter.missing_name",
        _add_get_param({"in": "query", "schema": {"type": "string"}}),
        None,
        "/paths/~1current/get/parameters/1",
    ),
    (
        "action.parameter.duplicate",
        _add_get_param({"name": "city", "in": "query", "schema": {"type": "string"}}),
        _add_get_param({"name": "city", "in": "path", "required": True, "schema": {"type": "string"}}),
        "/paths/~1current/get/parameters/1",
    ),
    (
        "action.method.unsupported",
        lambda d: d["paths"]["/current"].__setitem__("head", {"responses": {"200": {"description": "OK"}}}),
        None,
        "/paths/~1current/head",
    ),
    (
        "action.security.multiple_schemes",
        _security({"a": {"type": "http", "scheme": "bearer"}, "b": {"type": "http", "scheme": "basic"}}),
        _security({"a": {"type": "http", "scheme": "bearer"}}),
        "/components/securitySchemes",
    ),
    (
        "action.security.unsupported",
        _security({"key": {"type": "apiKey", "in": "query", "name": "api_key"}}),
        _security({"key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}),
        "/components/securitySchemes/key/in",
    ),
    (
        "action.oauth.url_off_domain",
        _security(
            {
                "o": {
                    **OAUTH,
                    "flows": {
                        "authorizationCode": {
                            **OAUTH["flows"]["authorizationCode"],
                            "tokenUrl": "https://tokens.other-company.com/token",
                        }
                    },
                }
            }
        ),
        _security({"o": OAUTH}),
        "/components/securitySchemes/o/flows/authorizationCode/tokenUrl",
    ),
    (
        "action.schema.object_without_properties",
        _body_schema({"type": "object", "properties": {"filter": {"type": "object"}}}),
        _body_schema({"type": "object", "properties": {"filter": {"type": "object", "properties": {}}}}),
        "/paths/~1alerts/post/requestBody/content/application~1json/schema/properties/filter",
    ),
    (
        "action.ref.unknown",
        _body_schema({"$ref": "#/components/schemas/Missing"}),
        _both(
            _body_schema({"$ref": "#/components/schemas/Alert"}),
            _components_schemas({"Alert": {"type": "object", "properties": {}}}),
        ),
        "/paths/~1alerts/post/requestBody/content/application~1json/schema/$ref",
    ),
    (
        "action.ref.circular",
        _components_schemas(
            {
                "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Other"}}},
                "Other": {"type": "object", "properties": {"back": {"$ref": "#/components/schemas/Node"}}},
            }
        ),
        _components_schemas(
            {
                "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Other"}}},
                "Other": {"type": "object", "properties": {"name": {"type": "string"}}},
            }
        ),
        "/components/schemas/Node",
    ),
    ("action.components.schemas_not_object", _components_schemas([]), _components_schemas({}), "/components/schemas"),
    (
        "action.request_body.not_object",
        _body_schema({"type": "array", "items": {"type": "string"}}),
        None,
        "/paths/~1alerts/post/requestBody/content/application~1json/schema",
    ),
    (
        "action.media.binary",
        _response_schema({"type": "string", "format": "binary"}, media="image/png"),
        _response_schema({"type": "object", "properties": {}}),
        "/paths/~1current/get/responses/200/content/image~1png/schema",
    ),
    (
        "action.consequential.not_boolean",
        lambda d: post_op(d).__setitem__("x-openai-isConsequential", "false"),
        lambda d: post_op(d).__setitem__("x-openai-isConsequential", False),
        "/paths/~1alerts/post/x-openai-isConsequential",
    ),
    (
        "action.files.id_refs_not_array",
        _body_schema({"type": "object", "properties": {"openaiFileIdRefs": {"type": "string"}}}),
        _body_schema(
            {"type": "object", "properties": {"openaiFileIdRefs": {"type": "array", "items": {"type": "string"}}}}
        ),
        "/paths/~1alerts/post/requestBody/content/application~1json/schema/properties/openaiFileIdRefs",
    ),
    (
        "action.files.id_refs_location",
        _add_get_param({"name": "openaiFileIdRefs", "in": "query", "schema": {"type": "array"}}),
        None,
        "/paths/~1current/get/parameters/1",
    ),
    (
        "action.files.response_not_array",
        _response_schema({"type": "object", "properties": {"openaiFileResponse": {"type": "string"}}}),
        _response_schema(
            {"type": "object", "properties": {"openaiFileResponse": {"type": "array", "items": {"type": "string"}}}}
        ),
        "/paths/~1current/get/responses/200/content/application~1json/schema/properties/openaiFileResponse",
    ),
    (
        "action.files.id_refs_too_many",
        _body_schema(
            {
                "type": "object",
                "properties": {"openaiFileIdRefs": {"type": "array", "maxItems": 20, "items": {"type": "string"}}},
            }
        ),
        _body_schema(
            {
                "type": "object",
                "properties": {"openaiFileIdRefs": {"type": "array", "maxItems": 10, "items": {"type": "string"}}},
            }
        ),
        "/paths/~1alerts/post/requestBody/content/application~1json/schema/properties/openaiFileIdRefs/maxItems",
    ),
    (
        "action.files.response_too_many",
        _response_schema({"type": "object", "properties": {"openaiFileResponse": {"type": "array", "maxItems": 11}}}),
        _response_schema({"type": "object", "properties": {"openaiFileResponse": {"type": "array", "maxItems": 3}}}),
        "/paths/~1current/get/responses/200/content/application~1json/schema/properties/openaiFileResponse/maxItems",
    ),
    (
        "action.files.response_items",
        _response_schema(
            {"type": "object", "properties": {"openaiFileResponse": {"type": "array", "items": {"type": "integer"}}}}
        ),
        _response_schema(
            {
                "type": "object",
                "properties": {
                    "openaiFileResponse": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"name": {}, "mime_type": {}, "content": {}}},
                    }
                },
            }
        ),
        "/paths/~1current/get/responses/200/content/application~1json/schema/properties/openaiFileResponse/items",
    ),
]

# Rules tested elsewhere (they need special input): code → test that covers them.
COVERED_ELSEWHERE = {
    "schema.too_large": "test_parsing.py::test_oversized_input_is_refused_before_parsing",
    "action.schema.too_large": "test_action_schema_size_over_chatgpt_cap_is_a_warning (below)",
    "openapi.structure.truncated": "test_structure.py::test_structural_findings_are_capped",
    "action.auth.secret_missing": "gpts/test_validation.py::test_a_secret_the_studio_does_not_hold_is_an_error…",
}


def test_every_schema_rule_has_a_case():
    tested = {c[0] for c in PARSE_CASES} | {c[0] for c in SCHEMA_CASES} | set(COVERED_ELSEWHERE)
    schema_rules = {code for code in RULES if code.startswith(("schema.", "openapi.", "action."))}
    assert schema_rules - tested == set()


@pytest.mark.parametrize(("code", "firing", "quiet", "pointer"), PARSE_CASES, ids=[c[0] for c in PARSE_CASES])
def test_parse_rule_fires_and_stays_quiet(code, firing, quiet, pointer):
    fired = validate_schema_text(firing)
    matching = [f for f in fired.findings if f.code == code]
    assert matching, f"{code} did not fire; got {codes(fired)}"
    if pointer is not None:
        assert matching[0].pointer == pointer
    assert matching[0].line is not None
    assert code not in codes(validate_schema_text(quiet))


@pytest.mark.parametrize(("code", "firing", "quiet", "pointer"), SCHEMA_CASES, ids=[c[0] for c in SCHEMA_CASES])
def test_schema_rule_fires_and_stays_quiet(code, firing, quiet, pointer):
    fired = validate_schema_text(schema_text(firing))
    matching = [f for f in fired.findings if f.code == code]
    assert matching, f"{code} did not fire; got {codes(fired)}"
    finding = matching[0]
    assert finding.pointer == pointer
    assert finding.severity == RULES[code].severity
    assert finding.line is not None and finding.column is not None
    assert len(finding.message) > 30  # says what is wrong and how to fix it
    assert code not in codes(validate_schema_text(schema_text(quiet)))


def test_base_schema_is_clean():
    report = validate_schema_text(schema_text())
    assert report.findings == []
    assert report.valid


def test_action_schema_size_over_chatgpt_cap_is_a_warning():
    padding = "x" * 1_000_001
    fired = validate_schema_text(schema_text(lambda d: d["info"].__setitem__("description", padding)))
    quiet = validate_schema_text(schema_text(lambda d: d["info"].__setitem__("description", "x" * 1000)))
    finding = next(f for f in fired.findings if f.code == "action.schema.too_large")
    assert finding.severity == Severity.WARNING  # rests on an unconfirmed report
    assert fired.valid
    assert "action.schema.too_large" not in codes(quiet)


def test_chatgpt_message_is_the_hint_where_known():
    report = validate_schema_text(schema_text(_many_ops(31)))
    finding = next(f for f in report.findings if f.code == "action.operations.too_many")
    assert "OpenAPI spec can have a maximum of 30 operations" in finding.hint
    assert finding.builder_reported  # a "likely" limit says so


def test_a_likely_rule_marks_every_finding_it_gives_as_reported_by_builders():
    report = validate_schema_text(schema_text(lambda d: get_op(d)["parameters"].append({"$ref": "#/x"})))
    finding = next(f for f in report.findings if f.code == "action.parameter.ref")
    assert finding.builder_reported
    assert next(f for f in report.as_dict()["findings"] if f["code"] == "action.parameter.ref")["builder_reported"]
    assert "reported by builders" not in finding.message  # pages say it once, in a legend
    confirmed = validate_schema_text(schema_text(_set(["servers"], [{"url": "https://api.example.com:8443"}])))
    assert not next(f for f in confirmed.findings if f.code == "action.server.port").builder_reported


@pytest.mark.parametrize(
    ("code", "change"),
    [
        # ChatGPT signs in with the authentication panel's URLs (gpt.action.oauth_url_off_domain is the error).
        (
            "action.oauth.url_off_domain",
            _security({"o": {**OAUTH, "flows": {"authorizationCode": {"authorizationUrl": "https://x.other.com/a"}}}}),
        ),
        # ChatGPT only ignores the file part (GPT_EDITOR.md §3.2): the operation still loads.
        (
            "action.files.id_refs_not_array",
            _body_schema({"type": "object", "properties": {"openaiFileIdRefs": {"type": "string"}}}),
        ),
        (
            "action.files.response_not_array",
            _response_schema({"type": "object", "properties": {"openaiFileResponse": {"type": "string"}}}),
        ),
    ],
)
def test_parts_chatgpt_ignores_are_warnings_that_keep_the_schema_valid(code, change):
    report = validate_schema_text(schema_text(change))
    [finding] = [f for f in report.findings if f.code == code]
    assert finding.severity == Severity.WARNING
    assert report.valid


@pytest.mark.parametrize(
    ("server", "code", "words"),
    [
        # Every spelling the fetcher reads as an address is one here too.
        ("https://2130706433", "action.server.localhost", "127.0.0.1"),
        ("https://0x7f000001/v1", "action.server.localhost", "127.0.0.1"),
        ("https://0177.0.0.1", "action.server.localhost", "127.0.0.1"),
        ("https://127.1", "action.server.localhost", "127.0.0.1"),
        ("https://[::ffff:127.0.0.1]", "action.server.localhost", "127.0.0.1"),
        ("https://3232235777", "action.server.ip_address", "192.168.1.1, a private address"),
        ("https://[fd00:ec2::254]", "action.server.ip_address", "metadata"),
        ("https://0xcb007107", "action.server.ip_address", "203.0.113.7"),
        ("https://999.1.1.1", "action.server.ip_address", "not a valid one"),
        ("https://1." + "9" * 5000, "action.server.ip_address", "not a valid one"),
    ],
)
def test_ip_servers_are_recognised_in_every_spelling(server, code, words):
    report = validate_schema_text(schema_text(_set(["servers"], [{"url": server}])))
    [finding] = [f for f in report.findings if f.code == code]
    assert words in finding.message
    assert finding.pointer == "/servers/0/url"


def test_a_domain_that_only_starts_with_digits_is_no_ip_address():
    report = validate_schema_text(schema_text(_set(["servers"], [{"url": "https://1password.example.com"}])))
    assert codes(report) & {"action.server.ip_address", "action.server.localhost"} == set()


@pytest.mark.parametrize("index", ["²", "٣", "9" * 5000, "01", "-1", "1e3", " 1"])
def test_array_indexes_in_refs_are_ascii_digits_of_sane_length(index):
    ref = f"#/servers/{index}"
    report = validate_schema_text(schema_text(_body_schema({"$ref": ref})))
    unknown = [f for f in report.findings if f.code == "action.ref.unknown"]
    assert [f.pointer for f in unknown] == ["/paths/~1alerts/post/requestBody/content/application~1json/schema/$ref"]
    assert "action.ref.unknown" not in codes(validate_schema_text(schema_text(_body_schema({"$ref": "#/servers/0"}))))


def test_yaml_positions_take_only_ascii_array_indexes():
    parsed = parse_schema("servers:\n  - url: https://a.example.com\n")
    assert parsed.positions(["/servers/0/url", "/servers/²", "/servers/" + "9" * 5000]) == {"/servers/0/url": (2, 5)}


def test_a_map_object_is_not_told_to_add_additional_properties():
    metadata = {"type": "object", "additionalProperties": {"type": "string"}}
    report = validate_schema_text(schema_text(_body_schema({"type": "object", "properties": {"metadata": metadata}})))
    [finding] = [f for f in report.findings if f.code == "action.schema.object_without_properties"]
    assert "is a map" in finding.message
    assert "add `additionalProperties" not in finding.message
    plain = validate_schema_text(schema_text(_body_schema({"type": "object", "properties": {"m": {"type": "object"}}})))
    [finding] = [f for f in plain.findings if f.code == "action.schema.object_without_properties"]
    assert "additionalProperties: true" in finding.message


def test_consequential_flag_defaults_and_explicit_values():
    def change(data):
        get_op(data)["x-openai-isConsequential"] = True
        data["paths"]["/alerts"]["delete"] = {"operationId": "deleteAlert", "responses": {"204": {"description": "x"}}}
        data["paths"]["/alerts"]["put"] = {
            "operationId": "putAlert",
            "x-openai-isConsequential": False,
            "responses": {"204": {"description": "x"}},
        }

    ops = {op.operation_id: op for op in validate_schema_text(schema_text(change)).operations}
    assert (ops["getCurrent"].consequential, ops["getCurrent"].consequential_explicit) == (True, True)
    assert (ops["createAlert"].consequential, ops["createAlert"].consequential_explicit) == (True, False)
    assert (ops["deleteAlert"].consequential, ops["deleteAlert"].consequential_explicit) == (True, False)
    assert (ops["putAlert"].consequential, ops["putAlert"].consequential_explicit) == (False, True)
    plain = {op.operation_id: op for op in validate_schema_text(schema_text()).operations}
    assert plain["getCurrent"].consequential is False


def test_header_parameter_on_path_level_is_reported_once():
    def change(data):
        data["paths"]["/current"]["parameters"] = [{"name": "X-Trace", "in": "header", "schema": {"type": "string"}}]
        data["paths"]["/current"]["post"] = {"operationId": "postCurrent", "responses": {"200": {"description": "x"}}}

    report = validate_schema_text(schema_text(change))
    headers = [f for f in report.findings if f.code == "action.parameter.header"]
    assert [f.pointer for f in headers] == ["/paths/~1current/parameters/0"]


def test_oauth_exempt_providers_and_same_root_domain():
    assert oauth_url_problem("https://accounts.google.com/o/oauth2/auth", "api.example.com") == ""
    assert oauth_url_problem("https://login.microsoftonline.com/common/oauth2", "graph.example.com") == ""
    assert oauth_url_problem("https://ims-na1.adobelogin.com/ims/authorize", "api.example.com") == ""
    assert oauth_url_problem("https://github.com/login/oauth/authorize", "api.github.com") == ""
    assert "other.com" in oauth_url_problem("https://other.com/authorize", "api.example.com")
    assert registrable_domain("api.example.co.uk") == "example.co.uk"
    assert registrable_domain("a.b.example.com") == "example.com"


def test_remote_ref_is_unknown_and_never_fetched():
    report = validate_schema_text(schema_text(_body_schema({"$ref": "https://schemas.example.com/alert.json"})))
    finding = next(f for f in report.findings if f.code == "action.ref.unknown")
    assert "never fetch" in finding.message


def test_self_referencing_component_is_circular():
    change = _components_schemas(
        {
            "Tree": {
                "type": "object",
                "properties": {"kids": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}},
            }
        }
    )
    report = validate_schema_text(schema_text(change))
    finding = next(f for f in report.findings if f.code == "action.ref.circular")
    assert "refers to itself" in finding.message


def test_summary_fields_of_the_report():
    report = validate_schema_text(schema_text(_security({"bearer": {"type": "http", "scheme": "bearer"}})))
    assert report.openapi_version == "3.1.0"
    assert report.domain == "api.weather.example.com"
    assert report.server_url == "https://api.weather.example.com/v1"
    assert report.auth_scheme == "http_bearer"
    assert [(op.method, op.path, op.operation_id, op.summary) for op in report.operations] == [
        ("get", "/current", "getCurrent", "Current weather"),
        ("post", "/alerts", "createAlert", "Create an alert"),
    ]
    as_dict = report.as_dict()
    assert as_dict["limits"]["operations"] == {"value": 2, "max": 30, "over": False, "confidence": "likely"}
    assert json.loads(json.dumps(as_dict)) == as_dict


OPENAPI_WORDS = [
    "openapi", "swagger", "servers", "url", "variables", "paths", "/a", "/b/{id}", "get", "post", "head",
    "parameters", "name", "in", "header", "query", "description", "summary", "operationId", "$ref",
    "#/components/schemas/A", "#/components/schemas/B", "https://x.example/s.json", "components", "schemas",
    "A", "B", "securitySchemes", "type", "object", "array", "string", "oauth2", "apiKey", "http", "scheme",
    "flows", "authorizationCode", "authorizationUrl", "tokenUrl", "requestBody", "content",
    "application/json", "image/png", "schema", "properties", "items", "allOf", "responses", "200",
    "openaiFileIdRefs", "openaiFileResponse", "x-openai-isConsequential", "3.1.0", "3.0.3", "https://api.example.com",
]  # fmt: skip
_words = st.sampled_from(OPENAPI_WORDS)
_openapi_like = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | _words | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_words, children, max_size=4),
    max_leaves=40,
)


@settings(max_examples=scaled(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_words, _openapi_like, max_size=6))
def test_rules_never_raise_on_arbitrary_openapi_shaped_data(data):
    report = validate_schema_text(json.dumps(data))
    assert all(f.code in RULES for f in report.findings)
    json.dumps(report.as_dict())


def _all_paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _all_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _all_paths(value, (*path, index))


MUTATION_BASES = [
    schema_data(),
    *(
        json.loads(corpus_text("gpt_actions", name))
        for name in ("cookbook_box.json", "cookbook_googleads_adzviser.json", "ruvnet_callme-maybe.json")
    ),
    parse_schema(corpus_text("gpt_actions", "cookbook_gmail.yaml")).data,
    parse_schema(corpus_text("gpt_actions", "cookbook_sql_database.yaml")).data,
]


def _random_value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice([None, True, 1, -1, "x", "", rng.choice(OPENAPI_WORDS), [], {}])
    if roll < 0.7:
        return {rng.choice(OPENAPI_WORDS): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]


@pytest.mark.parametrize("seed", range(4))
def test_rules_never_raise_when_any_part_of_a_real_schema_is_replaced(seed):
    """Seeded fuzzing: put arbitrary values at arbitrary places of valid schemas (it found a crash
    on a parameter whose `in` was an object; hypothesis's shrinking search rarely reached it)."""
    rng = random.Random(seed)
    for _ in range(500):
        document = copy.deepcopy(rng.choice(MUTATION_BASES))
        for _ in range(rng.randint(1, 4)):
            path = rng.choice([p for p in _all_paths(document) if p])
            node = document
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = _random_value(rng)
        report = validate_schema_text(json.dumps(document))
        assert all(f.code in RULES for f in report.findings)


def _huge_number_schema(number: str) -> str:
    """JSON text with `number` as the openapi version, a file maxItems, an isConsequential flag and a
    security scheme type."""
    text = schema_text(
        lambda data: (
            data.update(openapi="OPENAPI", components={"securitySchemes": {"key": {"type": "TYPE"}}}),
            get_op(data).update({"x-openai-isConsequential": "FLAG"}),
            post_op(data)["requestBody"]["content"]["application/json"]["schema"]["properties"].update(
                openaiFileIdRefs={"type": "array", "maxItems": "MAX"}
            ),
        )
    )
    for name in ("OPENAPI", "TYPE", "FLAG", "MAX"):
        text = text.replace(f'"{name}"', number)
    return text


@pytest.mark.parametrize("number", ["1" * 5000, "0x" + "f" * 4000, "0" + "7" * 6000, "1" + ":59" * 3000])
def test_huge_integers_never_break_the_report(number):
    texts = [_huge_number_schema(number), yaml.safe_dump(json.loads(_huge_number_schema('"N"'))).replace("N", number)]
    if number.isdigit():
        texts.append(_huge_number_schema("1" * 4000))  # read as an integer, and written out in messages
    for text in texts:
        report = validate_schema_text(text)
        assert "openapi.version.unsupported" in codes(report)
        assert report.as_dict()["openapi_version"]


def test_rules_describe_integers_too_long_for_str():
    big = 10**5000  # data from elsewhere than the parser, which keeps integers to 4,000 digits
    data = schema_data(_security({"key": {"type": big}}))
    data["openapi"] = big
    get_op(data)["x-openai-isConsequential"] = [big]
    checked, family = check_action_schema(data, 100, None)
    messages = {f.code: f.message for f in checked.findings}
    assert "a number too long to show" in messages["openapi.version.unsupported"]
    assert "a list with a huge number" in messages["action.consequential.not_boolean"]
    assert (family, checked.auth_scheme) == (None, "a number too long to show")


def test_messages_quote_at_most_a_hundred_characters_of_a_value():
    data = schema_data()
    data["openapi"] = "3." + "9" * 5000
    get_op(data)["x-openai-isConsequential"] = ["x" * 5000]
    checked, _ = check_action_schema(data, 100, None)
    messages = {f.code: f.message for f in checked.findings}
    for code in ("openapi.version.untested", "action.consequential.not_boolean"):
        assert len(messages[code]) < 400 and "…" in messages[code], code


def test_percent_encoded_refs_resolve_like_their_decoded_pointer():
    # RFC 6901 §6: a JSON pointer in a URI fragment is percent-encoded; ~1 and ~0 are unescaped after.
    def change(data):
        data["components"] = {"responses": {"Ok Reply": {"description": "ok"}, "a/b~c": {"description": "ok"}}}
        get_op(data)["responses"] = {
            "200": {"$ref": "#/components/responses/Ok%20Reply"},
            "201": {"$ref": "#/components/responses/a~1b~0c"},
            "202": {"$ref": "#/components/responses/a%7E1b%7e0c"},
            "203": {"$ref": "#/components/responses/Ok%2520Reply"},
        }

    report = validate_schema_text(schema_text(change))
    unknown = [f.pointer for f in report.findings if f.code == "action.ref.unknown"]
    assert unknown == ["/paths/~1current/get/responses/203/$ref"]


def test_percent_encoded_refs_take_part_in_cycles():
    change = _components_schemas(
        {
            "A Tree": {"type": "object", "properties": {"kid": {"$ref": "#/components/schemas/B~1Tree"}}},
            "B/Tree": {"type": "object", "properties": {"kid": {"$ref": "#/components/schemas/A%20Tree"}}},
        }
    )
    report = validate_schema_text(schema_text(change))
    [finding] = [f for f in report.findings if f.code == "action.ref.circular"]
    assert "schemas/A Tree → schemas/B/Tree" in finding.message
    assert "action.ref.unknown" not in codes(report)


def test_file_refs_behind_a_percent_encoded_ref_are_found_at_the_decoded_pointer():
    def change(data):
        data["components"] = {"schemas": {"File Ids": {"type": "string"}}}
        props = post_op(data)["requestBody"]["content"]["application/json"]["schema"]["properties"]
        props["openaiFileIdRefs"] = {"$ref": "#/components/schemas/File%20Ids"}

    report = validate_schema_text(schema_text(change))
    [finding] = [f for f in report.findings if f.code == "action.files.id_refs_not_array"]
    assert finding.pointer == "/components/schemas/File Ids" and finding.line is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://<orgname>-<account>.snowflakecomputing.com",
        "https://{tenant}.example.com/v1",
        "https://api|prod.example.com",
        "https://api^.example.com",
        "https://api%3Cx%3E.example.com",
        "https://your-domain.example.com",
    ],
)
def test_a_server_host_with_a_placeholder_or_a_forbidden_code_point_is_an_error(url):
    report = validate_schema_text(schema_text(_set(["servers"], [{"url": url}])))
    [finding] = [f for f in report.findings if f.code == "action.server.invalid_host"]
    assert finding.severity == Severity.ERROR
    assert not report.valid


@pytest.mark.parametrize(
    "url", ["https://[2001:db8::1]/v1", "https://api.example.com/<tenant>/v1", "https://xn--bcher-kva.example"]
)
def test_an_ip_literal_host_or_a_path_placeholder_is_no_invalid_host(url):
    report = validate_schema_text(schema_text(_set(["servers"], [{"url": url}])))
    assert "action.server.invalid_host" not in codes(report)


def test_a_paths_key_without_a_leading_slash_is_an_error_naming_it():
    report = validate_schema_text(schema_text(lambda d: d["paths"].__setitem__("alerts", d["paths"].pop("/alerts"))))
    [finding] = [f for f in report.findings if f.code == "action.path.not_absolute"]
    assert finding.severity == Severity.ERROR
    assert "“/alerts”" in finding.message
    assert not report.valid

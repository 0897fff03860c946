"""Target `openai-tools`: every operation of the GPT's actions as a Responses-API function tool.

A zip (byte-identical for the same GPT):
    tools.json     a JSON array of `{"type": "function", "name", "description", "parameters", "strict"}`,
                   ready to pass as `tools=` (actions/operations.py says how arguments are built)
    dispatch.json  per tool name: action, method, server URL, path template, where each argument
                   goes, the body's content type, and the action's auth KIND (never a secret), so
                   a caller's dispatcher can run the calls
    migration.md   the migration report for this target
`strict` is true only when the arguments fit the strict subset (MIGRATION.md §4): the tool then
carries a strict rewrite of its schema (every object closed with `additionalProperties: false`,
every property required, optional ones made nullable: a `null` argument means "leave it out",
which dispatch.json repeats as `"null_means_absent": true`). Anything else (open or free-form
objects, `allOf`/`oneOf`/`not`, length or uniqueness keywords, more than 10 nesting levels, over
5,000 properties or 1,000 enum values) keeps the converted schema with `strict: false`. Which
keywords strict mode accepts is not fully documented: this takes the stricter reading.
"""

from __future__ import annotations

import json

from actions.operations import Tool
from gptstudio.findings import Finding

from .base import ExportSource, register
from .bridge import BridgeExporter
from .tools import GptActionTools, env_prefix, source_tools
from .zipstream import DeterministicZip

DISPATCH_FORMAT = "gptstudio/openai-tools-dispatch@1"
STRICT_MAX_DEPTH = 10
STRICT_MAX_PROPERTIES = 5000
STRICT_MAX_ENUM_VALUES = 1000
# Validation keywords strict mode is documented to accept (anything else: not strict).
STRICT_KEYS = frozenset(
    {
        "type", "properties", "required", "additionalProperties", "items", "enum", "const", "anyOf",
        "description", "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "multipleOf", "minItems", "maxItems",
    }
)  # fmt: skip
ANNOTATION_KEYS = frozenset({"title", "default", "examples", "$comment"})  # dropped: they validate nothing
# The string formats strict mode documents; any other `format` (OpenAPI's int64, binary, …) is an
# annotation in JSON Schema 2020-12, so the strict rewrite leaves it out rather than risk a refusal.
STRICT_FORMATS = frozenset({"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"})


class _NotStrict(Exception):
    pass


class _StrictCounter:
    def __init__(self):
        self.properties = 0
        self.enum_values = 0


def strict_schema(schema: dict) -> dict | None:
    """The strict rewrite of an argument schema, or None when it does not fit the strict subset."""
    counter = _StrictCounter()
    try:
        result = _strict(schema, depth=1, counter=counter)
    except _NotStrict:
        return None
    if counter.properties > STRICT_MAX_PROPERTIES or counter.enum_values > STRICT_MAX_ENUM_VALUES:
        return None
    return result


def _nullable(schema: dict) -> dict:
    """An optional property made required-but-nullable: `null` joins its type (and its enum)."""
    if "const" in schema:
        raise _NotStrict
    kind = schema.get("type")
    if isinstance(kind, str):
        schema = {**schema, "type": [kind, "null"]} if kind != "null" else schema
    elif isinstance(kind, list):
        schema = schema if "null" in kind else {**schema, "type": [*kind, "null"]}
    elif isinstance(schema.get("anyOf"), list):
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    else:
        raise _NotStrict
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        schema = {**schema, "enum": [*schema["enum"], None]}
    return schema


def _strict(schema, *, depth: int, counter: _StrictCounter) -> dict:
    if not isinstance(schema, dict) or depth > STRICT_MAX_DEPTH:
        raise _NotStrict
    unknown = set(schema) - STRICT_KEYS - ANNOTATION_KEYS
    if unknown or not ("type" in schema or "anyOf" in schema or "enum" in schema or "const" in schema):
        raise _NotStrict
    out = {key: value for key, value in schema.items() if key in STRICT_KEYS}
    if out.get("format") not in STRICT_FORMATS:
        out.pop("format", None)
    if isinstance(out.get("enum"), list):
        counter.enum_values += len(out["enum"])
    kinds = out.get("type") if isinstance(out.get("type"), list) else [out.get("type")]
    if "object" in kinds or "properties" in out:
        properties = out.get("properties")
        if not isinstance(properties, dict) or out.get("additionalProperties", False) is not False:
            raise _NotStrict  # a free-form or open object cannot be described strictly
        required = set(out.get("required") or [])
        counter.properties += len(properties)
        converted = {}
        for name, sub in properties.items():
            sub_strict = _strict(sub, depth=depth + 1, counter=counter)
            converted[name] = sub_strict if name in required else _nullable(sub_strict)
        out["properties"] = converted
        out["required"] = list(properties)
        out["additionalProperties"] = False
    if "array" in kinds:
        if "items" not in out:
            raise _NotStrict
        out["items"] = _strict(out["items"], depth=depth + 1, counter=counter)
    elif "items" in out:
        raise _NotStrict
    if "anyOf" in out:
        if not isinstance(out["anyOf"], list) or not out["anyOf"]:
            raise _NotStrict
        out["anyOf"] = [_strict(branch, depth=depth, counter=counter) for branch in out["anyOf"]]
    return out


def function_tool(spec: Tool) -> tuple[dict, bool]:
    strict = strict_schema(spec.input_schema)
    tool = {
        "type": "function",
        "name": spec.name,
        "description": spec.description,
        "parameters": strict if strict is not None else spec.input_schema,
        "strict": strict is not None,
    }
    return tool, strict is not None


def auth_kind(action: dict) -> dict:
    """How the action authenticates, without any secret: what the dispatcher must supply."""
    authentication = action["authentication"]
    if authentication["type"] == "api_key":
        api_key = authentication["api_key"]
        kind = {"type": "api_key", "scheme": api_key["auth_type"]}
        if api_key["auth_type"] == "custom":
            kind["header"] = api_key["custom_header"]
        return kind
    if authentication["type"] == "oauth":
        oauth = authentication["oauth"]
        return {
            "type": "oauth",
            "authorization_url": oauth["authorization_url"],
            "token_url": oauth["token_url"],
            "scope": oauth["scope"],
        }
    return {"type": "none"}


def dispatch_entry(spec: Tool, action_tools: GptActionTools, *, strict: bool) -> dict:
    action = action_tools.action
    return {
        "action": action["name"],
        "method": spec.method,
        "server_url": action_tools.server_url,
        "path": spec.path,
        "operation_id": spec.operation_id,
        "arguments": {a.argument: {"in": a.location, "name": a.name, "required": a.required} for a in spec.arguments},
        "body": spec.body.as_dict() if spec.body else None,
        "auth": auth_kind(action),
        "consequential": spec.consequential,
        "null_means_absent": strict,
    }


def render_tools(actions: list[GptActionTools]) -> tuple[bytes, bytes]:
    tools, dispatch = [], {}
    for action_tools in actions:
        for spec in action_tools.tools:
            tool, strict = function_tool(spec)
            tools.append(tool)
            dispatch[spec.name] = dispatch_entry(spec, action_tools, strict=strict)
    actions_info = {
        a.action["name"]: {
            "server_url": a.server_url,
            "auth": auth_kind(a.action),
            "env": {"base_url": f"{env_prefix(a.slug)}BASE_URL"}
            | ({"api_key": f"{env_prefix(a.slug)}API_KEY"} if a.action["authentication"]["type"] == "api_key" else {}),
        }
        for a in actions
    }
    sidecar = {"format": DISPATCH_FORMAT, "actions": actions_info, "tools": dispatch}
    return _json(tools), _json(sidecar)


def _json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@register
class OpenAIToolsExporter(BridgeExporter):
    name = "openai-tools"
    label = "OpenAI function tools (zip: tools.json + dispatch.json)"
    file_suffix = "openai-tools"

    def notices(self, source: ExportSource) -> list[Finding]:
        return source_tools(source)[1]

    def write_entries(self, bundle: DeterministicZip, source: ExportSource):
        tools_json, dispatch_json = render_tools(source_tools(source)[0])
        yield from bundle.add_bytes("tools.json", tools_json)
        yield from bundle.add_bytes("dispatch.json", dispatch_json)
        return "migration.md"

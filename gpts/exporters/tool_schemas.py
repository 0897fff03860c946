"""An action's OpenAPI operations as tools: a name, a description, one JSON Schema (2020-12) for
the arguments, and how each argument travels in the HTTP request (MIGRATION.md §3.2, §4).

One tool per operation (GET, POST, PUT, PATCH, DELETE: what ChatGPT calls). The arguments merge
the path, query and header parameters with the JSON request body (under `body`), so one object
describes the call. Local `$ref`s are inlined (a cycle becomes an unconstrained schema that says
so), OpenAPI 3.0's `nullable` becomes a type union, its boolean `exclusiveMinimum`/`Maximum`
become 2020-12 numbers, `example` becomes `examples`, and read-only properties leave request
bodies. Conversion never raises: what cannot be converted is skipped and said in `notes`.

Tool names: the operationId (or `method_path`) with anything outside `A-Za-z0-9_-` replaced,
at most 64 characters (OpenAI's limit, stricter than MCP's 128; a longer name keeps 57 characters
and a hash of the whole), unique across the whole export in document order (`_2`, `_3`, ...).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from actions.schema import parse_schema
from actions.schema.parsing import pointer_tokens
from actions.schema.rules import SUPPORTED_METHODS

TOOL_NAME_MAX_LENGTH = 64
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
# Headers OpenAPI says are ignored as parameters (the transport or the auth sets them).
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
# Schema keywords that hold one schema, a list of schemas, or a map of schemas.
_ONE_SCHEMA = ("items", "not", "additionalProperties", "contains", "if", "then", "else", "propertyNames")
_ONE_SCHEMA += ("unevaluatedProperties", "unevaluatedItems", "contentSchema")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
# OpenAPI-only keywords with no meaning in JSON Schema 2020-12.
_DROPPED_KEYWORDS = frozenset({"nullable", "discriminator", "xml", "externalDocs", "example", "$ref"})
MAX_INLINE_DEPTH = 64  # deeper nesting is left unconstrained (no real request body nests this deep)


@dataclass(frozen=True)
class ToolArgument:
    """How one argument of a tool travels in the HTTP request."""

    argument: str  # the property name in the tool's input schema
    location: str  # "path" | "query" | "header" | "body"
    name: str  # the parameter's name on the wire ("" for the body)
    style: str = ""  # OpenAPI serialisation style of a query parameter
    explode: bool = True


@dataclass
class Tool:
    name: str
    title: str
    description: str
    input_schema: dict
    method: str  # upper case
    path: str  # the path template, e.g. /forecast/{city}
    arguments: list[ToolArgument]
    body_media_type: str  # "" when the operation takes no body
    consequential: bool  # effective x-openai-isConsequential (absent: GET false, others true)
    consequential_raw: bool | None  # the schema's own value, None when absent (kept for reviewers)
    operation_id: str


@dataclass
class ActionTools:
    """The tools of one action, with where its API lives."""

    base_url: str  # the schema's first server, variables at their defaults; "" when not absolute
    tools: list[Tool] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was skipped, for the README


def tool_name(raw: str, used: set[str]) -> str:
    """A name matching `^[A-Za-z0-9_-]{1,64}$`, not in `used` (and added to it)."""
    base = _NAME_UNSAFE.sub("_", raw).strip("_") or "operation"
    if len(base) > TOOL_NAME_MAX_LENGTH:
        digest = hashlib.sha1(base.encode(), usedforsecurity=False).hexdigest()[:6]
        base = f"{base[: TOOL_NAME_MAX_LENGTH - 7]}_{digest}"
    name, number = base, 1
    while name in used:
        number += 1
        suffix = f"_{number}"
        name = f"{base[: TOOL_NAME_MAX_LENGTH - len(suffix)]}{suffix}"
    used.add(name)
    return name


def base_url(data: dict) -> str:
    """The first server's URL with its variables at their defaults (Swagger 2: scheme, host and
    basePath); "" when it is missing or relative: the server then needs its base URL set."""
    servers = data.get("servers")
    url = ""
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = servers[0].get("url") if isinstance(servers[0].get("url"), str) else ""
        variables = servers[0].get("variables")
        if isinstance(variables, dict):
            for key, spec in variables.items():
                if isinstance(spec, dict) and isinstance(spec.get("default"), str | int):
                    url = url.replace("{" + str(key) + "}", str(spec["default"]))
    elif isinstance(data.get("host"), str):
        schemes = data.get("schemes") if isinstance(data.get("schemes"), list) else []
        scheme = "https" if "https" in schemes or not schemes else str(schemes[0])
        base_path = data.get("basePath") if isinstance(data.get("basePath"), str) else ""
        url = f"{scheme}://{data['host']}{base_path}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[{}<>\s]", url):
        return ""
    return url.rstrip("/")


class _SchemaConverter:
    """OpenAPI schema objects → self-contained JSON Schema 2020-12, `$ref`s inlined."""

    def __init__(self, document: dict):
        self.document = document
        self._done: dict[str, object] = {}  # converted targets of refs that met no cycle
        self._cycles = 0

    def resolve(self, ref: str):
        """The value a local `$ref` points at, or None."""
        if not ref.startswith("#"):
            return None
        node = self.document
        for token in pointer_tokens(ref[1:]):
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return None
        return node

    def deref(self, node, seen: tuple = ()):
        """Follow `$ref` chains of a parameter or request body (not a schema) to the object."""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
            seen = (*seen, node["$ref"])
            node = self.resolve(node["$ref"])
        return node if isinstance(node, dict) else None

    def convert(self, node, stack: tuple = (), *, request: bool = True) -> object:
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            return {}
        if len(stack) > MAX_INLINE_DEPTH:
            return {"description": "(nested too deeply to inline)"}
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = self._inline(ref, stack, request=request)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if not siblings:
                return target
            rest = self.convert(siblings, (*stack, ""), request=request)
            if isinstance(rest, dict) and set(rest) <= {"description", "title", "summary"} and isinstance(target, dict):
                return {**target, **rest}
            return {"allOf": [target], **rest} if isinstance(rest, dict) else target
        out: dict = {}
        for key, value in node.items():
            if key in _DROPPED_KEYWORDS or key.startswith("x-"):
                continue
            if key in _ONE_SCHEMA and isinstance(value, dict | bool):
                out[key] = self.convert(value, (*stack, ""), request=request)
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                out[key] = [self.convert(item, (*stack, ""), request=request) for item in value]
            elif key in _SCHEMA_MAPS and isinstance(value, dict):
                converted = {}
                for name, sub in value.items():
                    if key == "properties" and request and isinstance(sub, dict) and self._read_only(sub):
                        continue
                    converted[name] = self.convert(sub, (*stack, ""), request=request)
                out[key] = converted
            elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
                bound = "minimum" if key == "exclusiveMinimum" else "maximum"
                if value and isinstance(node.get(bound), int | float):
                    out[key] = node[bound]
            elif key in ("minimum", "maximum") and node.get(f"exclusive{key.title()}") is True:
                continue
            else:
                out[key] = value
        if "example" in node and "examples" not in node:
            out["examples"] = [node["example"]]
        if isinstance(out.get("properties"), dict) and isinstance(out.get("required"), list):
            out["required"] = [name for name in out["required"] if name in out["properties"]]
            if not out["required"]:
                del out["required"]
        if node.get("nullable") is True:
            out = _nullable(out)
        return out

    def _read_only(self, schema: dict) -> bool:
        target = self.deref(schema) if "$ref" in schema else schema
        return bool(target and target.get("readOnly") is True)

    def _inline(self, ref: str, stack: tuple, *, request: bool):
        if ref in stack:
            self._cycles += 1
            return {"description": f"(recursive: the same shape as {ref.rsplit('/', 1)[-1]})"}
        key = f"{request}{ref}"
        if key in self._done:
            return self._done[key]
        target = self.resolve(ref)
        if target is None:
            return {"description": f"(unresolved reference {ref})"}
        cycles = self._cycles
        converted = self.convert(target, (*stack, ref), request=request)
        if self._cycles == cycles:  # a result that met no cycle is the same wherever it is inlined
            self._done[key] = converted
        return converted


def _nullable(schema: dict) -> dict:
    """OpenAPI 3.0 `nullable: true` as JSON Schema: null joins the type (and the enum)."""
    kind = schema.get("type")
    if isinstance(kind, str):
        schema = {**schema, "type": [kind, "null"]}
    elif isinstance(kind, list):
        schema = {**schema, "type": kind if "null" in kind else [*kind, "null"]}
    elif "enum" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    return schema


def _json_media_type(content: dict) -> str:
    for media_type in content:
        base = str(media_type).split(";")[0].strip().lower()
        if base == "application/json" or base.endswith("+json"):
            return str(media_type)
    return ""


def _parameters(converter: _SchemaConverter, item: dict, op: dict, notes: list[str], label: str) -> list[dict]:
    """The operation's parameters, path-item ones first, an operation's one replacing a path
    item's of the same name and location."""
    merged: dict[tuple, dict] = {}
    for source in (item.get("parameters"), op.get("parameters")):
        for raw in source if isinstance(source, list) else []:
            param = converter.deref(raw)
            if (
                not param
                or not isinstance(param.get("name"), str)
                or param.get("in")
                not in (
                    "path",
                    "query",
                    "header",
                    "cookie",
                )
            ):
                notes.append(f"{label}: a parameter that is not a usable Parameter Object was skipped.")
                continue
            merged[(param["name"], param["in"])] = param
    return list(merged.values())


def _operation_tool(converter: _SchemaConverter, method: str, path: str, item: dict, op: dict, ctx: dict) -> Tool:
    label = f"{method.upper()} {path}"
    notes: list[str] = ctx["notes"]
    properties: dict[str, object] = {}
    required: list[str] = []
    arguments: list[ToolArgument] = []
    for param in _parameters(converter, item, op, notes, label):
        location, wire = param["in"], param["name"]
        if location == "cookie":
            notes.append(f"{label}: cookie parameter `{wire}` is not sent (MCP tools have no cookies).")
            continue
        if location == "header" and wire.lower() in IGNORED_HEADERS:
            continue
        schema_node = param.get("schema")
        if schema_node is None and isinstance(param.get("content"), dict) and param["content"]:
            first = next(iter(param["content"].values()))
            schema_node = first.get("schema") if isinstance(first, dict) else None
        schema = converter.convert(schema_node if schema_node is not None else {})
        if isinstance(schema, dict) and isinstance(param.get("description"), str) and "description" not in schema:
            schema = {**schema, "description": param["description"]}
        argument = wire if wire not in properties else f"{wire}__{location}"
        properties[argument] = schema
        if location == "path" or param.get("required") is True:
            required.append(argument)
        style = param.get("style") if isinstance(param.get("style"), str) else ""
        explode = param["explode"] if isinstance(param.get("explode"), bool) else style in ("", "form")
        arguments.append(ToolArgument(argument, location, wire, style, explode))
    body_media_type = ""
    body = converter.deref(op.get("requestBody")) if op.get("requestBody") is not None else None
    if body and isinstance(body.get("content"), dict) and body["content"]:
        content = body["content"]
        body_media_type = _json_media_type(content) or next(
            (str(m) for m in content if str(m).lower().startswith("application/x-www-form-urlencoded")), ""
        )
        if body_media_type:
            media = content[body_media_type]
            schema = converter.convert(media.get("schema", {}) if isinstance(media, dict) else {})
        else:
            body_media_type = str(next(iter(content)))
            schema = {"type": "string", "description": f"The request body as {body_media_type} text."}
        argument = next(name for name in ("body", "requestBody", "request_body__") if name not in properties)
        if isinstance(schema, dict) and isinstance(body.get("description"), str) and "description" not in schema:
            schema = {**schema, "description": body["description"]}
        properties[argument] = schema
        if body.get("required") is True:
            required.append(argument)
        arguments.append(ToolArgument(argument, "body", ""))
    input_schema: dict = {"type": "object", "properties": properties}
    if required:
        input_schema["required"] = required
    input_schema["additionalProperties"] = False
    operation_id = op.get("operationId") if isinstance(op.get("operationId"), str) else ""
    summary = op.get("summary") if isinstance(op.get("summary"), str) else ""
    description = op.get("description") if isinstance(op.get("description"), str) else ""
    text = "\n\n".join(part for part in dict.fromkeys((summary.strip(), description.strip())) if part)
    raw = op.get("x-openai-isConsequential")
    raw = raw if isinstance(raw, bool) else None
    return Tool(
        name=tool_name(operation_id or f"{method}_{path}", ctx["used"]),
        title=summary.strip() or operation_id or label,
        description=text or label,
        input_schema=input_schema,
        method=method.upper(),
        path=path,
        arguments=arguments,
        body_media_type=body_media_type,
        consequential=raw if raw is not None else method != "get",
        consequential_raw=raw,
        operation_id=operation_id,
    )


def action_tools(schema_text: str, used_names: set[str]) -> ActionTools:
    """The tools of one action's schema. `used_names` collects the names across actions."""
    parsed = parse_schema(schema_text)
    data = parsed.data
    if not isinstance(data, dict):
        reason = parsed.findings[0].message if parsed.findings else "it is not an OpenAPI object"
        return ActionTools(base_url="", notes=[f"The schema could not be read, so no tools: {reason}"])
    result = ActionTools(base_url=base_url(data))
    converter = _SchemaConverter(data)
    ctx = {"notes": result.notes, "used": used_names}
    paths = data.get("paths")
    for path, item in paths.items() if isinstance(paths, dict) else ():
        item = converter.deref(item)
        if not isinstance(path, str) or not item:
            continue
        for method, op in item.items():
            lower = method.lower() if isinstance(method, str) else ""
            if lower in SUPPORTED_METHODS and isinstance(op, dict):
                result.tools.append(_operation_tool(converter, lower, path, item, op, ctx))
    if not result.tools:
        result.notes.append("The schema has no operations (GET, POST, PUT, PATCH or DELETE under `paths`).")
    return result


def tool_annotations(tool: Tool, *, changes_public_state: bool) -> dict:
    """MCP's four hints, all explicit, from the method and x-openai-isConsequential (MIGRATION.md
    §3.3's table, an inference): a consequential GET is treated as a write so that ChatGPT asks
    first; any other consequential operation (POST's default) as destructive. openWorldHint is
    the action's "changes third-party or public state" flag, false for a plain read."""
    method, consequential = tool.method, tool.consequential
    if method == "GET":
        read_only, destructive, idempotent = not consequential, False, True
    elif method in ("PUT", "DELETE"):
        read_only, destructive, idempotent = False, True, True
    else:  # POST, PATCH
        read_only, destructive, idempotent = False, consequential, False
    return {
        "readOnlyHint": read_only,
        "destructiveHint": destructive,
        "idempotentHint": idempotent,
        "openWorldHint": False if read_only else changes_public_state,
    }

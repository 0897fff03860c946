"""An action's OpenAPI operations as tools: a name, a title, a description, one JSON Schema
(2020-12) of the arguments, and how each argument travels in the HTTP request. The one
derivation shared by every consumer: the `mcp-server` and `openai-tools` export targets, the
operation runner (test calls) and the hosted MCP endpoint, so a tool has the same name and the
same arguments everywhere (MIGRATION.md §3.2, §4).

One tool per operation (GET, POST, PUT, PATCH, DELETE: what ChatGPT calls), in document order,
from the schema engine's own operation list. The arguments are one object:
- path, query and header parameters under their own names (path-level parameters overridden by
  the operation's own, as in OpenAPI), path first, then query, then header; a name used in two
  locations keeps it in the first and becomes `<name>__<location>` in the others. Cookie
  parameters are left out (ChatGPT never sent them either) with a finding; `Accept`,
  `Content-Type` and `Authorization` header parameters too (OpenAPI ignores them: the transport
  and the stored auth set them).
- the request body, always under `body` (never flattened: one rule, no clash to resolve; a
  parameter named `body` becomes `body__<location>`). A JSON or form body keeps its schema; any
  other media type is one string.
Schemas become plain JSON Schema: local `$ref`s inlined (a reference back into itself is cut
after one level, a remote one is never followed: both with a finding), OpenAPI 3.0 `nullable`
into a type union, 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` into numbers, `example`
into `examples`, `readOnly` properties dropped from request bodies, and OpenAPI-only keywords
(`discriminator`, `xml`, `x-…`) left out. Conversion never raises.

Tool names: the operationId (or `method_path`) with anything outside `A-Za-z0-9_-` replaced,
at most 64 characters (OpenAI's limit, stricter than MCP's 128; a longer name keeps 57
characters and a hash of the whole), unique across the caller's `used_names` in document order
(`_2`, `_3`, ...).

A tool also says what would stop it from being *called* (`problems`): no usable server URL
(unless the caller has a base URL of its own), a parameter or request body that cannot be
resolved, a path placeholder without its parameter. ChatGPT-only findings (https-only, the
operation count, description lengths) are not problems here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from actions.schema import parse_schema
from actions.schema.rules import ActionCheck, LocalRefs, collect_operations, local_pointer
from gptstudio.findings import Finding, Severity, make_finding
from gptstudio.findings import register as register_rule

TOOL_NAME_MAX_LENGTH = 64
TOOL_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
BODY_ARGUMENT = "body"
LOCATIONS = ("path", "query", "header")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
# Header parameters OpenAPI says are ignored (the transport or the auth sets them).
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
# Inlining a schema that references the same big components again and again can grow without
# bound (GitHub's spec); past this many nodes per tool the rest of the schema is cut, with a finding.
SCHEMA_NODE_BUDGET = 20_000
OPENAPI_ONLY_KEYS = frozenset(
    {"nullable", "readOnly", "writeOnly", "discriminator", "xml", "externalDocs", "example", "deprecated"}
)
SCHEMA_MAP_KEYS = frozenset({"properties", "patternProperties", "dependentSchemas"})
# A dynamic (recursive) reference cannot be inlined: it is left open, with a finding.
DYNAMIC_REFS = frozenset({"$recursiveRef", "$dynamicRef"})
SCHEMA_KEYS = frozenset(
    {"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "additionalItems"}
    | {"unevaluatedProperties", "unevaluatedItems", "contentSchema"}
)
SCHEMA_LIST_KEYS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_JSON_MEDIA = re.compile(r"^application/([\w.+-]*\+)?json\b", re.IGNORECASE)
_FORM_MEDIA = "application/x-www-form-urlencoded"
_PLACEHOLDER = re.compile(r"{([^{}]+)}")

_TOOLS_RULE = {"source": "MIGRATION.md §4 (function tools; export mapping)", "confidence": "confirmed"}
register_rule(
    "export.tools.recursive_schema",
    Severity.WARNING,
    "A schema refers back to itself; the tool's copy stops there",
    chatgpt_behaviour="Tool parameters are inlined JSON Schema; a recursive reference is cut where it repeats.",
    **_TOOLS_RULE,
    fix="Check the tool's arguments where the schema repeats, or flatten the recursion.",
)
register_rule(
    "export.tools.unresolved_ref",
    Severity.WARNING,
    "A $ref could not be inlined (remote, dynamic, or pointing nowhere)",
    chatgpt_behaviour="Remote references are never fetched; the argument accepts any value instead.",
    **_TOOLS_RULE,
    fix="Point the `$ref` at a component in this schema.",
)
register_rule(
    "export.tools.schema_cut",
    Severity.WARNING,
    "A tool's argument schema was too large to inline whole",
    chatgpt_behaviour="Past 20,000 schema nodes per tool, the rest is left open (any value).",
    **_TOOLS_RULE,
    fix="Reduce the operation's argument schema.",
)
register_rule(
    "export.tools.cookie_parameter",
    Severity.INFO,
    "A cookie parameter was left out of the tool",
    chatgpt_behaviour="GPT actions never sent cookie parameters; the tool leaves them out too.",
    **_TOOLS_RULE,
    fix="Send the value another way (a query parameter or the authentication) if the API needs it.",
)
register_rule(
    "export.tools.name_changed",
    Severity.INFO,
    "A tool name differs from the operationId",
    chatgpt_behaviour="Tool names allow only A-Z a-z 0-9 _ - and 64 characters, unique across the GPT.",
    **_TOOLS_RULE,
    fix="Use the tool's new name where you call it, or rename the operationId.",
)
register_rule(
    "export.tools.unusable_schema",
    Severity.WARNING,
    "An action's schema could not be read, so it gives no tools",
    chatgpt_behaviour="Only a parsed OpenAPI document has operations to export.",
    **_TOOLS_RULE,
    fix="Fix the action's schema so it parses, then export again.",
)


@dataclass(frozen=True)
class ToolArgument:
    """How one parameter argument of a tool travels in the HTTP request (the body is `Tool.body`)."""

    argument: str  # the key in the tool's arguments
    location: str  # path | query | header
    name: str  # the parameter's name in the request
    required: bool
    style: str = ""  # OpenAPI serialisation style ("" = the location's default)
    explode: bool = True


@dataclass(frozen=True)
class ToolBody:
    argument: str
    content_type: str  # the media type sent (JSON, form, or another sent as the given text)
    required: bool

    def as_dict(self) -> dict:
        return {"argument": self.argument, "content_type": self.content_type, "required": self.required}


@dataclass
class Tool:
    name: str
    title: str
    description: str
    input_schema: dict  # JSON Schema (object) of the arguments
    method: str  # upper case
    path: str  # the path template, e.g. /pets/{id}
    operation_id: str
    consequential: bool  # effective x-openai-isConsequential (absent: GET false, others true)
    consequential_raw: bool | None  # the schema's own value, None when absent (kept for reviewers)
    arguments: list[ToolArgument] = field(default_factory=list)
    body: ToolBody | None = None
    problems: list[str] = field(default_factory=list)  # why the operation cannot be called ([] = it can)

    @property
    def consequential_explicit(self) -> bool:
        return self.consequential_raw is not None


@dataclass
class ActionTools:
    """The tools of one action, with where its API lives and what the conversion had to say."""

    base_url: str  # the first server, variables at their defaults, no trailing slash; "" when not absolute
    tools: list[Tool] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True  # False when the schema could not be parsed at all

    @property
    def notes(self) -> list[str]:
        """The findings as plain sentences (for READMEs)."""
        return [finding.message for finding in self.findings]


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
    basePath), without a trailing slash; "" when it is missing or relative."""
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
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[{}<>\s]", url):
        return ""
    return url.rstrip("/")


class SchemaConverter:
    """OpenAPI schema objects → plain JSON Schema with local references inlined (see module doc)."""

    def __init__(self, data: dict, findings: list[Finding], pointer_prefix: str):
        self.refs = LocalRefs(data)
        self.findings = findings
        self.prefix = pointer_prefix  # where the action's schema sits in the caller's document
        self.budget = SCHEMA_NODE_BUDGET
        self._reported: set[tuple[str, str]] = set()
        # Converted targets of references that met no cycle and no cut: the same wherever inlined.
        self._done: dict[tuple[str, bool], tuple[object, int]] = {}
        self._tainted = 0  # cycles and cuts met so far (a result that met one is not reused)

    def start_tool(self) -> None:
        self.budget = SCHEMA_NODE_BUDGET

    def _report(self, code: str, key: str, message: str) -> None:
        if (code, key) not in self._reported:
            self._reported.add((code, key))
            self.findings.append(make_finding(code, message, pointer=self.prefix))

    def resolve(self, node, pointer: str):
        """(node, pointer) with local references followed, or (None, ref) for one that cannot be."""
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                return None, ref
            seen.add(ref)
            target = self.refs.resolve(ref)
            if target is None:
                return None, ref
            node, pointer = target, local_pointer(ref) or pointer
        return node, pointer

    def convert(self, node, pointer: str, *, drop_read_only: bool = False, stack: tuple = ()) -> dict | bool:
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            return {}
        self.budget -= 1
        if self.budget < 0:
            self._tainted += 1
            self._report(
                "export.tools.schema_cut",
                pointer,
                f"The schema at {pointer} is too large to inline in one tool; from there on an argument "
                "accepts any value.",
            )
            return {}
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = self._inline(ref, pointer, drop_read_only=drop_read_only, stack=stack)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if not siblings:
                return target
            rest = self.convert(siblings, pointer, drop_read_only=drop_read_only, stack=stack)
            if isinstance(rest, dict) and set(rest) <= {"description", "title"} and isinstance(target, dict):
                return {**target, **rest}
            return {"allOf": [target], **rest} if isinstance(rest, dict) else target
        out: dict = {}
        for key, value in node.items():
            if key in DYNAMIC_REFS:
                self._report(
                    "export.tools.unresolved_ref",
                    f"{pointer}/{key}",
                    f"The {key} at {pointer} cannot be inlined; the argument accepts any value there.",
                )
            if not isinstance(key, str) or key.startswith(("x-", "$")) or key in OPENAPI_ONLY_KEYS:
                continue
            if key == "definitions":
                continue
            if key in SCHEMA_MAP_KEYS and isinstance(value, dict):
                out[key] = {
                    name: self.convert(sub, f"{pointer}/{key}/{name}", drop_read_only=drop_read_only, stack=stack)
                    for name, sub in value.items()
                    if not (key == "properties" and drop_read_only and self._read_only(sub, pointer))
                }
            elif key in SCHEMA_KEYS and isinstance(value, dict | bool):
                out[key] = self.convert(value, f"{pointer}/{key}", drop_read_only=drop_read_only, stack=stack)
            elif key in SCHEMA_LIST_KEYS and isinstance(value, list):
                out[key] = [
                    self.convert(sub, f"{pointer}/{key}/{i}", drop_read_only=drop_read_only, stack=stack)
                    for i, sub in enumerate(value)
                ]
            elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
                bound = "minimum" if key == "exclusiveMinimum" else "maximum"
                if value and isinstance(node.get(bound), int | float):
                    out[key] = node[bound]
            else:
                out[key] = value
        for key in ("exclusiveMinimum", "exclusiveMaximum"):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if node.get(key) is True and bound in out:
                del out[bound]
        if "example" in node and "examples" not in node:
            out["examples"] = [node["example"]]
        if isinstance(out.get("required"), list):
            # Names only (a schema may list anything there: numbers, objects), and only declared
            # ones when the schema declares its properties.
            properties = out.get("properties")
            out["required"] = [
                name
                for name in out["required"]
                if isinstance(name, str) and (not isinstance(properties, dict) or name in properties)
            ]
            if not out["required"]:
                del out["required"]
        if node.get("nullable") is True:
            out = _nullable(out)
        return out

    def _inline(self, ref: str, pointer: str, *, drop_read_only: bool, stack: tuple):
        if ref in stack:
            self._tainted += 1
            self._report(
                "export.tools.recursive_schema",
                ref,
                f"{ref} refers back to itself; the tool's schema stops repeating it after one level.",
            )
            return {"description": f"(recursive: the same shape as {ref.rsplit('/', 1)[-1]})"}
        key = (ref, drop_read_only)
        if key in self._done:
            converted, nodes = self._done[key]
            if nodes <= self.budget:
                self.budget -= nodes
                return converted
        target = self.refs.resolve(ref)
        if target is None:
            self._report(
                "export.tools.unresolved_ref",
                ref,
                f"{ref} is {'not a local reference' if not ref.startswith('#') else 'not in the schema'}; "
                "the argument accepts any value there.",
            )
            return {}
        tainted, budget = self._tainted, self.budget
        converted = self.convert(
            target, local_pointer(ref) or pointer, drop_read_only=drop_read_only, stack=(*stack, ref)
        )
        if self._tainted == tainted:
            self._done[key] = (converted, budget - self.budget)
        return converted

    def _read_only(self, node, pointer: str) -> bool:
        resolved, _ = self.resolve(node, pointer)
        return isinstance(resolved, dict) and resolved.get("readOnly") is True


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


def _parameters(converter: SchemaConverter, op, label: str, problems: list[str]) -> list[tuple[dict, str]]:
    """The operation's parameters (dereferenced), path-level ones overridden by its own, in the
    order path, query, header."""
    merged: dict[tuple, tuple[dict, str]] = {}
    for holder, holder_pointer in ((op.item, op.item_pointer), (op.node, op.pointer)):
        entries = holder.get("parameters")
        if not isinstance(entries, list):
            continue
        for i, entry in enumerate(entries):
            parameter, pointer = converter.resolve(entry, f"{holder_pointer}/parameters/{i}")
            if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
                problems.append(f"a parameter of {label} ({pointer}) cannot be resolved")
                continue
            merged[(parameter["name"], parameter.get("in"))] = (parameter, pointer)
    kept = []
    for parameter, pointer in merged.values():
        location = parameter.get("in")
        if location == "cookie":
            converter.findings.append(
                make_finding(
                    "export.tools.cookie_parameter",
                    f"The cookie parameter `{parameter['name']}` of {label} is not an argument of its tool.",
                    pointer=converter.prefix,
                )
            )
        elif location == "header" and parameter["name"].lower() in IGNORED_HEADERS:
            continue
        elif location in LOCATIONS:
            kept.append((parameter, pointer))
        else:
            problems.append(f"the parameter “{parameter['name']}” of {label} has no valid location (`in`)")
    order = {location: n for n, location in enumerate(LOCATIONS)}
    return sorted(kept, key=lambda entry: order[entry[0]["in"]])


def _parameter_schema(converter: SchemaConverter, parameter: dict, pointer: str) -> dict:
    schema = parameter.get("schema")
    if schema is None and isinstance(parameter.get("content"), dict) and parameter["content"]:
        _media, entry = next(iter(parameter["content"].items()))
        schema = entry.get("schema") if isinstance(entry, dict) else None
    converted = converter.convert(schema, f"{pointer}/schema") if schema is not None else {"type": "string"}
    converted = converted if isinstance(converted, dict) else {}
    if isinstance(parameter.get("description"), str) and "description" not in converted:
        converted = {**converted, "description": parameter["description"]}
    return converted


def _body(converter: SchemaConverter, op, label: str, problems: list[str]) -> tuple[dict, ToolBody] | None:
    """(the converted body schema, how it is sent) of the operation's request body."""
    raw = op.node.get("requestBody")
    if raw is None:
        return None
    body, pointer = converter.resolve(raw, f"{op.pointer}/requestBody")
    if body is None:
        problems.append(f"the request body of {label} ({pointer}) cannot be resolved")
        return None
    if not isinstance(body, dict) or not isinstance(body.get("content"), dict) or not body["content"]:
        return None
    content = body["content"]
    media = next((str(m) for m in content if _JSON_MEDIA.match(str(m))), "") or next(
        (str(m) for m in content if str(m).lower().startswith(_FORM_MEDIA)), ""
    )
    if media:
        entry = content[media]
        schema = entry.get("schema") if isinstance(entry, dict) else None
        converted = converter.convert(schema, f"{pointer}/content", drop_read_only=True) if schema is not None else {}
        converted = converted if isinstance(converted, dict) else {}
    else:
        media = str(next(iter(content)))
        converted = {"type": "string", "description": f"The request body as {media} text."}
    if isinstance(body.get("description"), str) and "description" not in converted:
        converted = {**converted, "description": body["description"]}
    return converted, ToolBody(BODY_ARGUMENT, media, body.get("required") is True)


def _tool(converter: SchemaConverter, op, name: str) -> Tool:
    label = f"{op.method.upper()} {op.path}"
    problems: list[str] = []
    properties: dict = {}
    required: list[str] = []
    arguments: list[ToolArgument] = []
    for parameter, pointer in _parameters(converter, op, label, problems):
        location = parameter["in"]
        argument = parameter["name"]
        if argument in properties or argument == BODY_ARGUMENT:
            argument = f"{argument}__{location}"
        is_required = location == "path" or parameter.get("required") is True
        properties[argument] = _parameter_schema(converter, parameter, pointer)
        style = parameter.get("style") if isinstance(parameter.get("style"), str) else ""
        explode = parameter["explode"] if isinstance(parameter.get("explode"), bool) else style in ("", "form")
        arguments.append(ToolArgument(argument, location, parameter["name"], is_required, style, explode))
        if is_required:
            required.append(argument)
    declared = {a.name for a in arguments if a.location == "path"}
    for placeholder in _PLACEHOLDER.findall(op.path):
        if placeholder not in declared:
            problems.append(f"the path placeholder {{{placeholder}}} of {label} has no path parameter")
    body = None
    if (converted := _body(converter, op, label, problems)) is not None:
        properties[BODY_ARGUMENT], body = converted
        if body.required:
            required.append(BODY_ARGUMENT)
    input_schema: dict = {"type": "object", "properties": properties}
    if required:
        input_schema["required"] = required
    input_schema["additionalProperties"] = False
    node = op.node
    operation_id = node.get("operationId") if isinstance(node.get("operationId"), str) else ""
    summary = node.get("summary").strip() if isinstance(node.get("summary"), str) else ""
    description = node.get("description").strip() if isinstance(node.get("description"), str) else ""
    raw = node.get("x-openai-isConsequential")
    raw = raw if isinstance(raw, bool) else None
    return Tool(
        name=name,
        title=summary or operation_id or label,
        description="\n\n".join(part for part in dict.fromkeys((summary, description)) if part) or label,
        input_schema=input_schema,
        method=op.method.upper(),
        path=op.path,
        operation_id=operation_id,
        consequential=raw if raw is not None else op.method != "get",
        consequential_raw=raw,
        arguments=arguments,
        body=body,
        problems=problems,
    )


def action_tools(schema_text, used_names: set[str], *, pointer_prefix: str = "", label: str = "") -> ActionTools:
    """The tools of one action's schema (text). `used_names` collects the names across actions;
    findings point at `pointer_prefix` (where the schema sits in the caller's document) and name
    the action as `label`."""
    parsed = parse_schema(schema_text)
    data = parsed.data
    if not isinstance(data, dict):
        reason = parsed.findings[0].message if parsed.findings else "it is not an OpenAPI object"
        finding = make_finding(
            "export.tools.unusable_schema",
            f"The schema{f' of “{label}”' if label else ''} could not be read, so it gives no tools: {reason}",
            pointer=pointer_prefix,
        )
        return ActionTools(base_url="", findings=[finding], readable=False)
    result = ActionTools(base_url=base_url(data))
    converter = SchemaConverter(data, result.findings, pointer_prefix)
    renamed: list[str] = []
    for op in collect_operations(data, ActionCheck()):
        converter.start_tool()
        operation_id = op.node.get("operationId") if isinstance(op.node.get("operationId"), str) else ""
        name = tool_name(operation_id or f"{op.method}_{op.path}", used_names)
        if name != operation_id:
            renamed.append(f"“{operation_id or f'{op.method.upper()} {op.path}'}” → “{name}”")
        result.tools.append(_tool(converter, op, name))
    if renamed:
        shown = "; ".join(renamed[:RENAMES_SHOWN]) + (
            f"; and {len(renamed) - RENAMES_SHOWN} more" if len(renamed) > RENAMES_SHOWN else ""
        )
        result.findings.append(
            make_finding(
                "export.tools.name_changed",
                f"{len(renamed)} operation(s){f' of “{label}”' if label else ''} have another tool name: {shown}.",
                pointer=pointer_prefix,
            )
        )
    return result


RENAMES_SHOWN = 5  # renamed operations named in the finding; the rest are counted


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

"""Every operation of a GPT's actions as a callable tool: a name, a JSON Schema of its arguments,
and where each argument goes in the HTTP request. Shared by the bridge targets that turn actions
into tools (`openai-tools`; the `mcp-server` target can read the same `ToolSpec`s).

The operations come from the schema engine (`actions.schema`: one parse, the same operation list
and server URL the validator reports). The arguments are one object:
- path, query and header parameters under their own names (path-level parameters overridden by
  the operation's own, as in OpenAPI); a name used in two locations keeps it in the first of
  path, query, header and becomes `<name>__<location>` in the others; cookie parameters are left
  out (ChatGPT never sent them either) with a finding;
- the request body, always under `body` (never flattened: one rule, no clash to resolve, and the
  dispatcher sends `body` as is). A parameter named `body` becomes `body__<location>`.
Schemas are turned from OpenAPI into plain JSON Schema: local `$ref`s inlined (a reference back
into itself is cut, with a finding; a remote one is never followed), OpenAPI 3.0 `nullable` into a
type union, 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` into numbers, `readOnly`
properties dropped from request bodies, and OpenAPI-only keywords (`discriminator`, `xml`,
`example`, `x-…`) left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from actions.schema import parse_and_validate_schema
from actions.schema.rules import ActionCheck, LocalRefs, collect_operations, local_pointer
from gptstudio.findings import Finding, Severity, make_finding
from gptstudio.findings import register as register_rule

from .paste_plan import action_slugs

TOOL_NAME_MAX = 64
TOOL_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
BODY_ARGUMENT = "body"
RENAMES_SHOWN = 5  # renamed operations named in the finding; the rest are counted
LOCATIONS = ("path", "query", "header")
# Inlining a schema that references the same big components again and again can grow without
# bound (GitHub's spec); past this many nodes per tool the rest of the schema is cut, with a finding.
SCHEMA_NODE_BUDGET = 20_000
OPENAPI_ONLY_KEYS = frozenset(
    {"nullable", "readOnly", "writeOnly", "discriminator", "xml", "externalDocs", "example", "deprecated"}
)
SCHEMA_MAP_KEYS = frozenset({"properties", "patternProperties", "dependentSchemas"})
# Definitions exist only to be referenced, and references are inlined; ids and anchors would then
# point at copies. A dynamic (recursive) reference cannot be inlined: it is left open, with a finding.
DYNAMIC_REFS = frozenset({"$recursiveRef", "$dynamicRef"})
SCHEMA_KEYS = frozenset(
    {"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "additionalItems"}
)
SCHEMA_LIST_KEYS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})

_TOOLS_RULE = {"source": "MIGRATION.md §4 (function tools; export mapping)", "confidence": "confirmed"}
register_rule(
    "export.tools.recursive_schema",
    Severity.WARNING,
    "A schema refers back to itself; the tool's copy stops there",
    chatgpt_behaviour="Tool parameters are inlined JSON Schema; a recursive reference is cut where it repeats.",
    **_TOOLS_RULE,
)
register_rule(
    "export.tools.unresolved_ref",
    Severity.WARNING,
    "A $ref could not be inlined (remote, dynamic, or pointing nowhere)",
    chatgpt_behaviour="Remote references are never fetched; the argument accepts any value instead.",
    **_TOOLS_RULE,
)
register_rule(
    "export.tools.schema_cut",
    Severity.WARNING,
    "A tool's argument schema was too large to inline whole",
    chatgpt_behaviour="Past 20,000 schema nodes per tool, the rest is left open (any value).",
    **_TOOLS_RULE,
)
register_rule(
    "export.tools.cookie_parameter",
    Severity.INFO,
    "A cookie parameter was left out of the tool",
    chatgpt_behaviour="GPT actions never sent cookie parameters; the tool leaves them out too.",
    **_TOOLS_RULE,
)
register_rule(
    "export.tools.name_changed",
    Severity.INFO,
    "A tool name differs from the operationId",
    chatgpt_behaviour="Tool names allow only A-Z a-z 0-9 _ - and 64 characters, unique across the GPT.",
    **_TOOLS_RULE,
)
register_rule(
    "export.tools.unusable_schema",
    Severity.WARNING,
    "An action's schema could not be read, so it gives no tools",
    chatgpt_behaviour="Only a parsed OpenAPI document has operations to export.",
    **_TOOLS_RULE,
)


@dataclass(frozen=True)
class ToolArgument:
    argument: str  # the key in the tool's arguments
    location: str  # path | query | header
    name: str  # the parameter's name in the request
    required: bool


@dataclass
class ToolSpec:
    name: str
    description: str
    action: str  # the action's name
    action_slug: str
    method: str  # upper case
    path: str  # the path template, e.g. /pets/{id}
    server_url: str
    operation_id: str
    consequential: bool  # effective x-openai-isConsequential
    consequential_explicit: bool
    parameters: dict  # JSON Schema (object) of the arguments
    arguments: list[ToolArgument] = field(default_factory=list)
    body: dict | None = None  # {"argument", "content_type", "required"} when the operation takes a body


@dataclass
class ActionTools:
    action: dict  # the action's part of the GPT document
    slug: str
    server_url: str
    tools: list[ToolSpec]


def _sanitised_name(operation_id: str, method: str, path: str) -> str:
    base = operation_id or f"{method}_{path}"
    return re.sub(r"[^A-Za-z0-9_-]+", "_", base).strip("_")[:TOOL_NAME_MAX] or method


def unique_tool_name(base: str, taken: set[str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"_{n}"
        candidate = base[: TOOL_NAME_MAX - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


class SchemaConverter:
    """OpenAPI schema objects → plain JSON Schema with local references inlined (see module doc)."""

    def __init__(self, data: dict, findings: list[Finding], pointer_prefix: str):
        self.refs = LocalRefs(data)
        self.findings = findings
        self.prefix = pointer_prefix  # where the action's schema sits in the GPT document
        self.budget = SCHEMA_NODE_BUDGET
        self._reported: set[tuple[str, str]] = set()

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
            self._report(
                "export.tools.schema_cut",
                pointer,
                f"The schema at {pointer} is too large to inline in one tool; from there on an argument "
                "accepts any value.",
            )
            return {}
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in stack:
                self._report(
                    "export.tools.recursive_schema",
                    ref,
                    f"{ref} refers back to itself; the tool's schema stops repeating it after one level.",
                )
                return {"description": f"(recursive: the same shape as {ref.rsplit('/', 1)[-1]})"}
            target = self.refs.resolve(ref)
            if target is None:
                self._report(
                    "export.tools.unresolved_ref",
                    ref,
                    f"{ref} is {'not a local reference' if not ref.startswith('#') else 'not in the schema'}; "
                    "the argument accepts any value there.",
                )
                return {}
            target_pointer = local_pointer(ref) or pointer
            return self.convert(target, target_pointer, drop_read_only=drop_read_only, stack=(*stack, ref))
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
                if value and bound in node:
                    out[key] = node[bound]
            else:
                out[key] = value
        for key in ("exclusiveMinimum", "exclusiveMaximum"):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if node.get(key) is True and bound in out:
                del out[bound]
        if drop_read_only and isinstance(out.get("required"), list) and isinstance(out.get("properties"), dict):
            out["required"] = [name for name in out["required"] if name in out["properties"]]
        if node.get("nullable") is True:
            _make_nullable(out)
        return out

    def _read_only(self, node, pointer: str) -> bool:
        resolved, _ = self.resolve(node, pointer)
        return isinstance(resolved, dict) and resolved.get("readOnly") is True


def _make_nullable(schema: dict) -> None:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        schema["type"] = [*kind, "null"]
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]


def _parameters(converter: SchemaConverter, op, findings: list[Finding], label: str) -> list[tuple[dict, str]]:
    """The operation's parameters (dereferenced), path-level ones overridden by its own."""
    merged: dict[tuple, tuple[dict, str]] = {}
    for holder, holder_pointer in ((op.item, op.item_pointer), (op.node, op.pointer)):
        entries = holder.get("parameters")
        if not isinstance(entries, list):
            continue
        for i, entry in enumerate(entries):
            parameter, pointer = converter.resolve(entry, f"{holder_pointer}/parameters/{i}")
            if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
                continue
            merged[(parameter["name"], parameter.get("in"))] = (parameter, pointer)
    kept = []
    for parameter, pointer in merged.values():
        if parameter.get("in") == "cookie":
            findings.append(
                make_finding(
                    "export.tools.cookie_parameter",
                    f"The cookie parameter “{parameter['name']}” of {label} is not an argument of its tool.",
                    pointer=converter.prefix,
                )
            )
        elif parameter.get("in") in LOCATIONS:
            kept.append((parameter, pointer))
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
        converted = {"description": parameter["description"], **converted}
    return converted


def _body(converter: SchemaConverter, op) -> tuple[dict, dict] | None:
    """(the converted body schema, {content_type, required}) of the operation's request body."""
    body, pointer = converter.resolve(op.node.get("requestBody"), f"{op.pointer}/requestBody")
    if not isinstance(body, dict) or not isinstance(body.get("content"), dict) or not body["content"]:
        return None
    content = body["content"]
    media = next((m for m in content if re.match(r"^application/([\w.+-]*\+)?json\b", str(m))), next(iter(content)))
    entry = content[media]
    schema = entry.get("schema") if isinstance(entry, dict) else None
    converted = converter.convert(schema, f"{pointer}/content", drop_read_only=True) if schema is not None else {}
    converted = converted if isinstance(converted, dict) else {}
    if isinstance(body.get("description"), str) and "description" not in converted:
        converted = {"description": body["description"], **converted}
    return converted, {"argument": BODY_ARGUMENT, "content_type": str(media), "required": body.get("required") is True}


def _tool(converter: SchemaConverter, op, operation, *, name: str, action: dict, slug: str, server_url: str, findings):
    label = f"{op.method.upper()} {op.path}"
    properties: dict = {}
    required: list[str] = []
    arguments: list[ToolArgument] = []
    for parameter, pointer in _parameters(converter, op, findings, label):
        location = parameter["in"]
        argument = parameter["name"]
        if argument in properties or argument == BODY_ARGUMENT:
            argument = f"{argument}__{location}"
        is_required = location == "path" or parameter.get("required") is True
        properties[argument] = _parameter_schema(converter, parameter, pointer)
        arguments.append(ToolArgument(argument, location, parameter["name"], is_required))
        if is_required:
            required.append(argument)
    body_spec = None
    if (body := _body(converter, op)) is not None:
        properties[BODY_ARGUMENT], body_spec = body
        if body_spec["required"]:
            required.append(BODY_ARGUMENT)
    parameters = {"type": "object", "properties": properties, "required": required, "additionalProperties": False}
    description = op.node.get("description") or op.node.get("summary") or ""
    return ToolSpec(
        name=name,
        description=description if isinstance(description, str) else "",
        action=action["name"],
        action_slug=slug,
        method=op.method.upper(),
        path=op.path,
        server_url=server_url,
        operation_id=operation.operation_id,
        consequential=operation.consequential,
        consequential_explicit=operation.consequential_explicit,
        parameters=parameters,
        arguments=arguments,
        body=body_spec,
    )


def gpt_tools(document: dict) -> tuple[list[ActionTools], list[Finding]]:
    """Every operation of every action of the document as a `ToolSpec`, names unique across the
    GPT (a clash gets `_2`, `_3` … in document order), with the conversion's findings."""
    findings: list[Finding] = []
    taken: set[str] = set()
    result = []
    for index, (action, slug) in enumerate(zip(document["actions"], action_slugs(document), strict=True)):
        prefix = f"/actions/{index}/schema"
        parsed, report = parse_and_validate_schema(action["schema"])
        if not isinstance(parsed.data, dict):
            findings.append(
                make_finding(
                    "export.tools.unusable_schema",
                    f"The schema of “{action['name']}” could not be parsed; it gives no tools.",
                    pointer=prefix,
                )
            )
            result.append(ActionTools(action, slug, "", []))
            continue
        converter = SchemaConverter(parsed.data, findings, prefix)
        ops = collect_operations(parsed.data, ActionCheck())
        tools = []
        renamed: list[str] = []
        for op, operation in zip(ops, report.operations, strict=True):
            converter.start_tool()
            base = _sanitised_name(operation.operation_id, op.method, op.path)
            name = unique_tool_name(base, taken)
            if name != operation.operation_id:
                renamed.append(f"“{operation.operation_id or f'{op.method.upper()} {op.path}'}” → “{name}”")
            tools.append(
                _tool(
                    converter,
                    op,
                    operation,
                    name=name,
                    action=action,
                    slug=slug,
                    server_url=report.server_url,
                    findings=findings,
                )
            )
        if renamed:
            shown = "; ".join(renamed[:RENAMES_SHOWN]) + (
                f"; and {len(renamed) - RENAMES_SHOWN} more" if len(renamed) > RENAMES_SHOWN else ""
            )
            findings.append(
                make_finding(
                    "export.tools.name_changed",
                    f"{len(renamed)} operation(s) of “{action['name']}” have another tool name: {shown} "
                    "(dispatch.json keeps each operationId).",
                    pointer=prefix,
                )
            )
        result.append(ActionTools(action, slug, report.server_url, tools))
    return result, findings

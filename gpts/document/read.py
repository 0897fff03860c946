"""Text → a document with findings: read the text within bounds (size, values, depth), parse it with
the schema engine's loader, and check it against the published JSON Schema and the format's own
rules. Never raises for bad input."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache

import jsonschema_rs
import yaml

from actions.domain import detect_schema_format
from actions.schema import ParsedSchema, parse_schema
from actions.schema.parsing import schema_max_bytes
from gpts.document.build import SECRET_PLACEHOLDER, with_field_defaults
from gpts.document_schema import DOCUMENT_FORMAT, build_document_schema
from gptstudio import limits
from gptstudio.findings import Finding, Severity, has_errors, make_finding, register

_STUDIO = {
    "chatgpt_behaviour": "Not a ChatGPT rule: GPT Studio's document format (DESIGN.md, the GPT document).",
    "source": "GPT Studio",
    "confidence": "confirmed",
}
register(
    "document.unreadable",
    Severity.ERROR,
    "The document is not valid JSON or YAML text",
    **_STUDIO,
    fix="Fix the JSON or YAML syntax at the line shown.",
)
register(
    "document.too_large",
    Severity.ERROR,
    "The document is larger than GPT Studio reads",
    **_STUDIO,
    fix="Upload a smaller document: leave out what the GPT does not need.",
)
register(
    "document.not_a_mapping",
    Severity.ERROR,
    "The document is not a mapping of keys to values",
    **_STUDIO,
    fix="Start the document with `format: gptstudio/gpt@1` and the GPT's fields.",
)
register(
    "document.wrong_format",
    Severity.ERROR,
    "The document is not a gptstudio/gpt@1 document",
    **_STUDIO,
    fix="Set `format: gptstudio/gpt@1`, or import the file as what it is.",
)
register(
    "document.schema",
    Severity.ERROR,
    "The document does not match the published JSON Schema",
    **_STUDIO,
    fix="Change the value at the pointer shown to match the GPT document's JSON Schema.",
)
register(
    "document.too_deep",
    Severity.ERROR,
    "The document nests deeper than a GPT document can",
    **_STUDIO,
    fix="Reduce the nesting of the value at the pointer shown.",
)
register(
    "document.too_many_values",
    Severity.ERROR,
    "The document holds more values than a document can",
    **_STUDIO,
    fix="Remove values the GPT does not need.",
)
register(
    "document.unsupported_tag",
    Severity.ERROR,
    "A YAML tag for something other than plain data",
    **_STUDIO,
    fix="Remove the YAML tag and write the plain value.",
)
register(
    "document.duplicate_key",
    Severity.ERROR,
    "A key appears twice in one mapping",
    **_STUDIO,
    fix="Remove or rename one of the two keys, keeping the value you mean.",
)
register(
    "document.alias",
    Severity.ERROR,
    "YAML anchors and aliases are not allowed in a document",
    **_STUDIO,
    fix="Replace the anchors and aliases with the values written out.",
)
register(
    "document.invalid_character",
    Severity.ERROR,
    "Text contains a character that cannot be stored",
    **_STUDIO,
    fix="Remove the character that cannot be stored (a NUL or a lone surrogate).",
)
register(
    "document.duplicate_action_name",
    Severity.ERROR,
    "Two actions share a name",
    **_STUDIO,
    fix="Rename one of the actions.",
)
register(
    "document.duplicate_knowledge_name",
    Severity.ERROR,
    "Two knowledge files share a name",
    **_STUDIO,
    fix="Rename one of the knowledge files.",
)
register(
    "document.secret_ignored",
    Severity.WARNING,
    "A secret value in the document was ignored",
    **_STUDIO,
    fix="Enter the secret in the action's authentication after the import.",
)
register(
    "document.domain_mismatch",
    Severity.INFO,
    "The action's domain differs from its schema's",
    **_STUDIO,
    fix="Check the action's domain; the schema's server URL decides where calls go.",
)

# A whole GPT: ten schemas at GPT Studio's schema cap plus instructions and metadata. Each schema
# is held to the schema engine's own cap (settings.SCHEMA_MAX_BYTES) by `document_findings`.
DOCUMENT_MAX_BYTES = limits.GPT_ACTIONS_MAX.value * limits.STUDIO_SCHEMA_HARD_MAX_BYTES + 2 * 1024 * 1024
# The fullest valid document (12 starters, 20 knowledge files, 10 OAuth actions) has about 500
# values (keys included) and nests 6 levels deep; the caps leave room for mistakes the JSON Schema
# then names, and stay far below what costs time or memory (or the validator's recursion limit).
DOCUMENT_MAX_VALUES = 10_000
DOCUMENT_MAX_DEPTH = 32
_SHORT = 200


def _short(text: str) -> str:
    return text if len(text) <= _SHORT else text[:_SHORT] + "…"


def json_pointer(path) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


@cache
def _validator():
    return jsonschema_rs.validator_for(build_document_schema())


def _schema_message(error) -> str:
    kind = type(error.kind).__name__
    where = json_pointer(error.instance_path) or "The document"
    if kind in ("MaxLength", "MinLength", "MaxItems", "MinItems", "Pattern", "Enum", "Const", "Type", "Maximum"):
        # jsonschema's own message quotes the whole value (a schema can be megabytes): say it briefly.
        instance = error.instance
        shown = _short(json.dumps(instance, ensure_ascii=False)) if not isinstance(instance, (dict, list)) else kind
        return f"{where}: {_short(error.message.replace(json.dumps(instance, ensure_ascii=False), shown))}"
    return f"{where}: {_short(error.message)}"


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # PostgreSQL text takes neither NUL nor lone surrogates


def _walk_checks(document, findings: list[Finding]) -> None:
    """Shared containers (which a YAML alias makes, and an alias bomb needs; YAML text has its
    aliases refused before loading, this covers documents built in memory), nesting deeper than a
    document has, and characters a database cannot store. Iterative: any depth is safe to walk."""
    seen: set[int] = set()
    stack: list[tuple[object, list]] = [(document, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, (dict, list)):
            if id(value) in seen:
                findings.append(
                    make_finding(
                        "document.alias",
                        f"{json_pointer(path) or 'The document'} repeats another part of the document through a YAML "
                        "alias (*name). Write the value out in full.",
                        pointer=json_pointer(path),
                    )
                )
                continue
            seen.add(id(value))
            if len(path) >= DOCUMENT_MAX_DEPTH:
                findings.append(
                    make_finding(
                        "document.too_deep",
                        f"{json_pointer(path)} nests more than {DOCUMENT_MAX_DEPTH} levels deep; a GPT document "
                        "has 6 (the schema of an action is text, not nested data).",
                        pointer=json_pointer(path),
                    )
                )
                return
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((item, [*path, key]) for key, item in reversed(list(items)))
        # No identity test for text: the YAML loader hands out one object for every equal plain
        # scalar (two actions with the same long token URL), so sharing proves no alias. YAML
        # aliases are refused from the parser's events instead (_yaml_shape_problem).
        elif isinstance(value, str) and _UNSTORABLE.search(value):
            findings.append(
                make_finding(
                    "document.invalid_character",
                    f"{json_pointer(path)} contains a NUL character or an unpaired surrogate, which cannot be stored.",
                    pointer=json_pointer(path),
                )
            )


def _schema_size_findings(document: dict) -> list[Finding]:
    """Schemas over the schema engine's cap (SCHEMA_MAX_BYTES): refused before anything reads them."""
    cap = schema_max_bytes()
    actions = document.get("actions")
    findings = []
    for index, action in enumerate(actions if isinstance(actions, list) else []):
        schema = action.get("schema") if isinstance(action, dict) else None
        # A character is at most 4 UTF-8 bytes: most schemas need no encoding to be measured.
        if not isinstance(schema, str) or len(schema) * 4 <= cap:
            continue
        at_least = len(schema) > cap  # then its length in characters says enough
        size = len(schema) if at_least else len(schema.encode("utf-8", "surrogatepass"))
        if size > cap:
            findings.append(
                make_finding(
                    "document.too_large",
                    f"The schema of action {index + 1} has {'at least ' if at_least else ''}{size:,} bytes; "
                    f"GPT Studio inspects schemas up to {cap:,} bytes. Split the API into several actions or "
                    "remove unused parts.",
                    pointer=f"/actions/{index}/schema",
                )
            )
    return findings


def _schema_errors(document: dict) -> list[Finding]:
    try:
        errors = list(_validator().iter_errors(document))
    except ValueError as exc:
        # jsonschema-rs refuses values JSON has no type for (a date, bytes, a set) and nesting past
        # its recursion limit; parse_document never hands it such data, other callers might.
        return [
            make_finding(
                "document.schema",
                f"The document holds a value that is not JSON data ({_short(str(exc))}); use text, numbers, "
                "booleans, lists and mappings only.",
            )
        ]
    return [make_finding("document.schema", _schema_message(e), pointer=json_pointer(e.instance_path)) for e in errors]


def document_findings(document) -> list[Finding]:
    """Every problem of a parsed document: shape (the JSON Schema) and the rules a schema cannot
    say (unique action and knowledge names, no aliases, storable text). Empty means importable."""
    if not isinstance(document, dict):
        return [make_finding("document.not_a_mapping", "A GPT document is a mapping (name: …, actions: …).")]
    if document.get("format") != DOCUMENT_FORMAT:
        got = document.get("format")
        return [
            make_finding(
                "document.wrong_format",
                f"This is not a GPT Studio document: `format` is {_short(json.dumps(got, ensure_ascii=False))}, "
                f"expected {DOCUMENT_FORMAT!r}.",
                pointer="/format",
            )
        ]
    findings: list[Finding] = []
    _walk_checks(document, findings)
    findings += _schema_size_findings(document)
    if has_errors(findings):
        return findings  # don't let the schema validator expand an alias bomb or read a huge schema
    findings += _schema_errors(document)
    if has_errors(findings):
        return findings
    for key, code, what in (
        ("actions", "document.duplicate_action_name", "action"),
        ("knowledge", "document.duplicate_knowledge_name", "knowledge file"),
    ):
        # Compared as saved: the services trim names, so `Weather` and `Weather ` would become two
        # actions of one name, whose export is refused.
        seen_names: set[str] = set()
        for index, item in enumerate(document[key]):
            name = item["name"].strip()
            if name in seen_names:
                findings.append(
                    make_finding(
                        code,
                        f"Two {what}s are named {name!r} (spaces around a name do not count); names must be "
                        f"unique (they match {what}s on import).",
                        pointer=f"/{key}/{index}/name",
                    )
                )
            seen_names.add(name)
    for index, action in enumerate(document["actions"]):
        auth = action["authentication"]
        for block, key, label in (("api_key", "key", "API key"), ("oauth", "client_secret", "client secret")):
            value = auth.get(block, {}).get(key) if auth["type"] == block else None
            if value not in (None, "", SECRET_PLACEHOLDER):
                findings.append(
                    make_finding(
                        "document.secret_ignored",
                        f"Action {action['name']!r} carries a value for its {label}. Documents never carry "
                        "secrets, so it was not read: enter the secret in the action's settings instead, and "
                        "remove it from this file (and from its history).",
                        pointer=f"/actions/{index}/authentication/{block}/{key}",
                    )
                )
    return findings


def domain_mismatch_finding(index: int, action: dict, derived: str) -> Finding | None:
    """The info finding for an action whose stated `domain` differs from the one its schema gives.
    The importer asks once the action is saved: the action service has derived the domain then,
    so the schema (up to SCHEMA_MAX_BYTES) is not parsed again just for this."""
    if "domain" not in action or action["domain"] == derived:
        return None
    return make_finding(
        "document.domain_mismatch",
        f"Action {action['name']!r} says its domain is {action['domain']!r}, but its schema's first server "
        f"gives {derived!r}. The domain is derived from the schema; the stated one is ignored.",
        pointer=f"/actions/{index}/domain",
    )


# --- Parsing -------------------------------------------------------------------------------------


@dataclass
class ParsedDocument:
    document: dict | None  # None when the text could not be read as a mapping at all
    format: str  # "json" | "yaml"
    findings: list[Finding] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.document is not None and not has_errors(self.findings)


def _too_many_values(line: int | None, column: int | None = None, cap: int = DOCUMENT_MAX_VALUES) -> Finding:
    return make_finding(
        "document.too_many_values",
        f"The document holds more than {cap:,} values (keys included); a GPT document has a "
        "few hundred. Is this the right file?",
        line=line,
        column=column,
    )


def _alias_found(event: yaml.AliasEvent) -> Finding:
    return make_finding(
        "document.alias",
        f"*{event.anchor} repeats another part of the document through a YAML alias. Write the value out in full.",
        line=event.start_mark.line + 1,
        column=event.start_mark.column + 1,
    )


_YAML_NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)


def _yaml_shape_problem(text: str, cap: int = DOCUMENT_MAX_VALUES) -> Finding | None:
    """Count values as libyaml parses (no data is built) and stop at the cap; refuse an alias and a
    second document. A syntax error is left to the loader, which reports it with its position."""
    values = 0
    documents = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, _YAML_NODE_EVENTS):
                values += 1
                if values > cap:
                    return _too_many_values(event.start_mark.line + 1, event.start_mark.column + 1, cap)
                if isinstance(event, yaml.AliasEvent):
                    return _alias_found(event)
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    return make_finding(
                        "document.unreadable",
                        "The text holds more than one YAML document (a second “---”); a GPT document is one.",
                        line=event.start_mark.line + 1,
                        column=event.start_mark.column + 1,
                    )
    except yaml.YAMLError:
        return None
    return None


# A JSON string (skipped whole, never copied; group 1 is its closing quote, None when there is
# none) or a structural character (group 2).
_JSON_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+(")?|([\[{,:])')
_JSON_STRUCTURAL = re.compile(r"[\[{,:]")


def _json_shape_problem(text: str, cap: int = DOCUMENT_MAX_VALUES) -> Finding | None:
    """An upper bound of the values in JSON text without parsing it: each value after the first
    follows a comma, a colon or an opening bracket (exact for valid JSON, bar empty containers)."""
    if text.count(",") + text.count(":") + text.count("[") + text.count("{") < cap:
        return None  # even counting the characters inside strings, the text is small enough
    values = 1
    for match in _JSON_TOKEN.finditer(text):
        if match.group(2) is not None:
            structural = [match]
        elif match.group(1) is None:
            # A quote that opens no string (invalid JSON, which may still be read as YAML): what
            # follows it up to where the string would have ended is counted as if outside strings.
            # Every quote in there is escaped, so none of them opens a string either; trying each
            # one again, as a plain string pattern does, took 12 s on 70 KB of `a\"`.
            structural = _JSON_STRUCTURAL.finditer(text, match.start() + 1, match.end())
        else:
            continue
        for character in structural:
            values += 1
            if values > cap:
                return _too_many_values(text.count("\n", 0, character.start()) + 1, cap=cap)
    return None


# How the schema engine's reading findings read for a document. Messages that speak of a schema
# are rewritten; the others (syntax errors with their position, duplicate keys, tags) fit as they are.
_READING_CODES = {
    "schema.empty": ("document.unreadable", "The document is empty."),
    "schema.syntax": ("document.unreadable", None),
    "schema.too_deep": ("document.too_deep", f"The document nests deeper than {DOCUMENT_MAX_DEPTH} levels."),
    "schema.json_read_as_yaml": ("document.unreadable", None),
    "schema.yaml.alias_bomb": ("document.alias", None),
    "schema.yaml.alias_cycle": ("document.alias", None),
    "schema.yaml.unsupported_tag": ("document.unsupported_tag", None),
    "schema.yaml.complex_key": (
        "document.unreadable",
        "A mapping or list is used as a key here; the keys of a GPT document are plain text.",
    ),
    "schema.duplicate_key": ("document.duplicate_key", None),
}


def _reading_findings(loaded: ParsedSchema) -> list[Finding]:
    findings = []
    for finding in loaded.findings:
        if finding.code == "schema.not_object":
            continue  # document_findings says what a document is instead
        code, message = _READING_CODES.get(finding.code, ("document.unreadable", None))
        if finding.code == "schema.json_read_as_yaml":
            message = (
                f"Not valid JSON (line {finding.line}, column {finding.column}). A document that starts with "
                "{ or [ is read as JSON: fix it there, or write the document as YAML."
            )
        elif finding.code not in _READING_CODES and finding.severity != Severity.ERROR:
            continue  # a notice of the schema engine's that does not concern documents
        findings.append(
            make_finding(
                code, message or finding.message, pointer=finding.pointer, line=finding.line, column=finding.column
            )
        )
    return findings


def read_bounded(
    text: str | bytes, *, max_values: int = DOCUMENT_MAX_VALUES
) -> tuple[ParsedSchema | None, str, list[Finding]]:
    """Read JSON or YAML text under the document caps (bytes, values, nesting), safe loading only:
    (the loaded text or None, its format, reading findings). Never raises for bad input. Shared by
    every reader of user-supplied GPT data (documents, ChatGPT's GPT JSON, which holds the action
    schemas as data, hence its own `max_values`)."""
    if isinstance(text, bytes):
        if len(text) > DOCUMENT_MAX_BYTES:
            return None, "yaml", [_too_large(len(text))]
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return None, "yaml", [make_finding("document.unreadable", f"The text is not UTF-8 (byte {exc.start}).")]
    text = text.removeprefix("\ufeff")
    fmt = detect_schema_format(text)
    if len(text) > DOCUMENT_MAX_BYTES:
        return None, fmt, [_too_large(len(text))]
    problem = _json_shape_problem(text, max_values) if fmt == "json" else _yaml_shape_problem(text, max_values)
    if problem is not None:
        return None, fmt, [problem]
    loaded = parse_schema(text, max_bytes=DOCUMENT_MAX_BYTES)
    if any(f.code == "schema.too_large" for f in loaded.findings):  # multi-byte characters beyond the cap
        return None, fmt, [_too_large(loaded.size_bytes)]
    findings = _reading_findings(loaded)
    if has_errors(findings):
        return None, fmt, findings
    return loaded, fmt, findings


def parse_document(text: str | bytes) -> ParsedDocument:
    """Read a document (JSON or YAML, safe loading only) and check it. Never raises for bad input.
    A valid document comes back with the fields added after format 1 at their defaults where absent."""
    loaded, fmt, findings = read_bounded(text)
    if loaded is None:
        return ParsedDocument(None, fmt, findings)
    findings += document_findings(loaded.data)
    document = loaded.data if isinstance(loaded.data, dict) else None
    if document is not None and not has_errors(findings):
        document = with_field_defaults(document)
    return ParsedDocument(document, fmt, loaded.locate(findings) if document is not None else findings)


def _too_large(size: int) -> Finding:
    return make_finding(
        "document.too_large",
        f"The document has {size:,} bytes; GPT Studio reads documents up to {DOCUMENT_MAX_BYTES:,} bytes.",
    )

"""Schema text → data, safely, with findings instead of exceptions.

`parse_schema(text)` detects JSON or YAML, loads it with safe loaders only, and reports every
problem as a `Finding`: oversized input (checked before any parsing), syntax errors with their line,
duplicate keys, excessive nesting, YAML alias bombs and alias cycles, unsupported YAML tags. It
never raises on any text and never expands YAML aliases beyond a small budget.

Line numbers are the usual bottleneck of schema linters, so none are computed up front. A
`ParsedSchema` keeps what it needs to answer `positions(pointers)` later, only for the pointers
that have findings: for YAML the parser's own marks, recorded per mapping key and sequence item
while loading (cheap: the marks exist anyway); for JSON a navigation of the text that descends
only into the members on the way to a wanted pointer and skips every other value with the C JSON
scanner.

Data model: what JSON can say. YAML timestamps stay strings (OpenAPI is defined over JSON), and
scalar mapping keys keep their text (`200:` is the key "200", as OpenAPI means it).

JSON reading is here; YAML reading is in `yaml_reading` (imported only for YAML text, so a JSON file
never loads PyYAML) and the pointer helpers in `pointers` (re-exported here). Every rule the
parser reports, YAML's included, is registered here, so importing this module completes them.
"""

from __future__ import annotations

import json
import json.scanner
import re
from dataclasses import dataclass, field

import orjson

from . import limits
from .findings import Finding, Severity, make_finding, register
from .limits import MAX_INT_DIGITS
from .pointers import (  # noqa: F401  (re-exported: callers import the pointer helpers from here)
    MESSAGE_VALUE_MAX_CHARS,
    PARSE_FAILED,
    array_index,
    brief,
    escape_token,
    json_pointer,
    pointer_tokens,
    shown,
)

# --- Rules reported by the parser ----------------------------------------------------------------
_STUDIO = "GPT Studio (protects the server; not a ChatGPT rule)"
register(
    "schema.empty",
    Severity.ERROR,
    "Schema is empty",
    chatgpt_behaviour="ChatGPT cannot read an empty schema and shows a parse error.",
    source="GPT_EDITOR.md §6 [DEV]",
    confidence="likely",
    chatgpt_message="Could not parse valid OpenAPI spec",
    fix="Paste or upload the action's OpenAPI schema.",
)
register(
    "schema.syntax",
    Severity.ERROR,
    "Schema is not valid JSON or YAML",
    chatgpt_behaviour="ChatGPT refuses a schema it cannot parse.",
    source="GPT_EDITOR.md §3.1, §6 [DEV]",
    confidence="likely",
    chatgpt_message="Could not parse valid OpenAPI spec",
    fix="Fix the JSON or YAML syntax at the line shown.",
)
register(
    "schema.too_large",
    Severity.ERROR,
    "Schema text is larger than GPT Studio inspects",
    chatgpt_behaviour="Not a ChatGPT rule: GPT Studio does not parse text over its input cap (20 MB by default).",
    source=_STUDIO,
    confidence="confirmed",
    fix="Reduce the schema to the paths and components the GPT uses.",
)
register(
    "schema.too_deep",
    Severity.ERROR,
    "Schema nests too deeply",
    chatgpt_behaviour="Not a ChatGPT rule: GPT Studio refuses documents nested deeper than its cap.",
    source=_STUDIO,
    confidence="confirmed",
    fix="Flatten the nesting: move deep inline schemas into `components.schemas`.",
)
register(
    "schema.yaml.alias_bomb",
    Severity.ERROR,
    "YAML aliases expand to a huge document",
    chatgpt_behaviour="Not a ChatGPT rule: a few YAML anchors can expand to billions of nodes "
    "(“billion laughs”); GPT Studio refuses such documents.",
    source=_STUDIO,
    confidence="confirmed",
    fix="Remove the YAML anchors and aliases and write the values out.",
)
register(
    "schema.yaml.alias_cycle",
    Severity.ERROR,
    "YAML alias refers to a node that contains it",
    chatgpt_behaviour="A recursive YAML structure cannot become JSON; ChatGPT cannot read it as an OpenAPI spec.",
    source="YAML 1.1; GPT_EDITOR.md §6 [DEV]",
    confidence="likely",
    chatgpt_message="Could not parse valid OpenAPI spec",
    fix="Replace the alias with a copy of the value, or with a `$ref` to a component.",
)
register(
    "schema.yaml.unsupported_tag",
    Severity.ERROR,
    "YAML tag that a safe loader does not accept",
    chatgpt_behaviour="Safe YAML loaders refuse application tags (!Ref, !!python/...); ChatGPT cannot read the schema.",
    source="YAML safe-loading practice; GPT_EDITOR.md §6 [DEV]",
    confidence="likely",
    chatgpt_message="Could not parse valid OpenAPI spec",
    fix="Remove the YAML tag and write the plain value.",
)
register(
    "schema.yaml.complex_key",
    Severity.ERROR,
    "YAML mapping key that is not a scalar",
    chatgpt_behaviour="OpenAPI documents are JSON: every key must be a string. A mapping or list used "
    "as a key cannot be represented.",
    source="OpenAPI 3 (JSON data model)",
    confidence="likely",
    chatgpt_message="Could not parse valid OpenAPI spec",
    fix="Use a plain string as the key.",
)
register(
    "schema.duplicate_key",
    Severity.WARNING,
    "The same key appears twice in one mapping",
    chatgpt_behaviour="Lenient parsers keep only the last value and silently drop the first one (and "
    "whatever operations it held); strict parsers refuse the document. Which one ChatGPT uses is not documented.",
    source="JSON/YAML parsers; corpus cookbook_jira.yaml",
    confidence="unconfirmed",
    fix="Remove or rename one of the two keys, keeping the value you mean.",
)
register(
    "schema.not_object",
    Severity.ERROR,
    "Schema is not a JSON/YAML object",
    chatgpt_behaviour="An OpenAPI document is an object with `openapi`, `info`, `paths`; anything else is refused.",
    source="OpenAPI 3; GPT_EDITOR.md §6 [DEV]",
    confidence="likely",
    chatgpt_message="Could not parse valid OpenAPI spec",
    fix="Start the schema with an object holding `openapi`, `info` and `paths`.",
)
register(
    "schema.json_read_as_yaml",
    Severity.WARNING,
    "Looks like JSON but is not valid JSON (read as YAML)",
    chatgpt_behaviour="The editor takes JSON or YAML; text that starts like JSON but breaks JSON's rules "
    "(trailing commas, single quotes, comments) may still be read as YAML, or refused.",
    source="GPT_EDITOR.md §3.1",
    confidence="unconfirmed",
    fix="Fix the JSON (trailing commas, single quotes, comments) or write the schema as YAML.",
)


# --- One walk over the data ------------------------------------------------------------------------------
@dataclass
class DocumentScan:
    """What one pass over the whole document collects, shared by the parser (duplicate-key count,
    nesting depth, numbers orjson could not read exactly) and the rules ($refs, and the $refs inside
    each component for the cycle check)."""

    key_count: int = 0
    refs: set = field(default_factory=set)  # every distinct $ref string
    component_refs: dict = field(default_factory=dict)  # (section, name) → set of $ref strings inside it
    # orjson reads an integer outside [-2**63, 2**64) as a float, losing digits; such a float (at or
    # beyond those bounds once rounded) means the JSON text must be read again exactly.
    has_wide_number: bool = False
    # Levels of nesting, the scalars' level included: the deepest container's depth (the root object
    # or array is at depth 1), or one more when scalars sit below it. `container_depth` is exact.
    levels: int = 0


_INT64_MIN, _UINT64_END = -(2**63), 2**64


def _walk(node, refs: set, scan: DocumentScan, depth: int) -> None:
    """Count keys, collect $refs and spot wide numbers under `node` (at nesting level `depth`).
    Breadth first, one level at a time: as fast as a stack, and the nesting depth comes for free."""
    count = 0
    wide = False
    add = refs.add
    level = [node]
    while level:
        below: list = []
        push = below.extend
        for current in level:
            kind = type(current)
            if kind is dict:
                count += len(current)
                if "$ref" in current:
                    ref = current["$ref"]
                    if type(ref) is str:
                        add(ref)
                push(current.values())
            elif kind is list:
                push(current)
            elif kind is float and not _INT64_MIN < current < _UINT64_END:
                wide = True
        level = below
        depth += 1
    scan.key_count += count
    scan.has_wide_number |= wide
    scan.levels = max(scan.levels, depth - 1)


def container_depth(data) -> int:
    """How deeply objects and arrays nest (the root is depth 1). Rare path: asked only when the
    walk's `levels` exceeds the cap, since `levels` is this or one more."""
    deepest = 0
    level = [data]
    depth = 0
    while level:
        depth += 1
        containers = [node for node in level if type(node) is dict or type(node) is list]
        if not containers:
            break
        deepest = depth
        level = [child for node in containers for child in (node.values() if type(node) is dict else node)]
    return deepest


def scan_document(data) -> DocumentScan:
    scan = DocumentScan()
    if type(data) is not dict:
        _walk(data, scan.refs, scan, 1)
        return scan
    scan.key_count = len(data)
    scan.levels = 1
    for key, value in data.items():
        if key == "components" and type(value) is dict:
            scan.key_count += len(value)
            for section, entries in value.items():
                if type(entries) is not dict:
                    _walk(entries, scan.refs, scan, 3)
                    continue
                scan.key_count += len(entries)
                for name, node in entries.items():
                    refs: set = set()
                    _walk(node, refs, scan, 4)
                    scan.component_refs[(section, str(name))] = refs
                    scan.refs |= refs
        else:
            _walk(value, scan.refs, scan, 2)
    return scan


# --- The parsed schema --------------------------------------------------------------------------------
@dataclass
class ParsedSchema:
    data: object
    format: str  # "json" | "yaml"
    findings: list = field(default_factory=list)
    size_bytes: int = 0
    text: str = field(default="", repr=False)
    # YAML only: id(container) → {key: mark} (mappings) or [mark, ...] (sequences); marks are 0-based.
    yaml_marks: dict | None = field(default=None, repr=False)
    _scan: DocumentScan | None = field(default=None, repr=False)

    @property
    def scan(self) -> DocumentScan:
        """One walk over the data, done at most once per parse."""
        if self._scan is None:
            self._scan = scan_document(self.data)
        return self._scan

    def positions(self, pointers) -> dict[str, tuple[int, int]]:
        """1-based (line, column) of each pointer that exists in the document: the position of its
        key for an object member, of the item for an array element, (1, 1) for the root."""
        wanted = {p for p in pointers if isinstance(p, str)}
        if not wanted or self.data is None:
            return {}
        try:
            if self.yaml_marks is not None:
                from .yaml_reading import yaml_positions

                return yaml_positions(self.data, self.yaml_marks, wanted)
            exact = any(f.code == "schema.duplicate_key" for f in self.findings)
            return _json_positions(self.text, wanted, exact=exact)
        except (RecursionError, ValueError, StopIteration, IndexError, KeyError, TypeError):
            return {}  # A position is a convenience; never let it break a report.

    def locate(self, findings) -> list[Finding]:
        """The findings with line and column filled in from their pointers (where still missing).
        Findings about the whole document (empty pointer) point at line 1, column 1."""
        missing = {f.pointer for f in findings if f.line is None and f.pointer}
        found = self.positions(missing) if missing else {}
        found[""] = (1, 1)
        located = []
        for f in findings:
            if f.line is None and f.pointer in found:
                line, column = found[f.pointer]
                # Built directly: dataclasses.replace costs several times more, for thousands of findings.
                f = Finding(f.severity, f.code, f.message, f.pointer, line, column, f.hint)
            located.append(f)
        return located


def detect_schema_format(text: str) -> str:
    """ "json" when the text starts like a JSON document, else "yaml" (JSON is valid YAML too)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    return "json" if stripped[:1] in ("{", "[") else "yaml"


# The input cap when a caller gives none. The engine knows no settings: inside the Django project the
# actions app sets it from settings.SCHEMA_MAX_BYTES (and follows changes to it; see actions/apps.py).
_default_max_bytes: int = limits.STUDIO_SCHEMA_HARD_MAX_BYTES


def set_default_max_bytes(max_bytes: int | None) -> None:
    """Set the cap `schema_max_bytes()` answers without an argument (None: back to the 20 MB default)."""
    global _default_max_bytes
    _default_max_bytes = limits.STUDIO_SCHEMA_HARD_MAX_BYTES if max_bytes is None else int(max_bytes)


def schema_max_bytes(max_bytes: int | None = None) -> int:
    """The input cap: `max_bytes` if given, else the default (settings.SCHEMA_MAX_BYTES in the project, else 20 MB)."""
    return _default_max_bytes if max_bytes is None else max_bytes


def too_large_finding(size: int, cap: int) -> Finding:
    return make_finding(
        "schema.too_large",
        f"The schema is {size:,} bytes; GPT Studio inspects schemas up to {cap:,} bytes. "
        "Split the API into several actions or remove unused parts.",
    )


def parse_schema(text, *, max_bytes: int | None = None) -> ParsedSchema:
    """Parse schema text (str, or UTF-8 bytes) into data + findings. Never raises."""
    cap = schema_max_bytes(max_bytes)
    encoded = None  # the UTF-8 text, when it is at hand or has to be made anyway
    if isinstance(text, bytes | bytearray):
        if len(text) > cap:
            return ParsedSchema(
                data=None, format="json", findings=[too_large_finding(len(text), cap)], size_bytes=len(text)
            )
        encoded = bytes(text)
        try:
            text = encoded.decode("utf-8")
        except UnicodeDecodeError as exc:
            finding = make_finding("schema.syntax", f"The schema is not UTF-8 text (byte {exc.start}).")
            return ParsedSchema(data=None, format="json", findings=[finding], size_bytes=len(encoded))
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    # Characters never outnumber UTF-8 bytes, so a huge text is refused before it is even encoded.
    if len(text) > cap or text.isascii():
        size = len(text)
    else:
        if encoded is None:
            encoded = text.encode("utf-8", "surrogatepass")
        size = len(encoded)
    fmt = detect_schema_format(text)
    if size > cap:
        return ParsedSchema(data=None, format=fmt, findings=[too_large_finding(size, cap)], size_bytes=size)
    if not text or text.isspace():
        finding = make_finding("schema.empty", "The schema is empty. Paste an OpenAPI 3 document in JSON or YAML.")
        return ParsedSchema(data=None, format=fmt, findings=[finding], size_bytes=size, text=text)
    parsed = _parse_json(text, size, encoded) if fmt == "json" else _parse_yaml(text, size)
    if parsed.data is not None and not isinstance(parsed.data, dict):
        kind = type(parsed.data).__name__.replace("NoneType", "null").replace("dict", "object")
        parsed.findings.append(
            make_finding(
                "schema.not_object",
                f"The schema is a {kind}, not an object. An OpenAPI document is an object with "
                "`openapi`, `info`, `servers` and `paths`.",
                pointer="",
                line=1,
                column=1,
            )
        )
    return parsed


# --- JSON ----------------------------------------------------------------------------------------------
# Any JSON string, optionally followed by a colon (then it was a key). Possessive quantifiers: the
# text is already known to be valid JSON, so no backtracking is ever useful.
_JSON_STRING_OR_KEY = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"(\s*+:)?')
# A quote, then JSON whitespace, then a colon: how a key followed by spaces ends (or text in a string).
_QUOTE_SPACE_COLON = re.compile(rb'"[ \t\n\r]++:')
# orjson refuses JSON nested deeper than this; GPT Studio's own cap is lower.
_ORJSON_MAX_DEPTH = 1024


def _parse_json(text: str, size: int, encoded: bytes | None = None) -> ParsedSchema:
    if text.startswith("\ufeff"):  # a byte order mark: read it as a space, so offsets stay the same
        source = text.replace("\ufeff", " ", 1)
        encoded = None
    else:
        source = text
    if encoded is None:
        # ASCII: the bytes are a plain copy. Otherwise orjson would make the same UTF-8 text itself.
        encoded = source.encode("utf-8", "surrogatepass")
    exact = False  # whether `data` was read by the standard library (every integer exact already)
    try:
        data = orjson.loads(encoded)  # positions in its errors are counted in characters, as in `source`
    except orjson.JSONDecodeError as exc:
        # orjson refuses numbers beyond a double (1e400, an integer of 310 digits), which are valid JSON.
        data = _out_of_range_json(source) if "number is infinity" in exc.msg else None
        if data is None:
            return _json_failed(text, size, exc)
        exact = True
    parsed = ParsedSchema(data=data, format="json", size_bytes=size, text=source)
    if isinstance(data, dict | list):
        scan = parsed.scan
        if scan.levels > limits.STUDIO_SCHEMA_MAX_DEPTH and container_depth(data) > limits.STUDIO_SCHEMA_MAX_DEPTH:
            return _json_too_deep(source, encoded, size)
        _check_json_duplicates(parsed, encoded)
        if scan.has_wide_number and not exact:
            parsed.data = _exact_json(source, data)
    elif type(data) is float and not exact and not _INT64_MIN < data < _UINT64_END:
        parsed.data = _exact_json(source, data)
    return parsed


def _too_deep_message() -> str:
    return (
        f"The schema nests deeper than {limits.STUDIO_SCHEMA_MAX_DEPTH} levels "
        "(an OpenAPI document needs a few dozen at most)."
    )


def _json_too_deep(source: str, encoded: bytes, size: int) -> ParsedSchema:
    """Refuse JSON nested deeper than GPT Studio's cap (orjson itself allows a little more). To
    say where, the text is read again inside extra brackets, so that orjson's own depth error
    falls on the first bracket past the cap."""
    padding = _ORJSON_MAX_DEPTH - limits.STUDIO_SCHEMA_MAX_DEPTH
    line = column = None
    try:
        orjson.loads(b"[" * padding + encoded + b"]" * padding)
    except orjson.JSONDecodeError as exc:
        if "depth" in exc.msg:
            # orjson's column is the one just after the refused bracket.
            line, column = exc.lineno, exc.colno - 1 - (padding if exc.lineno == 1 else 0)
    finding = make_finding("schema.too_deep", _too_deep_message(), line=line, column=column)
    return ParsedSchema(data=None, format="json", findings=[finding], size_bytes=size, text=source)


def _json_int(text: str):
    """An integer of JSON text, or its text past MAX_INT_DIGITS, as YAML keeps it (`_construct_int`)."""
    return int(text) if len(text.lstrip("-")) <= MAX_INT_DIGITS else text


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")  # the standard library reads NaN and Infinity; JSON has neither


def _std_json_loads(source: str, **hooks):
    """The standard library's reading of JSON text, as strict as orjson about what is JSON."""
    return json.loads(source, parse_int=_json_int, parse_constant=_refuse_constant, **hooks)


def _exact_json(source: str, lossy):
    """The text read again by the standard library, which keeps every integer exact. Rare (a
    20-digit example id, say), so orjson's speed is kept for every other schema."""
    try:
        return _std_json_loads(source)
    except RecursionError:  # deeper than the interpreter allows: the float is the best we have
        return lossy


# A \uD800-\uDFFF escape: the standard library reads a lone one, which orjson (rightly) refuses.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _is_utf8(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _out_of_range_json(source: str):
    """The data of JSON text that orjson refused only for a number beyond a double, or None when
    the text is not JSON after all. Floats past a double are infinite, as JavaScript reads them."""
    if _SURROGATE_ESCAPE.search(source) or not _is_utf8(source):
        return None  # not worth telling a valid surrogate pair from a lone one: read as before
    try:
        return _std_json_loads(source)
    except (ValueError, RecursionError):
        return None


def _json_failed(text: str, size: int, exc: orjson.JSONDecodeError) -> ParsedSchema:
    if "depth" in exc.msg or "recursion" in exc.msg:
        # Deeper than orjson reads (beyond GPT Studio's cap too); its column is just after the bracket.
        finding = make_finding("schema.too_deep", _too_deep_message(), line=exc.lineno, column=max(exc.colno - 1, 1))
        return ParsedSchema(data=None, format="json", findings=[finding], size_bytes=size)
    # JSON is a subset of YAML: text that only looks like JSON (a flow mapping, trailing commas)
    # may still be YAML, which the editor also takes.
    as_yaml = _parse_yaml(text, size)
    if as_yaml.data is not None and not any(f.severity == Severity.ERROR for f in as_yaml.findings):
        as_yaml.findings.insert(
            0,
            make_finding(
                "schema.json_read_as_yaml",
                f"This is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
                "GPT Studio read it as YAML. Fix the JSON, or write the schema as YAML.",
                line=exc.lineno,
                column=exc.colno,
            ),
        )
        return as_yaml
    message = f"Invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}). {PARSE_FAILED}"
    finding = make_finding("schema.syntax", message, line=exc.lineno, column=exc.colno)
    return ParsedSchema(data=None, format="json", findings=[finding], size_bytes=size)


def _check_json_duplicates(parsed: ParsedSchema, encoded: bytes) -> None:
    """orjson keeps the last of duplicate keys silently. Every key of the text is a string followed
    by a colon, so the text has duplicates exactly when it has more keys than the data."""
    if not _may_have_duplicate_keys(encoded, parsed.scan.key_count):
        return
    for pointer, key in _json_duplicate_pointers(parsed.text):
        parsed.findings.append(
            make_finding(
                "schema.duplicate_key",
                f"The key “{key}” appears more than once in the same object; parsers keep only the "
                "last one, so everything under the earlier one is lost. Merge them into one key.",
                pointer=pointer,
            )
        )


def _may_have_duplicate_keys(encoded: bytes, data_keys: int) -> bool:
    """Whether the JSON text (valid, as UTF-8) holds more keys than its data: exact, cheapest first.

    Each key ends with a quote, optional whitespace and a colon, so counting `":` and `"<spaces>:`
    gives an upper bound on the text's keys; it can only overcount, by such characters inside
    strings. A quote after exactly one backslash is escaped (a backslash outside strings is not
    JSON), so those `\\":` are inside strings and are taken off. The data never has more keys
    than the text, so a bound equal to the data's count proves there are no duplicates; only when
    it does not (text in strings that looks like a key end) is every string of the text tokenized.
    """
    bound = encoded.count(b'":') + len(_QUOTE_SPACE_COLON.findall(encoded))
    if bound == data_keys:
        return False
    bound -= _escaped_quote_colons(encoded)
    if bound == data_keys:
        return False
    matches = _JSON_STRING_OR_KEY.findall(encoded)
    return len(matches) - matches.count(b"") != data_keys


def _escaped_quote_colons(encoded: bytes) -> int:
    """How many `":` follow exactly one backslash (escaped quotes in strings). One scan with find()
    while they are few, as usual; two counts (at least one, at least two backslashes) otherwise."""
    found = seen = 0
    at = encoded.find(b'\\":')
    while at != -1:
        seen += 1
        if seen > _FEW_ESCAPED_QUOTES:
            return encoded.count(b'\\":') - encoded.count(b'\\\\":')
        if at == 0 or encoded[at - 1] != _BACKSLASH:
            found += 1
        at = encoded.find(b'\\":', at + 3)
    return found


_FEW_ESCAPED_QUOTES = 64
_BACKSLASH = ord("\\")


def _json_duplicate_pointers(text: str) -> list[tuple[str, str]]:
    """(pointer of the later duplicate, key) for each duplicate key; the slow path, run only when
    the cheap count says there are some."""
    found: list[tuple[str, str]] = []

    def hook(pairs):
        seen = {}
        for key, _ in pairs:
            seen[key] = seen.get(key, 0) + 1
        obj = _DupDict(pairs)
        if len(obj) != len(pairs):
            obj.duplicates = [k for k, n in seen.items() if n > 1]
        return obj

    data = _std_json_loads(text, object_pairs_hook=hook)
    stack = [("", data)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            for key in getattr(node, "duplicates", ()):
                found.append((pointer + "/" + escape_token(key), key))
            stack.extend((pointer + "/" + escape_token(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((f"{pointer}/{i}", v) for i, v in enumerate(node))
    return sorted(found)


class _DupDict(dict):
    duplicates: list = []


_decoder = json.JSONDecoder()
_scan_value = json.scanner.make_scanner(_decoder)
# The same for text with an integer past Python's 4,300 digits, which the default scanner refuses.
# Not the default: a Python call for every integer makes the scan slower.
_scan_value_wide = json.scanner.make_scanner(json.JSONDecoder(parse_int=_json_int))
_scan_string = json.decoder.scanstring
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_WHITESPACE_CHARS = frozenset(" \t\n\r")


class _Wanted:
    """A trie of wanted pointers: `pointer` is set where a wanted pointer ends."""

    __slots__ = ("children", "pointer")

    def __init__(self):
        self.pointer: str | None = None
        self.children: dict[str, _Wanted] = {}


def _wanted_trie(pointers) -> _Wanted:
    root = _Wanted()
    for pointer in pointers:
        node = root
        if pointer:
            for token in pointer[1:].split("/"):
                if "~" in token:
                    token = token.replace("~1", "/").replace("~0", "~")
                child = node.children.get(token)  # not setdefault: that builds a node every time
                if child is None:
                    child = node.children[token] = _Wanted()
                node = child
        node.pointer = pointer
    return root


def _json_positions(text: str, pointers: set[str], *, exact: bool = False) -> dict[str, tuple[int, int]]:
    """Offsets of the wanted pointers. Stops reading as soon as nothing after the current place is
    wanted; `exact` (the text has duplicate keys) reads every member, so the last duplicate wins."""
    root = _wanted_trie(pointers)
    offsets: dict[str, int] = {}
    start = _WHITESPACE.match(text, 0).end()
    if root.pointer is not None:
        offsets[root.pointer] = start
    try:
        _json_visit(text, start, root, offsets, not exact, _scan_value)
    except ValueError:  # an integer of more than 4,300 digits
        _json_visit(text, start, root, offsets, not exact, _scan_value_wide)
    return _offsets_to_positions(text, offsets)


_STOPPED = -1  # _json_visit stopped early: nothing after this point is wanted


def _json_visit(text: str, idx: int, node: _Wanted, offsets: dict[str, int], may_stop: bool, scan_value) -> int:
    """Walk the value at `idx`, recording offsets of wanted children; return the index after it, or
    _STOPPED when `may_stop` (nothing after this value is wanted) and the last wanted child is found.

    Whitespace is tested one character before the regex is asked: in the usual layouts there is none
    before a colon or a comma, and a single space after a colon, so most regex calls are saved."""
    char = text[idx]
    if not node.children or char not in "{[":
        return scan_value(text, idx)[1]
    ws = _WHITESPACE.match
    children = node.children
    remaining = len(children)
    is_object = char == "{"
    close = "}" if is_object else "]"
    idx = ws(text, idx + 1).end()
    if text[idx] == close:
        return idx + 1
    index = 0
    while True:
        member_start = idx
        if is_object:
            key, idx = _scan_string(text, idx + 1)
            if text[idx] != ":":
                idx = ws(text, idx).end()
            idx += 1  # the colon
            if text[idx] == " ":
                idx += 1
            if text[idx] in _WHITESPACE_CHARS:
                idx = ws(text, idx).end()
        else:
            key = str(index)
            index += 1
        child = children.get(key)
        if child is None:
            idx = scan_value(text, idx)[1]
        else:
            remaining -= 1
            if child.pointer is not None:
                offsets[child.pointer] = member_start  # the key of a member, the value of an item
            stop_inside = may_stop and remaining <= 0
            if stop_inside and not child.children:
                return _STOPPED
            idx = _json_visit(text, idx, child, offsets, stop_inside, scan_value)
            if idx == _STOPPED or stop_inside:
                return _STOPPED
        char = text[idx]
        if char in _WHITESPACE_CHARS:
            idx = ws(text, idx).end()
            char = text[idx]
        if char == close:
            return idx + 1
        idx += 1  # the comma
        if text[idx] in _WHITESPACE_CHARS:
            idx = ws(text, idx).end()


def _offsets_to_positions(text: str, offsets: dict[str, int]) -> dict[str, tuple[int, int]]:
    positions = {}
    line, last = 1, 0
    for pointer, offset in sorted(offsets.items(), key=lambda item: item[1]):
        line += text.count("\n", last, offset)
        last = offset
        positions[pointer] = (line, offset - (text.rfind("\n", 0, offset) + 1) + 1)
    return positions


def _parse_yaml(text: str, size: int) -> ParsedSchema:
    from .yaml_reading import read_yaml  # PyYAML is loaded only for YAML text

    data, findings, marks = read_yaml(text)
    if marks is None:
        return ParsedSchema(data=None, format="yaml", findings=findings, size_bytes=size)
    return ParsedSchema(data=data, format="yaml", findings=findings, size_bytes=size, text=text, yaml_marks=marks)

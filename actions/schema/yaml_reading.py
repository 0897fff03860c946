"""YAML schema text → data, from the parser's events, with the mark of every key and item.

Imported by `parsing` only when a text is YAML, so that JSON (and the CLI on a JSON file) never loads
PyYAML. The rules it reports are registered in `parsing`, so the registry is complete without it.
"""

from __future__ import annotations

import yaml
from yaml.resolver import Resolver

from .findings import Finding, make_finding
from .limits import MAX_INT_DIGITS, STUDIO_SCHEMA_MAX_DEPTH, STUDIO_YAML_ALIAS_EXPANSION_MAX
from .pointers import PARSE_FAILED, array_index, escape_token, pointer_tokens

# --- YAML ----------------------------------------------------------------------------------------------
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_MAP_TAGS = {None, "!", "tag:yaml.org,2002:map"}
_SEQ_TAGS = {None, "!", "tag:yaml.org,2002:seq"}
_SCALAR_TAGS = {_STR, _NULL, _BOOL, _INT, _FLOAT, _TIMESTAMP, "!"}
_IMPLICIT = Resolver.yaml_implicit_resolvers
_BOOL_VALUES = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


def _resolve_plain(value: str) -> str:
    """The tag YAML 1.1 (PyYAML's SafeLoader) gives a plain scalar."""
    for tag, regexp in _IMPLICIT.get(value[:1], []) + _IMPLICIT.get(None, []):
        if regexp.match(value):
            return tag
    return _STR


# Integers past MAX_INT_DIGITS keep their text (see limits). Hex, octal and binary text is bounded
# before int() too (a hex digit makes 1.2 decimal ones), and so are base-60 parts: each step of the
# sum multiplies the whole number, so 100,000 parts took seconds.
_INT_BOUND = 10**MAX_INT_DIGITS
_MAX_BASE_TEXT = 4 * MAX_INT_DIGITS
_MAX_SEXAGESIMAL_PARTS = 100


def _sexagesimal(value: str, kind):
    parts = value.split(":")
    if len(parts) > _MAX_SEXAGESIMAL_PARTS:
        return None
    total = kind(0)
    for part in parts:
        total = total * 60 + kind(part)
    return total


def _construct_int(digits: str):
    """The integer of unsigned YAML 1.1 int text (no "_"), or None past GPT Studio's bound."""
    if digits == "0":
        return 0
    if len(digits) > (MAX_INT_DIGITS if digits.isdigit() and digits[0] != "0" else _MAX_BASE_TEXT):
        return None
    if digits.startswith("0b"):
        value = int(digits[2:], 2)
    elif digits.startswith("0x"):
        value = int(digits[2:], 16)
    elif digits.startswith("0"):
        value = int(digits, 8)
    else:
        value = _sexagesimal(digits, int) if ":" in digits else int(digits)
    return value if value is not None and value < _INT_BOUND else None


def _construct_scalar(value: str, tag: str):
    """PyYAML SafeConstructor's result for a scalar of this tag (timestamps stay text, and so do
    integers past MAX_INT_DIGITS)."""
    if tag in (_STR, _TIMESTAMP, "!"):
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return _BOOL_VALUES.get(value.lower(), bool(value))
    digits = value.replace("_", "")
    sign = -1 if digits[:1] == "-" else 1
    digits = digits.lstrip("+-") if digits[:1] in "+-" else digits
    if tag == _INT:
        number = _construct_int(digits)
        return value if number is None else sign * number
    # float
    digits = digits.lower()
    if digits == ".inf":
        return sign * float("inf")
    if digits == ".nan":
        return float("nan")
    if ":" not in digits:
        return sign * float(digits)
    number = _sexagesimal(digits, float)
    return value if number is None else sign * number


def _construct_plain(value: str):
    tag = _resolve_plain(value)
    if tag == _MERGE:
        return _MERGE_KEY
    if tag not in _SCALAR_TAGS:  # YAML 1.1 "value" (=) and the like: plain text for JSON
        return value
    try:
        return _construct_scalar(value, tag)
    except (ValueError, OverflowError):
        return value


class _YamlRefused(Exception):
    def __init__(self, finding: Finding):
        self.finding = finding


class _Frame:
    """A mapping or sequence being built."""

    __slots__ = ("anchor", "container", "key", "key_mark", "marks", "merges", "nodes", "pointer", "start_mark")

    def __init__(self, container, marks, anchor, pointer, start_mark):
        self.container = container
        self.start_mark = start_mark
        self.marks = marks
        self.anchor = anchor
        self.pointer = pointer
        self.key = _NO_KEY
        self.key_mark = None
        self.merges: list = []
        self.nodes = 1  # expanded node count of this subtree so far


_NO_KEY = object()
_MERGE_KEY = object()  # a `<<` key: its value is merged into the mapping


def _yaml_finding(code: str, message: str, mark, pointer: str = "") -> Finding:
    if mark is None:
        return make_finding(code, message, pointer=pointer)
    return make_finding(code, message, pointer=pointer, line=mark.line + 1, column=mark.column + 1)


def read_yaml(text: str) -> tuple[object, list[Finding], dict | None]:
    """(data, findings, marks) of YAML text; data and marks are None when the text is refused.
    marks: id(container) → {key: mark} (mappings) or [mark, ...] (sequences), 0-based."""
    marks: dict[int, object] = {}
    findings: list[Finding] = []
    try:
        data = _load_yaml(text, marks, findings)
    except _YamlRefused as refused:
        return None, [*findings, refused.finding], None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "cannot parse"
        if "nesting" in problem:
            message = f"The schema nests too deeply ({problem}); an OpenAPI document needs a few dozen levels at most."
            code = "schema.too_deep"
        else:
            message = f"Invalid YAML: {problem}. {PARSE_FAILED}"
            code = "schema.syntax"
        return None, [_yaml_finding(code, message, mark)], None
    except (yaml.YAMLError, ValueError, UnicodeError, OverflowError) as exc:
        return None, [make_finding("schema.syntax", f"Invalid YAML: {exc}. {PARSE_FAILED}")], None
    return data, findings, marks


def _load_yaml(text: str, marks: dict, findings: list):
    """Build the data from the parser's events (much faster than composing nodes), keeping the
    mark of every key and item, counting how far aliases expand, and refusing what JSON cannot be."""
    max_depth = STUDIO_SCHEMA_MAX_DEPTH
    expansion_budget = STUDIO_YAML_ALIAS_EXPANSION_MAX
    anchors: dict[str, tuple[object, int, str | None]] = {}  # anchor → (value, expanded nodes, scalar text)
    open_anchors: set[str] = set()
    stack: list[_Frame] = []
    scalar_cache: dict[str, object] = {}
    root = _NO_KEY
    documents = 0
    events_seen = 0
    alias_nodes = 0

    def add(value, mark, nodes: int, raw_key: str | None):
        """Attach a finished value to the open container (or make it the document)."""
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        frame.nodes += nodes
        container = frame.container
        if type(container) is list:
            container.append(value)
            frame.marks.append(mark)
            return
        if frame.key is _NO_KEY:  # this value is a key
            if raw_key is None:
                raise _YamlRefused(
                    _yaml_finding(
                        "schema.yaml.complex_key",
                        "A mapping or list is used as a key here. Keys must be plain text in an OpenAPI document.",
                        mark,
                    )
                )
            frame.key = raw_key
            frame.key_mark = mark
            return
        key, frame.key = frame.key, _NO_KEY
        if key is _MERGE_KEY:
            frame.merges.append((value, mark))
            return
        if key in container:
            pointer = frame.pointer + "/" + escape_token(key)
            findings.append(
                _yaml_finding(
                    "schema.duplicate_key",
                    f"The key “{key}” appears more than once in the same mapping; YAML loaders keep only "
                    "the last one, so everything under the earlier one is lost. Merge them into one key.",
                    frame.key_mark,
                    pointer,
                )
            )
        container[key] = value
        frame.marks[key] = frame.key_mark

    def child_pointer() -> str:
        if not stack:
            return ""
        frame = stack[-1]
        if type(frame.container) is list:
            return f"{frame.pointer}/{len(frame.container)}"
        return frame.pointer + "/" + escape_token(frame.key) if isinstance(frame.key, str) else frame.pointer

    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        events_seen += 1
        kind = type(event)
        if kind is yaml.ScalarEvent:
            value = event.value
            tag = event.tag
            if tag is None:
                if event.implicit[0]:
                    if value in scalar_cache:
                        constructed = scalar_cache[value]
                    else:
                        constructed = scalar_cache[value] = _construct_plain(value)
                else:
                    constructed = value
            elif tag in _SCALAR_TAGS:
                try:
                    constructed = _construct_scalar(value, tag)
                except ValueError:
                    raise _YamlRefused(
                        _yaml_finding(
                            "schema.syntax",
                            f"“{value}” is not a valid {tag.rsplit(':', 1)[-1]}.",
                            event.start_mark,
                        )
                    ) from None
            else:
                raise _YamlRefused(
                    _yaml_finding(
                        "schema.yaml.unsupported_tag",
                        f"The YAML tag {tag} is not plain data; safe loaders refuse it. Remove the tag.",
                        event.start_mark,
                    )
                )
            in_key_position = bool(stack) and type(stack[-1].container) is dict and stack[-1].key is _NO_KEY
            if in_key_position and constructed is _MERGE_KEY and event.implicit[0]:
                stack[-1].key = _MERGE_KEY
                stack[-1].key_mark = event.start_mark
                continue
            if constructed is _MERGE_KEY:
                constructed = value
            if event.anchor is not None:
                anchors[event.anchor] = (constructed, 1, value)
            add(constructed, event.start_mark, 1, value)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            is_map = kind is yaml.MappingStartEvent
            if event.tag not in (_MAP_TAGS if is_map else _SEQ_TAGS):
                raise _YamlRefused(
                    _yaml_finding(
                        "schema.yaml.unsupported_tag",
                        f"The YAML tag {event.tag} is not plain data; safe loaders refuse it. Remove the tag.",
                        event.start_mark,
                    )
                )
            if len(stack) >= max_depth:
                raise _YamlRefused(
                    _yaml_finding(
                        "schema.too_deep",
                        f"The schema nests deeper than {max_depth} levels "
                        "(an OpenAPI document needs a few dozen at most).",
                        event.start_mark,
                    )
                )
            pointer = child_pointer()
            if is_map:
                container, container_marks = {}, {}
            else:
                container, container_marks = [], []
            marks[id(container)] = container_marks
            if event.anchor is not None:
                open_anchors.add(event.anchor)
            stack.append(_Frame(container, container_marks, event.anchor, pointer, event.start_mark))
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = stack.pop()
            if frame.merges:
                _apply_merges(frame)
            if frame.anchor is not None:
                open_anchors.discard(frame.anchor)
                anchors[frame.anchor] = (frame.container, frame.nodes, None)
            add(frame.container, frame.start_mark, frame.nodes, None)
        elif kind is yaml.AliasEvent:
            anchor = event.anchor
            if anchor in open_anchors:
                raise _YamlRefused(
                    _yaml_finding(
                        "schema.yaml.alias_cycle",
                        f"The alias *{anchor} refers to a node that contains it, which makes an endless "
                        "structure. Copy the part you need instead.",
                        event.start_mark,
                    )
                )
            if anchor not in anchors:
                raise _YamlRefused(
                    _yaml_finding(
                        "schema.syntax",
                        f"Invalid YAML: the alias *{anchor} has no anchor &{anchor} before it.",
                        event.start_mark,
                    )
                )
            value, nodes, raw = anchors[anchor]
            alias_nodes += nodes
            if alias_nodes > expansion_budget + events_seen:
                raise _YamlRefused(
                    _yaml_finding(
                        "schema.yaml.alias_bomb",
                        f"YAML aliases here expand the document to more than {expansion_budget:,} extra nodes "
                        "(a “billion laughs” pattern). Write the repeated parts out, or use $ref.",
                        event.start_mark,
                    )
                )
            in_key_position = bool(stack) and type(stack[-1].container) is dict and stack[-1].key is _NO_KEY
            add(value, event.start_mark, nodes, raw if in_key_position else None)
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _YamlRefused(
                    _yaml_finding(
                        "schema.syntax",
                        "The text holds more than one YAML document (a second “---”). Keep only the OpenAPI document.",
                        event.start_mark,
                    )
                )
    return None if root is _NO_KEY else root


def _apply_merges(frame: _Frame) -> None:
    """YAML merge keys (`<<: *base`): explicit keys win, earlier merge sources win over later ones."""
    container = frame.container
    for value, mark in frame.merges:
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise _YamlRefused(
                    _yaml_finding(
                        "schema.syntax", "Invalid YAML: a merge key (<<) needs a mapping or a list of mappings.", mark
                    )
                )
            for key, item in source.items():
                if key not in container:
                    container[key] = item
                    frame.marks[key] = mark


def yaml_positions(data, marks: dict, pointers: set[str]) -> dict[str, tuple[int, int]]:
    positions = {}
    for pointer in pointers:
        if pointer == "":
            positions[pointer] = (1, 1)
            continue
        node = data
        mark = None
        for token in pointer_tokens(pointer):
            container_marks = marks.get(id(node))
            if isinstance(node, dict) and token in node:
                mark = container_marks.get(token) if container_marks is not None else None
                node = node[token]
            elif isinstance(node, list) and (index := array_index(token, len(node))) is not None:
                mark = container_marks[index] if container_marks is not None else None
                node = node[index]
            else:
                mark = None
                break
        if mark is not None:
            positions[pointer] = (mark.line + 1, mark.column + 1)
    return positions

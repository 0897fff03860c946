"""What every action-rule module shares: the result of a check, the operations it walks, and local
`$ref` resolution."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from actions.schema.findings import Finding, make_finding
from actions.schema.pointers import array_index

SUPPORTED_METHODS = ("get", "post", "put", "patch", "delete")
# ChatGPT's own messages, quoted as the hint of several rules.
CANNOT_PARSE = "Could not parse valid OpenAPI spec"
NO_SERVER = "Could not find a valid URL in `servers`"
NOT_ROOT = "None of the provided servers is under the root origin https://…"


# --- Results ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Operation:
    method: str  # lower case, as in the schema: "get", "post", ...
    path: str
    operation_id: str
    summary: str
    consequential: bool  # effective x-openai-isConsequential (GET defaults to false, others true)
    consequential_explicit: bool  # whether the schema set it (as a boolean)


@dataclass
class ActionCheck:
    """What the action rules found in one schema."""

    findings: list[Finding] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    server_url: str = ""
    domain: str = ""
    auth_scheme: str = "none"
    security_scheme: dict = field(default_factory=dict)  # the declared scheme (for GPT-level auth checks)

    def add(self, code: str, message: str, pointer: str = "") -> None:
        self.findings.append(make_finding(code, message, pointer=pointer))


# --- Helpers ----------------------------------------------------------------------------------------------
def local_pointer(ref: str) -> str | None:
    """The JSON pointer of a local `#...` reference, or None for any other. A pointer in a URI
    fragment is percent-encoded (RFC 6901 §6: `#/components/schemas/Ok%20Reply`), so it is decoded
    first; its `~1` and `~0` are unescaped only after the split, as in any pointer."""
    if not ref.startswith("#"):
        return None
    return unquote(ref[1:]) if "%" in ref else ref[1:]


def resolve_local(data: dict, ref: str):
    """The target of a local `#/...` reference, or None."""
    pointer = local_pointer(ref)
    if pointer is None:
        return None
    node = data
    if pointer in ("", "/"):
        return node
    if not pointer.startswith("/"):
        return None
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and (index := array_index(token, len(node))) is not None:
            node = node[index]
        else:
            return None
    return node


class LocalRefs:
    """Resolves local `#/...` references of one document, each distinct reference once."""

    def __init__(self, data: dict):
        self.data = data
        self._cache: dict[str, object] = {}

    def resolve(self, ref: str):
        if ref not in self._cache:
            self._cache[ref] = resolve_local(self.data, ref)
        return self._cache[ref]

    def deref(self, node, pointer: str, hops: int = 20):
        """Follow local $refs from `node` (at `pointer`); returns (target or None, pointer of target)."""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and hops:
            ref = node["$ref"]
            target = self.resolve(ref)
            if target is None:
                return None, pointer
            node, pointer = target, local_pointer(ref)
            hops -= 1
        return node, pointer


def schema_types(schema: dict) -> set:
    value = schema.get("type")
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {t for t in value if isinstance(t, str)}
    return set()


@dataclass
class PathOperation:
    method: str
    path: str
    node: dict
    pointer: str
    item: dict
    item_pointer: str


@dataclass
class BodyMedia:
    """One media type of an operation's request body, dereferenced once for every check."""

    op: PathOperation
    media: str
    schema: dict | None
    pointer: str

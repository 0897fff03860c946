"""JSON pointers (RFC 6901) and how findings quote values: the helpers every part of the engine
shares (parsing, the YAML reader, structure, rules)."""

from __future__ import annotations

import re

PARSE_FAILED = "Fix the syntax at this position; a JSON or YAML linter in your editor shows the same place."


def shown(value, show=str) -> str:
    """`show(value)` (str or repr) for a message. The parser keeps integers to MAX_INT_DIGITS, but
    Python's str() refuses an integer past its digit limit (4,300, or lower if set), alone or in a
    list, with a ValueError: such a value is described instead, so no report can fail on it."""
    try:
        return show(value)
    except ValueError:
        return "a number too long to show" if type(value) is int else f"a {type(value).__name__} with a huge number"


MESSAGE_VALUE_MAX_CHARS = 100


def brief(value, show=str) -> str:
    """`shown(value, show)` cut to MESSAGE_VALUE_MAX_CHARS for a message: a finding quotes what it
    is about, not a 4,000-digit number or a whole list again."""
    text = shown(value, show)
    return text if len(text) <= MESSAGE_VALUE_MAX_CHARS else text[:MESSAGE_VALUE_MAX_CHARS] + "…"


# --- JSON pointers ----------------------------------------------------------------------------------
def escape_token(token) -> str:
    token = token if type(token) is str else str(token)
    if "~" in token or "/" in token:
        return token.replace("~", "~0").replace("/", "~1")
    return token


def json_pointer(*tokens) -> str:
    """RFC 6901 pointer from raw tokens: json_pointer("paths", "/pets", "get") == "/paths/~1pets/get"."""
    return "".join("/" + escape_token(t) for t in tokens)


# An array index in a JSON pointer (RFC 6901): "0" or ASCII digits without a leading zero. Not
# str.isdigit(), which also takes "²" and "٣" (int() then fails on some of them), and short enough
# that int() never meets a 5,000-digit number; no document holds a billion items.
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]{0,8}")


def array_index(token: str, length: int) -> int | None:
    """The list index `token` names in a list of `length` items, or None if it names none."""
    if _ARRAY_INDEX.fullmatch(token):
        index = int(token)
        if index < length:
            return index
    return None


def pointer_tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]

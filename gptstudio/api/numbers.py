"""Whole numbers from outside (ids, versions, revision numbers): 1 to 18 ASCII digits.

Python's own checks are too lenient for input: `str.isdigit()` and `int()` accept superscripts and
other scripts' digits ("²" passes isdigit and then fails int, "١" is read as 1), `int()` refuses
more than 4,300 digits with an error of its own, and anything past 18 digits overflows a 64-bit
column. Every number the API reads from a URL, a query string, a header or a form goes through
`parse_whole_number` (URLs through ID_PATTERN, the same rule as a route regex).
"""

from __future__ import annotations

import re

from rest_framework.exceptions import ValidationError

ID_PATTERN = "[0-9]{1,18}"
ID_MAX = 10**18 - 1
# How the OpenAPI schema describes such a number (path and query parameters).
WHOLE_NUMBER_SCHEMA = {"type": "integer", "minimum": 0, "maximum": ID_MAX}
# `[0-9]`, not `\d`: in Python's re, `\d` matches every script's digits.
_WHOLE_NUMBER = re.compile(ID_PATTERN)


def parse_whole_number(raw: str) -> int | None:
    """`raw` as an int when it is 1 to 18 ASCII digits (nothing else, no sign, no spaces); else None."""
    return int(raw) if _WHOLE_NUMBER.fullmatch(raw) else None


def not_a_whole_number(what: str) -> str:
    """The message refusing a query number, naming what it is ("A version", "An id")."""
    return f"{what} is a whole number written with the digits 0-9 (at most 18)."


def query_number(request, name: str, *, what: str) -> int | None:
    """The whole number in `?name=`, None when absent; anything else is a 400 naming the parameter."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    number = parse_whole_number(raw)
    if number is None:
        raise ValidationError({name: [not_a_whole_number(what)]})
    return number

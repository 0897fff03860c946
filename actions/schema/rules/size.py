"""The schema's size against the limit ChatGPT reportedly enforces."""

from __future__ import annotations

from actions.schema import limits
from actions.schema.findings import Severity, register

from .core import (
    ActionCheck,
)

register(
    "action.schema.too_large",
    Severity.WARNING,
    "Schema larger than ChatGPT reportedly accepts",
    chatgpt_behaviour="One builder reports that the editor refuses specs over 1 MB. Not documented.",
    limit=limits.ACTION_SCHEMA_MAX_BYTES,
    chatgpt_message="OpenAPI spec must be 1MB or smaller",
    fix="Remove unused paths and components, or split the API across actions.",
)


def check_size(size_bytes: int, result: ActionCheck) -> None:
    maximum = limits.ACTION_SCHEMA_MAX_BYTES.value
    if size_bytes > maximum:
        result.add(
            "action.schema.too_large",
            f"The schema is {size_bytes:,} bytes; one builder reports ChatGPT refuses specs over {maximum:,} "
            "bytes (unconfirmed). Remove unused paths and components, or split the API across actions.",
        )

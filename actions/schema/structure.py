"""Structural validation of OpenAPI 3.0.x / 3.1.x documents against the official meta-schemas.

The meta-schemas are vendored in `metaschemas/` (see its README for their source) and compiled once
per process with jsonschema-rs, a compiled validator: on GitHub's 13 MB description it takes about
20 ms, where pure-Python validation takes seconds. Every error keeps its instance path, which the
report turns into a pointer and a line.

ChatGPT is lenient about strict conformance (OpenAI's own cookbook schemas carry extra keywords and
misplaced `securitySchemes`), so these are warnings; the GPT action rules report, as errors, what
ChatGPT really refuses or drops.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from .findings import Finding, Severity, make_finding, register
from .pointers import json_pointer

METASCHEMA_DIR = Path(__file__).with_name("metaschemas")
METASCHEMA_FILES = {"3.0": "oas-3.0.json", "3.1": "oas-3.1.json"}
# A broken document can have thousands of structural errors; the first ones show the pattern.
MAX_STRUCTURE_FINDINGS = 200
MAX_MESSAGE_LENGTH = 300

register(
    "openapi.structure",
    Severity.WARNING,
    "Does not follow the OpenAPI specification",
    chatgpt_behaviour="ChatGPT's parser is lenient: several schemas in OpenAI's own cookbook break the "
    "OpenAPI meta-schema and still work. Other tools (code generators, API gateways) may refuse them.",
    source="OpenAPI 3.0/3.1 meta-schemas; GPT_EDITOR.md (note on leniency)",
    confidence="confirmed",
    fix="Fix the value at the pointer shown to follow the OpenAPI specification.",
)
register(
    "openapi.structure.truncated",
    Severity.INFO,
    "More structural problems than shown",
    chatgpt_behaviour="Not a ChatGPT rule: GPT Studio lists the first structural problems only.",
    source="GPT Studio",
    confidence="confirmed",
    fix="Fix the problems shown, then check the schema again for the rest.",
)


@cache
def metaschema_validator(family: str):
    """The compiled validator of the "3.0" or "3.1" meta-schema (compiled once per process)."""
    import jsonschema_rs  # loaded with the first meta-schema: a text that does not parse needs neither

    schema = json.loads((METASCHEMA_DIR / METASCHEMA_FILES[family]).read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema)


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_LENGTH else text[: MAX_MESSAGE_LENGTH - 1] + "…"


def structure_findings(data: dict, family: str) -> list[Finding]:
    """One warning per meta-schema error, at the pointer of the offending value."""
    findings: list[Finding] = []
    errors = metaschema_validator(family).iter_errors(data)
    for count, error in enumerate(errors):
        if count == MAX_STRUCTURE_FINDINGS:
            remaining = sum(1 for _ in errors) + 1
            findings.append(
                make_finding(
                    "openapi.structure.truncated",
                    f"{remaining:,} more structural problems are not listed; fix the ones above first.",
                )
            )
            break
        pointer = json_pointer(*error.instance_path)
        where = pointer or "the document root"
        findings.append(
            make_finding(
                "openapi.structure",
                f"OpenAPI {family} structure at {where}: {_short(error.message)}. Fix it to follow the "
                f"OpenAPI {family} specification (ChatGPT may tolerate it; other tools may not).",
                pointer=pointer,
            )
        )
    return findings

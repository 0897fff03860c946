"""The `openapi` version: Swagger 2.0, missing, unsupported or untested versions."""

from __future__ import annotations

import re

from actions.schema.findings import Severity, register
from actions.schema.pointers import brief, shown

from .core import (
    CANNOT_PARSE,
    NO_SERVER,
    ActionCheck,
)

register(
    "openapi.swagger2",
    Severity.ERROR,
    "Swagger 2.0 document",
    chatgpt_behaviour="ChatGPT reads OpenAPI 3 (`openapi: 3.x` with `servers`); a Swagger 2.0 document has "
    "no `servers`, so ChatGPT finds no URL and refuses it.",
    source="GPT_EDITOR.md §3.1 [GS], [DEV]",
    confidence="likely",
    chatgpt_message=NO_SERVER,
    fix="Convert the document to OpenAPI 3 (a `servers` list instead of `host` and `basePath`).",
)
register(
    "openapi.version.missing",
    Severity.ERROR,
    "No `openapi` version",
    chatgpt_behaviour="Without `openapi: 3.x` the text is not an OpenAPI 3 document; ChatGPT refuses it.",
    source="GPT_EDITOR.md §3.1, §6 [DEV]",
    confidence="likely",
    chatgpt_message=CANNOT_PARSE,
    fix="Add `openapi: 3.1.0` (or 3.0.x) at the top of the schema.",
)
register(
    "openapi.version.unsupported",
    Severity.ERROR,
    "OpenAPI version ChatGPT does not read",
    chatgpt_behaviour="ChatGPT documents OpenAPI 3.0.x and 3.1.0; other major versions are refused.",
    source="GPT_EDITOR.md §3.1 [GS], [BUNDLE]",
    confidence="likely",
    chatgpt_message=CANNOT_PARSE,
    fix="Set `openapi` to 3.1.0 or a 3.0.x version.",
)
register(
    "openapi.version.untested",
    Severity.WARNING,
    "OpenAPI version not known to work in ChatGPT",
    chatgpt_behaviour="The docs and the editor's examples use 3.0.1 and 3.1.0; some developers report "
    "trouble with 3.1.1 and later.",
    source="GPT_EDITOR.md §3.1, §9 [DEV]",
    confidence="unconfirmed",
    fix="Use `openapi: 3.1.0` or 3.0.x if ChatGPT has trouble with this version.",
)


def check_version(data: dict, result: ActionCheck) -> str | None:
    """The meta-schema family ("3.0", "3.1") to validate against, or None when the version is unusable."""
    version = data.get("openapi")
    if version is None:
        if "swagger" in data:
            result.add(
                "openapi.swagger2",
                f"This is a Swagger {brief(data['swagger'])} document. ChatGPT reads OpenAPI 3: convert it "
                "(for example with swagger2openapi or editor.swagger.io → Edit → Convert to OpenAPI 3) and "
                "replace `host`/`basePath`/`schemes` with `servers: [{url: https://…}]`.",
                "/swagger",
            )
        else:
            result.add(
                "openapi.version.missing",
                "The document has no `openapi` field. Start it with `openapi: 3.1.0` (or 3.0.x).",
            )
        return None
    text = shown(version)
    match = re.match(r"^3\.([01])\.(\d+)", text)
    if not isinstance(version, str) or not match:
        if text.startswith("3."):
            family = "3.1" if text.startswith("3.1") else "3.0" if text.startswith("3.0") else None
            result.add(
                "openapi.version.untested",
                f'`openapi: {brief(text)}` is not a version ChatGPT is known to read; use the string "3.1.0" '
                "(quoted in YAML) or 3.0.x.",
                "/openapi",
            )
            return family
        result.add(
            "openapi.version.unsupported",
            f"`openapi: {brief(text)}` is not OpenAPI 3.0 or 3.1. Write the schema as OpenAPI 3.1.0 (or 3.0.x).",
            "/openapi",
        )
        return None
    if match.group(1) == "1" and match.group(2) != "0":
        result.add(
            "openapi.version.untested",
            f"Some developers report trouble with OpenAPI {brief(text)} in ChatGPT; the editor's own examples use "
            "3.1.0. Use `openapi: 3.1.0` unless you need a newer feature.",
            "/openapi",
        )
    return "3." + match.group(1)

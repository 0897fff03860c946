"""The published JSON Schema of the GPT document (`gptstudio/gpt@1`).

Built from `gptstudio.limits` so every number lives once; the committed copy in
`gpts/schemas/gpt-document-1.schema.json` (served at /schemas/gpt-document-1.json) is checked
against this builder by a test. Regenerate it with `python -m gpts.document_schema`.

The schema holds what GPT Studio can *store* (the model's hard caps). ChatGPT's softer limits
(instructions over 8,000 characters, publish readiness) are validation findings, not schema errors,
so a draft document still imports.
"""

from __future__ import annotations

import json
from pathlib import Path

from actions.fields import URL_MAX_LENGTH, action_field
from gpts import fields as gpt_fields
from gptstudio import limits

DOCUMENT_FORMAT = "gptstudio/gpt@1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "gpt-document-1.schema.json"
SCHEMA_URL_PATH = "/schemas/gpt-document-1.json"

# Field caps of the models (gpts.models.GPT, actions.models.Action); kept equal by a test.
# The GPT's and the actions' fields take theirs from their specs (gpts/fields.py, actions/fields.py).
RECOMMENDED_MODEL_MAX_LENGTH = gpt_fields.gpt_field("recommended_model").max_length
CATEGORY_MAX_LENGTH = gpt_fields.gpt_field("category").max_length
KNOWLEDGE_NAME_MAX_LENGTH = 255
ACTION_NAME_MAX_LENGTH = action_field("name").max_length
CUSTOM_HEADER_MAX_LENGTH = action_field("api_key_custom_header").max_length
OAUTH_CLIENT_ID_MAX_LENGTH = action_field("oauth_client_id").max_length
OAUTH_SCOPE_MAX_LENGTH = action_field("oauth_scope").max_length


def document_keys() -> tuple[str, ...]:
    """Top-level keys in document order (the renderers' fixed order; the schema requires all but the
    fields added after format 1, `optional_in_document` in gpts/fields.py)."""
    return ("format", *gpt_fields.document_keys(), "knowledge", "actions")


DOCUMENT_KEYS = document_keys()


def _string(max_length: int | None = None, *, min_length: int = 0, description: str = "") -> dict:
    schema: dict = {"type": "string"}
    if min_length:
        schema["minLength"] = min_length
    if max_length is not None:
        schema["maxLength"] = max_length
    if description:
        schema["description"] = description
    return schema


def _url(*, optional: bool, description: str) -> dict:
    pattern = r"^(https?://\S+)?$" if optional else r"^https?://\S+$"
    return {"type": "string", "maxLength": URL_MAX_LENGTH, "pattern": pattern, "description": description}


def _object(properties: dict, required: list[str], **extra) -> dict:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False, **extra}


PLACEHOLDER_FIELD_NOTE = (
    "Never a real secret: GPT Studio writes a placeholder here and ignores any other value on import. "
    "Type the secret into ChatGPT (and into GPT Studio's action settings) by hand."
)


def build_document_schema() -> dict:
    api_key = _object(
        {
            "auth_type": {"enum": ["basic", "bearer", "custom"], "description": "ChatGPT's “Auth Type”."},
            "custom_header": _string(CUSTOM_HEADER_MAX_LENGTH, description="“Custom Header Name” (custom only)."),
            "key": _string(description=PLACEHOLDER_FIELD_NOTE),
        },
        ["auth_type"],
        **{
            "if": {"properties": {"auth_type": {"const": "custom"}}, "required": ["auth_type"]},
            "then": {"required": ["custom_header"], "properties": {"custom_header": {"pattern": r"\S"}}},
        },
    )
    oauth = _object(
        {
            "client_id": _string(
                OAUTH_CLIENT_ID_MAX_LENGTH, description="Empty while still to be entered (a rescue import has none)."
            ),
            "client_secret": _string(description=PLACEHOLDER_FIELD_NOTE),
            "authorization_url": _url(optional=False, description="ChatGPT's “Authorization URL”."),
            "token_url": _url(optional=False, description="ChatGPT's “Token URL”."),
            "scope": _string(OAUTH_SCOPE_MAX_LENGTH),
            "token_exchange_method": {"enum": ["default_post", "basic_auth_header"]},
        },
        ["authorization_url", "token_url"],
    )
    authentication = _object(
        {"type": {"enum": ["none", "api_key", "oauth"]}, "api_key": api_key, "oauth": oauth},
        ["type"],
        allOf=[
            {
                "if": {"properties": {"type": {"const": "api_key"}}, "required": ["type"]},
                "then": {"required": ["api_key"], "properties": {"oauth": False}},
            },
            {
                "if": {"properties": {"type": {"const": "oauth"}}, "required": ["type"]},
                "then": {"required": ["oauth"], "properties": {"api_key": False}},
            },
            {
                "if": {"properties": {"type": {"const": "none"}}, "required": ["type"]},
                "then": {"properties": {"api_key": False, "oauth": False}},
            },
        ],
    )
    action = _object(
        {
            "name": _string(ACTION_NAME_MAX_LENGTH, min_length=1, description="Matches actions on import."),
            "domain": _string(253, description="Derived from the schema's first server URL; informative only."),
            "privacy_policy_url": _url(optional=True, description="Required by ChatGPT for link/Store GPTs."),
            "authentication": authentication,
            "changes_public_state": {
                "type": "boolean",
                "description": "Whether the API changes third-party or public state (the MCP export's "
                "openWorldHint). Optional; absent means true, and GPT Studio writes it only when false.",
            },
            "schema": _string(
                limits.STUDIO_SCHEMA_HARD_MAX_BYTES, description="The OpenAPI text exactly as stored (JSON or YAML)."
            ),
        },
        ["name", "privacy_policy_url", "authentication", "schema"],
    )
    knowledge = _object(
        {
            "name": _string(KNOWLEDGE_NAME_MAX_LENGTH, min_length=1),
            "size": {"type": "integer", "minimum": 0, "maximum": limits.GPT_KNOWLEDGE_FILE_MAX_BYTES.value},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "media_type": _string(255, min_length=1),
        },
        ["name", "size", "sha256", "media_type"],
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:gptstudio:schema:gpt-document-1",
        "title": "GPT Studio GPT document (gptstudio/gpt@1)",
        "description": (
            "One custom GPT with its actions, as GPT Studio exports and imports it. Secrets are never "
            "included. Key order in GPT Studio's output is fixed; any order is accepted on input. "
            f"Served by every GPT Studio at {SCHEMA_URL_PATH}."
        ),
        **_object(
            {
                "format": {"const": DOCUMENT_FORMAT},
                **_gpt_field_properties(),
                "knowledge": {
                    "type": "array",
                    "maxItems": limits.GPT_KNOWLEDGE_FILES_MAX.value,
                    "items": knowledge,
                },
                "actions": {"type": "array", "maxItems": limits.GPT_ACTIONS_MAX.value, "items": action},
            },
            [key for key in document_keys() if key not in gpt_fields.optional_document_keys()],
        ),
    }


def _gpt_field_schema(spec: gpt_fields.GPTField) -> dict:
    if spec.kind == gpt_fields.BOOLEAN:
        return {"type": "boolean"}
    if spec.kind == gpt_fields.CHOICE:
        return {"enum": list(spec.choices), "description": spec.schema_description}
    if spec.kind == gpt_fields.LIST:
        return {
            "type": "array",
            "maxItems": spec.max_items.value,
            "items": _string(spec.max_length, min_length=1, description=spec.schema_description),
        }
    description = spec.schema_description
    if spec.chatgpt_limit is not None:
        description = f"ChatGPT takes {spec.chatgpt_limit.value} {gpt_fields.DRAFT_KEPT_NOTE}"
    return _string(spec.max_length, min_length=1 if spec.required else 0, description=description)


def _gpt_field_properties() -> dict:
    """The schema of the GPT's own fields (gpts/fields.py), in document order."""
    properties = {}
    for key, specs in gpt_fields.document_groups().items():
        if specs[0].grouped:
            properties[key] = _object(
                {s.name: _gpt_field_schema(s) for s in specs}, [s.name for s in specs if not s.optional_in_document]
            )
        else:
            properties[key] = _gpt_field_schema(specs[0])
    return properties


OPENAPI_DOCUMENT_NOTE = (
    "OpenAPI 3.0 cannot state the conditional rules of the published JSON Schema (an `api_key` object "
    "exactly when `authentication.type` is `api_key`, `oauth` exactly for `oauth`, `custom_header` for a "
    f"custom API key header); {SCHEMA_URL_PATH} has them all."
)


def _openapi_subset(node):
    """`node` in the Schema Object dialect of OpenAPI 3.0: `const` becomes a one-value enum, and the
    conditionals (`if`/`then`, the `allOf` of them) are left out."""
    if isinstance(node, list):
        return [_openapi_subset(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {}
    for key, value in node.items():
        if key in ("$schema", "$id", "if", "then", "allOf"):
            continue
        if key == "const":
            converted["type"], converted["enum"] = "string", [value]
        elif key == "properties":
            converted[key] = {name: _openapi_subset(item) for name, item in value.items()}
        else:
            converted[key] = _openapi_subset(value)
    if "enum" in converted:
        converted.setdefault("type", "string")
    return converted


def build_openapi_document_schema() -> dict:
    """The GPT document as an OpenAPI 3.0 schema (for the API docs): the published JSON Schema
    without what OpenAPI 3.0 cannot say, so every valid document matches it too."""
    schema = _openapi_subset(build_document_schema())
    schema["description"] = f"{schema['description']} {OPENAPI_DOCUMENT_NOTE}"
    return schema


def render_document_schema() -> str:
    return json.dumps(build_document_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover - a maintenance helper
    SCHEMA_PATH.parent.mkdir(exist_ok=True)
    SCHEMA_PATH.write_text(render_document_schema(), encoding="utf-8")
    print(f"Wrote {SCHEMA_PATH}")

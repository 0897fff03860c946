"""A GPT model → its document (`gptstudio/gpt@1`), in document key order, secrets as placeholders;
and the change summary between two documents (for revisions)."""

from __future__ import annotations

from gpts import fields as gpt_fields
from gpts.document_schema import DOCUMENT_FORMAT, DOCUMENT_KEYS

SECRET_PLACEHOLDER = "<secret: type it into ChatGPT; GPT Studio never exports it>"  # noqa: S105 (a placeholder, not a secret)

GPT_FIELD_KEYS = DOCUMENT_KEYS[1:-1]  # the GPT's own fields, between `format` and `actions`


def action_authentication(action) -> dict:
    if action.auth_type == "api_key":
        return {
            "type": "api_key",
            "api_key": {
                "auth_type": action.api_key_auth_type,
                "custom_header": action.api_key_custom_header if action.api_key_auth_type == "custom" else "",
                "key": SECRET_PLACEHOLDER,
            },
        }
    if action.auth_type == "oauth":
        return {
            "type": "oauth",
            "oauth": {
                "client_id": action.oauth_client_id,
                "client_secret": SECRET_PLACEHOLDER,
                "authorization_url": action.oauth_authorization_url,
                "token_url": action.oauth_token_url,
                "scope": action.oauth_scope,
                "token_exchange_method": action.oauth_token_exchange_method,
            },
        }
    return {"type": "none"}


def action_document(action) -> dict:
    document = {
        "name": action.name,
        "domain": action.domain,
        "privacy_policy_url": action.privacy_policy_url,
        "authentication": action_authentication(action),
    }
    # Optional, written only when off: documents of actions at the default keep their bytes.
    if not action.changes_public_state:
        document["changes_public_state"] = False
    document["schema"] = action.schema_text
    return document


def gpt_document(gpt) -> dict:
    """The document of a GPT. Reads `conversation_starters`, `knowledge_files` and `actions`
    through their related managers, so prefetch them when building many documents."""
    document = {"format": DOCUMENT_FORMAT}
    for key, specs in gpt_fields.document_groups().items():
        document[key] = _field_value(gpt, specs)
    document["knowledge"] = knowledge_document(gpt)
    document["actions"] = [action_document(a) for a in gpt.actions.all()]
    return document


def default_document() -> dict:
    """A document of a new GPT: every key in document order, each field at its spec default
    (gpts/fields.py), no knowledge and no actions. Callers that write a document field by field
    (the ChatGPT import) start from it, so a new field is never missing from their documents."""
    document = {"format": DOCUMENT_FORMAT}
    for key in gpt_fields.document_groups():
        document[key] = gpt_fields.document_default(key)
    document["knowledge"] = []
    document["actions"] = []
    return document


def with_field_defaults(document: dict) -> dict:
    """`document` with the fields an older `gptstudio/gpt@1` file may lack (`optional_in_document`
    in gpts/fields.py) added at their defaults; `document` itself is left alone, and returned as it
    is when nothing lacks. For a document its JSON Schema accepts."""
    filled = document
    for key, specs in gpt_fields.document_groups().items():
        if key not in document:
            filled = {**filled, key: gpt_fields.document_default(key)}
        elif specs[0].grouped:
            defaults = gpt_fields.document_default(key)
            lacking = {name: value for name, value in defaults.items() if name not in document[key]}
            if lacking:
                filled = {**filled, key: {**document[key], **lacking}}
    return filled


def _field_value(gpt, specs: tuple[gpt_fields.GPTField, ...]):
    """A document key's value: a column, a group of columns (the capabilities) or the starters."""
    if specs[0].grouped:
        return {spec.name: getattr(gpt, spec.name) for spec in specs}
    if specs[0].name == "conversation_starters":
        return [s.text for s in gpt.conversation_starters.all()]
    return getattr(gpt, specs[0].name)


def knowledge_document(gpt) -> list[dict]:
    """The document's `knowledge` list of a GPT (reads `knowledge_files`)."""
    return [
        {"name": k.name, "size": k.size, "sha256": k.sha256, "media_type": k.media_type}
        for k in gpt.knowledge_files.all()
    ]


def document_changes(old: dict | None, new: dict) -> list[str]:
    """Short human phrases for what changed between two documents (for revision summaries)."""
    if old is None:
        return ["Created"]
    changes = [f"Changed {key.replace('_', ' ')}" for key in GPT_FIELD_KEYS if old.get(key) != new.get(key)]
    old_actions = {a["name"]: a for a in old.get("actions", [])}
    new_actions = {a["name"]: a for a in new.get("actions", [])}
    changes += [f"Added action {name}" for name in new_actions if name not in old_actions]
    changes += [f"Removed action {name}" for name in old_actions if name not in new_actions]
    changes += [
        f"Changed action {name}"
        for name, action in new_actions.items()
        if name in old_actions and old_actions[name] != action
    ]
    if not changes and [a["name"] for a in old.get("actions", [])] != [a["name"] for a in new.get("actions", [])]:
        changes.append("Reordered actions")
    return changes

"""The GPT document (`gptstudio/gpt@1`): one portable form of a GPT with its actions.

Revisions store it, exports render it, imports read it, diffs compare it. Key order is fixed
(dicts are built in document order), so the same GPT always gives the same document. Secrets are
never in it: the authentication block carries `SECRET_PLACEHOLDER` where ChatGPT wants a secret.
"""

from __future__ import annotations

DOCUMENT_FORMAT = "gptstudio/gpt@1"
SECRET_PLACEHOLDER = "<secret: type it into ChatGPT; GPT Studio never exports it>"  # noqa: S105 (a placeholder, not a secret)

GPT_FIELD_KEYS = (
    "name",
    "description",
    "instructions",
    "conversation_starters",
    "capabilities",
    "recommended_model",
    "visibility",
    "category",
    "use_conversation_data",
    "knowledge",
)


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
    return {
        "name": action.name,
        "domain": action.domain,
        "privacy_policy_url": action.privacy_policy_url,
        "authentication": action_authentication(action),
        "schema": action.schema_text,
    }


def gpt_document(gpt) -> dict:
    """The document of a GPT. Reads `conversation_starters`, `knowledge_files` and `actions`
    through their related managers, so prefetch them when building many documents."""
    return {
        "format": DOCUMENT_FORMAT,
        "name": gpt.name,
        "description": gpt.description,
        "instructions": gpt.instructions,
        "conversation_starters": [s.text for s in gpt.conversation_starters.all()],
        "capabilities": gpt.capabilities,
        "recommended_model": gpt.recommended_model,
        "visibility": gpt.visibility,
        "category": gpt.category,
        "use_conversation_data": gpt.use_conversation_data,
        "knowledge": [
            {"name": k.name, "size": k.size, "sha256": k.sha256, "media_type": k.media_type}
            for k in gpt.knowledge_files.all()
        ],
        "actions": [action_document(a) for a in gpt.actions.all()],
    }


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

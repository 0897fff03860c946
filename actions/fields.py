"""Every editable field of an action, declared once: the services' editable and trimmed lists, the
action editor's form (which fields, their labels, help texts and lengths), the admin's form, the API's
write fields and the import's pointers into a document's action entry all derive from `ACTION_FIELDS`.

The secrets (API key, OAuth client secret) are not here: they are write-only, encrypted apart and never
in a document (actions/models.py). Django-free, like gpts/fields.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from gptstudio import limits

URL_MAX_LENGTH = 2000


@dataclass(frozen=True)
class ActionField:
    name: str  # the model column, the form field and the services' keyword argument
    label: str = ""  # the editor's label; "" for Django's default from the name
    help_text: str = ""
    max_length: int | None = None  # what GPT Studio stores
    document_pointer: str = ""  # where an action entry of the document holds it (relative to the entry)
    in_form: bool = True  # a value the action editor's form passes to the services
    in_admin: bool = True
    in_api: bool = True
    trimmed: bool = False  # trimmed like ChatGPT's editor does when the field loses focus


# In the order of the admin's form (and the editor's): name, schema, privacy policy, authentication.
ACTION_FIELDS: tuple[ActionField, ...] = (
    # The editor's form reads the name apart: left empty, the schema's title names the action.
    ActionField(
        "name",
        help_text="Shown in GPT Studio only; left empty, the schema's title (or its domain) is used.",
        max_length=100,
        document_pointer="name",
        in_form=False,
        trimmed=True,
    ),
    ActionField("slug", document_pointer="name", in_form=False, in_admin=False),
    ActionField("position", in_form=False, in_admin=False),
    ActionField("schema_text", "Schema", max_length=limits.STUDIO_SCHEMA_HARD_MAX_BYTES, document_pointer="schema"),
    ActionField("schema_format", in_form=False, in_admin=False),
    ActionField(
        "privacy_policy_url",
        "Privacy policy",
        help_text="Required by ChatGPT when the GPT is shared by link or in the GPT Store.",
        max_length=URL_MAX_LENGTH,
        document_pointer="privacy_policy_url",
        trimmed=True,
    ),
    ActionField("auth_type", "Authentication type", document_pointer="authentication/type"),
    ActionField("api_key_auth_type", "Auth Type", document_pointer="authentication/api_key/auth_type"),
    ActionField(
        "api_key_custom_header",
        "Custom Header Name",
        max_length=200,
        document_pointer="authentication/api_key/custom_header",
        trimmed=True,
    ),
    ActionField(
        "oauth_client_id", "Client ID", max_length=500, document_pointer="authentication/oauth/client_id", trimmed=True
    ),
    ActionField(
        "oauth_authorization_url",
        "Authorization URL",
        max_length=URL_MAX_LENGTH,
        document_pointer="authentication/oauth/authorization_url",
        trimmed=True,
    ),
    ActionField(
        "oauth_token_url",
        "Token URL",
        max_length=URL_MAX_LENGTH,
        document_pointer="authentication/oauth/token_url",
        trimmed=True,
    ),
    ActionField(
        "oauth_scope",
        "Scope",
        max_length=limits.STUDIO_OAUTH_SCOPE_MAX_LENGTH,
        document_pointer="authentication/oauth/scope",
        trimmed=True,
    ),
    ActionField(
        "oauth_token_exchange_method",
        "Token Exchange Method",
        document_pointer="authentication/oauth/token_exchange_method",
    ),
    # The editor asks it the other way round (its `private_system` box), so the form maps it itself.
    ActionField("changes_public_state", in_form=False),
    ActionField(
        "base_url_override",
        "Base URL for test calls",
        help_text="Optional. “Try it” and the hosted MCP endpoint call this instead of the schema's server "
        "(a staging or local API); the schema is not changed and ChatGPT exports keep its server.",
        max_length=URL_MAX_LENGTH,
        trimmed=True,
    ),
)


def action_field(name: str) -> ActionField:
    return next(spec for spec in ACTION_FIELDS if spec.name == name)


def editable_names() -> frozenset[str]:
    return frozenset(spec.name for spec in ACTION_FIELDS)


def trimmed_names() -> tuple[str, ...]:
    return tuple(spec.name for spec in ACTION_FIELDS if spec.trimmed)


def form_names() -> tuple[str, ...]:
    """What the action editor's form passes to `action_create` / `action_update` (besides the name)."""
    return tuple(spec.name for spec in ACTION_FIELDS if spec.in_form)


def admin_names() -> tuple[str, ...]:
    return tuple(spec.name for spec in ACTION_FIELDS if spec.in_admin)


def api_names() -> frozenset[str]:
    return frozenset(spec.name for spec in ACTION_FIELDS if spec.in_api)


def field_pointers() -> dict[str, str]:
    """Service error keys → the pointer into the document's action entry."""
    return {spec.name: spec.document_pointer for spec in ACTION_FIELDS if spec.document_pointer}

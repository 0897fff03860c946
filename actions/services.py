"""The one write path for actions. Every action change is a change of its GPT: it locks the GPT
(then the action: the project's lock order), bumps the GPT's version and records a revision.

Secrets: pass `api_key` / `oauth_client_secret` as a string to set, "" to clear, or leave them out
(None) to keep the stored one. Secrets of an auth type the action no longer uses are cleared, so no
stale credential lingers.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from gpts.models import GPT
from gpts.services import check_slug, lock_gpt, record_change, require_version, unique_slug
from gptstudio import limits
from gptstudio.errors import EditConflict

from .domain import detect_schema_format, domain_from_schema
from .models import Action

EDITABLE_FIELDS = frozenset(
    {
        "name",
        "slug",
        "position",
        "schema_text",
        "schema_format",
        "privacy_policy_url",
        "auth_type",
        *Action.AUTH_CONFIG_FIELDS,
        "changes_public_state",
        "base_url_override",
    }
)
TRIMMED_FIELDS = (
    "name",
    "privacy_policy_url",
    "api_key_custom_header",
    "oauth_client_id",
    "oauth_authorization_url",
    "oauth_token_url",
    "oauth_scope",
    "base_url_override",
)
API_KEY_FIELDS = {"api_key_auth_type": "", "api_key_custom_header": ""}
OAUTH_FIELDS = {
    "oauth_client_id": "",
    "oauth_authorization_url": "",
    "oauth_token_url": "",
    "oauth_scope": "",
    "oauth_token_exchange_method": Action.TokenExchangeMethod.DEFAULT_POST,
}


def _apply(action: Action, fields: dict, *, api_key: str | None, oauth_client_secret: str | None) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable action fields: {', '.join(sorted(unknown))}")
    for key, value in fields.items():
        if key in TRIMMED_FIELDS and isinstance(value, str):
            value = value.strip()
        setattr(action, key, value)
    if "schema_text" in fields and "schema_format" not in fields:
        action.schema_format = detect_schema_format(action.schema_text)
    if api_key is not None:
        action.api_key = api_key
    if oauth_client_secret is not None:
        action.oauth_client_secret = oauth_client_secret
    # Keep only the configuration of the chosen auth type.
    if action.auth_type != Action.AuthType.API_KEY:
        for key, default in API_KEY_FIELDS.items():
            setattr(action, key, default)
        action.api_key = ""
    elif action.api_key_auth_type != Action.ApiKeyAuthType.CUSTOM:
        action.api_key_custom_header = ""
    if action.auth_type != Action.AuthType.OAUTH:
        for key, default in OAUTH_FIELDS.items():
            setattr(action, key, default)
        action.oauth_client_secret = ""
    # The domain is derived from the schema: parsed again only when the schema is given (a rename
    # does not re-read a 1 MB schema); `action_refresh_domain` re-derives it after rule changes.
    if "schema_text" in fields or action.pk is None:
        action.domain = domain_from_schema(action.schema_text)


def _state(action: Action) -> tuple:
    return (*(getattr(action, f) for f in sorted(EDITABLE_FIELDS)), action.api_key, action.oauth_client_secret)


@transaction.atomic
def action_create(
    *,
    gpt: GPT,
    actor,
    name: str,
    api_key: str | None = None,
    oauth_client_secret: str | None = None,
    expected_gpt_version: int | None = None,
    **fields,
) -> Action:
    """Add an action to a GPT (at the end unless `position` is given)."""
    locked = lock_gpt(gpt, expected_version=expected_gpt_version)
    existing = list(locked.actions.values_list("slug", "position"))
    maximum = limits.GPT_ACTIONS_MAX.value
    if len(existing) >= maximum:
        raise ValidationError({"gpt": f"ChatGPT allows at most {maximum} actions per GPT; remove one first."})
    action = Action(gpt=locked, position=max((p for _, p in existing), default=-1) + 1)
    _apply(action, {"name": name, **fields}, api_key=api_key, oauth_client_secret=oauth_client_secret)
    if not action.slug:
        action.slug = unique_slug(action.name, (s for s, _ in existing), fallback="action")
    else:
        check_slug(action.slug, siblings=locked.actions.all(), what="action of this GPT")
    action.full_clean()
    action.save()
    record_change(gpt=locked, actor=actor, summary=f"Added action {action.name}")
    return action


@transaction.atomic
def action_update(
    *,
    action: Action,
    actor,
    expected_version: int,
    api_key: str | None = None,
    oauth_client_secret: str | None = None,
    summary: str = "",
    **fields,
) -> Action:
    """Change an action. Refused with EditConflict when the action moved on since
    `expected_version` (the action's own version)."""
    require_version(expected_version)
    locked_gpt = lock_gpt(action.gpt, expected_version=None)
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.version != expected_version:
        raise EditConflict(expected_version=expected_version, current_version=locked.version, what="action")
    before = _state(locked)
    previous_slug = locked.slug
    _apply(locked, fields, api_key=api_key, oauth_client_secret=oauth_client_secret)
    if locked.slug and locked.slug != previous_slug:
        check_slug(locked.slug, siblings=locked_gpt.actions.exclude(pk=locked.pk), what="action of this GPT")
    locked.full_clean()
    if _state(locked) == before:
        return locked  # Nothing changed: no new version, no revision.
    locked.version += 1
    locked.save()
    # Forced: a secret change leaves the document unchanged but is still worth a revision entry.
    record_change(gpt=locked_gpt, actor=actor, summary=summary or f"Changed action {locked.name}", force=True)
    return locked


@transaction.atomic
def action_delete(*, action: Action, actor, expected_version: int | None = None) -> None:
    locked_gpt = lock_gpt(action.gpt, expected_version=None)
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict(expected_version=expected_version, current_version=locked.version, what="action")
    name = locked.name
    locked.delete()
    record_change(gpt=locked_gpt, actor=actor, summary=f"Removed action {name}")


@transaction.atomic
def action_refresh_domain(*, action_id: int) -> str:
    """Recompute the derived domain from the stored schema (run as a Celery task after the
    domain rules change). Not a document change when the domain is unchanged."""
    action = Action.objects.select_related("gpt").get(pk=action_id)
    domain = domain_from_schema(action.schema_text)
    if domain != action.domain:
        locked_gpt = lock_gpt(action.gpt, expected_version=None)
        Action.objects.filter(pk=action.pk).update(domain=domain)
        record_change(gpt=locked_gpt, actor=None, summary=f"Recomputed domain of action {action.name}")
    return domain

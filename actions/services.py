"""The one write path for actions. Every action change is a change of its GPT: it locks the GPT
(then the action: the project's lock order), bumps the GPT's version and records a revision.

Secrets: pass `api_key` / `oauth_client_secret` as a string to set, "" to clear, or leave them out
(None) to keep the stored one. Secrets of an auth type the action no longer uses are cleared, so no
stale credential lingers on the action; they (and those of a deleted action) are kept encrypted in
`RetiredActionSecret`, so a restore or import that brings the action back with that authentication
(`revive_secrets=True`) brings its secret back. A secret cleared on purpose ("") is not kept.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from gpts.models import GPT, SchemaText
from gpts.services import (
    check_slug,
    lock_gpt,
    record_change,
    require_version,
    schema_text_store,
    schema_texts_prune,
    unique_slug,
)
from gptstudio import limits
from gptstudio.errors import EditConflict

from . import fields as action_fields
from .domain import detect_schema_format, domain_from_data, domain_from_schema
from .models import Action, RetiredActionSecret, UpstreamConnection
from .schema import parse_schema
from .upstream import upstream_binding

EDITABLE_FIELDS = action_fields.editable_names()
TRIMMED_FIELDS = action_fields.trimmed_names()
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
        if key == "schema_text":
            action_set_schema_text(action, value)
        else:
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


def action_set_schema_text(action: Action, text: str) -> None:
    """Point `action` at the SchemaText of `text`, unsaved: a draft writes nothing. The one way
    an action's schema changes; `_store_schema` stores the text when the action is saved."""
    maximum = limits.STUDIO_SCHEMA_HARD_MAX_BYTES
    if len(text) > maximum:
        message = f"Ensure this value has at most {maximum} characters (it has {len(text)})."
        raise ValidationError({"schema_text": message})
    action.schema = SchemaText.of(text)


def _store_schema(action: Action) -> None:
    """Store the action's schema text if new, in the transaction that saves the action (locked
    there, so a concurrent prune keeps it)."""
    schema_text_store(action.schema_text)


def _state(action: Action) -> tuple:
    """What a change compares: the schema by its hash, so an unchanged schema is not read."""
    values = (action.schema_id if f == "schema_text" else getattr(action, f) for f in sorted(EDITABLE_FIELDS))
    return (*values, action.api_key, action.oauth_client_secret)


# --- Retired secrets ---------------------------------------------------------------------------


def _held_secrets(action: Action) -> dict:
    return {
        "api_key": action.api_key,
        "oauth_client_id": action.oauth_client_id,
        "oauth_client_secret": action.oauth_client_secret,
    }


def _revive_secrets(action: Action) -> None:
    """Give `action` the retired secrets kept for its name that its authentication needs and it
    lacks (an OAuth client secret only for the same client ID)."""
    needs_key = action.auth_type == Action.AuthType.API_KEY and not action.api_key
    needs_secret = action.auth_type == Action.AuthType.OAUTH and not action.oauth_client_secret
    if not (needs_key or needs_secret):
        return
    retired = RetiredActionSecret.objects.filter(gpt_id=action.gpt_id, action_name=action.name.strip()).first()
    if retired is None:
        return
    if needs_key and retired.api_key:
        action.api_key = retired.api_key
    if needs_secret and retired.oauth_client_secret and retired.oauth_client_id == action.oauth_client_id:
        action.oauth_client_secret = retired.oauth_client_secret


def _settle_retired_secrets(
    action: Action, *, name_before: str, held: dict, api_key: str | None, oauth_client_secret: str | None
) -> None:
    """After a change of `action` (which held `held` under `name_before`): keep what it lost
    without being asked, forget what was cleared on purpose or is held again. No query when none
    of that happened."""
    names = {name_before.strip(), action.name.strip()}
    lost = {}
    forget = set()
    for kind, given in (("api_key", api_key), ("oauth_client_secret", oauth_client_secret)):
        now = getattr(action, kind) if action.pk is not None else None
        if given == "":
            forget.add(kind)  # cleared on purpose: no restore may bring it back
        elif now:
            if given is not None or not held.get(kind):
                forget.add(kind)  # held (again): an older retired value is stale
        elif held.get(kind):
            lost[kind] = held[kind]
    if forget:
        retired_rows = RetiredActionSecret.objects.select_for_update().filter(
            gpt_id=action.gpt_id, action_name__in=names
        )
        for retired in retired_rows:
            for kind in forget:
                setattr(retired, kind, "")
            if not retired.oauth_client_secret:
                retired.oauth_client_id = ""
            if retired.api_key or retired.oauth_client_secret:
                retired.save()
            else:
                retired.delete()
    if lost:
        retired, _ = RetiredActionSecret.objects.select_for_update().get_or_create(
            gpt_id=action.gpt_id, action_name=name_before.strip()
        )
        if "api_key" in lost:
            retired.api_key = lost["api_key"]
        if "oauth_client_secret" in lost:
            retired.oauth_client_secret = lost["oauth_client_secret"]
            retired.oauth_client_id = held["oauth_client_id"]
        retired.save()


def default_action_name(schema_text: str) -> str:
    """ChatGPT names an action after its API; use the schema's title, else its domain."""
    data = parse_schema(schema_text or "").data
    if isinstance(data, dict):
        info = data.get("info")
        if isinstance(info, dict) and isinstance(info.get("title"), str) and info["title"].strip():
            return info["title"].strip()[: Action._meta.get_field("name").max_length]
    return domain_from_data(data) or "Action"


@transaction.atomic
def action_create(
    *,
    gpt: GPT,
    actor,
    name: str = "",
    api_key: str | None = None,
    oauth_client_secret: str | None = None,
    expected_gpt_version: int | None = None,
    revive_secrets: bool = False,
    **fields,
) -> Action:
    """Add an action to a GPT (at the end unless `position` is given). The name is optional on
    every interface (studio, API, admin): left blank, it is the schema's title (or its domain).
    `revive_secrets`: give it the retired secrets kept for its name (restores and imports)."""
    fields.setdefault("schema_text", "")
    locked = lock_gpt(gpt, expected_version=expected_gpt_version)
    existing = list(locked.actions.values_list("slug", "position"))
    action = action_draft(
        existing_slugs=[s for s, _ in existing],
        name=name,
        api_key=api_key,
        oauth_client_secret=oauth_client_secret,
        **fields,
    )
    action.gpt = locked
    if "position" not in fields:
        action.position = max((p for _, p in existing), default=-1) + 1
    if fields.get("slug"):
        check_slug(action.slug, siblings=locked.actions.all(), what="action of this GPT")
    if revive_secrets:
        _revive_secrets(action)
    _store_schema(action)
    action.full_clean()
    action.save()
    _settle_retired_secrets(
        action, name_before=action.name, held={}, api_key=api_key, oauth_client_secret=oauth_client_secret
    )
    record_change(gpt=locked, actor=actor, summary=f"Added action {action.name}")
    return action


def action_draft(
    *,
    existing_slugs: list[str],
    name: str = "",
    api_key: str | None = None,
    oauth_client_secret: str | None = None,
    **fields,
) -> Action:
    """The action `action_create` would add to a GPT whose actions have `existing_slugs`, unsaved
    and without its GPT: fields applied, domain derived, slug chosen and the fields' own checks
    run (not those that need the GPT's row). Raises ValidationError. Reads and writes nothing, so
    validating a GPT document uses it too (gpts.importers.document_validation_findings)."""
    maximum = limits.GPT_ACTIONS_MAX.value
    if len(existing_slugs) >= maximum:
        raise ValidationError({"gpt": f"ChatGPT allows at most {maximum} actions per GPT; remove one first."})
    action = Action(position=len(existing_slugs))
    name = name.strip() or default_action_name(fields.get("schema_text", ""))
    _apply(action, {"name": name, **fields}, api_key=api_key, oauth_client_secret=oauth_client_secret)
    if not action.slug:
        action.slug = unique_slug(action.name, existing_slugs, fallback="action")
    # The schema's own check is its size (action_set_schema_text); its row is stored on save.
    action.full_clean(exclude=["gpt", "schema"], validate_unique=False, validate_constraints=False)
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
    revive_secrets: bool = False,
    **fields,
) -> Action:
    """Change an action. Refused with EditConflict when the action moved on since
    `expected_version` (the action's own version). `revive_secrets`: give it the retired secrets
    kept for its name that its (new) authentication needs (restores and imports). A blank name
    keeps the current one, as on create it would be derived."""
    if "name" in fields and not (fields["name"] or "").strip():
        del fields["name"]
    require_version(expected_version)
    locked_gpt = lock_gpt(action.gpt, expected_version=None)
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.version != expected_version:
        raise EditConflict(expected_version=expected_version, current_version=locked.version, what="action")
    before = _state(locked)
    previous_slug, previous_name, held = locked.slug, locked.name, _held_secrets(locked)
    bound_to = upstream_binding(locked)
    previous_schema = locked.schema_id
    _apply(locked, fields, api_key=api_key, oauth_client_secret=oauth_client_secret)
    if locked.slug and locked.slug != previous_slug:
        check_slug(locked.slug, siblings=locked_gpt.actions.exclude(pk=locked.pk), what="action of this GPT")
    if revive_secrets:
        _revive_secrets(locked)
    if locked.schema_id != previous_schema:
        _store_schema(locked)
    locked.full_clean()
    # Before the no-change return: clearing a secret the action did not hold still clears a
    # retired one, so no later restore brings it back.
    _settle_retired_secrets(
        locked, name_before=previous_name, held=held, api_key=api_key, oauth_client_secret=oauth_client_secret
    )
    if _state(locked) == before:
        return locked  # Nothing changed: no new version, no revision.
    locked.version += 1
    locked.save()
    if upstream_binding(locked) != bound_to:
        UpstreamConnection.objects.filter(action=locked).delete()
    if locked.schema_id != previous_schema:
        schema_texts_prune([previous_schema])  # kept while a revision (or another action) holds it
    # Forced: a secret change leaves the document unchanged but is still worth a revision entry.
    record_change(gpt=locked_gpt, actor=actor, summary=summary or f"Changed action {locked.name}", force=True)
    return locked


@transaction.atomic
def action_delete(*, action: Action, actor, expected_version: int | None = None) -> None:
    locked_gpt = lock_gpt(action.gpt, expected_version=None)
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict(expected_version=expected_version, current_version=locked.version, what="action")
    name, held, schema = locked.name, _held_secrets(locked), locked.schema_id
    locked.delete()
    # Kept for a restore that brings the action back (RetiredActionSecret).
    _settle_retired_secrets(locked, name_before=name, held=held, api_key=None, oauth_client_secret=None)
    record_change(gpt=locked_gpt, actor=actor, summary=f"Removed action {name}")
    schema_texts_prune([schema])


@transaction.atomic
def action_refresh_domain(*, action_id: int) -> str:
    """Recompute the derived domain from the stored schema (run as a Celery task after the
    domain rules change). Not a document change when the domain is unchanged."""
    action = Action.objects.select_related("gpt", "schema").get(pk=action_id)
    domain = domain_from_schema(action.schema_text)
    if domain != action.domain:
        locked_gpt = lock_gpt(action.gpt, expected_version=None)
        Action.objects.filter(pk=action.pk).update(domain=domain)
        record_change(gpt=locked_gpt, actor=None, summary=f"Recomputed domain of action {action.name}")
    return domain

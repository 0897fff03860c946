"""The one write path for workspaces, GPTs, conversation starters and knowledge files.

Every interface (UI, API, admin, commands) calls these functions. Each GPT change runs in one
transaction that locks the GPT row, checks the version the caller started from, writes, bumps the
version and records a Revision with the new document. Invalid input raises Django's
`ValidationError` with field-specific messages and writes nothing; a stale update raises
`EditConflict` and writes nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import mimetypes
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import slugify

from gpts import fields as gpt_fields
from gpts.document.build import document_changes, gpt_document
from gptstudio import limits
from gptstudio.errors import EditConflict

from .models import (
    GPT,
    SLUG_MAX_LENGTH,
    ConversationStarter,
    Invitation,
    KnowledgeFile,
    Membership,
    Revision,
    SchemaText,
    Workspace,
    knowledge_upload_to,
    schema_sha256,
)
from .permissions import AccessDenied
from .pictures import profile_picture_check

GPT_EDITABLE_FIELDS = gpt_fields.editable_names()
# Trimmed like ChatGPT's editor trims them when the field loses focus.
TRIMMED_FIELDS = gpt_fields.trimmed_names()


# --- Slugs ---------------------------------------------------------------------------------------


# Path segments the pages put where a GPT or action slug goes (`/g/new/`, `/actions/new/`,
# `/actions/validate/`, `/actions/format/`, `/actions/import/`): a GPT or action with one of these
# slugs could never be opened. One set for both kinds, so generated and typed slugs obey one rule.
RESERVED_SLUGS = frozenset({"new", "validate", "format", "import"})


def unique_slug(base_text: str, taken: Iterable[str], *, fallback: str) -> str:
    """A slug from `base_text` not in `taken` (nor reserved), suffixed -2, -3 ... when needed."""
    base = slugify(base_text)[:SLUG_MAX_LENGTH].strip("-") or fallback
    taken = set(taken) | RESERVED_SLUGS
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX_LENGTH - len(suffix)] + suffix
    return candidate


def check_slug(slug: str, *, siblings, what: str, reserved: frozenset[str] = RESERVED_SLUGS) -> None:
    """Refuse a slug given explicitly (generated ones are fine by construction) with a `slug`
    field error: it must be what `slugify` makes of it (one lowercase URL segment, no leading or
    trailing hyphen), not a page's path segment, and not used by one of `siblings` (a queryset of
    the objects it must differ from, the edited object excluded).

    The database's unique constraints stay the last word (a race between two saves is a 409 in
    the API); this check gives the answer a field and a message."""
    canonical = slugify(slug)
    if not slug or slug != canonical:
        example = f" (for example “{canonical}”)" if canonical else ""
        raise ValidationError(
            {
                "slug": f"“{slug}” is not a valid slug: use lowercase letters, digits, hyphens and underscores, "
                f"starting and ending with a letter or digit{example}."
            }
        )
    if slug in reserved:
        raise ValidationError({"slug": f"“{slug}” is reserved for a page of the studio; choose another slug."})
    if siblings.filter(slug=slug).exists():
        raise ValidationError({"slug": f"Another {what} already uses the slug “{slug}”; choose another."})


# --- Workspaces and members --------------------------------------------------------------------


@transaction.atomic
def workspace_create(*, name: str, owner, slug: str | None = None) -> Workspace:
    name = (name or "").strip()
    if not slug:
        slug = unique_slug(name, Workspace.objects.values_list("slug", flat=True), fallback="workspace")
    else:
        # No page path sits where a workspace slug goes (`/w/<slug>/`), so none is reserved.
        check_slug(slug, siblings=Workspace.objects.all(), what="workspace", reserved=frozenset())
    workspace = Workspace(name=name, slug=slug)
    workspace.full_clean()
    workspace.save()
    Membership.objects.create(workspace=workspace, user=owner, role=Membership.Role.OWNER)
    return workspace


@transaction.atomic
def workspace_update(*, workspace: Workspace, name: str) -> Workspace:
    workspace.name = (name or "").strip()
    workspace.full_clean()
    workspace.save(update_fields=["name", "updated_at"])
    return workspace


@transaction.atomic
def workspace_delete(*, workspace: Workspace) -> None:
    """Delete the workspace with its GPTs, and (after commit) the knowledge bytes that no other
    workspace's GPT still references."""
    stored_files = list(KnowledgeFile.objects.filter(gpt__workspace=workspace).values_list("file", flat=True))
    schema_hashes = _schema_hashes_of(workspace=workspace)
    workspace.delete()
    schema_texts_prune(schema_hashes)
    transaction.on_commit(lambda: _delete_unreferenced_files(stored_files))


def _ensure_an_owner_remains(workspace: Workspace, leaving_user) -> None:
    others = workspace.memberships.filter(role=Membership.Role.OWNER).exclude(user=leaving_user)
    if not others.exists():
        raise ValidationError({"role": "A workspace needs at least one owner; make someone else owner first."})


@transaction.atomic
def membership_set(*, workspace: Workspace, user, role: str) -> Membership:
    """Add `user` to `workspace` with `role`, or change their role."""
    Workspace.objects.select_for_update().get(pk=workspace.pk)
    membership = Membership.objects.filter(workspace=workspace, user=user).first()
    if membership is None:
        membership = Membership(workspace=workspace, user=user, role=role)
    else:
        if membership.role == Membership.Role.OWNER and role != Membership.Role.OWNER:
            _ensure_an_owner_remains(workspace, user)
        membership.role = role
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_remove(*, workspace: Workspace, user) -> None:
    Workspace.objects.select_for_update().get(pk=workspace.pk)
    membership = Membership.objects.filter(workspace=workspace, user=user).first()
    if membership is None:
        return
    if membership.role == Membership.Role.OWNER:
        _ensure_an_owner_remains(workspace, user)
    membership.delete()


# --- GPTs ------------------------------------------------------------------------------------------


def require_version(expected_version) -> None:
    """An edit must name the version its caller started from: without one there is nothing to
    check, and a stale form or request would silently overwrite someone else's save. A missing
    version is a bug in the caller (interfaces turn a missing or malformed one into their own
    error first), hence TypeError rather than a validation message."""
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise TypeError(
            f"expected_version must be the version (an int) the caller started from, not {expected_version!r}."
        )


def lock_gpt(gpt: GPT, *, expected_version: int | None) -> GPT:
    """Lock the GPT row for this transaction and check the caller's starting version.

    Lock order across the project: GPT first, then its actions. `expected_version=None` is only
    for changes that cannot overwrite someone else's edit: additive or targeted ones (adding or
    removing one named file or action, recomputing a derived field) and deletions whose caller
    has no version to offer (the admin's delete page). Edits of fields go through
    `require_version` first (gpt_update, action_update, restores)."""
    locked = GPT.objects.select_for_update().get(pk=gpt.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict(expected_version=expected_version, current_version=locked.version)
    return locked


@dataclass
class RevisionBatch:
    """GPTs changed inside `one_revision()`, and (after the block) the revision each got."""

    actor: object
    summary: str
    pending: dict[int, bool] = field(default_factory=dict)  # GPT id → forced
    revisions: dict[int, Revision | None] = field(default_factory=dict)


_revision_batch: ContextVar[RevisionBatch | None] = ContextVar("revision_batch", default=None)


@contextmanager
def one_revision(*, actor, summary: str) -> Iterator[RevisionBatch]:
    """Run several service calls as one change: one transaction, and one revision per GPT they
    touched (recorded at the end, with `summary`), instead of one revision per call.

    Used by imports and restores, which create or change a GPT, its actions and its knowledge
    files in one go. Nested use joins the outer batch."""
    outer = _revision_batch.get()
    if outer is not None:
        yield outer
        return
    batch = RevisionBatch(actor=actor, summary=summary)
    token = _revision_batch.set(batch)
    try:
        with transaction.atomic():
            yield batch
            _revision_batch.reset(token)
            token = None
            for gpt_id, forced in batch.pending.items():
                locked = GPT.objects.select_for_update().get(pk=gpt_id)
                batch.revisions[gpt_id] = record_change(gpt=locked, actor=actor, summary=summary, force=forced)
    finally:
        if token is not None:
            _revision_batch.reset(token)


STORED_VALIDATION_FIELDS = ("readiness", "error_count", "warning_count", "action_count")


def record_change(*, gpt: GPT, actor, summary: str = "", force: bool = False) -> Revision | None:
    """Bump the version and record a Revision if the document changed (or `force`).

    Must run inside the transaction that holds the lock from `lock_gpt`. Inside `one_revision()`
    it only notes the GPT; the batch records one revision at its end."""
    batch = _revision_batch.get()
    if batch is not None:
        batch.pending[gpt.pk] = batch.pending.get(gpt.pk, False) or force
        return None
    fresh = GPT.objects.prefetch_related("actions__schema").get(pk=gpt.pk)
    # Compared as snapshots (schemas as hashes): the same answer without reading old schema texts.
    snapshot, schema_texts = Revision.split_document(gpt_document(fresh))
    previous = gpt.revisions.order_by("-number").only("snapshot").first()
    changes = document_changes(previous.snapshot if previous else None, snapshot)
    if previous is not None and not changes and not force:
        return None
    if previous is not None:
        gpt.version += 1
        gpt.updated_by = actor
    store_validation(gpt, fresh)
    gpt.save(update_fields=["version", "updated_by", "updated_at", *STORED_VALIDATION_FIELDS])
    revision = Revision.objects.create(
        gpt=gpt,
        number=gpt.version,
        snapshot=snapshot,
        author=actor,
        summary=(summary or "; ".join(changes) or "Saved")[:500],
    )
    if schema_texts:
        _store_schema_texts(schema_texts)
        revision.schemas.add(*schema_texts)
    return revision


def _store_schema_texts(texts: dict[str, str]) -> None:
    """Store the texts SchemaText does not hold yet (a text already stored is not sent again).

    The stored rows are locked until the revision linking them commits: a concurrent
    `schema_texts_prune` (another GPT deleted) then either waits for this link and keeps the text,
    or has deleted the text first, which this read then no longer finds and stores again."""
    stored = set(
        SchemaText.objects.select_for_update()
        .filter(sha256__in=texts)
        .order_by("sha256")
        .values_list("sha256", flat=True)
    )
    SchemaText.objects.bulk_create(
        [SchemaText.of(text) for digest, text in texts.items() if digest not in stored],
        ignore_conflicts=True,  # a concurrent save stored the same text first
    )


def schema_text_store(text: str) -> SchemaText:
    """The SchemaText of `text`, stored if new, for an action to reference (`Action.schema`).

    Locked like the texts of a revision (`_store_schema_texts`) until the caller's transaction
    commits the action that links it, so a concurrent prune keeps it. Returned unsaved with the
    text in memory: the caller already holds it, and a 15 MB schema is not read back."""
    _store_schema_texts({schema_sha256(text): text})
    return SchemaText.of(text)


def schema_texts_prune(hashes: Iterable[str]) -> None:
    """Delete the schema texts among `hashes` that no action and no revision references any more
    (after GPTs, actions or their revisions were deleted, or an action's schema was replaced).

    The candidates are locked first, and only then is "referenced" read: a save linking one of
    them (which locks it too, `_store_schema_texts`) has committed its link by then, so the text
    stays. Deciding before the lock would let the delete's cascade take that new link with it."""
    candidates = list(
        SchemaText.objects.select_for_update()
        .filter(sha256__in={h for h in hashes if h})
        .order_by("sha256")
        .values_list("sha256", flat=True)
    )
    if not candidates:
        return
    # `actions` and `revisions` are the reverse relations (the actions app sits on top of this one).
    unreferenced = SchemaText.objects.filter(sha256__in=candidates, actions__isnull=True, revisions__isnull=True)
    unreferenced.only("sha256").delete()


def _schema_hashes_of(**gpt_filter) -> set[str]:
    """The schema texts the GPTs matching `gpt_filter` reference through their revisions or
    actions: the candidates to prune once those GPTs are deleted."""
    by_revisions = SchemaText.objects.filter(**{f"revisions__gpt__{k}": v for k, v in gpt_filter.items()})
    by_actions = SchemaText.objects.filter(**{f"actions__gpt__{k}": v for k, v in gpt_filter.items()})
    return {*by_revisions.values_list("sha256", flat=True), *by_actions.values_list("sha256", flat=True)}


def store_validation(gpt: GPT, validated: GPT | None = None) -> None:
    """Set the GPT's stored readiness, finding counts and action count (STORED_VALIDATION_FIELDS)
    from a fresh validation of `validated` (the GPT as stored now); the caller saves."""
    from gptstudio.findings import Severity

    from .validation import validate_gpt

    report = validate_gpt(validated or gpt)
    findings = report.all_findings
    gpt.readiness = report.readiness
    gpt.error_count = sum(1 for f in findings if f.severity == Severity.ERROR)
    gpt.warning_count = sum(1 for f in findings if f.severity == Severity.WARNING)
    gpt.action_count = len(report.actions)  # every action of the GPT, each with its schema report


def _clean_starters(starters: Iterable[str]) -> list[str]:
    # A str is iterable too: taken as a list it would become one starter per letter.
    if isinstance(starters, (str, bytes)) or not isinstance(starters, Iterable) or isinstance(starters, dict):
        raise ValidationError(
            {"conversation_starters": "Conversation starters must be a list of texts, one per starter."}
        )
    texts = []
    for position, starter in enumerate(starters, start=1):
        if not isinstance(starter, str):
            raise ValidationError(
                {
                    "conversation_starters": f"Conversation starter {position} must be text, "
                    f"not {type(starter).__name__}."
                }
            )
        # ChatGPT drops empty entries; so do we, rather than refusing them.
        if starter.strip():
            texts.append(starter.strip())
    maximum = limits.GPT_CONVERSATION_STARTERS_MAX.value
    if len(texts) > maximum:
        message = f"ChatGPT's editor holds at most {maximum} conversation starters; got {len(texts)}."
        raise ValidationError({"conversation_starters": message})
    max_length = limits.STUDIO_STARTER_MAX_LENGTH
    too_long = [i + 1 for i, t in enumerate(texts) if len(t) > max_length]
    if too_long:
        raise ValidationError(
            {"conversation_starters": f"Conversation starter {too_long[0]} is longer than {max_length} characters."}
        )
    return texts


def _replace_starters(gpt: GPT, texts: list[str]) -> None:
    gpt.conversation_starters.all().delete()
    ConversationStarter.objects.bulk_create(
        ConversationStarter(gpt=gpt, position=i, text=text) for i, text in enumerate(texts)
    )


def _apply_fields(gpt: GPT, fields: dict) -> None:
    unknown = set(fields) - GPT_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable GPT fields: {', '.join(sorted(unknown))}")
    for key, value in fields.items():
        if key in TRIMMED_FIELDS and isinstance(value, str):
            value = value.strip()
        if key == "profile_picture" and isinstance(value, UploadedFile):
            try:
                profile_picture_check(value)
            except ValidationError as exc:
                raise ValidationError({"profile_picture": exc.error_list}) from None
        setattr(gpt, key, value)


def _split_capabilities(fields: dict) -> dict:
    capabilities = fields.pop("capabilities", None)
    if capabilities is None:
        return fields
    unknown = set(capabilities) - set(GPT.CAPABILITY_FIELDS)
    if unknown:
        raise ValidationError({"capabilities": f"Unknown capabilities: {', '.join(sorted(unknown))}."})
    return {**fields, **{k: bool(v) for k, v in capabilities.items()}}


@transaction.atomic
def gpt_create(
    *, workspace: Workspace, actor, conversation_starters: Iterable[str] = (), summary: str = "", **fields
) -> GPT:
    """Create a GPT (fields as on the model; `capabilities` may be a dict) with revision 1."""
    gpt, starters = gpt_draft(conversation_starters=conversation_starters, **fields)
    gpt.workspace, gpt.created_by, gpt.updated_by = workspace, actor, actor
    if not gpt.slug:
        gpt.slug = unique_slug(gpt.name, workspace.gpts.values_list("slug", flat=True), fallback="gpt")
    else:
        check_slug(gpt.slug, siblings=workspace.gpts.all(), what="GPT in this workspace")
    gpt.full_clean()
    gpt.save()
    _replace_starters(gpt, starters)
    record_change(gpt=gpt, actor=actor, summary=summary or "Created")
    return gpt


def gpt_draft(*, conversation_starters: Iterable[str] = (), **fields) -> tuple[GPT, list[str]]:
    """The GPT `gpt_create` would save and its cleaned starters, unsaved and in no workspace: the
    fields applied and their own checks run (not the slug's, which needs the workspace). Raises
    ValidationError. Reads and writes nothing, so validating a GPT document uses it too."""
    fields = _split_capabilities(dict(fields))
    starters = _clean_starters(conversation_starters)
    gpt = GPT()
    _apply_fields(gpt, fields)
    gpt.full_clean(
        exclude=["workspace", "slug", "created_by", "updated_by"], validate_unique=False, validate_constraints=False
    )
    return gpt, starters


_NO_CHANGE = object()


@transaction.atomic
def gpt_update(
    *, gpt: GPT, actor, expected_version: int, conversation_starters=_NO_CHANGE, summary: str = "", **fields
) -> GPT:
    """Change a GPT's fields and/or its starters. Refused with EditConflict when the GPT moved on
    since `expected_version`. A save that changes nothing records no revision."""
    require_version(expected_version)
    fields = _split_capabilities(dict(fields))
    locked = lock_gpt(gpt, expected_version=expected_version)
    previous_slug = locked.slug
    _apply_fields(locked, fields)
    if "name" in fields and "slug" not in fields and not locked.slug:
        locked.slug = unique_slug(locked.name, locked.workspace.gpts.values_list("slug", flat=True), fallback="gpt")
    elif locked.slug and locked.slug != previous_slug:
        siblings = GPT.objects.filter(workspace_id=locked.workspace_id).exclude(pk=locked.pk)
        check_slug(locked.slug, siblings=siblings, what="GPT in this workspace")
    locked.full_clean()
    locked.updated_by = actor
    locked.save()
    if conversation_starters is not _NO_CHANGE:
        _replace_starters(locked, _clean_starters(conversation_starters))
    record_change(gpt=locked, actor=actor, summary=summary, force="profile_picture" in fields)
    return locked


@transaction.atomic
def gpt_set_mcp_enabled(*, gpt: GPT, actor, enabled: bool) -> GPT:
    """Switch the hosted MCP endpoint (/mcp/<workspace>/<gpt>/) on or off. Owners only: it lets
    every member's MCP client call the GPT's APIs with the stored keys. Not part of the GPT
    document, so no revision and no version change."""
    if not Membership.objects.filter(workspace_id=gpt.workspace_id, user=actor, role=Membership.Role.OWNER).exists():
        raise AccessDenied("Only workspace owners switch a GPT's MCP server on or off.")
    GPT.objects.filter(pk=gpt.pk).update(mcp_enabled=enabled)
    gpt.mcp_enabled = enabled
    return gpt


@transaction.atomic
def gpt_delete(*, gpt: GPT, expected_version: int | None = None) -> None:
    locked = lock_gpt(gpt, expected_version=expected_version)
    stored_files = list(locked.knowledge_files.values_list("file", flat=True))
    schema_hashes = _schema_hashes_of(pk=locked.pk)
    locked.delete()
    schema_texts_prune(schema_hashes)
    transaction.on_commit(lambda: _delete_unreferenced_files(stored_files))


# --- Where a GPT came from in ChatGPT (gpts.chatgpt_import) ---------------------------------------
CHATGPT_IDENTITY_FIELDS = (
    "chatgpt_id",
    "chatgpt_imported_at",
    "chatgpt_profile_picture_url",
    "chatgpt_pending_knowledge",
    "chatgpt_knowledge_ids",
)


def gpt_chatgpt_identity_set(
    *,
    gpt: GPT,
    chatgpt_id: str,
    profile_picture_url: str,
    knowledge_file_ids: list[str],
    imported_at: datetime.datetime,
) -> GPT:
    """Record that `gpt` was (re-)imported from ChatGPT's GPT `chatgpt_id`. These fields are not
    part of the GPT document (they say where the GPT came from, not what it is), so no revision;
    the stored readiness is refreshed because pending knowledge files are a warning.

    A knowledge file id is pending unless an earlier import named it too and it was marked
    uploaded since: a re-import does not bring back files someone already took care of."""
    with transaction.atomic():
        locked = GPT.objects.select_for_update().get(pk=gpt.pk)
        named_before, still_pending = set(locked.chatgpt_knowledge_ids), set(locked.chatgpt_pending_knowledge)
        locked.chatgpt_id = chatgpt_id
        locked.chatgpt_imported_at = imported_at
        locked.chatgpt_profile_picture_url = profile_picture_url
        locked.chatgpt_pending_knowledge = [
            file_id for file_id in knowledge_file_ids if file_id in still_pending or file_id not in named_before
        ]
        locked.chatgpt_knowledge_ids = list(knowledge_file_ids)
        store_validation(locked)
        locked.save(update_fields=[*CHATGPT_IDENTITY_FIELDS, *STORED_VALIDATION_FIELDS, "updated_at"])
    return locked


@transaction.atomic
def gpt_knowledge_pending_clear(*, gpt: GPT, file_ids: Iterable[str] | None = None) -> GPT:
    """Mark knowledge files ChatGPT named by id as uploaded: `file_ids` of them, or all (None).
    Not a document change (no revision, no version bump), so it cannot overwrite anyone's edit."""
    locked = GPT.objects.select_for_update().get(pk=gpt.pk)
    done = None if file_ids is None else {str(file_id) for file_id in file_ids}
    locked.chatgpt_pending_knowledge = (
        [] if done is None else [f for f in locked.chatgpt_pending_knowledge if f not in done]
    )
    store_validation(locked)
    locked.save(update_fields=["chatgpt_pending_knowledge", *STORED_VALIDATION_FIELDS, "updated_at"])
    return locked


# --- Knowledge files --------------------------------------------------------------------------


def _digest(upload: File) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        sha.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return sha.hexdigest(), size


def _delete_unreferenced_files(stored_names: Iterable[str]) -> None:
    from django.core.files.storage import default_storage

    for stored in set(stored_names):
        if stored and not KnowledgeFile.objects.filter(file=stored).exists():
            default_storage.delete(stored)


SPREADSHEET_EXTENSIONS = (".csv", ".tsv", ".xls", ".xlsx", ".ods")


def knowledge_kind_limit(name: str, media_type: str) -> tuple[str, limits.Limit] | None:
    """The tighter per-kind size limit ChatGPT applies to images and spreadsheets (GPT_EDITOR.md §1.1)."""
    if media_type.startswith("image/"):
        return "images", limits.GPT_KNOWLEDGE_IMAGE_MAX_BYTES
    if name.lower().endswith(SPREADSHEET_EXTENSIONS) or "spreadsheet" in media_type or media_type == "text/csv":
        return "spreadsheets", limits.GPT_KNOWLEDGE_SPREADSHEET_MAX_BYTES
    return None


def knowledge_file_name(name: str) -> str:
    """A knowledge file's name as stored (its last path step, trimmed); raises ValidationError for a
    name that would be a path step, not a file, in every export and bundle."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in (".", ".."):
        raise ValidationError({"name": f"“{name}” cannot be a file name; rename the file."})
    return name


def knowledge_file_size_check(*, name: str, size: int, media_type: str) -> None:
    """ChatGPT's per-file size limit, and the tighter one for its kind (`media_type` "": unknown yet)."""
    if size > limits.GPT_KNOWLEDGE_FILE_MAX_BYTES.value:
        raise ValidationError({"file": f"“{name}” is larger than ChatGPT's 512 MB per-file limit."})
    kind_limit = knowledge_kind_limit(name, media_type) if media_type else None
    if kind_limit is not None and size > kind_limit[1].value:
        label, limit = kind_limit
        raise ValidationError(
            {"file": f"“{name}” is larger than ChatGPT's {limit.value // (1024 * 1024)} MB limit for {label}."}
        )


def knowledge_file_add(
    *, gpt: GPT, actor, upload: File, name: str | None = None, expected_version: int | None = None
) -> KnowledgeFile:
    """Add a file to the GPT's knowledge, after ChatGPT's count and size checks.

    Bytes are stored content-addressed (`knowledge/ab/<sha256>`) before the database transaction,
    so identical files are stored once; if the transaction fails, bytes that this call wrote and
    nothing references are deleted again."""
    from django.core.files.storage import default_storage

    name = knowledge_file_name(name or getattr(upload, "name", "") or "")
    if upload.size is not None:
        knowledge_file_size_check(name=name, size=upload.size, media_type="")
    sha256, size = _digest(upload)
    media_type = getattr(upload, "content_type", None) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    knowledge_file_size_check(name=name, size=size, media_type=media_type)
    knowledge = KnowledgeFile(name=name, size=size, sha256=sha256, media_type=media_type[:255], uploaded_by=actor)
    stored_name = knowledge_upload_to(knowledge, name)
    wrote_bytes = False
    if not default_storage.exists(stored_name):
        stored_name = default_storage.save(stored_name, upload)
        wrote_bytes = True
    knowledge.file.name = stored_name
    try:
        with transaction.atomic():
            locked = lock_gpt(gpt, expected_version=expected_version)
            maximum = limits.GPT_KNOWLEDGE_FILES_MAX.value
            if locked.knowledge_files.count() >= maximum:
                raise ValidationError({"file": f"A GPT holds at most {maximum} knowledge files; remove one first."})
            if locked.knowledge_files.filter(name=name).exists():
                raise ValidationError(
                    {"name": f"This GPT already has a knowledge file named “{name}”; rename one of them."}
                )
            knowledge.gpt = locked
            knowledge.full_clean()
            knowledge.save()
            record_change(gpt=locked, actor=actor, summary=f"Added knowledge file {name}")
    except BaseException:
        if wrote_bytes:
            _delete_unreferenced_files([stored_name])
        raise
    return knowledge


@transaction.atomic
def knowledge_file_delete(*, knowledge: KnowledgeFile, actor, expected_version: int | None = None) -> None:
    locked = lock_gpt(knowledge.gpt, expected_version=expected_version)
    stored, name = knowledge.file.name, knowledge.name
    knowledge.delete()
    record_change(gpt=locked, actor=actor, summary=f"Removed knowledge file {name}")
    transaction.on_commit(lambda: _delete_unreferenced_files([stored]))


# --- Jobs ------------------------------------------------------------------------------------------

# Past Celery's hard time limit a running attempt has been killed (or its worker stopped), so nothing
# will ever finish it; the margin covers the time between the claim and the task's start.
STALE_JOB_MARGIN_SECONDS = 60


def stale_job_cutoff_seconds() -> int:
    from django.conf import settings

    return settings.CELERY_TASK_TIME_LIMIT + STALE_JOB_MARGIN_SECONDS


def jobs_fail_stale(*, now: datetime.datetime | None = None) -> int:
    """Mark failed, with the reason, every job still `running` after its time limit: the worker
    that ran it was killed or stopped, and the job would otherwise show `running` forever. Called
    where jobs are read (the API) and by `manage.py fail_stale_jobs` (for cron). Returns how many."""
    from django.utils import timezone

    from .models import Job

    now = now or timezone.now()
    limit = stale_job_cutoff_seconds()
    reason = (
        f"Stopped without finishing: no progress for over {limit // 60} minutes (the worker was stopped, or "
        "the job hit its time limit). Start it again."
    )
    return Job.objects.filter(status=Job.Status.RUNNING, updated_at__lt=now - datetime.timedelta(seconds=limit)).update(
        status=Job.Status.FAILED, error=reason, finished_at=now, updated_at=now
    )


# --- Invitations ---------------------------------------------------------------------------


INVITATION_LIFETIME_DAYS = 14


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(*, workspace: Workspace, email: str, role: str, invited_by) -> tuple[Invitation, str]:
    """Invite `email` to `workspace` with `role`. Returns the invitation and the link's token (only
    its hash is stored, so this is the one chance to put it in an email). An earlier open
    invitation to the same address is replaced, so the newest link is the valid one."""
    import secrets

    from django.utils import timezone

    email = (email or "").strip()
    if workspace.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of this workspace."})
    workspace.invitations.filter(email__iexact=email, accepted_at__isnull=True).delete()
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=invitation_token_hash(token),
        invited_by=invited_by,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_LIFETIME_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    return invitation, token


def _verified_address(user, named: str) -> str | None:
    """Where to send `user` an invitation: the address they were named by (the lookup matched only a
    verified one), else their verified primary address, else another verified one; None without one
    (an invitation is accepted only from a verified address: _check_invited_address)."""
    from allauth.account.models import EmailAddress

    if "@" in named:
        return named
    verified = EmailAddress.objects.filter(user=user, verified=True).order_by("-primary", "id")
    return verified.values_list("email", flat=True).first()


@transaction.atomic
def invitation_create_for_user(
    *, workspace: Workspace, identifier: str, role: str, invited_by, accept_url_for
) -> Invitation | None:
    """Invite the active user an owner names by username or verified email address (the API's
    "add a member"): an invitation emailed to their verified address, which they accept like any
    other. Nobody joins a workspace without accepting.

    The caller answers the same whatever happens here, so an owner learns nothing about other
    accounts: nothing is created for a name no active user has, nor for a user without a verified
    address. Naming someone who is already a member is the one refusal (the owner sees the
    members anyway). `accept_url_for(token)` builds the link for the email."""
    from .selectors import user_for_membership

    identifier = (identifier or "").strip()
    user = user_for_membership(identifier)
    if user is not None and workspace.memberships.filter(user=user).exists():
        raise ValidationError({"username": "Already a member; change their role instead."})
    email = _verified_address(user, identifier) if user is not None else None
    if email is None:
        return None
    invitation, token = invitation_create(workspace=workspace, email=email, role=role, invited_by=invited_by)
    invitation_send(invitation=invitation, accept_url=accept_url_for(token))
    return invitation


def invitation_send(*, invitation: Invitation, accept_url: str) -> None:
    """Email the invitation link from a Celery task once the transaction that created it commits
    (the request itself sends nothing: see `mail_send_after_commit`)."""
    from django.template.loader import render_to_string

    from gptstudio.mail import mail_send_after_commit

    context = {"invitation": invitation, "accept_url": accept_url}
    subject = render_to_string("gpts/email/invitation_subject.txt", context).strip()
    body = render_to_string("gpts/email/invitation_message.txt", context)
    mail_send_after_commit(subject=subject, body=body, recipients=[invitation.email])


def invitation_find(*, token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(token_hash=invitation_token_hash(token or ""))
        .first()
    )


def _check_invited_address(invitation: Invitation, user) -> None:
    """The invitation is the user's only if it went to one of their *verified* addresses.

    An unverified address proves nothing: anyone can sign up with someone else's address (or
    an operator can type one), and the invitation link may have been forwarded. An address on
    the account without allauth's EmailAddress row (`user.email` of an account made by
    `createsuperuser` or the admin) counts as unverified. allauth's email page can send a
    confirmation link whatever ACCOUNT_EMAIL_VERIFICATION says, so every user can verify."""
    from allauth.account.models import EmailAddress

    invited = invitation.email.lower()
    verified: dict[str, bool] = {}
    for email, is_verified in EmailAddress.objects.filter(user=user).values_list("email", "verified"):
        verified[email.lower()] = verified.get(email.lower(), False) or is_verified
    if user.email:
        verified.setdefault(user.email.lower(), False)
    if invited not in verified:
        raise ValidationError(
            {"invitation": f"This invitation was sent to {invitation.email}. Sign in with that address to accept it."}
        )
    if not verified[invited]:
        raise ValidationError(
            {
                "invitation": f"Verify your address {invitation.email} first: open the confirmation link we "
                "emailed you (your account's email settings can send a new one), then accept the invitation."
            }
        )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Join the workspace with the invited role. The invitation must be open and addressed to one
    of the user's verified email addresses; a user who already belongs keeps their current role."""
    from django.utils import timezone

    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ValidationError({"invitation": "This invitation has already been used."})
    if locked.expires_at <= timezone.now():
        raise ValidationError({"invitation": "This invitation has expired; ask for a new one."})
    _check_invited_address(locked, user)
    membership = Membership.objects.filter(workspace=locked.workspace, user=user).first()
    if membership is None:
        membership = membership_set(workspace=locked.workspace, user=user, role=locked.role)
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    invitation.delete()


@transaction.atomic
def personal_workspace_create(*, user) -> Workspace:
    """The workspace every new account starts with, named after the user."""
    label = user.get_username() or (user.email or "").split("@")[0] or "My"
    return workspace_create(name=f"{label}'s workspace"[:100], owner=user)

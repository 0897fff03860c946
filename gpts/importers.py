"""Documents and bundles into GPTs: the import side of the GPT document.

`gpt_apply_document` is the service: it turns a `gptstudio/gpt@1` document into a new GPT, or into
a new revision of an existing one, with its actions (matched by name) and knowledge files, in one
transaction and one revision. `gpt_restore_revision` and every import (command, page, API) use it.

`gpts.uploads.gpt_import` reads what a user uploads (a bundle zip, ChatGPT's JSON of a GPT, or a
document) and calls the importer of its format, which ends here. Secrets never travel: imported
actions keep the secret already stored for them, and every action left without one is reported as "to be entered".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db.models import Q

from actions import fields as action_fields
from actions import services as action_services
from actions.models import Action
from gpts.document.build import with_field_defaults
from gpts.document.read import document_findings, domain_mismatch_finding
from gptstudio import limits
from gptstudio.findings import Finding, Severity, has_errors, make_finding, register, sort_findings

from . import fields as gpt_fields
from . import services
from .models import GPT, ConversationStarter, KnowledgeFile, Revision, Workspace, knowledge_upload_to
from .validation import GPTDraft, validate_gpt, validate_gpt_draft

_STUDIO = {
    "chatgpt_behaviour": "Not a ChatGPT rule: what GPT Studio did while importing.",
    "source": "GPT Studio",
    "confidence": "confirmed",
}
register(
    "import.secret_to_enter",
    Severity.INFO,
    "A secret is to be entered by hand",
    **_STUDIO,
    fix="Enter the secret in the action's authentication after the import.",
)
register(
    "import.knowledge_missing",
    Severity.WARNING,
    "A knowledge file listed in the document is missing",
    **_STUDIO,
    fix="Upload the missing knowledge file in the editor after the import.",
)
register(
    "import.invalid_value",
    Severity.ERROR,
    "A value in the document cannot be saved",
    **_STUDIO,
    fix="Change the value at the pointer shown so it can be saved.",
)
register(
    "import.wrong_workspace",
    Severity.ERROR,
    "The GPT belongs to another workspace",
    **_STUDIO,
    fix="Import the document into the GPT's own workspace, or as a new GPT.",
)
register(
    "import.chatgpt_target",
    Severity.ERROR,
    "ChatGPT's JSON is imported into a workspace, not onto a named GPT",
    **_STUDIO,
    fix="Import ChatGPT's JSON into a workspace; it creates or updates the GPT by its ChatGPT id.",
)
register(
    "import.trimmed",
    Severity.INFO,
    "Spaces around a value were removed, as every edit does",
    **_STUDIO,
    fix="Check the trimmed values if the spaces mattered.",
)


class DocumentRejected(ValidationError):
    """The document cannot be imported; nothing was written. `findings` says why and where."""

    def __init__(self, findings: list[Finding]):
        self.findings = sort_findings(findings)
        errors = [f for f in self.findings if f.severity == Severity.ERROR] or self.findings
        super().__init__([f"{f.pointer}: {f.message}" if f.pointer else f.message for f in errors])


@dataclass(frozen=True)
class SecretToEnter:
    action: str  # the action's name
    field: str  # ChatGPT's label: "API Key" or "Client Secret"


@dataclass
class ImportOutcome:
    gpt: GPT
    created: bool
    revision: Revision | None  # None when the document changed nothing
    findings: list[Finding] = field(default_factory=list)  # import notices + the GPT's validation
    secrets_to_enter: list[SecretToEnter] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not has_errors(self.findings)

    def as_dict(self) -> dict:
        return {
            "gpt": {"slug": self.gpt.slug, "name": self.gpt.name, "version": self.gpt.version},
            "created": self.created,
            "revision": self.revision.number if self.revision else None,
            "valid": self.valid,
            "secrets_to_enter": [{"action": s.action, "field": s.field} for s in self.secrets_to_enter],
            "findings": [f.as_dict() for f in sort_findings(self.findings)],
        }


# Where a service's field error lands in the document, for findings that point at the right line.
GPT_FIELD_POINTERS = gpt_fields.field_pointers() | {"file": "/knowledge"}
ACTION_FIELD_POINTERS = action_fields.field_pointers()


def _findings_from_validation_error(exc: ValidationError, *, pointer_prefix: str, pointers: dict) -> list[Finding]:
    if not hasattr(exc, "error_dict"):
        return [make_finding("import.invalid_value", message, pointer=pointer_prefix) for message in exc.messages]
    findings = []
    for name, messages in exc.message_dict.items():
        pointer = pointers.get(name, "")
        pointer = f"{pointer_prefix}/{pointer}" if pointer_prefix and pointer else (pointer or pointer_prefix)
        findings += [make_finding("import.invalid_value", message, pointer=pointer) for message in messages]
    return findings


def _gpt_fields(document: dict) -> dict:
    """The document's GPT columns as `gpt_create` / `gpt_update` arguments (the starters go apart)."""
    return {
        key: dict(document[key]) if isinstance(document[key], dict) else document[key]
        for key in gpt_fields.document_column_keys()
    }


def _action_fields(entry: dict, position: int) -> dict:
    auth = entry["authentication"]
    fields = {
        "position": position,
        "schema_text": entry["schema"],
        "privacy_policy_url": entry["privacy_policy_url"],
        "auth_type": auth["type"],
        "changes_public_state": entry.get("changes_public_state", True),
    }
    if auth["type"] == Action.AuthType.API_KEY:
        api_key = auth["api_key"]
        fields["api_key_auth_type"] = api_key["auth_type"]
        fields["api_key_custom_header"] = api_key.get("custom_header", "")
    elif auth["type"] == Action.AuthType.OAUTH:
        oauth = auth["oauth"]
        fields["oauth_client_id"] = oauth["client_id"]
        fields["oauth_authorization_url"] = oauth["authorization_url"]
        fields["oauth_token_url"] = oauth["token_url"]
        fields["oauth_scope"] = oauth.get("scope", "")
        fields["oauth_token_exchange_method"] = oauth.get("token_exchange_method", "default_post")
    return fields


def _trimmed(pointer: str, value: str, *, when_blank: str = "is stored empty") -> Finding:
    kept = value.strip()
    return make_finding(
        "import.trimmed",
        f"{_shown(value)} has spaces or line breaks around it; it {f'is now {_shown(kept)}' if kept else when_blank}, "
        "as when it is typed in the editor. Trim it in the document to keep the two equal.",
        pointer=pointer,
    )


def _shown(value: str) -> str:
    return repr(value) if len(value) <= 60 else repr(value[:60]) + "…"


def _trimmed_findings(document: dict) -> list[Finding]:
    """The values the services trim on every save (their TRIMMED_FIELDS, conversation starters,
    knowledge file names) where a document holds them untrimmed: the imported GPT's document then
    differs from the input there, and these findings say where."""
    found = [
        _trimmed(GPT_FIELD_POINTERS[name], document[name])
        for name in services.TRIMMED_FIELDS
        if document[name] != document[name].strip()
    ]
    found += [
        _trimmed(f"/conversation_starters/{index}", text, when_blank="is left out (ChatGPT drops blank starters)")
        for index, text in enumerate(document["conversation_starters"])
        if text != text.strip()
    ]
    found += [
        _trimmed(f"/knowledge/{index}/name", entry["name"])
        for index, entry in enumerate(document["knowledge"])
        if entry["name"] != entry["name"].strip()
    ]
    for index, entry in enumerate(document["actions"]):
        fields = {"name": entry["name"], **_action_fields(entry, index)}
        for name in action_services.TRIMMED_FIELDS:
            value = fields.get(name)
            if isinstance(value, str) and value != value.strip():
                found.append(_trimmed(f"/actions/{index}/{ACTION_FIELD_POINTERS[name]}", value))
    return found


def _apply_actions(gpt: GPT, entries: list[dict], actor) -> list[Finding]:
    """Make the GPT's actions those of the document, matched by name, in document order, and
    report stated domains that differ from the derived ones.

    Removals come first so a full GPT can swap actions without passing ChatGPT's cap of 10. Names
    match as saved (trimmed): `Calendar ` in a document is the stored `Calendar`, and keeps its
    secret rather than being deleted with it and created anew. A removed action's secrets are kept
    (retired), and an action the document brings back gets them again (`revive_secrets`)."""
    existing: dict[str, Action] = {}
    extra: list[Action] = []  # a second action of the same name (the model allows it; documents do not)
    for action in Action.objects.select_for_update().filter(gpt=gpt).order_by("position", "id"):
        if action.name.strip() in existing:
            extra.append(action)
        else:
            existing[action.name.strip()] = action
    wanted = {entry["name"].strip() for entry in entries}
    for action in [a for name, a in existing.items() if name not in wanted] + extra:
        action_services.action_delete(action=action, actor=actor)
    findings = []
    for position, entry in enumerate(entries):
        pointer = f"/actions/{position}"
        fields = _action_fields(entry, position)
        try:
            match = existing.get(entry["name"].strip())
            if match is None:
                saved = action_services.action_create(
                    gpt=gpt, actor=actor, name=entry["name"], revive_secrets=True, **fields
                )
            else:
                saved = action_services.action_update(
                    action=match, actor=actor, expected_version=match.version, revive_secrets=True, **fields
                )
        except ValidationError as exc:
            raise DocumentRejected(
                _findings_from_validation_error(exc, pointer_prefix=pointer, pointers=ACTION_FIELD_POINTERS)
            ) from exc
        if mismatch := domain_mismatch_finding(position, entry, saved.domain):
            findings.append(mismatch)
    return findings


def _stored_bytes(workspace: Workspace, sha256: str, known_in_workspace: set[str]) -> File | None:
    """The stored bytes of a knowledge file this workspace already had (knowledge files are stored
    content-addressed), so restoring or re-importing a document needs no re-upload. Only bytes the
    workspace itself referenced are used: a hash alone never reaches another workspace's files."""
    from django.core.files.storage import default_storage

    if sha256 not in known_in_workspace:
        return None
    stored_name = knowledge_upload_to(KnowledgeFile(sha256=sha256), "")
    if not default_storage.exists(stored_name):
        return None
    return File(default_storage.open(stored_name, "rb"))


def _apply_knowledge(
    gpt: GPT,
    entries: list[dict],
    actor,
    provided: Mapping[str, File],
    known_in_workspace: set[str],
    written: list[str],
) -> list[Finding]:
    findings = []
    wanted = {entry["name"].strip(): entry for entry in entries}  # as saved, like action names
    kept = set()
    for knowledge in list(gpt.knowledge_files.all()):
        entry = wanted.get(knowledge.name.strip())
        same = entry is not None and (entry["sha256"], entry["size"], entry["media_type"]) == (
            knowledge.sha256,
            knowledge.size,
            knowledge.media_type,
        )
        if same and entry["name"] not in provided:
            kept.add(entry["name"])
        else:
            services.knowledge_file_delete(knowledge=knowledge, actor=actor)
    for index, entry in enumerate(entries):
        name = entry["name"]
        if name in kept:
            continue
        upload = provided.get(name) or _stored_bytes(gpt.workspace, entry["sha256"], known_in_workspace)
        if upload is None:
            findings.append(
                make_finding(
                    "import.knowledge_missing",
                    f"Knowledge file {name!r} is listed in the document, but its bytes are not part of the "
                    "import and not stored in this workspace: upload it to the GPT again.",
                    pointer=f"/knowledge/{index}",
                )
            )
            continue
        upload.content_type = entry["media_type"]
        try:
            added = services.knowledge_file_add(gpt=gpt, actor=actor, upload=upload, name=name)
            written.append(added.file.name)
        except ValidationError as exc:
            raise DocumentRejected(
                _findings_from_validation_error(exc, pointer_prefix=f"/knowledge/{index}", pointers={})
            ) from exc
        finally:
            if name not in provided:
                upload.close()
    return findings


def secrets_to_enter(gpt: GPT) -> list[SecretToEnter]:
    """Actions whose authentication needs a secret that GPT Studio does not hold."""
    missing = []
    for action in gpt.actions.all():
        if action.auth_type == Action.AuthType.API_KEY and not action.has_api_key:
            missing.append(SecretToEnter(action.name, "API Key"))
        elif action.auth_type == Action.AuthType.OAUTH and not action.has_client_secret:
            missing.append(SecretToEnter(action.name, "Client Secret"))
    return missing


def restore_secrets_check(gpt: GPT) -> Callable[[Iterable[dict]], list[SecretToEnter]]:
    """A function telling, for the actions of a document (a revision's), the secrets
    `secrets_to_enter` would list after applying it to `gpt`, without applying it: what a
    restore's confirmation must name.

    An action keeps the secret it holds when it stays under the same name and kind of
    authentication, and gets back a retired one kept for its name (`RetiredActionSecret`; an
    OAuth client secret for the same client ID); the rest must be typed again. Two queries here,
    none per call, so a page of revisions costs the same as one."""
    from actions.models import RetiredActionSecret

    held = {
        name.strip(): (auth_type, has_key, has_secret)
        for name, auth_type, has_key, has_secret in Action.objects.filter(gpt=gpt)
        .annotate(has_key=~Q(api_key=""), has_secret=~Q(oauth_client_secret=""))
        .order_by("-position", "-id")  # the first of two same-named actions wins, as in _apply_actions
        .values_list("name", "auth_type", "has_key", "has_secret")
    }
    retired = {
        name: (has_key, client_id, has_secret)
        for name, has_key, client_id, has_secret in RetiredActionSecret.objects.filter(gpt=gpt)
        .annotate(has_key=~Q(api_key=""), has_secret=~Q(oauth_client_secret=""))
        .values_list("action_name", "has_key", "oauth_client_id", "has_secret")
    }

    def to_enter(action_entries: Iterable[dict]) -> list[SecretToEnter]:
        missing = []
        for entry in action_entries:
            name, auth = entry["name"].strip(), entry["authentication"]
            current_type, current_key, current_secret = held.get(name, (None, False, False))
            retired_key, retired_client, retired_secret = retired.get(name, (False, "", False))
            if auth["type"] == Action.AuthType.API_KEY:
                if not ((current_type == Action.AuthType.API_KEY and current_key) or retired_key):
                    missing.append(SecretToEnter(name, "API Key"))
            elif auth["type"] == Action.AuthType.OAUTH:
                kept = current_type == Action.AuthType.OAUTH and current_secret
                revived = retired_secret and retired_client == auth["oauth"]["client_id"].strip()
                if not (kept or revived):
                    missing.append(SecretToEnter(name, "Client Secret"))
        return missing

    return to_enter


def gpt_apply_document(
    *,
    gpt_or_none: GPT | None,
    workspace: Workspace,
    document: dict,
    actor,
    expected_version: int | None = None,
    knowledge_files: Mapping[str, File] | None = None,
    summary: str = "",
    on_applied: Callable[[GPT], None] | None = None,
) -> ImportOutcome:
    """Create a GPT from `document` (gpt_or_none=None) or make it the new state of an existing GPT.

    One transaction and one revision: a failure leaves nothing behind (knowledge bytes written
    during a failed import are removed again). Actions are matched by name: matching ones are
    updated and keep their stored secrets, new ones are created without secrets, missing ones are
    removed. Knowledge files come from `knowledge_files` (name → File, e.g. from a bundle), or
    from bytes this workspace already stores; the rest are reported. `expected_version` is the
    conflict check for an existing GPT (None: apply to whatever is current). `on_applied(gpt)` runs
    in the same transaction once the document is applied, before the revision is recorded (the
    rescue import keeps the ChatGPT id there, so a failure leaves neither behind).

    Raises DocumentRejected (a ValidationError with `.findings`) for a document that does not
    match the schema or holds a value the services refuse, and EditConflict for a stale version.
    """
    findings = document_findings(document)
    if has_errors(findings):
        raise DocumentRejected(findings)
    document = with_field_defaults(document)
    findings += _trimmed_findings(document)
    if gpt_or_none is not None and gpt_or_none.workspace_id != workspace.pk:
        raise DocumentRejected([make_finding("import.wrong_workspace", "This GPT belongs to another workspace.")])
    provided = dict(knowledge_files or {})
    summary = summary or ("Imported" if gpt_or_none is None else "Imported a new version")
    known_in_workspace = set(KnowledgeFile.objects.filter(gpt__workspace=workspace).values_list("sha256", flat=True))
    written: list[str] = []
    try:
        with services.one_revision(actor=actor, summary=summary) as batch:
            try:
                if gpt_or_none is None:
                    gpt = services.gpt_create(
                        workspace=workspace,
                        actor=actor,
                        conversation_starters=document["conversation_starters"],
                        **_gpt_fields(document),
                    )
                else:
                    locked = services.lock_gpt(gpt_or_none, expected_version=expected_version)
                    gpt = services.gpt_update(
                        gpt=locked,
                        actor=actor,
                        expected_version=locked.version,
                        conversation_starters=document["conversation_starters"],
                        **_gpt_fields(document),
                    )
            except DocumentRejected:
                raise
            except ValidationError as exc:
                raise DocumentRejected(
                    _findings_from_validation_error(exc, pointer_prefix="", pointers=GPT_FIELD_POINTERS)
                ) from exc
            findings += _apply_actions(gpt, document["actions"], actor)
            findings += _apply_knowledge(gpt, document["knowledge"], actor, provided, known_in_workspace, written)
            if on_applied is not None:
                on_applied(gpt)
    except BaseException:
        # knowledge_file_add removes bytes when *its* step fails; when a later step fails, the
        # rows are rolled back here, so bytes nothing references any more go too (the same
        # reference check knowledge_file_add uses).
        services._delete_unreferenced_files(written)
        raise
    gpt = GPT.objects.get(pk=gpt.pk)
    missing = secrets_to_enter(gpt)
    findings += [
        make_finding(
            "import.secret_to_enter",
            f"Action {s.action!r}: enter its {s.field} in GPT Studio's action settings (secrets are never imported).",
            pointer=f"/actions/{index}/authentication",
        )
        for index, s in _indexed(missing, document["actions"])
    ]
    findings += _validation_findings(gpt)
    return ImportOutcome(
        gpt=gpt,
        created=gpt_or_none is None,
        revision=batch.revisions.get(gpt.pk),
        findings=sort_findings(findings),
        secrets_to_enter=missing,
    )


def gpt_restore_revision(*, gpt: GPT, revision: Revision, actor, expected_version: int) -> GPT:
    """Bring the whole GPT back to an old revision (fields, starters, actions, knowledge files) as
    one new revision, through `gpt_apply_document`.

    Secrets are not in revisions: an action that is re-created gets none (ChatGPT's own restore
    drops action auth too), one that still exists keeps its stored secret. A knowledge file comes
    back when its bytes are still stored in the workspace; otherwise the restore leaves it out.
    Raises ValidationError (with findings) if the old document no longer imports."""
    services.require_version(expected_version)
    if revision.gpt_id != gpt.pk:
        raise ValidationError({"revision": "This revision belongs to another GPT."})
    outcome = gpt_apply_document(
        gpt_or_none=gpt,
        workspace=gpt.workspace,
        document=revision.document,
        actor=actor,
        expected_version=expected_version,
        summary=f"Restored revision {revision.number}",
    )
    return outcome.gpt


def _indexed(missing: Iterable[SecretToEnter], entries: list[dict]):
    positions = {entry["name"].strip(): index for index, entry in enumerate(entries)}
    return [(positions.get(s.action, 0), s) for s in missing]


def _validation_findings(gpt: GPT) -> list[Finding]:
    return validate_gpt(gpt).all_findings


# --- Validation without saving -------------------------------------------------------------------


def document_validation_findings(*, document: dict, knowledge_files: Mapping[str, File] | None = None) -> list[Finding]:
    """What importing `document` as a new GPT would report (the document's findings, the values
    the services would refuse, and the GPT's validation), worked out on unsaved rows: nothing is
    written to the database or to storage. Knowledge files are checked by the size and type the
    document states, and by their bytes where `knowledge_files` (name → File) has them. What a
    document never carries (secrets, knowledge bytes) is not reported as missing."""
    findings = document_findings(document)
    if has_errors(findings):
        return findings
    document = with_field_defaults(document)
    findings += _trimmed_findings(document)
    try:
        gpt, starters = services.gpt_draft(
            conversation_starters=document["conversation_starters"], **_gpt_fields(document)
        )
    except ValidationError as exc:
        return sort_findings(_findings_from_validation_error(exc, pointer_prefix="", pointers=GPT_FIELD_POINTERS))
    actions = []
    for position, entry in enumerate(document["actions"]):
        try:
            action = action_services.action_draft(
                existing_slugs=[a.slug for a in actions], name=entry["name"], **_action_fields(entry, position)
            )
        except ValidationError as exc:
            return sort_findings(
                _findings_from_validation_error(
                    exc, pointer_prefix=f"/actions/{position}", pointers=ACTION_FIELD_POINTERS
                )
            )
        if mismatch := domain_mismatch_finding(position, entry, action.domain):
            findings.append(mismatch)
        actions.append(action)
    try:
        knowledge = _knowledge_drafts(document["knowledge"], dict(knowledge_files or {}))
    except DocumentRejected as exc:
        return exc.findings
    draft = GPTDraft(
        gpt,
        conversation_starters=[ConversationStarter(position=i, text=text) for i, text in enumerate(starters)],
        actions=actions,
        knowledge_files=knowledge,
    )
    return sort_findings(findings + validate_gpt_draft(draft).all_findings)


def _knowledge_drafts(entries: list[dict], provided: Mapping[str, File]) -> list[KnowledgeFile]:
    """The knowledge files `knowledge_file_add` would accept, unsaved (the same checks)."""
    drafts: list[KnowledgeFile] = []
    maximum = limits.GPT_KNOWLEDGE_FILES_MAX.value
    for index, entry in enumerate(entries):
        upload = provided.get(entry["name"])
        try:
            name = services.knowledge_file_name(entry["name"])
            size = upload.size if upload is not None and upload.size is not None else entry["size"]
            services.knowledge_file_size_check(name=name, size=size, media_type=entry["media_type"])
            if len(drafts) >= maximum:
                raise ValidationError({"file": f"A GPT holds at most {maximum} knowledge files; remove one first."})
            if any(d.name == name for d in drafts):
                raise ValidationError(
                    {"name": f"This GPT already has a knowledge file named “{name}”; rename one of them."}
                )
        except ValidationError as exc:
            raise DocumentRejected(
                _findings_from_validation_error(exc, pointer_prefix=f"/knowledge/{index}", pointers={})
            ) from exc
        drafts.append(KnowledgeFile(name=name, size=size, sha256=entry["sha256"], media_type=entry["media_type"]))
    return drafts

"""Validation of a whole GPT: its fields against ChatGPT's limits, every action's schema report,
and the rules that involve several actions or the GPT's visibility (publish readiness).

`validate_gpt(gpt)` is the one entry point for one GPT; `validate_gpts(gpts)` reports on many at
once (the dashboard), reading every action's schema report from the cache in one round trip.
Schema reports are cached by a hash of the schema text (see `validate_schema_text_cached`), so a
GPT whose schemas did not change costs a cache read per action instead of a parse.

GPT-level findings carry JSON pointers into the GPT document (`/name`, `/actions/1/privacy_policy_url`);
findings inside a schema are in `actions[action_id]`, with their line in the schema text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from actions.schema import SchemaReport
from actions.schema.report import SCHEMA_REPORT_CACHE_SECONDS, schema_cache_key, validate_schema_text
from actions.schema.rules import oauth_url_problem
from gptstudio import limits
from gptstudio.findings import Finding, Severity, has_errors, make_finding, register, sort_findings
from gptstudio.limits import chatgpt_length

# "GPT-5 Pro", "o3-pro", "Pro mode": the word "pro" on its own, not "prose" or "professional".
PRO_MODEL = re.compile(r"\bpro\b", re.IGNORECASE)
PROFILE_PICTURE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp")
SPREADSHEET_MEDIA_TYPES = (
    "text/csv",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)

# --- GPT fields (GPT_EDITOR.md §1.1, §1.2) ------------------------------------------------------------
register(
    "gpt.name.missing",
    Severity.ERROR,
    "GPT name is empty",
    chatgpt_behaviour="The editor refuses to save a GPT without a name.",
    source="GPT_EDITOR.md §1.1, §1.2 [BUNDLE]",
    confidence="confirmed",
    chatgpt_message="GPT name cannot be empty",
    fix="Give the GPT a name.",
)
register(
    "gpt.name.too_long",
    Severity.ERROR,
    "GPT name over 50 characters",
    chatgpt_behaviour="The editor refuses to save a name over the limit.",
    limit=limits.GPT_NAME_MAX_LENGTH,
    chatgpt_message="GPT names cannot be longer than 50 characters.",
    fix=f"Shorten the name to {limits.GPT_NAME_MAX_LENGTH.value} characters or fewer.",
)
register(
    "gpt.description.too_long",
    Severity.ERROR,
    "GPT description over 300 characters",
    chatgpt_behaviour="The editor refuses to save a description over the limit.",
    limit=limits.GPT_DESCRIPTION_MAX_LENGTH,
    chatgpt_message="GPT descriptions cannot be longer than 300 characters.",
    fix=f"Shorten the description to {limits.GPT_DESCRIPTION_MAX_LENGTH.value} characters or fewer.",
)
register(
    "gpt.instructions.too_long",
    Severity.ERROR,
    "Instructions over 8,000 characters",
    chatgpt_behaviour="Autosave fails with HTTP 422 (“Error saving draft”) and the Update button stays "
    "disabled. GPT Studio keeps the longer draft so no work is lost.",
    limit=limits.GPT_INSTRUCTIONS_MAX_LENGTH,
    chatgpt_message="GPT instructions cannot be longer than 8000 characters.",
    fix=f"Shorten the instructions to {limits.GPT_INSTRUCTIONS_MAX_LENGTH.value:,} characters or fewer, "
    "or move reference text into knowledge files.",
)
register(
    "gpt.starters.too_many",
    Severity.ERROR,
    "More than 12 conversation starters",
    chatgpt_behaviour="The editor holds at most 12 starters; the rest cannot be entered.",
    limit=limits.GPT_CONVERSATION_STARTERS_MAX,
    fix=f"Remove conversation starters until {limits.GPT_CONVERSATION_STARTERS_MAX.value} or fewer are left.",
)
register(
    "gpt.starters.hidden",
    Severity.INFO,
    "Only the first 4 conversation starters are shown",
    chatgpt_behaviour="The GPT's About page shows the first 4 starters; the others exist but are not shown there.",
    limit=limits.GPT_CONVERSATION_STARTERS_SHOWN,
    fix=f"Move the starters you want shown into the first {limits.GPT_CONVERSATION_STARTERS_SHOWN.value}.",
)
register(
    "gpt.category.missing",
    Severity.ERROR,
    "GPT Store visibility without a category",
    chatgpt_behaviour="Publishing to the GPT Store requires a category.",
    source="GPT_EDITOR.md §1.2, §2 [BUNDLE]",
    confidence="confirmed",
    chatgpt_message="Public GPTs must have a category",
    fix="Choose a category, or share the GPT by link instead of in the GPT Store.",
)
register(
    "gpt.knowledge.too_many",
    Severity.ERROR,
    "More than 20 knowledge files",
    chatgpt_behaviour="A GPT holds up to 20 knowledge files.",
    limit=limits.GPT_KNOWLEDGE_FILES_MAX,
    fix=f"Remove knowledge files until {limits.GPT_KNOWLEDGE_FILES_MAX.value} or fewer are left, or merge some.",
)
register(
    "gpt.knowledge.file_too_large",
    Severity.ERROR,
    "Knowledge file over ChatGPT's size limit",
    chatgpt_behaviour="ChatGPT refuses files over 512 MB, and images over 20 MB.",
    source=limits.GPT_KNOWLEDGE_FILE_MAX_BYTES.source,
    confidence="confirmed",
    fix="Split the file or upload a smaller version.",
)
register(
    "gpt.knowledge.spreadsheet_too_large",
    Severity.WARNING,
    "Spreadsheet over about 50 MB",
    chatgpt_behaviour="Spreadsheets are limited to about 50 MB (an approximate figure).",
    limit=limits.GPT_KNOWLEDGE_SPREADSHEET_MAX_BYTES,
    fix="Split the spreadsheet or remove rows and columns the GPT does not need.",
)
register(
    "gpt.profile_picture.type",
    Severity.ERROR,
    "Profile picture is not PNG, JPEG, GIF or WebP",
    chatgpt_behaviour="The editor's upload accepts PNG, JPEG, GIF and WebP images only.",
    source="GPT_EDITOR.md §1.1 [BUNDLE]",
    confidence="confirmed",
    fix="Upload the picture as PNG, JPEG, GIF or WebP.",
)
# --- Actions of a GPT (GPT_EDITOR.md §1.1, §2, §3.1, §3.2, §4, §5) -------------------------------------
register(
    "gpt.actions.too_many",
    Severity.ERROR,
    "More than 10 actions",
    chatgpt_behaviour="A GPT can have at most 10 actions.",
    limit=limits.GPT_ACTIONS_MAX,
    chatgpt_message="GPTs can have a maximum of 10 actions",
    fix=f"Remove actions until {limits.GPT_ACTIONS_MAX.value} or fewer are left.",
)
register(
    "gpt.action.duplicate_domain",
    Severity.ERROR,
    "Two actions on the same domain",
    chatgpt_behaviour="Each action is keyed by its domain; the editor refuses a second action on a domain.",
    source="GPT_EDITOR.md §3.1, §5 [BUNDLE]",
    confidence="confirmed",
    chatgpt_message="Action sets cannot have duplicate domains - {domain} already exists on another action",
    fix="Merge the actions on this domain into one action.",
)
register(
    "gpt.action.privacy_policy_required",
    Severity.ERROR,
    "Public GPT with an action lacking a valid privacy policy URL",
    chatgpt_behaviour="Sharing by link or in the GPT Store is refused until every action has a valid privacy "
    "policy URL.",
    source="GPT_EDITOR.md §1.2, §2, §4 [BUNDLE], [H-ACT]",
    confidence="confirmed",
    chatgpt_message="Public actions require valid privacy policy URLs",
    fix="Enter an https privacy policy URL in each action.",
)
register(
    "gpt.action.duplicate_operation_id",
    Severity.WARNING,
    "The same operationId in two actions",
    chatgpt_behaviour="Each action is its own namespace, so ChatGPT accepts it, but the model sees two functions "
    "with the same name and may call the wrong one.",
    source="GPT_EDITOR.md §3.1 [BUNDLE] (one namespace per action)",
    confidence="unconfirmed",
    fix="Rename one of the operationIds so the model can tell them apart.",
)
register(
    "gpt.action.auth_mismatch",
    Severity.WARNING,
    "Action authentication does not match the schema's security scheme",
    chatgpt_behaviour="ChatGPT sends what the action's authentication panel says; the schema's security scheme "
    "is only a description. When they disagree, calls usually fail with 401.",
    source="GPT_EDITOR.md §4 [AUTH], [H-ACT]",
    confidence="confirmed",
    fix="Change the action's authentication to match the schema's security scheme.",
)
register(
    "gpt.model.no_actions",
    Severity.WARNING,
    "Recommended model cannot use actions",
    chatgpt_behaviour="Actions are not available in Pro mode; for a GPT with actions the editor's model picker "
    "offers only non-Pro models that support actions, so a Pro recommendation cannot be set (and a user who "
    "switches to Pro gets no actions).",
    source="GPT_EDITOR.md §1.1 (picker: rkalani1 guide, [H-ACT]), §3.2 [H-ACT]",
    confidence="likely",
    fix="Pick a recommended model that can use actions, or leave it empty.",
)
register(
    "gpt.action.oauth_url_off_domain",
    Severity.ERROR,
    "OAuth URL of an action on another domain than its API",
    chatgpt_behaviour="All domains in the OAuth flow must match the API's domain, except Google, Microsoft and "
    "Adobe sign-in domains; otherwise sign-in fails.",
    source="GPT_EDITOR.md §3.2 [PROD]",
    confidence="confirmed",
    fix="Move the OAuth URLs to the API's domain, or use Google, Microsoft or Adobe sign-in.",
)
register(
    "action.auth.secret_missing",
    Severity.ERROR,
    "Action authentication without its secret",
    chatgpt_behaviour="An action that authenticates with an API key or OAuth needs the key (or the client ID and "
    "client secret) to call its API; without them every call fails, and the auth panel will not save. GPT Studio "
    "stores secrets encrypted and never imports or exports them, so after an import, a restore or a rescue "
    "from ChatGPT they must be entered by hand.",
    source="GPT_EDITOR.md §4 [AUTH], [H-ACT]",
    confidence="confirmed",
    fix="Enter the API key, or the OAuth client ID and secret, in the action's authentication.",
)
# Findings about secrets GPT Studio holds for calling the API itself; exports leave them out (they
# never carry a secret, and their paste guide asks for every one).
STUDIO_SECRET_CODES = frozenset({"action.auth.secret_missing"})
register(
    "gpt.knowledge.pending",
    Severity.WARNING,
    "Knowledge files named by ChatGPT are still to be uploaded",
    chatgpt_behaviour="ChatGPT's JSON of a GPT names its knowledge files by id only (no name, no bytes), so a "
    "GPT rescued from ChatGPT lacks them until they are uploaded again.",
    source="MIGRATION.md §8",
    confidence="confirmed",
    fix="Upload the knowledge files listed, then mark them done.",
)


@dataclass
class GPTReport:
    findings: list[Finding] = field(default_factory=list)  # GPT-level findings (fields, cross-action)
    actions: dict[int, SchemaReport] = field(default_factory=dict)  # action id → its schema report

    @property
    def all_findings(self) -> list[Finding]:
        found = list(self.findings)
        for report in self.actions.values():
            found += report.findings
        return found

    @property
    def valid(self) -> bool:
        return not has_errors(self.all_findings)

    @property
    def readiness(self) -> str:
        """ "errors", "warnings" or "ready" (for the GPT's chosen visibility)."""
        severities = {f.severity for f in self.all_findings}
        if Severity.ERROR in severities:
            return "errors"
        return "warnings" if Severity.WARNING in severities else "ready"

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "readiness": self.readiness,
            "findings": [f.as_dict() for f in sort_findings(self.findings)],
            "actions": {str(action_id): report.as_dict() for action_id, report in self.actions.items()},
        }


# --- Entry points --------------------------------------------------------------------------------------
def validation_prefetch() -> tuple:
    """What validation reads through related managers: the actions with their schema texts (one
    query, joined), the conversation starters and the knowledge files."""
    from django.db.models import Prefetch

    from actions.models import Action

    actions = Prefetch("actions", queryset=Action.objects.select_related("schema"))
    return (actions, "conversation_starters", "knowledge_files")


def validate_gpt(gpt, *, use_cache: bool = True, secrets: bool = True) -> GPTReport:
    """Every finding for one GPT. Reads `actions`, `conversation_starters` and `knowledge_files`
    through their related managers: prefetch them (`validation_prefetch()`) when validating many.
    `secrets=False` leaves out whether GPT Studio holds the actions' secrets (STUDIO_SECRET_CODES):
    exports never carry one, so they do not ask (nor read the secrets' columns)."""
    actions = list(gpt.actions.all())
    reports = _schema_reports([a.schema_text for a in actions], use_cache=use_cache)
    return _gpt_report(gpt, actions, reports, _stored_secrets(actions) if secrets else None)


def validate_gpts(gpts, *, use_cache: bool = True) -> dict[int, GPTReport]:
    """Reports for many GPTs (a queryset or a list), with one cache round trip for all schemas."""
    if hasattr(gpts, "prefetch_related"):
        gpts = gpts.prefetch_related(*validation_prefetch())
    gpts = list(gpts)
    actions_by_gpt = {gpt.pk: list(gpt.actions.all()) for gpt in gpts}
    texts = [a.schema_text for actions in actions_by_gpt.values() for a in actions]
    reports = iter(_schema_reports(texts, use_cache=use_cache))
    secrets = _stored_secrets([a for actions in actions_by_gpt.values() for a in actions])
    return {
        gpt.pk: _gpt_report(gpt, actions_by_gpt[gpt.pk], [next(reports) for _ in actions_by_gpt[gpt.pk]], secrets)
        for gpt in gpts
    }


class _Listed(list):
    """A list read the way validation reads a related manager: `.all()`."""

    def all(self):
        return self


class GPTDraft:
    """A GPT that is not saved (a document being validated): the model's fields from an unsaved
    GPT, its starters, actions and knowledge files as lists of unsaved rows."""

    def __init__(self, gpt, *, conversation_starters: list, actions: list, knowledge_files: list):
        self._gpt = gpt
        self.conversation_starters = _Listed(conversation_starters)
        self.actions = _Listed(actions)
        self.knowledge_files = _Listed(knowledge_files)

    def __getattr__(self, name):
        return getattr(self._gpt, name)


def validate_gpt_draft(draft: GPTDraft) -> GPTReport:
    """Every finding for a GPT not saved, except the secrets GPT Studio holds (a document never
    carries one). Its actions' schema reports are keyed by position, as they have no id yet."""
    actions = list(draft.actions.all())
    reports = _schema_reports([a.schema_text for a in actions], use_cache=True)
    report = _gpt_report(draft, actions, reports, None)
    report.actions = dict(enumerate(reports))
    return report


def _schema_reports(texts: list[str], *, use_cache: bool) -> list[SchemaReport]:
    if not use_cache:
        return [validate_schema_text(text) for text in texts]
    from django.core.cache import cache

    keys = [schema_cache_key(text) for text in texts]
    cached = cache.get_many(set(keys)) if keys else {}
    fresh: dict[str, SchemaReport] = {}
    reports = []
    for key, text in zip(keys, texts, strict=True):
        report = cached.get(key) or fresh.get(key)
        if report is None:
            report = fresh[key] = validate_schema_text(text)
        reports.append(report)
    if fresh:
        cache.set_many(fresh, timeout=SCHEMA_REPORT_CACHE_SECONDS)
    return reports


def _gpt_report(
    gpt, actions: list, reports: list[SchemaReport], stored_secrets: dict[int, tuple[bool, bool]] | None
) -> GPTReport:
    """`stored_secrets` None: the secrets are not checked (see validate_gpt)."""
    findings: list[Finding] = []
    findings += _field_findings(gpt)
    findings += _action_findings(gpt, actions, reports)
    if stored_secrets is not None:
        findings += _secret_findings(actions, stored_secrets)
    return GPTReport(findings=sort_findings(findings), actions={a.pk: r for a, r in zip(actions, reports, strict=True)})


# --- GPT fields ----------------------------------------------------------------------------------------
def _field_findings(gpt) -> list[Finding]:
    found: list[Finding] = []
    name = (gpt.name or "").strip()
    if not name:
        found.append(
            make_finding(
                "gpt.name.missing", "Give the GPT a name: ChatGPT will not save it without one.", pointer="/name"
            )
        )
    elif chatgpt_length(name) > limits.GPT_NAME_MAX_LENGTH.value:
        found.append(
            make_finding(
                "gpt.name.too_long",
                f"The name has {chatgpt_length(name)} characters as ChatGPT counts them (an emoji counts 2); "
                f"ChatGPT allows {limits.GPT_NAME_MAX_LENGTH.value}. Shorten it.",
                pointer="/name",
            )
        )
    description = (gpt.description or "").strip()
    if chatgpt_length(description) > limits.GPT_DESCRIPTION_MAX_LENGTH.value:
        found.append(
            make_finding(
                "gpt.description.too_long",
                f"The description has {chatgpt_length(description)} characters as ChatGPT counts them; ChatGPT allows "
                f"{limits.GPT_DESCRIPTION_MAX_LENGTH.value}. Shorten it.",
                pointer="/description",
            )
        )
    length = chatgpt_length(gpt.instructions or "")
    maximum = limits.GPT_INSTRUCTIONS_MAX_LENGTH.value
    if length > maximum:
        found.append(
            make_finding(
                "gpt.instructions.too_long",
                f"The instructions have {length:,} characters as ChatGPT counts them; ChatGPT saves at most "
                f"{maximum:,} ({length - maximum:,} too many). Condense them, or move reference material into "
                "a knowledge file.",
                pointer="/instructions",
            )
        )
    found += _starter_findings(gpt)
    if gpt.visibility == "gpt_store" and not (gpt.category or "").strip():
        found.append(
            make_finding(
                "gpt.category.missing",
                "Choose a category: the GPT Store requires one (for example Productivity or Education).",
                pointer="/category",
            )
        )
    found += _knowledge_findings(gpt)
    pending = [str(file_id) for file_id in (getattr(gpt, "chatgpt_pending_knowledge", None) or [])]
    if pending:
        shown = ", ".join(pending[:5]) + (f" and {len(pending) - 5} more" if len(pending) > 5 else "")
        found.append(
            make_finding(
                "gpt.knowledge.pending",
                f"Upload the {len(pending)} knowledge file{'s' if len(pending) != 1 else ''} this GPT had in "
                f"ChatGPT: {shown}. ChatGPT's JSON names them by id only; download them from the GPT in ChatGPT, "
                "upload them here, then mark them as uploaded.",
                pointer="/knowledge",
            )
        )
    picture = getattr(gpt.profile_picture, "name", "") or ""
    if picture and PurePosixPath(picture).suffix.lower() not in PROFILE_PICTURE_EXTENSIONS:
        found.append(
            make_finding(
                "gpt.profile_picture.type",
                f"The profile picture {PurePosixPath(picture).name} is not PNG, JPEG, GIF or WebP; ChatGPT's "
                "upload only accepts those. Convert it (a square image, at least 512×512 pixels).",
                pointer="/profile_picture",
            )
        )
    return found


def _starter_findings(gpt) -> list[Finding]:
    starters = [s.text for s in gpt.conversation_starters.all()]
    maximum = limits.GPT_CONVERSATION_STARTERS_MAX.value
    shown = limits.GPT_CONVERSATION_STARTERS_SHOWN.value
    if len(starters) > maximum:
        return [
            make_finding(
                "gpt.starters.too_many",
                f"The GPT has {len(starters)} conversation starters; ChatGPT's editor holds {maximum}. Remove "
                f"{len(starters) - maximum}.",
                pointer=f"/conversation_starters/{maximum}",
            )
        ]
    if len(starters) > shown:
        return [
            make_finding(
                "gpt.starters.hidden",
                f"The GPT has {len(starters)} conversation starters; its About page shows only the first {shown}. "
                "Put the most useful ones first.",
                pointer=f"/conversation_starters/{shown}",
            )
        ]
    return []


def _knowledge_findings(gpt) -> list[Finding]:
    found: list[Finding] = []
    files = list(gpt.knowledge_files.all())
    if len(files) > limits.GPT_KNOWLEDGE_FILES_MAX.value:
        found.append(
            make_finding(
                "gpt.knowledge.too_many",
                f"The GPT has {len(files)} knowledge files; ChatGPT allows {limits.GPT_KNOWLEDGE_FILES_MAX.value}. "
                "Merge related files or remove some.",
                pointer="/knowledge",
            )
        )
    for index, file in enumerate(files):
        media = (file.media_type or "").lower()
        if media.startswith("image/") and file.size > limits.GPT_KNOWLEDGE_IMAGE_MAX_BYTES.value:
            cap = limits.GPT_KNOWLEDGE_IMAGE_MAX_BYTES.value
            found.append(_file_too_large(index, file, cap, "images", "gpt.knowledge.file_too_large"))
        elif file.size > limits.GPT_KNOWLEDGE_FILE_MAX_BYTES.value:
            cap = limits.GPT_KNOWLEDGE_FILE_MAX_BYTES.value
            found.append(_file_too_large(index, file, cap, "files", "gpt.knowledge.file_too_large"))
        elif media in SPREADSHEET_MEDIA_TYPES and file.size > limits.GPT_KNOWLEDGE_SPREADSHEET_MAX_BYTES.value:
            cap = limits.GPT_KNOWLEDGE_SPREADSHEET_MAX_BYTES.value
            found.append(
                _file_too_large(index, file, cap, "spreadsheets (about)", "gpt.knowledge.spreadsheet_too_large")
            )
    return found


def _file_too_large(index: int, file, cap: int, kind: str, code: str) -> Finding:
    return make_finding(
        code,
        f"{file.name} is {file.size / 2**20:,.1f} MB; ChatGPT accepts {kind} up to {cap / 2**20:,.0f} MB. "
        "Split or compress it.",
        pointer=f"/knowledge/{index}",
    )


# --- Actions -------------------------------------------------------------------------------------------
def _action_findings(gpt, actions: list, reports: list[SchemaReport]) -> list[Finding]:
    found: list[Finding] = []
    maximum = limits.GPT_ACTIONS_MAX.value
    if len(actions) > maximum:
        found.append(
            make_finding(
                "gpt.actions.too_many",
                f"The GPT has {len(actions)} actions; ChatGPT allows {maximum}. Remove or merge "
                f"{len(actions) - maximum} (one action per API domain).",
                pointer=f"/actions/{maximum}",
            )
        )
    if actions and PRO_MODEL.search(gpt.recommended_model or ""):
        found.append(
            make_finding(
                "gpt.model.no_actions",
                f"The recommended model “{gpt.recommended_model}” is a Pro model, and actions are not available "
                "in Pro mode: ChatGPT's picker offers only models that support actions for a GPT with actions. "
                "Recommend a non-Pro model, or leave the field empty.",
                pointer="/recommended_model",
            )
        )
    domains: dict[str, str] = {}
    operation_ids: dict[str, str] = {}
    public = gpt.visibility in limits.PUBLIC_VISIBILITIES
    for index, (action, report) in enumerate(zip(actions, reports, strict=True)):
        base = f"/actions/{index}"
        domain = report.domain or action.domain
        if domain and domain in domains:
            found.append(
                make_finding(
                    "gpt.action.duplicate_domain",
                    f"Actions “{domains[domain]}” and “{action.name}” are both on {domain}; ChatGPT allows one "
                    "action per domain. Merge their operations into one schema.",
                    pointer=f"{base}/domain",
                    hint=f"ChatGPT says: “Action sets cannot have duplicate domains - {domain} already exists on "
                    "another action”",
                )
            )
        elif domain:
            domains[domain] = action.name
        if public and not _is_http_url(action.privacy_policy_url):
            state = (
                "has no privacy policy URL" if not action.privacy_policy_url else "has an invalid privacy policy URL"
            )
            found.append(
                make_finding(
                    "gpt.action.privacy_policy_required",
                    f"The action “{action.name}” {state}; a GPT shared by link or in the GPT Store needs one for "
                    "every action. Add the https address of your API's privacy policy.",
                    pointer=f"{base}/privacy_policy_url",
                )
            )
        for operation in report.operations:
            if not operation.operation_id:
                continue
            owner = operation_ids.setdefault(operation.operation_id, action.name)
            if owner != action.name:
                found.append(
                    make_finding(
                        "gpt.action.duplicate_operation_id",
                        f"The operationId “{operation.operation_id}” is used by actions “{owner}” and "
                        f"“{action.name}”; the model may call the wrong one. Rename one of them.",
                        pointer=f"{base}/schema",
                    )
                )
        found += _auth_findings(action, report, base, domain)
    return found


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _auth_findings(action, report: SchemaReport, base: str, domain: str) -> list[Finding]:
    found: list[Finding] = []
    if action.auth_type == "oauth":
        for field_name, label in (("oauth_authorization_url", "authorization URL"), ("oauth_token_url", "token URL")):
            problem = oauth_url_problem(getattr(action, field_name), domain)
            if problem:
                found.append(
                    make_finding(
                        "gpt.action.oauth_url_off_domain",
                        f"The OAuth {label} of “{action.name}” {problem}",
                        pointer=f"{base}/authentication/oauth/{label.split()[0]}_url",
                    )
                )
    mismatch = _auth_mismatch(action, report)
    if mismatch:
        found.append(
            make_finding(
                "gpt.action.auth_mismatch",
                f"“{action.name}”: {mismatch}",
                pointer=f"{base}/authentication",
            )
        )
    return found


def _auth_mismatch(action, report: SchemaReport) -> str:
    """Why the action's authentication disagrees with its schema's security scheme ("" if it does not)."""
    scheme = report.security_scheme or {}
    kind = report.auth_scheme
    configured = action.auth_type
    if not scheme or kind in ("", "none"):
        return ""  # the schema does not say; anything configured may be right
    if configured == "none":
        return (
            f"the schema declares {kind} authentication but the action has none, so calls go out without "
            "credentials. Configure the action's authentication."
        )
    if kind == "oauth2":
        if configured != "oauth":
            return f"the schema declares OAuth but the action uses {configured}. Configure OAuth in the action."
        flow = (scheme.get("flows") or {}).get("authorizationCode") if isinstance(scheme.get("flows"), dict) else None
        if isinstance(flow, dict):
            for key, value, label in (
                ("authorizationUrl", action.oauth_authorization_url, "authorization URL"),
                ("tokenUrl", action.oauth_token_url, "token URL"),
            ):
                declared = flow.get(key)
                if isinstance(declared, str) and value and declared.strip() != value.strip():
                    return f"the OAuth {label} is {value}, but the schema declares {declared}."
        return ""
    if configured != "api_key":
        return f"the schema declares {kind} authentication but the action uses OAuth."
    expected = {"http_bearer": "bearer", "http_basic": "basic"}.get(kind)
    if expected and action.api_key_auth_type != expected:
        return f"the schema declares HTTP {expected} but the API key is sent as {action.api_key_auth_type}."
    if kind == "api_key" and scheme.get("in") == "header":
        header = str(scheme.get("name", ""))
        sent = action.api_key_custom_header if action.api_key_auth_type == "custom" else "Authorization"
        if header and header.lower() != sent.lower():
            return f"the schema expects the key in the {header} header, but the action sends it in {sent}."
    return ""


# --- Secrets -------------------------------------------------------------------------------------------
SECRET_STATE_FIELDS = ("api_key", "oauth_client_secret")


def _stored_secrets(actions: list) -> dict[int, tuple[bool, bool]]:
    """Action id → (has an API key, has an OAuth client secret), without decrypting anything that is
    not loaded already: actions read with their secrets deferred (the export read) are asked about
    in one query for all of them, so validating many GPTs costs one query, not one per action."""
    known: dict[int, tuple[bool, bool]] = {}
    deferred = []
    for action in actions:
        if action.auth_type == "none" or action.pk is None:
            continue
        if hasattr(action, "api_key_set") and hasattr(action, "client_secret_set"):
            known[action.pk] = (bool(action.api_key_set), bool(action.client_secret_set))
        elif hasattr(action, "get_deferred_fields") and set(SECRET_STATE_FIELDS) & action.get_deferred_fields():
            deferred.append(action.pk)
        else:
            known[action.pk] = (action.has_api_key, action.has_client_secret)
    if deferred:
        from django.db.models import BooleanField, ExpressionWrapper, Q

        from actions.models import Action

        rows = (
            Action.objects.filter(pk__in=deferred)
            .annotate(
                has_key=ExpressionWrapper(~Q(api_key=""), output_field=BooleanField()),
                has_secret=ExpressionWrapper(~Q(oauth_client_secret=""), output_field=BooleanField()),
            )
            .values_list("pk", "has_key", "has_secret")
        )
        known |= {pk: (bool(key), bool(secret)) for pk, key, secret in rows}
    return known


def missing_secrets(action, has_key: bool, has_secret: bool) -> list[str]:
    """ChatGPT's labels of what the action's authentication needs and GPT Studio does not hold."""
    if action.auth_type == "api_key":
        return [] if has_key else ["API Key"]
    if action.auth_type == "oauth":
        missing = [] if (action.oauth_client_id or "").strip() else ["Client ID"]
        return missing + ([] if has_secret else ["Client Secret"])
    return []


def _secret_findings(actions: list, secrets: dict[int, tuple[bool, bool]]) -> list[Finding]:
    found = []
    for index, action in enumerate(actions):
        missing = missing_secrets(action, *secrets.get(action.pk, (False, False)))
        if missing:
            where = f" for {action.domain}" if action.domain else ""
            found.append(
                make_finding(
                    "action.auth.secret_missing",
                    f"Enter the {' and '.join(missing)}{where} in the settings of the action “{action.name}”: "
                    "GPT Studio does not hold it, so calls cannot authenticate.",
                    pointer=f"/actions/{index}/authentication",
                )
            )
    return found

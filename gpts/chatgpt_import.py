"""ChatGPT's own JSON of a GPT (its "gizmo", MIGRATION.md §8) into GPTs: the rescue import.

ChatGPT has no export. Its editor loads each GPT as JSON (`/backend-api/gizmos/<g-id>`), and the
My GPTs list comes as JSON too; a user saves either from the browser's developer tools. The shapes
are unofficial and vary, so reading is lenient and says what it did not understand:

- `is_chatgpt_json(data)`: the content sniff `gpts.uploads.gpt_import` uses (no flag needed).
- `chatgpt_plan(workspace=, data=)`: reads and maps every GPT in the input to a `gptstudio/gpt@1`
  document, with the import report as findings (unknown keys, values with no studio field, secrets
  and knowledge files to provide) and the GPT each one would update. Writes nothing.
- `chatgpt_import(workspace=, actor=, data=, expected_versions=)`: writes each GPT on its own,
  atomically, through `gpts.importers.gpt_apply_document` (the same validation, revisions and
  secret handling as every import). A GPT already imported (same ChatGPT id) gets a new revision,
  version-checked; the others in a list still import when one is refused.

Never stored: the raw JSON, and personal data in it (author, user, organization and workspace ids).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import IntegrityError
from django.utils import timezone

from actions.imports import schema_title, unique_action_name
from actions.schema.parsing import container_depth
from gpts.document.build import default_document, knowledge_document
from gpts.document.read import DOCUMENT_MAX_BYTES, DOCUMENT_MAX_DEPTH, DOCUMENT_MAX_VALUES, read_bounded
from gptstudio import limits
from gptstudio.errors import EditConflict
from gptstudio.findings import Finding, Severity, has_errors, make_finding, register, sort_findings

from . import fields as gpt_fields
from . import services
from .document_schema import URL_MAX_LENGTH
from .importers import DocumentRejected, ImportOutcome, gpt_apply_document
from .models import GPT, Workspace

_STUDIO = {
    "chatgpt_behaviour": "Not a ChatGPT rule: what GPT Studio did while reading ChatGPT's JSON of a GPT.",
    "source": "MIGRATION.md §8",
    "confidence": "confirmed",
}
register(
    "chatgpt.unreadable",
    Severity.ERROR,
    "ChatGPT's JSON cannot be read",
    **_STUDIO,
    fix="Paste ChatGPT's JSON of the GPT again, whole.",
)
register(
    "chatgpt.not_a_gpt",
    Severity.ERROR,
    "Not a GPT in ChatGPT's JSON",
    **_STUDIO,
    fix="Paste the JSON of a GPT (its `gizmo`), not another ChatGPT object.",
)
register(
    "chatgpt.project",
    Severity.ERROR,
    "A ChatGPT Project, not a GPT",
    **_STUDIO,
    fix="Import a GPT: GPT Studio does not import ChatGPT Projects.",
)
register(
    "chatgpt.wrong_type",
    Severity.ERROR,
    "A value of ChatGPT's JSON has the wrong type",
    **_STUDIO,
    fix="Check the value at the pointer shown; ChatGPT's JSON was edited or is from a newer version.",
)
register(
    "chatgpt.duplicate_id",
    Severity.ERROR,
    "The same ChatGPT GPT twice in one import",
    **_STUDIO,
    fix="Remove one of the two copies of the GPT from the import.",
)
register(
    "chatgpt.unknown_key",
    Severity.INFO,
    "A key of ChatGPT's JSON that GPT Studio does not know",
    **_STUDIO,
    fix="Check whether the value matters; GPT Studio did not keep it.",
)
register(
    "chatgpt.not_imported",
    Severity.INFO,
    "A value of ChatGPT's JSON with no GPT Studio field",
    **_STUDIO,
    fix="Check whether the value matters; GPT Studio has no field for it.",
)
register(
    "chatgpt.personal_data",
    Severity.INFO,
    "Personal data in ChatGPT's JSON was not stored",
    **_STUDIO,
    fix="Leave it: GPT Studio does not store personal data from ChatGPT's JSON.",
)
register(
    "chatgpt.default",
    Severity.INFO,
    "A field ChatGPT's JSON leaves out took its default",
    **_STUDIO,
    fix="Check the field in the editor: it took GPT Studio's default.",
)
register(
    "chatgpt.unknown_tool",
    Severity.WARNING,
    "A tool type GPT Studio does not know",
    **_STUDIO,
    fix="Check the GPT's capabilities in the editor; this tool was not imported.",
)
register(
    "chatgpt.unknown_value",
    Severity.WARNING,
    "A value of ChatGPT's JSON GPT Studio does not know",
    **_STUDIO,
    fix="Check the field in the editor; this value was not imported.",
)
register(
    "chatgpt.secret_to_enter",
    Severity.WARNING,
    "A secret ChatGPT never gives back",
    **_STUDIO,
    fix="Enter the secret in the action's authentication.",
)
register(
    "chatgpt.knowledge_to_upload",
    Severity.WARNING,
    "Knowledge files ChatGPT names only by id",
    **_STUDIO,
    fix="Upload the knowledge files again in the editor.",
)
register(
    "chatgpt.profile_picture",
    Severity.INFO,
    "The profile picture's address was kept",
    **_STUDIO,
    fix="Fetch the profile picture from the editor, or upload one.",
)

# A document's value cap, plus as many again for each action schema: ChatGPT's JSON holds them as
# data (`json_schema`), where a document holds them as text. Real GPT action schemas have about
# 300 values (3,300 the largest of tests/data/corpus/gpt_actions).
CHATGPT_MAX_VALUES = DOCUMENT_MAX_VALUES * (1 + limits.GPT_ACTIONS_MAX.value)
GIZMO_ID = re.compile(r"^g-[A-Za-z0-9_-]{1,90}$")
PROJECT_TYPE = "snorlax"  # ChatGPT's gizmo_type of a Project (ids g-p-…)
UNTITLED = "Untitled GPT"

# share_recipient (ChatGPT's internal sharing types, GPT_EDITOR.md §2) -> the document's visibility.
VISIBILITY_BY_RECIPIENT = {
    "private": "invite_only",
    "user": "invite_only",
    "group": "invite_only",
    "workspace_link": "workspace_link",
    "workspace": "workspace",
    "link": "link",
    "marketplace": "gpt_store",
}
# Built-in tool types -> capabilities. `canmore` is what ChatGPT calls canvas in its own prompts
# (MIGRATION.md §8: an inference, so both names are taken).
CAPABILITY_BY_TOOL = {
    "browser": "web_search",
    "python": "code_interpreter",
    "dalle": "image_generation",
    "canmore": "canvas",
    "canvas": "canvas",
}
ACTION_TOOL_TYPES = ("plugins_prototype", "jit_plugin")
# ChatGPT's category slugs (GPT_EDITOR.md §2, the 2024 client's names); others are kept as given.
CATEGORY_NAMES = {
    "writing": "Writing",
    "productivity": "Productivity",
    "research": "Research & Analysis",
    "research_and_analysis": "Research & Analysis",
    "programming": "Programming",
    "education": "Education",
    "lifestyle": "Lifestyle",
    "dalle": "DALL·E",
    "other": "Other",
}
API_KEY_TYPES = ("basic", "bearer", "custom")
TOKEN_EXCHANGE_METHODS = ("default_post", "basic_auth_header")

# Keys known from captures (MIGRATION.md §8) that GPT Studio has no field for: listed by name in
# the report. Keys not known at all are reported as unknown; PERSONAL ones are never stored or shown.
PERSONAL_KEYS = frozenset({"author", "organization_id", "workspace_id", "user_id", "owner_id", "creator"})
GIZMO_FIELD_KEYS = frozenset({"id", "display", "instructions", "model", "share_recipient", "gizmo_type", "tags"})
GIZMO_UNUSED_KEYS = frozenset(
    {
        "short_url",
        "voice",
        "settings",
        "updated_at",
        "created_at",
        "version",
        "live_version",
        "training_disabled",
        "allowed_sharing_recipients",
        "current_user_permission",
        "vanity_metrics",
        "num_interactions",
        "sharing_targets",
        "is_archived",
    }
)
DISPLAY_FIELD_KEYS = frozenset({"name", "description", "prompt_starters", "profile_picture_url", "categories"})
DISPLAY_UNUSED_KEYS = frozenset({"welcome_message", "profile_pic_id", "theme", "emoji"})
TOP_KEYS = frozenset({"gizmo", "tools", "files", "product_features", "resource"})
ACTION_METADATA_KEYS = frozenset(
    {"action_id", "domain", "raw_spec", "json_schema", "auth", "privacy_policy_url", "logo_url", "contact_email"}
)
LIST_KEYS = ("items", "gizmos")


# --- Sniffing --------------------------------------------------------------------------------------


def _looks_like_gizmo(value) -> bool:
    if not isinstance(value, dict) or "format" in value:
        return False
    gizmo_id = value.get("id")
    return (isinstance(gizmo_id, str) and gizmo_id.startswith("g-")) or "display" in value or "gizmo_type" in value


def _unwrap(entry):
    """An entry of a list as (the wrapper with tools/files, or None; the gizmo), after a My GPTs
    list's `{"resource": …}` wrapper."""
    if isinstance(entry, dict) and isinstance(entry.get("resource"), dict) and "gizmo" not in entry:
        entry = entry["resource"]
    if isinstance(entry, dict) and "gizmo" in entry:
        return entry, entry["gizmo"]
    return None, entry


def _entry_is_gpt_like(entry) -> bool:
    wrapper, gizmo = _unwrap(entry)
    return (wrapper is not None and isinstance(gizmo, dict)) or _looks_like_gizmo(gizmo)


def _entries(data) -> tuple[list, str | None] | None:
    """The GPT entries of parsed input and the pointer of their list ("" for a top-level array, None
    for a single GPT), or None when the input has no GPT-like shape at all."""
    if isinstance(data, list):
        return (data, "") if any(_entry_is_gpt_like(item) for item in data) else None
    if not isinstance(data, dict) or "format" in data:
        return None
    if _entry_is_gpt_like(data):
        return [data], None
    for key in LIST_KEYS:
        items = data.get(key)
        if isinstance(items, list) and any(_entry_is_gpt_like(item) for item in items):
            return items, f"/{key}"
    return None


_SNIFF = re.compile(rb'"(?:gizmo|gizmo_type)"\s*:|"id"\s*:\s*"g-')


def is_chatgpt_json(data: bytes) -> bool:
    """ChatGPT's JSON of a GPT, a bare gizmo, or a list of them (a JSON array, or an object whose
    `items`/`gizmos` hold them). JSON only: YAML and a `gptstudio/gpt@1` document (`format`) are
    not. Text that is too large or broken but says `"gizmo"` near its start counts, so the user
    gets ChatGPT-specific findings for it rather than a document's."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] not in (b"{", b"["):
        return False
    if len(data) > DOCUMENT_MAX_BYTES:
        return bool(_SNIFF.search(data[:65536]))
    loaded, fmt, _ = read_bounded(data, max_values=CHATGPT_MAX_VALUES)
    if loaded is None or fmt != "json":
        return bool(_SNIFF.search(data[:65536])) and b'"format"' not in data[:65536]
    return _entries(loaded.data) is not None


# --- Plans -----------------------------------------------------------------------------------------


@dataclass
class GizmoPlan:
    """One GPT found in the input, mapped; `document` is None when it is refused."""

    index: int
    chatgpt_id: str
    name: str
    target: GPT | None
    document: dict | None
    findings: list[Finding] = field(default_factory=list)
    profile_picture_url: str = ""
    knowledge_file_ids: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.document is None or has_errors(self.findings)

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "chatgpt_id": self.chatgpt_id,
            "name": self.name,
            "target": (
                {"id": self.target.pk, "slug": self.target.slug, "version": self.target.version}
                if self.target
                else None
            ),
            "refused": self.refused,
            "document": self.document,
            "profile_picture_url": self.profile_picture_url,
            "knowledge_file_ids": list(self.knowledge_file_ids),
            "findings": [f.as_dict() for f in sort_findings(self.findings)],
        }


@dataclass
class ChatGPTPlan:
    gizmos: list[GizmoPlan]
    findings: list[Finding] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return has_errors(self.findings) or not self.gizmos

    def as_dict(self) -> dict:
        """The preview of an import (nothing written): each GPT's document, target and report."""
        return {
            "kind": "chatgpt",
            "refused": self.refused,
            "gizmos": [gizmo.as_dict() for gizmo in self.gizmos],
            "findings": [f.as_dict() for f in sort_findings(self.findings)],
        }


class _Refused(Exception):
    """A value that makes the GPT impossible to import (wrong type, a Project, …)."""

    def __init__(self, finding: Finding):
        self.finding = finding


def _type_name(value) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _wrong_type(pointer: str, value, expected: str) -> _Refused:
    return _Refused(
        make_finding(
            "chatgpt.wrong_type",
            f"{pointer or 'The input'} is {_type_name(value)}; ChatGPT's JSON has {expected} here. Nothing of this "
            "GPT was imported: save the JSON again from ChatGPT's editor.",
            pointer=pointer,
        )
    )


def _text(mapping: dict, key: str, pointer: str, *, default: str = "") -> str:
    value = mapping.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise _wrong_type(f"{pointer}/{key}", value, "text")
    return value


def _object(mapping: dict, key: str, pointer: str) -> dict:
    value = mapping.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _wrong_type(f"{pointer}/{key}", value, "an object")
    return value


def _list(mapping: dict, key: str, pointer: str) -> list | None:
    value = mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise _wrong_type(f"{pointer}/{key}", value, "a list")
    return value


def _http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and len(value) <= URL_MAX_LENGTH


class _Mapper:
    """Maps one entry (wrapper and gizmo) to a document, collecting the report as findings."""

    def __init__(self, index: int, base: str, wrapper: dict | None, gizmo):
        self.index = index
        self.base = base  # the pointer of the entry in the input
        self.wrapper = wrapper
        self.gizmo = gizmo
        self.findings: list[Finding] = []
        self.knowledge_file_ids: list[str] = []
        self.profile_picture_url = ""
        self.not_imported: list[str] = []

    @property
    def gizmo_pointer(self) -> str:
        return f"{self.base}/gizmo" if self.wrapper is not None else self.base

    def note(self, code: str, message: str, pointer: str = "") -> None:
        self.findings.append(make_finding(code, message, pointer=pointer))

    def map(self) -> dict:
        gp = self.gizmo_pointer
        if not isinstance(self.gizmo, dict):
            raise _wrong_type(gp, self.gizmo, "an object (the GPT's `gizmo`)")
        gizmo = self.gizmo
        gizmo_type = gizmo.get("gizmo_type")
        gizmo_id = gizmo.get("id")
        if gizmo_type == PROJECT_TYPE or (isinstance(gizmo_id, str) and gizmo_id.startswith("g-p-")):
            raise _Refused(
                make_finding(
                    "chatgpt.project",
                    "This is a ChatGPT Project (gizmo_type “snorlax”, id g-p-…), not a GPT: Projects have no "
                    "instructions, starters or actions to import. Nothing was imported.",
                    pointer=f"{gp}/gizmo_type" if gizmo_type == PROJECT_TYPE else f"{gp}/id",
                )
            )
        if gizmo_type is not None and gizmo_type != "gpt":
            if not isinstance(gizmo_type, str):
                raise _wrong_type(f"{gp}/gizmo_type", gizmo_type, "text (“gpt”)")
            self.note(
                "chatgpt.unknown_value",
                f"gizmo_type is {gizmo_type[:40]!r}; a GPT's is “gpt”. Imported as a GPT: check the result.",
                f"{gp}/gizmo_type",
            )
        if gizmo_id is not None and not isinstance(gizmo_id, str):
            raise _wrong_type(f"{gp}/id", gizmo_id, "text (the GPT's id, g-…)")
        if isinstance(gizmo_id, str) and not GIZMO_ID.match(gizmo_id):
            self.note(
                "chatgpt.unknown_value",
                f"The id {gizmo_id[:40]!r} is not a ChatGPT GPT id (g-…): the GPT is imported without one, so "
                "importing it again makes another GPT instead of a new revision.",
                f"{gp}/id",
            )
        display = _object(gizmo, "display", gp)
        dp = f"{gp}/display"
        name = _text(display, "name", dp).strip()
        if not name:
            name = UNTITLED
            self.note("chatgpt.default", f"The GPT has no name in the JSON; it is called {UNTITLED!r}.", f"{dp}/name")
        starters = _list(display, "prompt_starters", dp) or []
        for position, starter in enumerate(starters):
            if not isinstance(starter, str):
                raise _wrong_type(f"{dp}/prompt_starters/{position}", starter, "text")
        # From a new GPT's document, so a field ChatGPT's JSON does not carry keeps its default.
        document = default_document()
        document["name"] = name
        document["description"] = _text(display, "description", dp)
        document["instructions"] = _text(gizmo, "instructions", gp)
        document["conversation_starters"] = [s for s in starters if s.strip()]
        document["capabilities"] = self._capabilities()
        document["recommended_model"] = _text(gizmo, "model", gp).strip()
        document["visibility"] = self._visibility(gizmo, gp)
        document["category"] = self._category(display, dp)
        document["use_conversation_data"] = self._use_conversation_data(gizmo, gp)
        document["actions"] = self._actions()
        self._profile_picture(display, dp)
        self._welcome(display, dp)
        self._knowledge()
        self._unknown_and_personal(gizmo, display)
        return document

    # Fields ---------------------------------------------------------------------------------------

    def _visibility(self, gizmo: dict, gp: str) -> str:
        recipient = _text(gizmo, "share_recipient", gp)
        tags = _list(gizmo, "tags", gp) or []
        if recipient:
            if recipient in VISIBILITY_BY_RECIPIENT:
                return VISIBILITY_BY_RECIPIENT[recipient]
            self.note(
                "chatgpt.unknown_value",
                f"share_recipient {recipient[:40]!r} is not one of ChatGPT's known sharing levels; the GPT is "
                "imported as Invite-only. Set its visibility in the editor.",
                f"{gp}/share_recipient",
            )
            return "invite_only"
        if "public" in tags:
            return "gpt_store"
        self.note("chatgpt.default", "The JSON does not say how the GPT is shared; it is imported as Invite-only.")
        return "invite_only"

    def _category(self, display: dict, dp: str) -> str:
        categories = _list(display, "categories", dp) or []
        names = []
        for position, category in enumerate(categories):
            if not isinstance(category, str):
                raise _wrong_type(f"{dp}/categories/{position}", category, "text")
            if category.strip():
                names.append(CATEGORY_NAMES.get(category.strip().lower(), category.strip()))
        if len(names) > 1:
            self.note(
                "chatgpt.not_imported",
                f"The GPT has {len(names)} categories in ChatGPT; a GPT has one, so {names[0]!r} is kept and "
                f"{', '.join(repr(n) for n in names[1:])} are not.",
                f"{dp}/categories",
            )
        return names[0] if names else ""

    def _use_conversation_data(self, gizmo: dict, gp: str) -> bool:
        disabled = gizmo.get("training_disabled")
        if disabled is None:
            return True
        if not isinstance(disabled, bool):
            raise _wrong_type(f"{gp}/training_disabled", disabled, "true or false")
        return not disabled

    def _tools(self) -> list | None:
        if self.wrapper is None:
            return _list(self.gizmo, "tools", self.gizmo_pointer)
        return _list(self.wrapper, "tools", self.base)

    @property
    def tools_pointer(self) -> str:
        return f"{self.base}/tools" if self.wrapper is not None else f"{self.gizmo_pointer}/tools"

    def _capabilities(self) -> dict:
        tools = self._tools()
        if tools is None:
            self.note(
                "chatgpt.default",
                "The JSON lists no tools (a My GPTs list leaves them out): capabilities take GPT Studio's "
                "defaults (web search, canvas, image generation on; code interpreter off), and the GPT has no "
                "actions. Import the GPT's own JSON to get them.",
            )
            return gpt_fields.document_default("capabilities")
        capabilities = dict.fromkeys(gpt_fields.capability_names(), False)
        for position, tool in enumerate(tools):
            pointer = f"{self.tools_pointer}/{position}"
            if not isinstance(tool, dict):
                raise _wrong_type(pointer, tool, "an object (a tool)")
            kind = _text(tool, "type", pointer)
            if kind in CAPABILITY_BY_TOOL:
                capabilities[CAPABILITY_BY_TOOL[kind]] = True
            elif kind not in ACTION_TOOL_TYPES:
                self.note(
                    "chatgpt.unknown_tool",
                    f"Tool type {kind[:40]!r} is not one GPT Studio knows (browser, python, dalle, canvas, actions); "
                    "it was not imported. Recreate what it did by hand if the GPT needs it.",
                    f"{pointer}/type",
                )
        return capabilities

    def _actions(self) -> list[dict]:
        actions: list[dict] = []
        names: list[str] = []
        for position, tool in enumerate(self._tools() or []):
            if tool.get("type") not in ACTION_TOOL_TYPES:
                continue
            pointer = f"{self.tools_pointer}/{position}"
            metadata = _object(tool, "metadata", pointer)
            mp = f"{pointer}/metadata"
            schema_text, data = self._schema(metadata, mp)
            domain = _text(metadata, "domain", mp).strip()
            name = unique_action_name(schema_title(data) or domain or f"Action {len(actions) + 1}", names)
            names.append(name)
            privacy = _text(metadata, "privacy_policy_url", mp).strip()
            if privacy and not _http_url(privacy):
                self.note(
                    "chatgpt.unknown_value",
                    f"The privacy policy URL of action {name!r} is not an http(s) address; it was left out.",
                    f"{mp}/privacy_policy_url",
                )
                privacy = ""
            actions.append(
                {
                    "name": name,
                    "privacy_policy_url": privacy,
                    "authentication": self._authentication(_object(metadata, "auth", mp), f"{mp}/auth", name, domain),
                    "schema": schema_text,
                }
            )
            unknown = sorted(set(metadata) - ACTION_METADATA_KEYS)
            if unknown:
                self._unknown_keys(unknown, mp)
        return actions

    def _schema(self, metadata: dict, mp: str) -> tuple[str, dict]:
        raw = metadata.get("raw_spec")
        if raw is not None and not isinstance(raw, str):
            raise _wrong_type(f"{mp}/raw_spec", raw, "text (the OpenAPI schema, JSON or YAML)")
        structured = metadata.get("json_schema")
        if structured is not None and not isinstance(structured, dict):
            raise _wrong_type(f"{mp}/json_schema", structured, "an object (the OpenAPI schema)")
        if raw and raw.strip():
            from actions.schema import parse_schema

            data = parse_schema(raw).data
            return raw, data if isinstance(data, dict) else {}
        if structured:
            return json.dumps(structured, indent=2, ensure_ascii=False) + "\n", structured
        self.note(
            "chatgpt.unknown_value",
            "This action has neither `raw_spec` nor `json_schema`: it is imported with an empty schema. Paste the "
            "OpenAPI schema from ChatGPT's action editor.",
            mp,
        )
        return "", {}

    def _authentication(self, auth: dict, ap: str, name: str, domain: str) -> dict:
        kind = _text(auth, "type", ap, default="none")
        where = f" for {domain}" if domain else f" of action {name!r}"
        for key in ("instructions", "verification_tokens", "authorization_content_type", "pkce_required"):
            value = auth.get(key)
            if value not in (None, "", {}, False, "application/x-www-form-urlencoded"):
                self.not_imported.append(f"{ap}/{key}")
        if kind == "none":
            return {"type": "none"}
        if kind == "service_http":
            auth_type = _text(auth, "authorization_type", ap, default="bearer")
            if auth_type not in API_KEY_TYPES:
                raise _Refused(
                    make_finding(
                        "chatgpt.wrong_type",
                        f"authorization_type {auth_type[:40]!r} is not basic, bearer or custom. Nothing of this GPT "
                        "was imported.",
                        pointer=f"{ap}/authorization_type",
                    )
                )
            api_key = {"auth_type": auth_type}
            if auth_type == "custom":
                header = _text(auth, "custom_auth_header", ap).strip()
                if not header:
                    header = "Authorization"
                    self.note("chatgpt.default", "The custom API key header is not named; it is Authorization.", ap)
                api_key["custom_header"] = header
            self.note(
                "chatgpt.secret_to_enter",
                f"Enter the API key{where}: ChatGPT never gives it back.",
                ap,
            )
            return {"type": "api_key", "api_key": api_key}
        if kind == "oauth":
            # The trap of ChatGPT's storage (MIGRATION.md §8, GPT_EDITOR.md §4): `client_url` holds the
            # authorization URL and `authorization_url` the token URL.
            authorization_url = _text(auth, "client_url", ap).strip()
            token_url = _text(auth, "authorization_url", ap).strip()
            for value, key, label in (
                (authorization_url, "client_url", "authorization"),
                (token_url, "authorization_url", "token"),
            ):
                if not _http_url(value):
                    raise _Refused(
                        make_finding(
                            "chatgpt.wrong_type",
                            f"The OAuth {label} URL (`{key}` in ChatGPT's JSON) is "
                            f"{'missing' if not value else 'not an http(s) address'}. Nothing of this GPT was "
                            "imported.",
                            pointer=f"{ap}/{key}",
                        )
                    )
            method = _text(auth, "token_exchange_method", ap, default="default_post")
            if method not in TOKEN_EXCHANGE_METHODS:
                self.note(
                    "chatgpt.unknown_value",
                    f"token_exchange_method {method[:40]!r} is unknown; default_post is used.",
                    f"{ap}/token_exchange_method",
                )
                method = "default_post"
            self.note(
                "chatgpt.secret_to_enter",
                f"Enter the OAuth client ID and client secret{where}: ChatGPT never gives them back.",
                ap,
            )
            return {
                "type": "oauth",
                "oauth": {
                    "client_id": "",
                    "authorization_url": authorization_url,
                    "token_url": token_url,
                    "scope": _text(auth, "scope", ap).strip(),
                    "token_exchange_method": method,
                },
            }
        raise _Refused(
            make_finding(
                "chatgpt.wrong_type",
                f"Authentication type {kind[:40]!r} is not none, service_http (API key) or oauth. Nothing of this GPT "
                "was imported.",
                pointer=f"{ap}/type",
            )
        )

    def _profile_picture(self, display: dict, dp: str) -> None:
        url = _text(display, "profile_picture_url", dp).strip()
        if not url:
            return
        if not _http_url(url):
            self.note(
                "chatgpt.unknown_value",
                "The profile picture URL is not an http(s) address; it was not kept.",
                f"{dp}/profile_picture_url",
            )
            return
        self.profile_picture_url = url
        self.note(
            "chatgpt.profile_picture",
            "The profile picture's address is kept: fetch the picture from the GPT's page when you want it "
            "(ChatGPT's picture links may expire).",
            f"{dp}/profile_picture_url",
        )

    def _welcome(self, display: dict, dp: str) -> None:
        welcome = display.get("welcome_message")
        if isinstance(welcome, str) and welcome.strip():
            shown = welcome if len(welcome) <= 500 else welcome[:500] + "…"
            self.note(
                "chatgpt.not_imported",
                f"The welcome message has no GPT Studio field (ChatGPT's Configure tab no longer shows it): {shown!r}",
                f"{dp}/welcome_message",
            )

    def _knowledge(self) -> None:
        owner, pointer = (self.wrapper, self.base) if self.wrapper is not None else (self.gizmo, self.gizmo_pointer)
        files = _list(owner, "files", pointer) or []
        for position, entry in enumerate(files):
            if not isinstance(entry, dict):
                raise _wrong_type(f"{pointer}/files/{position}", entry, "an object (a knowledge file)")
            file_id = entry.get("file_id") or entry.get("id")
            if not isinstance(file_id, str) or not file_id.strip():
                raise _wrong_type(f"{pointer}/files/{position}/file_id", file_id, "text (the file's id)")
            if file_id.strip() not in self.knowledge_file_ids:
                self.knowledge_file_ids.append(file_id.strip()[:200])
        if self.knowledge_file_ids:
            count = len(self.knowledge_file_ids)
            self.note(
                "chatgpt.knowledge_to_upload",
                f"Upload the {count} knowledge file{'s' if count != 1 else ''}: {', '.join(self.knowledge_file_ids)}. "
                "ChatGPT's JSON names them by id only (no name, no content); download them from the GPT in ChatGPT.",
                f"{pointer}/files",
            )

    def _unknown_keys(self, keys: list[str], pointer: str) -> None:
        shown = ", ".join(k[:40] for k in keys[:20]) + (f" and {len(keys) - 20} more" if len(keys) > 20 else "")
        self.note("chatgpt.unknown_key", f"Unknown keys, ignored: {shown}.", pointer)

    def _unknown_and_personal(self, gizmo: dict, display: dict) -> None:
        gp, dp = self.gizmo_pointer, f"{self.gizmo_pointer}/display"
        personal = sorted(k for k in gizmo if k in PERSONAL_KEYS)
        if self.wrapper is not None:
            personal += sorted(k for k in self.wrapper if k in PERSONAL_KEYS)
        if personal:
            self.note(
                "chatgpt.personal_data",
                f"Not stored (personal data): {', '.join(personal)}.",
                gp,
            )
        unused = sorted(k for k in gizmo if k in GIZMO_UNUSED_KEYS and k != "training_disabled")
        unused += [f"display/{k}" for k in sorted(display) if k in DISPLAY_UNUSED_KEYS and k != "welcome_message"]
        if self.wrapper is not None and "product_features" in self.wrapper:
            unused.append("product_features")
        unused += [pointer.removeprefix(f"{gp}/") for pointer in self.not_imported]
        if unused:
            self.note("chatgpt.not_imported", f"No GPT Studio field for: {', '.join(unused)}; not imported.", gp)
        known = GIZMO_FIELD_KEYS | GIZMO_UNUSED_KEYS | PERSONAL_KEYS | {"tools", "files"}
        if unknown := sorted(k for k in gizmo if k not in known):
            self._unknown_keys(unknown, gp)
        if unknown := sorted(k for k in display if k not in DISPLAY_FIELD_KEYS | DISPLAY_UNUSED_KEYS):
            self._unknown_keys(unknown, dp)
        if self.wrapper is not None and (
            unknown := sorted(k for k in self.wrapper if k not in TOP_KEYS | PERSONAL_KEYS)
        ):
            self._unknown_keys(unknown, self.base)


def _gizmo_id(gizmo) -> str:
    value = gizmo.get("id") if isinstance(gizmo, dict) else None
    return value if isinstance(value, str) and GIZMO_ID.match(value) else ""


def _whole_input_refused(finding: Finding) -> ChatGPTPlan:
    return ChatGPTPlan(gizmos=[], findings=[finding])


def chatgpt_plan(*, workspace: Workspace, data: bytes) -> ChatGPTPlan:
    """Read ChatGPT's JSON and map each GPT in it; writes nothing. Whole-input problems (not JSON,
    too large or deep, nothing GPT-like) are the plan's findings; a GPT that cannot be imported is
    a plan whose `document` is None, with its reason among its findings."""
    loaded, fmt, findings = read_bounded(data, max_values=CHATGPT_MAX_VALUES)
    if loaded is None:
        return ChatGPTPlan(gizmos=[], findings=findings)
    if fmt != "json":
        return _whole_input_refused(
            make_finding("chatgpt.unreadable", "ChatGPT's JSON of a GPT is JSON; this text is not.")
        )
    if container_depth(loaded.data) > DOCUMENT_MAX_DEPTH:
        return _whole_input_refused(
            make_finding(
                "chatgpt.unreadable",
                f"The JSON nests deeper than {DOCUMENT_MAX_DEPTH} levels; ChatGPT's JSON of a GPT does not.",
            )
        )
    found = _entries(loaded.data)
    if found is None:
        return _whole_input_refused(
            make_finding(
                "chatgpt.not_a_gpt",
                f"This JSON is {_type_name(loaded.data)} without a GPT in it: ChatGPT's JSON of a GPT has a `gizmo` "
                "object (id g-…, display, instructions), or is a list of them. Save the response of "
                "/backend-api/gizmos/<id> from ChatGPT's editor.",
            )
        )
    entries, list_pointer = found
    single = list_pointer is None
    plans = [
        _plan_entry(index, "" if single else f"{list_pointer}/{index}", entry) for index, entry in enumerate(entries)
    ]
    seen: dict[str, int] = {}
    for plan in plans:
        if not plan.chatgpt_id:
            continue
        if plan.chatgpt_id in seen:
            plan.document = None
            plan.findings.append(
                make_finding(
                    "chatgpt.duplicate_id",
                    f"GPT {plan.chatgpt_id} is also entry {seen[plan.chatgpt_id] + 1} of this list; only the first "
                    "is imported.",
                )
            )
        else:
            seen[plan.chatgpt_id] = plan.index
    targets = {
        gpt.chatgpt_id: gpt
        for gpt in GPT.objects.filter(workspace=workspace, chatgpt_id__in=list(seen))
        .prefetch_related("knowledge_files")
        .order_by("pk")
    }
    for plan in plans:
        plan.target = targets.get(plan.chatgpt_id) if plan.chatgpt_id else None
        if plan.target is not None and plan.document is not None:
            # ChatGPT's JSON names knowledge files only by id, never their bytes: a re-import keeps
            # the files uploaded to the GPT here instead of removing them as "not in the document".
            plan.document["knowledge"] = knowledge_document(plan.target)
    return ChatGPTPlan(gizmos=plans, findings=[])


def _plan_entry(index: int, base: str, entry) -> GizmoPlan:
    wrapper, gizmo = _unwrap(entry)
    if isinstance(entry, dict) and isinstance(entry.get("resource"), dict) and "gizmo" not in entry:
        base = f"{base}/resource"
    chatgpt_id = _gizmo_id(gizmo)
    display = gizmo.get("display") if isinstance(gizmo, dict) else None
    raw_name = display.get("name") if isinstance(display, dict) else None
    name = raw_name.strip()[:100] if isinstance(raw_name, str) else ""
    plan = GizmoPlan(index=index, chatgpt_id=chatgpt_id, name=name, target=None, document=None)
    if not _entry_is_gpt_like(entry):
        plan.findings.append(
            make_finding(
                "chatgpt.not_a_gpt",
                f"Entry {index + 1} is {_type_name(entry)}, not a GPT (no `gizmo`, no id g-…, no `display`).",
                pointer=base,
            )
        )
        return plan
    mapper = _Mapper(index, base, wrapper, gizmo)
    try:
        plan.document = mapper.map()
    except _Refused as refused:
        plan.findings = [*mapper.findings, refused.finding]
        return plan
    plan.name = plan.document["name"]
    plan.findings = mapper.findings
    plan.profile_picture_url = mapper.profile_picture_url
    plan.knowledge_file_ids = mapper.knowledge_file_ids
    return plan


# --- Import ----------------------------------------------------------------------------------------


@dataclass
class GizmoResult:
    plan: GizmoPlan
    outcome: ImportOutcome | None
    error: str = ""
    # The GPT's current version when the update was refused for its version (missing or stale).
    current_version: int | None = None

    def as_dict(self) -> dict:
        findings = list(self.plan.findings) + (list(self.outcome.findings) if self.outcome else [])
        return {
            "index": self.plan.index,
            "chatgpt_id": self.plan.chatgpt_id,
            "name": self.plan.name,
            "written": self.outcome is not None,
            "created": self.outcome.created if self.outcome else False,
            "error": self.error,
            "current_version": self.current_version,
            "gpt": (
                {"id": self.outcome.gpt.pk, "slug": self.outcome.gpt.slug, "version": self.outcome.gpt.version}
                if self.outcome
                else None
            ),
            "revision": self.outcome.revision.number if self.outcome and self.outcome.revision else None,
            "knowledge_file_ids": list(self.plan.knowledge_file_ids),
            "profile_picture_url": self.plan.profile_picture_url,
            "secrets_to_enter": (
                [{"action": s.action, "field": s.field} for s in self.outcome.secrets_to_enter] if self.outcome else []
            ),
            "findings": [f.as_dict() for f in sort_findings(findings)],
        }


@dataclass
class ChatGPTImportResult:
    results: list[GizmoResult]
    findings: list[Finding] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(1 for r in self.results if r.outcome is not None and r.outcome.created)

    @property
    def refused(self) -> int:
        return sum(1 for r in self.results if r.outcome is None)

    def as_dict(self) -> dict:
        return {
            "kind": "chatgpt",
            "valid": self.refused == 0 and not has_errors(self.findings),
            "created": self.created,
            "updated": sum(1 for r in self.results if r.outcome is not None and not r.outcome.created),
            "refused": self.refused,
            "results": [r.as_dict() for r in self.results],
            "findings": [f.as_dict() for f in sort_findings(self.findings)],
        }


def chatgpt_import(
    *, workspace: Workspace, actor, data: bytes, expected_versions: Mapping[str, int] | None = None
) -> ChatGPTImportResult:
    """Import every GPT in ChatGPT's JSON, each in its own transaction (see the module docstring).

    An update of a GPT imported before needs `expected_versions[chatgpt_id]`, the version the
    caller saw: without it, or when it is stale, that GPT is not written and its result says the
    current version. Raises DocumentRejected only when the whole input is refused."""
    plan = chatgpt_plan(workspace=workspace, data=data)
    if plan.refused:
        raise DocumentRejected(
            plan.findings or [make_finding("chatgpt.not_a_gpt", "The list holds no GPT: there is nothing to import.")]
        )
    versions = dict(expected_versions or {})
    return ChatGPTImportResult(results=[_import_one(workspace, actor, gizmo, versions) for gizmo in plan.gizmos])


def _import_one(workspace: Workspace, actor, plan: GizmoPlan, versions: dict) -> GizmoResult:
    if plan.refused:
        errors = [f.message for f in plan.findings if f.severity == Severity.ERROR]
        return GizmoResult(plan, None, error=f"Not imported: {errors[0] if errors else 'refused.'}")
    expected = None
    if plan.target is not None:
        expected = versions.get(plan.chatgpt_id)
        if expected is None:
            return GizmoResult(
                plan,
                None,
                error=f"GPT {plan.target.name!r} was imported from {plan.chatgpt_id} before and is at version "
                f"{plan.target.version}: send that version to update it (nothing was written).",
                current_version=plan.target.version,
            )

    def keep_identity(gpt: GPT) -> None:
        services.gpt_chatgpt_identity_set(
            gpt=gpt,
            chatgpt_id=plan.chatgpt_id,
            profile_picture_url=plan.profile_picture_url,
            knowledge_file_ids=plan.knowledge_file_ids,
            imported_at=timezone.now(),
        )

    try:
        outcome = gpt_apply_document(
            gpt_or_none=plan.target,
            workspace=workspace,
            document=plan.document,
            actor=actor,
            expected_version=expected,
            summary=f"Imported from ChatGPT ({plan.chatgpt_id})" if plan.chatgpt_id else "Imported from ChatGPT",
            on_applied=keep_identity,
        )
    except DocumentRejected as exc:
        plan.findings = [*plan.findings, *exc.findings]
        errors = [f.message for f in exc.findings if f.severity == Severity.ERROR]
        return GizmoResult(plan, None, error=f"Not imported: {errors[0] if errors else 'refused.'}")
    except EditConflict as exc:
        return GizmoResult(
            plan,
            None,
            error=f"Edit conflict: you sent version {exc.expected_version}, but the GPT is at version "
            f"{exc.current_version}; nothing was written.",
            current_version=exc.current_version,
        )
    except GPT.DoesNotExist:
        return GizmoResult(
            plan, None, error=f"The GPT imported from {plan.chatgpt_id} was deleted meanwhile; import again."
        )
    except IntegrityError:
        # Another import of the same ChatGPT GPT created it meanwhile (the unique ChatGPT id per workspace).
        return GizmoResult(
            plan, None, error=f"GPT {plan.chatgpt_id} was imported by someone else meanwhile; import it again."
        )
    return GizmoResult(plan, outcome)

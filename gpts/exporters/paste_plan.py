"""What to type where in ChatGPT's GPT editor, in the order of its Configure tab.

One plan feeds both the bundle's PASTE_GUIDE.md and the paste page, so they always say the same
thing. It is built from the document (never a secret) and the validation report; findings are
attached to the step they concern, and the checklist says what blocks publishing at the GPT's
chosen visibility (GPT_EDITOR.md §1.2 and §2).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from actions.domain import detect_schema_format
from actions.fields import action_field
from actions.schema.parsing import array_index
from gpts import fields as gpt_fields
from gpts.fields import gpt_field
from gpts.services import unique_slug
from gptstudio import limits
from gptstudio.findings import Finding, Severity, sort_findings
from gptstudio.limits import chatgpt_length

VISIBILITY_LABELS = {
    "invite_only": "Invite-only",
    "workspace_link": "Anyone at your workspace with the link",
    "workspace": "Your workspace",
    "link": "Anyone with the link",
    "gpt_store": "GPT Store",
}
CAPABILITY_LABELS = {name: gpt_field(name).label for name in gpt_fields.capability_names()}
AUTH_LABELS = {"none": "None", "api_key": "API Key", "oauth": "OAuth"}
API_KEY_AUTH_LABELS = {"basic": "Basic", "bearer": "Bearer", "custom": "Custom"}
TOKEN_EXCHANGE_LABELS = {"default_post": "Default (POST request)", "basic_auth_header": "Basic authorization header"}
CALLBACK_URL_FORMS = (
    "https://chat.openai.com/aip/<your GPT's id>/oauth/callback",
    "https://chatgpt.com/aip/<your GPT's id>/oauth/callback",
)


@dataclass
class PasteField:
    """One value to put into one field of ChatGPT's editor."""

    key: str  # stable id (HTML ids, tests): "name", "starter-1", "action-2-schema", ...
    label: str  # ChatGPT's label for the field
    value: str  # exactly what to paste ("" for a secret the user types)
    limit: int | None = None  # ChatGPT's maximum length, where it has one
    copy: bool = True  # False for secrets (typed by hand) and choices (picked, not pasted)
    file: str = ""  # the bundle file holding the same value, if any
    multiline: bool = False
    note: str = ""

    @property
    def length(self) -> int:
        return chatgpt_length(self.value)

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.length > self.limit


@dataclass
class PasteSection:
    key: str
    title: str
    intro: str = ""
    fields: list[PasteField] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    subsections: list[PasteSection] = field(default_factory=list)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]


@dataclass(frozen=True)
class ChecklistItem:
    text: str
    status: str  # "ok" | "todo" | "manual" (GPT Studio cannot know: check in ChatGPT)


@dataclass
class PastePlan:
    name: str
    visibility: str
    sections: list[PasteSection]
    checklist: list[ChecklistItem]
    errors: list[Finding]  # every validation error, for the top of the guide/page
    general_findings: list[Finding]  # findings not tied to one step
    action_slugs: list[str]  # the actions' bundle folders (`action_slugs`), in document order

    @property
    def visibility_label(self) -> str:
        return VISIBILITY_LABELS.get(self.visibility, self.visibility)

    def all_fields(self) -> list[PasteField]:
        found = []
        for section in self.sections:
            found += section.fields
            for sub in section.subsections:
                found += sub.fields
        return found


def action_slugs(document: dict) -> list[str]:
    """Folder names of the actions in a bundle: from their names, unique, in document order (a
    pure function of the document, so export → import → export gives the same paths)."""
    slugs: list[str] = []
    for action in document["actions"]:
        slugs.append(unique_slug(action["name"], slugs, fallback="action"))
    return slugs


def schema_filename(action: dict) -> str:
    return f"openapi.{detect_schema_format(action['schema'])}"


def _section_for_pointer(pointer: str) -> str:
    parts = pointer.strip("/").split("/")
    head = parts[0] if parts else ""
    index = array_index(parts[1], sys.maxsize) if head == "actions" and len(parts) > 1 else None
    if index is not None:
        return f"action-{index + 1}"
    return {**gpt_fields.paste_sections(), "knowledge": "knowledge"}.get(head, "")


LATER_SECTIONS = ("actions", "settings", "sharing")  # after the Configure tab's fields and any of their own

# Presentation of some pasted fields beyond their spec: the bundle file holding the same text.
PASTE_FIELD_EXTRAS = {"instructions": {"file": "instructions.md", "multiline": True}}


def _spec_paste_fields(document: dict, section: str) -> list[PasteField]:
    """The paste guide's entries of the GPT fields placed in `section` with a key (gpts/fields.py,
    `PastePlace`), in spec order: their id, ChatGPT's label and limit. A picked value (a choice in
    ChatGPT's list) has no copy button and no entry while empty."""
    entries = []
    for spec in gpt_fields.GPT_FIELDS:
        if spec.paste is None or not spec.paste.key or spec.paste.section != section:
            continue
        value = document[spec.document_key]
        if spec.paste.picked and not value:
            continue
        limit = spec.chatgpt_limit.value if spec.chatgpt_limit is not None else None
        options = {"copy": not spec.paste.picked, **PASTE_FIELD_EXTRAS.get(spec.name, {})}
        entries.append(PasteField(spec.paste.key, spec.label, value, limit=limit, **options))
    return entries


def _own_sections(document: dict, known: set[str]) -> list[PasteSection]:
    """A section of its own, titled by its label, for each pasted field whose section is none of the
    hand-made ones (`known`), in spec order."""
    sections = []
    for spec in gpt_fields.GPT_FIELDS:
        place = spec.paste
        if place is None or not place.key or place.section in known or place.section in {s.key for s in sections}:
            continue
        sections.append(PasteSection(place.section, spec.label, fields=_spec_paste_fields(document, place.section)))
    return sections


def _action_label(name: str) -> str:
    """ChatGPT's label of an action field, as the action editor shows it (actions/fields.py)."""
    return action_field(name).label


def _action_section(index: int, action: dict, slug: str, findings: list[Finding]) -> PasteSection:
    number = index + 1
    auth = action["authentication"]
    section = PasteSection(
        key=f"action-{number}",
        title=f"Action {number}: {action['name']}",
        intro="In Configure → Actions, click “Create new action”.",
        findings=findings,
    )
    prefix = f"action-{number}"
    section.fields.append(
        PasteField(f"{prefix}-auth-type", "Authentication Type", AUTH_LABELS[auth["type"]], copy=False)
    )
    if auth["type"] == "api_key":
        api_key = auth["api_key"]
        section.fields.append(
            PasteField(
                f"{prefix}-api-key",
                "API Key",
                "",
                copy=False,
                note="Type the API key here yourself: GPT Studio never exports secrets.",
            )
        )
        section.fields.append(
            PasteField(
                f"{prefix}-api-key-auth",
                _action_label("api_key_auth_type"),
                API_KEY_AUTH_LABELS[api_key["auth_type"]],
                copy=False,
            )
        )
        if api_key["auth_type"] == "custom":
            section.fields.append(
                PasteField(
                    f"{prefix}-custom-header", _action_label("api_key_custom_header"), api_key.get("custom_header", "")
                )
            )
    elif auth["type"] == "oauth":
        oauth = auth["oauth"]
        section.fields += [
            PasteField(f"{prefix}-client-id", _action_label("oauth_client_id"), oauth["client_id"]),
            PasteField(
                f"{prefix}-client-secret",
                "Client Secret",
                "",
                copy=False,
                note="Type the client secret here yourself: GPT Studio never exports secrets.",
            ),
            PasteField(
                f"{prefix}-authorization-url", _action_label("oauth_authorization_url"), oauth["authorization_url"]
            ),
            PasteField(f"{prefix}-token-url", _action_label("oauth_token_url"), oauth["token_url"]),
            PasteField(f"{prefix}-scope", _action_label("oauth_scope"), oauth.get("scope", "")),
            PasteField(
                f"{prefix}-token-exchange",
                _action_label("oauth_token_exchange_method"),
                TOKEN_EXCHANGE_LABELS[oauth.get("token_exchange_method", "default_post")],
                copy=False,
            ),
        ]
    schema_file = f"actions/{slug}/{schema_filename(action)}"
    section.fields.append(
        PasteField(
            f"{prefix}-schema",
            _action_label("schema_text"),
            action["schema"],
            limit=None,
            file=schema_file,
            multiline=True,
            note=f"({len(action['schema'].encode()):,} bytes)",
        )
    )
    section.fields.append(
        PasteField(
            f"{prefix}-privacy",
            _action_label("privacy_policy_url"),
            action["privacy_policy_url"],
            note="" if action["privacy_policy_url"] else "No privacy policy URL: only private GPTs can do without.",
        )
    )
    if auth["type"] == "oauth":
        section.notes.append(
            "After saving the GPT, copy the Callback URL ChatGPT shows under this action into your OAuth app's "
            f"allowed redirect URLs. Register both forms: {CALLBACK_URL_FORMS[0]} and {CALLBACK_URL_FORMS[1]} "
            "(ChatGPT warns: “OAuth may fail if you don't allow our redirect URLs.”)."
        )
    return section


def _checklist(document: dict, errors: list[Finding]) -> list[ChecklistItem]:
    visibility = document["visibility"]
    name_length = chatgpt_length(document["name"])
    items = [
        ChecklistItem(
            f"Name is set and at most {limits.GPT_NAME_MAX_LENGTH.value} characters",
            "ok" if 0 < name_length <= limits.GPT_NAME_MAX_LENGTH.value else "todo",
        ),
        ChecklistItem(
            f"Description is at most {limits.GPT_DESCRIPTION_MAX_LENGTH.value} characters",
            "ok" if chatgpt_length(document["description"]) <= limits.GPT_DESCRIPTION_MAX_LENGTH.value else "todo",
        ),
        ChecklistItem(
            f"Instructions are at most {limits.GPT_INSTRUCTIONS_MAX_LENGTH.value:,} characters",
            "ok" if chatgpt_length(document["instructions"]) <= limits.GPT_INSTRUCTIONS_MAX_LENGTH.value else "todo",
        ),
        ChecklistItem(
            f"At most {limits.GPT_ACTIONS_MAX.value} actions, each on its own domain",
            "ok"
            if len(document["actions"]) <= limits.GPT_ACTIONS_MAX.value
            and len({a["domain"] for a in document["actions"]}) == len(document["actions"])
            else "todo",
        ),
        ChecklistItem("GPT Studio reports no validation errors", "todo" if errors else "ok"),
    ]
    if any(a["authentication"]["type"] != "none" for a in document["actions"]):
        items.append(ChecklistItem("Every action's secret is typed into ChatGPT (never exported)", "manual"))
    if visibility in limits.PUBLIC_VISIBILITIES and document["actions"]:
        missing = [a["name"] for a in document["actions"] if not a["privacy_policy_url"]]
        items.append(
            ChecklistItem(
                "Every action has a privacy policy URL (required for link and GPT Store sharing)"
                + (f"; missing: {', '.join(missing)}" if missing else ""),
                "todo" if missing else "ok",
            )
        )
    if visibility == "gpt_store":
        items.append(
            ChecklistItem(
                "A category is chosen (required for the GPT Store)", "ok" if document["category"].strip() else "todo"
            )
        )
        items.append(
            ChecklistItem("Your Builder Profile is verified (by name or domain) in ChatGPT's settings", "manual")
        )
    if visibility in ("workspace", "workspace_link"):
        items.append(ChecklistItem("Your workspace admin allows sharing GPTs (and these action domains)", "manual"))
    return items


def build_paste_plan(document: dict, findings: list[Finding]) -> PastePlan:
    """The plan for a document and the validation findings of its GPT (any pointers: findings
    whose pointer names no step are listed under `general_findings`)."""
    by_section: dict[str, list[Finding]] = {}
    general = []
    for finding in sort_findings(findings):
        key = _section_for_pointer(finding.pointer)
        if key:
            by_section.setdefault(key, []).append(finding)
        else:
            general.append(finding)
    starters = document["conversation_starters"]
    capabilities = document["capabilities"]
    model_fields = _spec_paste_fields(document, "model")
    sections = [
        PasteSection("name", "Name", fields=_spec_paste_fields(document, "name")),
        PasteSection("description", "Description", fields=_spec_paste_fields(document, "description")),
        PasteSection("instructions", "Instructions", fields=_spec_paste_fields(document, "instructions")),
        PasteSection(
            "starters",
            "Conversation starters",
            intro=(
                f"One per box, in this order. ChatGPT holds {limits.GPT_CONVERSATION_STARTERS_MAX.value} and shows "
                f"the first {limits.GPT_CONVERSATION_STARTERS_SHOWN.value} on the GPT's page."
            )
            if starters
            else "None: leave the boxes empty.",
            fields=[
                PasteField(f"starter-{i + 1}", f"Conversation starter {i + 1}", text, file="conversation_starters.txt")
                for i, text in enumerate(starters)
            ],
        ),
        PasteSection(
            "knowledge",
            "Knowledge",
            intro="Upload these files (from the bundle's knowledge/ folder) under “Knowledge”."
            if document["knowledge"]
            else "No knowledge files.",
            notes=[f"knowledge/{k['name']} ({k['size']:,} bytes, {k['media_type']})" for k in document["knowledge"]],
        ),
        PasteSection(
            "capabilities",
            "Capabilities",
            intro="Tick exactly these boxes:",
            notes=[f"{label}: {'on' if capabilities[key] else 'off'}" for key, label in CAPABILITY_LABELS.items()],
        ),
        PasteSection(
            "model",
            "Recommended model",
            fields=model_fields,
            intro="" if model_fields else "No recommendation: leave ChatGPT's default.",
        ),
    ]
    sections += _own_sections(document, {*(section.key for section in sections), *LATER_SECTIONS})
    slugs = action_slugs(document)
    actions_section = PasteSection(
        "actions",
        "Actions",
        intro="For each action: Create new action, then fill in the fields below in order."
        if document["actions"]
        else "No actions.",
    )
    for index, action in enumerate(document["actions"]):
        key = f"action-{index + 1}"
        actions_section.subsections.append(_action_section(index, action, slugs[index], by_section.pop(key, [])))
    sections.append(actions_section)
    sections.append(
        PasteSection(
            "settings",
            "Additional settings",
            notes=[
                f"{gpt_field('use_conversation_data').label}: "
                + ("on" if document["use_conversation_data"] else "off")
                + " (ChatGPT shows this only outside business workspaces, and only with knowledge or actions)."
            ],
        )
    )
    sharing_fields = _spec_paste_fields(document, "sharing")
    sections.append(
        PasteSection(
            "sharing",
            "Visibility and category",
            intro=f"Click Create (or Update), then share with: {VISIBILITY_LABELS[document['visibility']]}.",
            fields=sharing_fields,
        )
    )
    for section in sections:
        section.findings = by_section.pop(section.key, []) + section.findings
    for leftover in by_section.values():
        general += leftover
    errors = [f for f in sort_findings(findings) if f.severity == Severity.ERROR]
    return PastePlan(
        name=document["name"],
        visibility=document["visibility"],
        sections=sections,
        checklist=_checklist(document, errors),
        errors=errors,
        general_findings=general,
        action_slugs=slugs,
    )


def located_findings(gpt, report) -> list[Finding]:
    """The GPT's validation findings, each action's schema findings re-pointed into the document
    (`/actions/<index>/schema/...`) so they land at the right step."""
    from dataclasses import replace

    positions = {action.pk: index for index, action in enumerate(gpt.actions.all())}
    found = list(report.findings)
    for action_id, schema_report in report.actions.items():
        index = positions.get(action_id)
        prefix = f"/actions/{index}/schema" if index is not None else ""
        found += [replace(f, pointer=prefix + f.pointer) for f in schema_report.findings]
    return sort_findings(found)

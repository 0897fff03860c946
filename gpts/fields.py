"""Every field of a GPT, declared once: the studio form (its fields, by kind), the API's write
serializer, the admin, the merge page, the document (its keys, a new GPT's document, its JSON Schema
and its import), the ChatGPT import's document and the paste guide all derive their field lists,
labels, help texts, lengths and defaults from `GPT_FIELDS`.

Adding a GPT field: the model column and its migration, one `GPTField` here, and its line in the
editor template (docs/REFERENCE.md, "Adding a GPT field"). A field added after `gptstudio/gpt@1`
was published sets `optional_in_document`, so older files still import. What is presentation only
(widgets, placeholders, the template's layout) stays with its interface: `FORM_FIELD_OPTIONS` in
gpts/forms.py, `PASTE_FIELD_EXTRAS` in gpts/exporters/paste_plan.py. Django-free on purpose, so the
document schema builder can run without setup.
"""

from __future__ import annotations

from dataclasses import dataclass

from gptstudio import limits
from gptstudio.limits import Limit

TEXT, CHOICE, BOOLEAN, LIST, SLUG, FILE = "text", "choice", "boolean", "list", "slug", "file"


@dataclass(frozen=True)
class PastePlace:
    """Where the paste guide (gpts/exporters/paste_plan.py) puts a field."""

    section: str  # the section that also collects the findings pointing at the field
    key: str = ""  # the PasteField's id when the value is pasted or picked; "" when the section says it otherwise
    picked: bool = False  # chosen from a ChatGPT list, not pasted: no copy button, and no entry while empty


@dataclass(frozen=True)
class GPTField:
    name: str  # the model column, the form field and the services' keyword argument
    label: str  # ChatGPT's wording, shown by the studio
    kind: str = TEXT
    document_path: tuple[str, ...] = ()  # where the document holds it; () when it is not in the document
    pointer: str = ""  # the JSON pointer findings about it carry; by default its document path
    help_text: str = ""
    api_help_text: str = ""  # the API's description, where the label alone does not say it
    schema_description: str = ""  # the JSON Schema's description, when it is not ChatGPT's limit
    required: bool = False
    max_length: int | None = None  # what GPT Studio stores (for a list: per entry)
    max_items: Limit | None = None  # for a list: how many ChatGPT holds
    chatgpt_limit: Limit | None = None  # ChatGPT's length limit: past it, a finding (the draft is kept)
    choices: tuple[str, ...] = ()
    short_label: str = ""  # the merge page's label, when the label is a sentence
    paste: PastePlace | None = None
    editor_position: int | None = None  # order in the studio editor (Configure tab, then Share); None: not there
    model_column: bool = True  # False for the conversation starters (rows of their own)
    in_api: bool = True  # in the API's GPT write serializer
    trimmed: bool = False  # trimmed like ChatGPT's editor does when the field loses focus
    default: object = None  # a new GPT's value (None: the kind's empty one: "", False, [], the first choice)
    # Added after `gptstudio/gpt@1` was published: optional in its JSON Schema, read as `default` when
    # absent, so older files still import. Every field of format 1 leaves it False (required).
    optional_in_document: bool = False

    @property
    def document_key(self) -> str:
        """The document's top-level key (capabilities share one)."""
        return self.document_path[0] if self.document_path else ""

    @property
    def grouped(self) -> bool:
        """Held in a document object with other fields (the capabilities), and so in the API."""
        return len(self.document_path) > 1

    @property
    def api_name(self) -> str:
        return self.document_key if self.grouped else self.name

    @property
    def json_pointer(self) -> str:
        return self.pointer or ("/" + "/".join(self.document_path) if self.document_path else "")

    @property
    def merge_label(self) -> str:
        return self.short_label or self.label

    def default_value(self):
        """A new GPT's value of the field (a fresh list for a list, so callers may change it)."""
        if self.default is not None:
            return list(self.default) if isinstance(self.default, list | tuple) else self.default
        if self.kind == LIST:
            return []
        if self.kind == CHOICE:
            return self.choices[0]
        return False if self.kind == BOOLEAN else ""


def _capability(name: str, label: str, editor_position: int, **extra) -> GPTField:
    return GPTField(
        name,
        label,
        kind=BOOLEAN,
        document_path=("capabilities", name),
        paste=PastePlace("capabilities"),
        editor_position=editor_position,
        **extra,
    )


# The JSON Schema says so of each field with a ChatGPT limit (gpts/document_schema.py).
DRAFT_KEPT_NOTE = "characters; longer drafts are kept and reported as a finding."

# In document order; the model columns among them are also in the model's (and the admin's) order.
GPT_FIELDS: tuple[GPTField, ...] = (
    GPTField(
        "name",
        "Name",
        document_path=("name",),
        required=True,
        max_length=limits.STUDIO_NAME_HARD_MAX_LENGTH,
        chatgpt_limit=limits.GPT_NAME_MAX_LENGTH,
        paste=PastePlace("name", "name"),
        editor_position=0,
        trimmed=True,
    ),
    # Derived from the name unless given; findings about it point at the name.
    GPTField("slug", "Slug", kind=SLUG, pointer="/name"),
    GPTField(
        "description",
        "Description",
        document_path=("description",),
        max_length=limits.STUDIO_DESCRIPTION_HARD_MAX_LENGTH,
        chatgpt_limit=limits.GPT_DESCRIPTION_MAX_LENGTH,
        paste=PastePlace("description", "description"),
        editor_position=1,
        trimmed=True,
    ),
    GPTField(
        "instructions",
        "Instructions",
        document_path=("instructions",),
        max_length=limits.STUDIO_INSTRUCTIONS_HARD_MAX_LENGTH,
        chatgpt_limit=limits.GPT_INSTRUCTIONS_MAX_LENGTH,
        paste=PastePlace("instructions", "instructions"),
        editor_position=2,
    ),
    GPTField(
        "conversation_starters",
        "Conversation starters",
        kind=LIST,
        document_path=("conversation_starters",),
        max_length=limits.STUDIO_STARTER_MAX_LENGTH,
        max_items=limits.GPT_CONVERSATION_STARTERS_MAX,
        paste=PastePlace("starters"),
        editor_position=3,
        model_column=False,
    ),
    _capability("web_search", "Web Search", 5, default=True),
    _capability("canvas", "Canvas", 6, default=True),
    _capability("image_generation", "Image Generation", 7, default=True),
    _capability(
        "code_interpreter", "Code Interpreter & Data Analysis", 8, api_help_text="Code Interpreter & Data Analysis."
    ),
    GPTField(
        "recommended_model",
        "Recommended model",
        document_path=("recommended_model",),
        help_text="Free text: ChatGPT's model list changes as models are retired.",
        max_length=100,
        paste=PastePlace("model", "model", picked=True),
        editor_position=4,
        trimmed=True,
    ),
    GPTField(
        "visibility",
        "Visibility",
        kind=CHOICE,
        document_path=("visibility",),
        help_text="How the GPT is shared in ChatGPT.",
        schema_description="How the GPT is shared in ChatGPT.",
        required=True,
        choices=("invite_only", "workspace_link", "workspace", "link", "gpt_store"),
        paste=PastePlace("sharing"),
        editor_position=10,
    ),
    GPTField(
        "category",
        "Category",
        document_path=("category",),
        help_text="ChatGPT requires a category to publish to the GPT Store.",
        max_length=100,
        paste=PastePlace("sharing", "category", picked=True),
        editor_position=11,
        trimmed=True,
    ),
    GPTField(
        "use_conversation_data",
        "Use conversation data in your GPT to improve our models",
        kind=BOOLEAN,
        document_path=("use_conversation_data",),
        short_label="Use conversation data",
        default=True,
        paste=PastePlace("settings"),
        editor_position=9,
    ),
    # Stored as a file next to the document, never in it; the API has an endpoint of its own.
    GPTField("profile_picture", "Profile picture", kind=FILE, in_api=False),
)


def gpt_field(name: str) -> GPTField:
    return next(spec for spec in GPT_FIELDS if spec.name == name)


# --- Derived lists (computed from GPT_FIELDS when called, so a new entry shows up everywhere) ----


def editable_names() -> frozenset[str]:
    """The GPT columns `gpt_create` / `gpt_update` take as keyword arguments."""
    return frozenset(spec.name for spec in GPT_FIELDS if spec.model_column)


def trimmed_names() -> tuple[str, ...]:
    return tuple(spec.name for spec in GPT_FIELDS if spec.trimmed)


def capability_names() -> tuple[str, ...]:
    return tuple(spec.name for spec in GPT_FIELDS if spec.document_key == "capabilities")


def editor_fields() -> tuple[GPTField, ...]:
    """The studio editor's fields in its order (ChatGPT's Configure tab, then its Share dialog)."""
    return tuple(
        sorted((spec for spec in GPT_FIELDS if spec.editor_position is not None), key=lambda s: s.editor_position)
    )


def merge_labels() -> dict[str, str]:
    """The merge page's label of every field it compares."""
    return {spec.name: spec.merge_label for spec in editor_fields()}


def document_keys() -> tuple[str, ...]:
    """The document's keys of the GPT's own fields, in document order (between `format` and `knowledge`)."""
    return tuple(dict.fromkeys(spec.document_key for spec in GPT_FIELDS if spec.document_path))


def document_groups() -> dict[str, tuple[GPTField, ...]]:
    """Each document key with the fields it holds (one, or the capabilities' several)."""
    groups: dict[str, list[GPTField]] = {}
    for spec in GPT_FIELDS:
        if spec.document_path:
            groups.setdefault(spec.document_key, []).append(spec)
    return {key: tuple(specs) for key, specs in groups.items()}


def optional_document_keys() -> tuple[str, ...]:
    """The document keys an older `gptstudio/gpt@1` file may lack (every field under them added later)."""
    return tuple(key for key, specs in document_groups().items() if all(s.optional_in_document for s in specs))


def document_column_keys() -> tuple[str, ...]:
    """The document keys the import passes to the services as GPT columns (the capabilities as one dict)."""
    return tuple(key for key, specs in document_groups().items() if all(spec.model_column for spec in specs))


def api_names() -> tuple[str, ...]:
    """The API write serializer's GPT fields, in order (the capabilities as one object)."""
    return tuple(dict.fromkeys(spec.api_name for spec in GPT_FIELDS if spec.in_api))


def admin_names() -> tuple[str, ...]:
    return tuple(spec.name for spec in GPT_FIELDS if spec.model_column)


def field_pointers() -> dict[str, str]:
    """Service error keys → the JSON pointer of the document value behind them."""
    pointers = {spec.name: spec.json_pointer for spec in GPT_FIELDS if spec.json_pointer}
    pointers |= {key: f"/{key}" for key, specs in document_groups().items() if specs[0].grouped}
    return pointers


def document_default(key: str):
    """A new GPT's value of a document key (the capabilities: each one's default)."""
    specs = document_groups()[key]
    if specs[0].grouped:
        return {spec.name: spec.default_value() for spec in specs}
    return specs[0].default_value()


def paste_sections() -> dict[str, str]:
    """Document key → the paste guide's section (which also lists the findings pointing there)."""
    return {spec.document_key: spec.paste.section for spec in GPT_FIELDS if spec.document_path and spec.paste}

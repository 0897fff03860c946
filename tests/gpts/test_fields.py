"""The GPT field spec (gpts/fields.py) is the one list: every consumer carries each of its fields,
and nothing outside it; a new entry shows up in what derives from it without a hand-kept copy."""

import dataclasses
import json
from pathlib import Path

import jsonschema_rs
import pytest
from django import forms

from gpts import fields as gpt_fields
from gpts.admin import GPTAdmin, GPTAdminForm
from gpts.api.serializers import GPTCapabilitiesSerializer, GPTDetailSerializer, GPTUpdateSerializer
from gpts.chatgpt_import import chatgpt_plan
from gpts.document.build import default_document, gpt_document, with_field_defaults
from gpts.document.read import _validator, document_findings, parse_document
from gpts.document_schema import build_document_schema
from gpts.exporters.paste_plan import build_paste_plan
from gpts.fields import GPT_FIELDS, GPTField, PastePlace
from gpts.forms import GPTForm
from gpts.importers import GPT_FIELD_POINTERS, _gpt_fields
from gpts.models import GPT
from gpts.services import GPT_EDITABLE_FIELDS, TRIMMED_FIELDS
from gpts.views import MERGE_FIELD_LABELS

SPEC_NAMES = {spec.name for spec in GPT_FIELDS}
EDITOR_SPECS = [spec for spec in GPT_FIELDS if spec.editor_position is not None]
COLUMN_SPECS = [spec for spec in GPT_FIELDS if spec.model_column]
DOCUMENT_SPECS = [spec for spec in GPT_FIELDS if spec.document_path]
NOT_GPT_FIELDS = {"format", "knowledge", "actions"}  # document keys of the GPT's parts, not its fields


def test_every_column_of_the_spec_is_a_gpt_model_field_with_the_same_cap():
    for spec in COLUMN_SPECS:
        model_field = GPT._meta.get_field(spec.name)
        if spec.kind == gpt_fields.TEXT:
            assert model_field.max_length == spec.max_length, spec.name
        if spec.choices:
            assert list(spec.choices) == GPT.Visibility.values
        if model_field.has_default():
            assert spec.default_value() == model_field.default, spec.name  # a new GPT's value, both ways
    assert gpt_fields.capability_names() == GPT.CAPABILITY_FIELDS


def test_the_services_take_exactly_the_spec_columns():
    assert {spec.name for spec in COLUMN_SPECS} == GPT_EDITABLE_FIELDS
    assert tuple(spec.name for spec in GPT_FIELDS if spec.trimmed) == TRIMMED_FIELDS


def test_the_studio_form_carries_every_editor_field_with_its_label_help_and_length():
    form = GPTForm()
    assert tuple(spec.name for spec in sorted(EDITOR_SPECS, key=lambda s: s.editor_position)) == GPTForm.EDIT_FIELDS
    assert set(form.fields) <= SPEC_NAMES
    for spec in EDITOR_SPECS:
        field = form.fields[spec.name]
        assert field.label == spec.label
        assert field.required == spec.required
        if spec.help_text:
            assert field.help_text == spec.help_text
        if spec.kind == gpt_fields.TEXT:
            assert field.max_length == spec.max_length


def test_the_api_write_serializer_carries_the_spec_fields_and_only_them():
    fields = GPTUpdateSerializer().fields
    assert [name for name in fields if name not in ("mcp_enabled", "version")] == list(gpt_fields.api_names())
    assert list(GPTCapabilitiesSerializer().fields) == list(gpt_fields.capability_names())
    assert fields["capabilities"].fields["code_interpreter"].help_text == "Code Interpreter & Data Analysis."
    starters = gpt_fields.gpt_field("conversation_starters")
    assert fields["conversation_starters"].child.max_length == starters.max_length
    assert fields["conversation_starters"].max_length == starters.max_items.value
    for spec in COLUMN_SPECS:
        if spec.kind == gpt_fields.TEXT:
            assert fields[spec.name].max_length == spec.max_length, spec.name
    assert set(gpt_fields.api_names()) <= set(GPTDetailSerializer.Meta.fields)


def test_the_document_holds_every_document_field_in_spec_order(gpt):
    document = gpt_document(gpt)
    assert [key for key in document if key not in NOT_GPT_FIELDS] == list(gpt_fields.document_keys())
    assert list(document["capabilities"]) == list(gpt_fields.capability_names())
    for spec in DOCUMENT_SPECS:
        value = document
        for part in spec.document_path:
            value = value[part]
        if spec.model_column:
            assert value == getattr(gpt, spec.name)


def test_the_json_schema_has_a_property_for_every_document_field_and_no_other():
    properties = build_document_schema()["properties"]
    assert set(properties) - NOT_GPT_FIELDS == set(gpt_fields.document_keys())
    for spec in DOCUMENT_SPECS:
        schema = properties[spec.document_key]
        if spec.grouped:
            schema = schema["properties"][spec.name]
        if spec.kind == gpt_fields.TEXT:
            assert schema["maxLength"] == spec.max_length
        if spec.kind == gpt_fields.LIST:
            assert (schema["maxItems"], schema["items"]["maxLength"]) == (spec.max_items.value, spec.max_length)


def test_the_import_reads_every_column_of_the_document_and_points_errors_at_it(gpt):
    document = gpt_document(gpt)
    read = _gpt_fields(document)
    assert set(read) == {spec.api_name for spec in DOCUMENT_SPECS if spec.model_column}
    for spec in GPT_FIELDS:
        if spec.document_path:
            assert GPT_FIELD_POINTERS[spec.name] == "/" + "/".join(spec.document_path)
    assert GPT_FIELD_POINTERS["slug"] == "/name"
    assert set(GPT_FIELD_POINTERS) <= SPEC_NAMES | set(gpt_fields.document_keys()) | {"file"}


def test_the_merge_page_labels_every_editor_field_and_no_other():
    assert set(MERGE_FIELD_LABELS) == {spec.name for spec in EDITOR_SPECS}
    assert MERGE_FIELD_LABELS["use_conversation_data"] == "Use conversation data"
    assert MERGE_FIELD_LABELS["code_interpreter"] == "Code Interpreter & Data Analysis"


def test_the_admin_form_edits_every_column_of_the_spec_and_no_other():
    assert GPTAdminForm.Meta.fields == ("workspace", *(spec.name for spec in COLUMN_SPECS))
    assert set(GPTAdmin.list_filter) >= set(gpt_fields.capability_names())


def test_the_paste_plan_puts_each_pasted_field_with_chatgpts_label_and_limit(gpt):
    gpt.recommended_model, gpt.category = "GPT-5", "Writing"
    plan = build_paste_plan(gpt_document(gpt), [])
    pasted = {field.key: field for field in plan.all_fields()}
    sections = {section.key for section in plan.sections}
    for spec in DOCUMENT_SPECS:
        assert spec.paste.section in sections, spec.name
        if spec.paste.key:
            field = pasted[spec.paste.key]
            assert field.label == spec.label
            assert field.limit == (spec.chatgpt_limit.value if spec.chatgpt_limit else None)


# --- The derivation is real: an extra entry shows up without touching the consumers --------------


@pytest.fixture
def extra_field(monkeypatch):
    """A throwaway field (no model column needed for what is checked here), placed before `visibility`."""
    extra = GPTField(
        "tone",
        "Tone of voice",
        document_path=("tone",),
        help_text="How the GPT sounds.",
        max_length=123,
        short_label="Tone",
        paste=PastePlace("settings"),
        editor_position=99,
    )
    at = next(i for i, spec in enumerate(GPT_FIELDS) if spec.name == "visibility")
    monkeypatch.setattr(gpt_fields, "GPT_FIELDS", (*GPT_FIELDS[:at], extra, *GPT_FIELDS[at:]))
    return extra


def test_an_extra_spec_entry_shows_up_in_the_json_schema(extra_field):
    schema = build_document_schema()
    assert schema["properties"]["tone"] == {"type": "string", "maxLength": 123}
    keys = list(schema["properties"])
    assert keys.index("recommended_model") < keys.index("tone") < keys.index("visibility")
    assert "tone" in schema["required"]


def test_an_extra_spec_entry_shows_up_in_the_labels_pointers_and_lists(extra_field):
    from gpts.exporters.paste_plan import _section_for_pointer

    assert gpt_fields.merge_labels()["tone"] == "Tone"
    assert gpt_fields.editor_fields()[-1] == extra_field
    assert gpt_fields.field_pointers()["tone"] == "/tone"
    assert "tone" in gpt_fields.editable_names()
    assert "tone" in gpt_fields.document_column_keys()
    assert "tone" in gpt_fields.api_names()
    assert _section_for_pointer("/tone") == "settings"


def test_spec_entries_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        GPT_FIELDS[0].label = "Title"  # type: ignore[misc]


# --- A new field added after format 1: a plain text field needs no line but its spec entry --------


@pytest.fixture
def tagline(monkeypatch):
    """A throwaway short text field after the description, with a paste-guide entry of its own,
    added after `gptstudio/gpt@1` was published. No model column: what is checked needs none."""
    spec = GPTField(
        "tagline",
        "Tagline",
        document_path=("tagline",),
        max_length=80,
        paste=PastePlace("tagline", "tagline"),
        editor_position=2,
        optional_in_document=True,
    )
    at = next(i for i, entry in enumerate(GPT_FIELDS) if entry.name == "description") + 1
    monkeypatch.setattr(gpt_fields, "GPT_FIELDS", (*GPT_FIELDS[:at], spec, *GPT_FIELDS[at:]))
    return spec


def test_a_new_text_field_is_in_the_studio_form_as_a_text_field_of_its_length(tagline):
    form = GPTForm()
    field = form.fields["tagline"]
    assert (type(field), field.label, field.max_length, field.required) == (forms.CharField, "Tagline", 80, False)
    assert list(form.fields).index("description") + 1 == list(form.fields).index("tagline")
    bound = GPTForm({"name": "N", "visibility": "invite_only", "tagline": "  Short and sweet  "})
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["tagline"] == "Short and sweet"
    too_long = GPTForm({"name": "N", "visibility": "invite_only", "tagline": "x" * 81})
    assert not too_long.is_valid() and "tagline" in too_long.errors


def test_a_new_field_is_in_the_default_document_at_its_default_in_spec_order(tagline):
    document = default_document()
    assert document["tagline"] == ""
    keys = list(document)
    assert keys.index("description") + 1 == keys.index("tagline")
    assert keys[0] == "format" and keys[-2:] == ["knowledge", "actions"]


def test_a_new_field_with_a_paste_key_has_its_own_paste_step_with_its_label(tagline):
    document = default_document() | {"name": "Haiku", "tagline": "Short and sweet"}
    plan = build_paste_plan(document, [])
    (section,) = [section for section in plan.sections if section.key == "tagline"]
    (field,) = section.fields
    assert (section.title, field.key, field.label, field.value, field.copy) == (
        "Tagline",
        "tagline",
        "Tagline",
        "Short and sweet",
        True,
    )
    keys = [section.key for section in plan.sections]
    assert keys.index("model") < keys.index("tagline") < keys.index("actions")


def test_a_field_added_after_format_1_is_optional_in_the_schema_and_read_as_its_default(tagline):
    schema = build_document_schema()
    assert schema["properties"]["tagline"] == {"type": "string", "maxLength": 80}
    assert "tagline" not in schema["required"]
    assert "description" in schema["required"]
    older_file = default_document() | {"name": "Haiku"}
    del older_file["tagline"]
    assert jsonschema_rs.validator_for(schema).is_valid(older_file)
    read = with_field_defaults(older_file)
    assert read["tagline"] == "" and "tagline" not in older_file
    assert with_field_defaults(read) is read


@pytest.fixture
def fresh_validator():
    """The document reader's validator built from the (patched) spec, and rebuilt after the test."""
    _validator.cache_clear()
    yield
    _validator.cache_clear()


def test_an_older_file_without_the_new_field_reads_with_its_default(tagline, fresh_validator):
    older_file = default_document() | {"name": "Haiku"}
    del older_file["tagline"]
    parsed = parse_document(json.dumps(older_file))
    assert parsed.findings == []
    assert parsed.document["tagline"] == ""
    assert document_findings(older_file) == []


def test_a_new_capability_added_after_format_1_is_optional_within_the_capabilities(monkeypatch):
    memory = GPTField(
        "memory",
        "Memory",
        kind=gpt_fields.BOOLEAN,
        document_path=("capabilities", "memory"),
        default=True,
        optional_in_document=True,
    )
    monkeypatch.setattr(gpt_fields, "GPT_FIELDS", (*GPT_FIELDS, memory))
    schema = build_document_schema()
    assert "memory" not in schema["properties"]["capabilities"]["required"]
    assert "capabilities" in schema["required"]
    older_file = default_document() | {"name": "Haiku"}
    del older_file["capabilities"]["memory"]
    assert jsonschema_rs.validator_for(schema).is_valid(older_file)
    assert with_field_defaults(older_file)["capabilities"]["memory"] is True


@pytest.mark.django_db
def test_the_chatgpt_import_writes_a_new_field_at_its_default(tagline, workspace):
    data = (Path(__file__).resolve().parent.parent / "data" / "chatgpt" / "bare_gizmo.json").read_bytes()
    (gizmo,) = chatgpt_plan(workspace=workspace, data=data).gizmos
    assert gizmo.document["tagline"] == ""
    assert list(gizmo.document) == list(default_document())


def test_todays_fields_are_all_required_by_format_1():
    assert not any(spec.optional_in_document for spec in GPT_FIELDS)
    assert build_document_schema()["required"] == ["format", *gpt_fields.document_keys(), "knowledge", "actions"]

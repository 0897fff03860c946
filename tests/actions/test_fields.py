"""The action field spec (actions/fields.py) is the one list the services, the editor's form, the
admin, the API and the import derive their action fields from."""

import pytest

from actions import fields as action_fields
from actions.admin import EDITABLE, ActionAdminForm
from actions.api.serializers import WRITE_FIELDS
from actions.fields import ACTION_FIELDS, ActionField
from actions.forms import ActionForm
from actions.models import Action
from actions.services import EDITABLE_FIELDS, TRIMMED_FIELDS
from gpts.document_schema import build_document_schema
from gpts.importers import ACTION_FIELD_POINTERS
from gpts.models import SchemaText

SPEC_NAMES = {spec.name for spec in ACTION_FIELDS}
# The editor's fields that are no column: the secrets (write-only), the upload, the inverted
# `changes_public_state` box and the version.
FORM_ONLY = {"version", "schema_file", "api_key", "oauth_client_secret", "private_system"}


def test_every_spec_field_is_an_action_column_with_the_same_cap():
    for spec in ACTION_FIELDS:
        if spec.name == "schema_text":
            # Stored once by content in gpts.SchemaText (`Action.schema`); its cap is the services'
            # (actions.services.action_set_schema_text), not a column's.
            assert Action._meta.get_field("schema").related_model is SchemaText
            continue
        model_field = Action._meta.get_field(spec.name)
        if spec.max_length is not None:
            assert model_field.max_length == spec.max_length, spec.name


def test_the_services_take_exactly_the_spec_fields():
    assert SPEC_NAMES == EDITABLE_FIELDS
    assert tuple(spec.name for spec in ACTION_FIELDS if spec.trimmed) == TRIMMED_FIELDS


def test_the_editor_form_carries_the_spec_fields_with_their_labels_help_and_lengths():
    form = ActionForm()
    assert set(form.fields) - FORM_ONLY <= SPEC_NAMES
    assert tuple(spec.name for spec in ACTION_FIELDS if spec.in_form) == ActionForm.SERVICE_FIELDS
    for spec in ACTION_FIELDS:
        if spec.name not in form.fields:
            continue
        field = form.fields[spec.name]
        if spec.label:
            assert field.label == spec.label
        if spec.help_text:
            assert field.help_text == spec.help_text
        if spec.max_length is not None:
            assert field.max_length == spec.max_length, spec.name


def test_the_admin_and_the_api_edit_the_spec_fields_and_no_other():
    assert ("gpt", *(spec.name for spec in ACTION_FIELDS if spec.in_admin)) == EDITABLE
    assert set(ActionAdminForm.base_fields) - {"gpt", "expected_version"} - SPEC_NAMES == {
        "new_api_key",
        "clear_api_key",
        "new_oauth_client_secret",
        "clear_oauth_client_secret",
    }
    assert set(WRITE_FIELDS) == action_fields.api_names()


def test_import_errors_point_into_the_documents_action_entry():
    assert action_fields.field_pointers() == ACTION_FIELD_POINTERS
    entry = build_document_schema()["properties"]["actions"]["items"]
    for spec in ACTION_FIELDS:
        if not spec.document_pointer:
            continue
        schema = entry
        for part in spec.document_pointer.split("/"):
            schema = schema["properties"][part]
        if spec.max_length is not None and spec.name not in ("schema_text",):
            assert schema["maxLength"] == spec.max_length, spec.name


def test_an_extra_spec_entry_shows_up_in_the_derived_lists(monkeypatch):
    extra = ActionField("timeout_seconds", "Timeout", document_pointer="timeout_seconds")
    monkeypatch.setattr(action_fields, "ACTION_FIELDS", (*ACTION_FIELDS, extra))
    assert "timeout_seconds" in action_fields.editable_names()
    assert action_fields.form_names()[-1] == "timeout_seconds"
    assert action_fields.admin_names()[-1] == "timeout_seconds"
    assert action_fields.field_pointers()["timeout_seconds"] == "timeout_seconds"


@pytest.mark.parametrize("name", ["api_key", "oauth_client_secret"])
def test_secrets_are_not_spec_fields(name):
    assert name not in SPEC_NAMES


def test_the_paste_guide_names_action_fields_as_the_editor_does(workspace, user):
    from gpts.document.build import gpt_document
    from gpts.exporters.paste_plan import build_paste_plan
    from tests.factories import make_rich_gpt

    plan = build_paste_plan(gpt_document(make_rich_gpt(workspace, user)), [])
    labels = {field.label for field in plan.all_fields() if field.key.startswith("action-")}
    for name in (
        "schema_text",
        "privacy_policy_url",
        "api_key_auth_type",
        "api_key_custom_header",
        "oauth_client_id",
        "oauth_authorization_url",
        "oauth_token_url",
        "oauth_scope",
        "oauth_token_exchange_method",
    ):
        assert action_fields.action_field(name).label in labels, name

"""The action editor's form: line ends as typed, and the version an edit carries."""

from django.core.files.uploadedfile import SimpleUploadedFile

from actions.forms import ActionForm
from tests.factories import WEATHER_SCHEMA

CRLF_SCHEMA = WEATHER_SCHEMA.replace("\n", "\r\n")


def test_schema_text_from_the_browser_is_stored_with_lf_line_ends():
    form = ActionForm({"schema_text": CRLF_SCHEMA, "auth_type": "none", "oauth_scope": "a\rb"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["schema_text"] == WEATHER_SCHEMA
    assert form.service_fields()["oauth_scope"] == "a\nb"


def test_an_uploaded_windows_file_is_stored_with_lf_line_ends():
    upload = SimpleUploadedFile("weather.yaml", b"\xef\xbb\xbf" + CRLF_SCHEMA.encode())
    form = ActionForm({"auth_type": "none"}, {"schema_file": upload})
    assert form.is_valid(), form.errors
    assert form.service_fields()["schema_text"] == WEATHER_SCHEMA


def test_editing_an_action_needs_its_version_and_creating_one_has_none(action):
    editing = ActionForm({"schema_text": WEATHER_SCHEMA, "auth_type": "none"}, action=action)
    assert not editing.is_valid()
    assert "did not say which version it was made from" in editing.errors["version"][0]
    assert ActionForm({"schema_text": WEATHER_SCHEMA, "auth_type": "none", "version": "1"}, action=action).is_valid()
    assert "version" not in ActionForm({"auth_type": "none"}).fields

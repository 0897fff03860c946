"""Write endpoints read exactly what they declare: an unknown key, a field sent twice in a form, or
a number that is not a whole number is a 400 naming the field, and nothing is written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from actions.models import Action
from gpts.document.build import gpt_document
from gpts.document.render import render_document
from gpts.models import GPT, Job, KnowledgeFile, Membership, Revision, Workspace
from gptstudio.models import APIToken
from tests.factories import UserFactory


def _counts():
    return [
        list(GPT.objects.values_list("pk", "version", "name", "visibility")),
        list(Action.objects.values_list("pk", "version", "name")),
        KnowledgeFile.objects.count(),
        Revision.objects.count(),
        Job.objects.count(),
        sorted(Membership.objects.values_list("user_id", "role")),
        list(Workspace.objects.values_list("slug", "name")),
        APIToken.objects.count(),
    ]


def _file(name="k.txt", content=b"knowledge"):
    return SimpleUploadedFile(name, content)


def _document(gpt):
    return SimpleUploadedFile("g.gpt.yaml", render_document(gpt_document(gpt), "yaml").encode())


# (method, url, body, the unknown key as the error names it); {gpt}, {action}, {slug} are filled in.
UNKNOWN_KEYS = [
    ("patch", "/api/v1/gpts/{gpt}/", {"nmae": "x"}, "nmae", "did you mean “name”?"),
    ("post", "/api/v1/gpts/", {"workspace": "{slug}", "name": "N", "visiblity": "link"}, "visiblity", "visibility"),
    ("patch", "/api/v1/gpts/{gpt}/", {"capabilities": {"canvs": True}}, "capabilities.canvs", "canvas"),
    ("patch", "/api/v1/gpts/{gpt}/", {"name": "Read back", "id": 1}, "id", "Unknown field"),
    ("patch", "/api/v1/actions/{action}/", {"api_kye": "sk-new"}, "api_kye", "api_key"),
    ("post", "/api/v1/actions/", {"gpt": "{gpt}", "name": "A", "gpt_verison": 1}, "gpt_verison", "gpt_version"),
    ("post", "/api/v1/actions/import/", {"gpt": "{gpt}", "url": "https://x.example/s", "acton": 1}, "acton", "action"),
    ("post", "/api/v1/validate/schema/", {"schema": "{}"}, "schema", "schema_text"),
    ("post", "/api/v1/workspaces/", {"name": "W", "owner": "me"}, "owner", "Unknown field"),
    ("patch", "/api/v1/workspaces/{slug}/", {"title": "W"}, "title", "name"),
    ("post", "/api/v1/workspaces/{slug}/members/", {"username": "sam", "role": "viewer", "rol": "x"}, "rol", "role"),
    ("post", "/api/v1/gpts/{gpt}/revisions/1/restore/", {"versoin": 1}, "versoin", "version"),
    ("post", "/api/v1/tokens/", {"name": "CI", "expires": "2030-01-01T00:00:00Z"}, "expires", "expires_at"),
]


@pytest.mark.parametrize("method, url, body, key, hint", UNKNOWN_KEYS, ids=lambda v: v if isinstance(v, str) else "")
def test_an_unknown_key_in_a_json_body_is_400_naming_it(
    api, gpt, secret_action, workspace, method, url, body, key, hint
):
    UserFactory(username="sam")
    fill = {"gpt": gpt.pk, "action": secret_action.pk, "slug": workspace.slug}
    body = {k: fill[v[1:-1]] if isinstance(v, str) and v[1:-1] in fill else v for k, v in body.items()}
    before = _counts()
    response = getattr(api, method)(url.format(**fill), body, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert key in errors, errors
    assert errors[key][0].startswith("Unknown field") and hint in errors[key][0]
    assert _counts() == before


def test_unknown_keys_are_reported_with_the_other_field_errors(api, workspace):
    response = api.post("/api/v1/gpts/", {"workspace": workspace.slug, "name": "", "colour": "red"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "colour"}


@pytest.mark.parametrize("target", ["knowledge", "import"])
def test_an_unknown_part_in_a_form_is_400(api, gpt, workspace, target):
    if target == "knowledge":
        url, body = f"/api/v1/gpts/{gpt.pk}/knowledge/", {"file": _file(), "nmae": "x.txt"}
    else:
        url, body = f"/api/v1/workspaces/{workspace.slug}/import/", {"file": _document(gpt), "gtp": gpt.pk}
    before = _counts()
    response = api.post(url, body, format="multipart")
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {"nmae" if target == "knowledge" else "gtp"}
    assert _counts() == before


def test_a_knowledge_upload_with_two_file_parts_is_400_and_stores_nothing(api, gpt, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    response = api.post(
        f"/api/v1/gpts/{gpt.pk}/knowledge/", {"file": [_file("a.txt"), _file("b.txt")]}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"file": ["Sent 2 times; send it once."]}
    assert not KnowledgeFile.objects.exists() and not any(tmp_path.rglob("*.txt"))
    assert GPT.objects.get().version == 1


def test_an_import_with_two_files_or_two_versions_is_400(api, gpt, workspace):
    url = f"/api/v1/workspaces/{workspace.slug}/import/"
    before = _counts()
    two_files = api.post(url, {"file": [_document(gpt), _document(gpt)]}, format="multipart")
    two_versions = api.post(url, {"file": _document(gpt), "gpt": gpt.pk, "version": [1, 2]}, format="multipart")
    for response, field in ((two_files, "file"), (two_versions, "version")):
        assert response.status_code == 400
        assert response.json()["errors"][field] == ["Sent 2 times; send it once."]
    assert _counts() == before


# Ids and versions are whole numbers: JSON integers, or ASCII digit strings as a form sends them.
NOT_WHOLE_NUMBERS = [1.5, 1.0, True, "1.5", "١", "²", -1, "-1", "", None, [1], {"id": 1}, 10**19, "9" * 5000]


@pytest.mark.parametrize("value", NOT_WHOLE_NUMBERS, ids=repr)
def test_a_gpt_id_that_is_no_whole_number_is_400(api, gpt, value):
    """`{"gpt": 1.5}` used to create the action on GPT 1 (Django truncates), `true` too."""
    response = api.post("/api/v1/actions/", {"gpt": value, "name": "Float"}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["gpt"]
    assert not Action.objects.exists()


@pytest.mark.parametrize("value", [1.5, True, "١"], ids=repr)
def test_a_schema_import_with_a_non_integer_gpt_or_action_is_400(api, gpt, secret_action, value):
    for body, field in (
        ({"gpt": value, "url": "https://x.example/s.json"}, "gpt"),
        ({"gpt": gpt.pk, "url": "https://x.example/s.json", "action": value}, "action"),
    ):
        response = api.post("/api/v1/actions/import/", body, format="json")
        assert response.status_code == 400, response.content
        assert list(response.json()["errors"]) == [field]
    assert not Job.objects.exists()


@pytest.mark.parametrize("value", ["١", "1.0", "1.5", " 1", "true"])
def test_an_import_gpt_field_that_is_no_ascii_number_is_400(api, gpt, workspace, value):
    """A form sends strings: "١" used to be read as GPT 1."""
    before = _counts()
    response = api.post(
        f"/api/v1/workspaces/{workspace.slug}/import/", {"file": _document(gpt), "gpt": value}, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["gpt"]
    assert _counts() == before


@pytest.mark.parametrize("value", [1.0, "١", True, 10**19], ids=repr)
def test_a_body_version_that_is_no_whole_number_is_400(api, gpt, secret_action, value):
    for url in (f"/api/v1/gpts/{gpt.pk}/", f"/api/v1/actions/{secret_action.pk}/"):
        response = api.patch(url, {"name": "New", "version": value}, format="json")
        assert response.status_code == 400, response.content
        assert list(response.json()["errors"]) == ["version"]
    assert GPT.objects.get().name == "Weather Buddy" and Action.objects.get().version == 1


def test_ids_and_versions_as_digit_strings_are_read_like_a_form_sends_them(api, gpt, workspace):
    """JSON integers are the norm; "3" is accepted too, as in every multipart form and query."""
    created = api.post("/api/v1/actions/", {"gpt": str(gpt.pk), "name": "Digits", "gpt_version": "1"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["gpt"] == gpt.pk
    patched = api.patch(f"/api/v1/gpts/{gpt.pk}/", {"name": "Digits", "version": "2"}, format="json")
    assert patched.status_code == 200 and patched.json()["version"] == 3


# A JSON value of the wrong type is refused, not converted (DRF made 123 "123", "yes" True, [1, 2] ["1", "2"]).
WRONG_TYPES = [
    ("patch", "/api/v1/gpts/{gpt}/", {"name": 123}, "name", "Must be text, not a number."),
    ("patch", "/api/v1/gpts/{gpt}/", {"use_conversation_data": "yes"}, "use_conversation_data", "true or false"),
    ("patch", "/api/v1/gpts/{gpt}/", {"conversation_starters": ["Hi", 2]}, "conversation_starters.1", "text"),
    ("patch", "/api/v1/gpts/{gpt}/", {"conversation_starters": [1, 2]}, "conversation_starters.0", "text"),
    ("patch", "/api/v1/gpts/{gpt}/", {"capabilities": {"canvas": 1}}, "capabilities.canvas", "true or false"),
    ("patch", "/api/v1/gpts/{gpt}/", {"visibility": 1}, "visibility", "Must be text"),
    ("patch", "/api/v1/actions/{action}/", {"api_key": 12345}, "api_key", "Must be text"),
    ("post", "/api/v1/workspaces/", {"name": ["W"]}, "name", "Must be text, not a list."),
    ("post", "/api/v1/validate/schema/", {"schema_text": {"openapi": "3.1.0"}}, "schema_text", "an object"),
]


@pytest.mark.parametrize("method, url, body, key, message", WRONG_TYPES, ids=lambda v: v if isinstance(v, str) else "")
def test_a_json_value_of_the_wrong_type_is_400_naming_the_field(
    api, gpt, secret_action, workspace, method, url, body, key, message
):
    before = _counts()
    url = url.format(gpt=gpt.pk, action=secret_action.pk)
    response = getattr(api, method)(url, body, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert message in errors[key][0], errors
    assert _counts() == before


@pytest.mark.parametrize(
    "raw, key",
    [
        ('{"name": "A", "name": "B"}', "name"),
        ('{"capabilities": {"canvas": true, "canvas": false}}', "canvas"),
        ('{"conversation_starters": ["x"], "description": "d", "conversation_starters": []}', "conversation_starters"),
    ],
)
def test_a_key_sent_twice_in_a_json_body_is_400_naming_it(api, gpt, raw, key):
    before = _counts()
    response = api.generic(
        "PATCH", f"/api/v1/gpts/{gpt.pk}/", raw, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {key: ["Sent twice in the same JSON object; send it once."]}
    assert _counts() == before


def test_a_form_still_sends_text_for_every_field(api, gpt):
    """Multipart bodies carry only text: the type check is for JSON bodies."""
    response = api.post(
        f"/api/v1/gpts/{gpt.pk}/knowledge/", {"file": _file(), "name": "notes.txt", "version": "1"}, format="multipart"
    )
    assert response.status_code == 201, response.content

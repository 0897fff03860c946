"""The action editor: permissions, create by paste, live validation fragment, format, secrets."""

import json

import pytest
from django.urls import reverse

from actions.models import Action
from tests.factories import WEATHER_SCHEMA, make_action


def edit_url(action):
    gpt = action.gpt
    return reverse("actions:action_edit", args=[gpt.workspace.slug, gpt.slug, action.slug])


def new_url(gpt):
    return reverse("actions:action_new", args=[gpt.workspace.slug, gpt.slug])


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("editor", 200), ("viewer", 200), ("outsider", 404)])
def test_action_editor_status_per_role(login_as, client, action, role, status):
    login_as(role)
    response = client.get(edit_url(action))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert ("Save action" in html) == (role != "viewer")
        assert ("Delete action" in html) == (role != "viewer")


def test_viewer_cannot_create_change_or_delete_actions(login_as, client, action):
    login_as("viewer")
    gpt = action.gpt
    assert client.get(new_url(gpt)).status_code == 403
    assert client.post(edit_url(action), {"auth_type": "none", "schema_text": "{}", "version": 1}).status_code == 403
    assert (
        client.post(reverse("actions:action_delete", args=[gpt.workspace.slug, gpt.slug, action.slug])).status_code
        == 403
    )
    assert Action.objects.get(pk=action.pk).schema_text == WEATHER_SCHEMA


def test_create_an_action_by_pasting_a_schema(client, user, gpt):
    client.force_login(user)
    response = client.post(new_url(gpt), {"schema_text": WEATHER_SCHEMA, "auth_type": "none"})
    action = gpt.actions.get()
    assert response["Location"] == edit_url(action)
    assert (action.name, action.domain, action.schema_text) == ("Weather", "api.weather.example.com", WEATHER_SCHEMA)


def test_create_with_an_uploaded_schema_file(client, user, gpt):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(user)
    upload = SimpleUploadedFile("weather.json", WEATHER_SCHEMA.encode())
    client.post(new_url(gpt), {"schema_text": "", "schema_file": upload, "auth_type": "none", "name": "Uploaded"})
    assert gpt.actions.get().schema_text == WEATHER_SCHEMA


def test_schema_file_must_be_json_or_yaml_text(client, user, gpt):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(user)
    response = client.post(new_url(gpt), {"schema_file": SimpleUploadedFile("x.exe", b"MZ"), "auth_type": "none"})
    assert response.status_code == 400
    assert "Upload a .json, .yaml or .yml file." in response.content.decode()
    assert not gpt.actions.exists()


def test_api_key_is_write_only_and_kept_when_left_empty(client, user, action):
    client.force_login(user)
    data = {
        "version": 1,
        "schema_text": WEATHER_SCHEMA,
        "auth_type": "api_key",
        "api_key_auth_type": "bearer",
        "api_key": "sk-very-secret",
    }
    client.post(edit_url(action), data)
    stored = Action.objects.get(pk=action.pk)
    assert stored.api_key.reveal() == "sk-very-secret"
    html = client.get(edit_url(action)).content.decode()
    assert "sk-very-secret" not in html
    assert "A key is saved (hidden)" in html
    client.post(edit_url(action), {**data, "version": stored.version, "api_key": "", "api_key_auth_type": "basic"})
    kept = Action.objects.get(pk=action.pk)
    assert kept.api_key_auth_type == "basic"
    assert bool(kept.api_key)


def test_auth_panel_offers_chatgpts_choices(client, user, action):
    client.force_login(user)
    html = client.get(edit_url(action)).content.decode()
    for label in (
        "None",
        "API Key",
        "OAuth",
        "Basic",
        "Bearer",
        "Custom",
        "Custom Header Name",
        "Client ID",
        "Client Secret",
        "Authorization URL",
        "Token URL",
        "Scope",
        "Default (POST request)",
        "Basic authorization header",
    ):
        assert label in html, label


def test_incomplete_oauth_is_refused_with_field_messages(client, user, action):
    client.force_login(user)
    response = client.post(edit_url(action), {"version": 1, "schema_text": WEATHER_SCHEMA, "auth_type": "oauth"})
    assert response.status_code == 400
    assert "OAuth authentication needs a client ID." in response.content.decode()
    assert Action.objects.get(pk=action.pk).auth_type == "none"


def test_stale_action_save_keeps_my_text_and_shows_theirs(client, user, action):
    from actions.services import action_update

    action_update(action=action, actor=user, expected_version=1, privacy_policy_url="https://theirs.example.com/p")
    client.force_login(user)
    mine = WEATHER_SCHEMA.replace("Current weather", "Weather now")
    response = client.post(edit_url(action), {"version": 1, "schema_text": mine, "auth_type": "none"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone saved this action since you opened it" in html
    assert "Weather now" in html
    assert 'name="version" value="2"' in html
    assert Action.objects.get(pk=action.pk).schema_text == WEATHER_SCHEMA


def test_live_validation_returns_the_findings_fragment_with_lines(client, user, gpt):
    client.force_login(user)
    url = reverse("actions:schema_validate", args=[gpt.workspace.slug, gpt.slug])
    schema = WEATHER_SCHEMA.replace("https://api.weather", "http://api.weather")
    line = schema.splitlines().index('  "servers": [{"url": "http://api.weather.example.com"}],') + 1
    response = client.post(url, {"schema_text": schema}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div id="schema-report" data-error-lines="{line}"')
    assert f'data-goto-line="{line}"' in html and f"Line {line}, column" in html
    assert "action.server.not_https" in html
    assert "<code>getCurrent</code>" in html  # the operations table


def test_live_validation_of_a_fixed_schema_has_no_error_lines(client, user, gpt):
    client.force_login(user)
    url = reverse("actions:schema_validate", args=[gpt.workspace.slug, gpt.slug])
    html = client.post(url, {"schema_text": WEATHER_SCHEMA}, headers={"HX-Request": "true"}).content.decode()
    assert '<div id="schema-report" data-error-lines=""' in html


def test_live_validation_is_read_only_for_members_and_hidden_from_outsiders(login_as, client, gpt):
    url = reverse("actions:schema_validate", args=[gpt.workspace.slug, gpt.slug])
    login_as("viewer")
    assert client.post(url, {"schema_text": WEATHER_SCHEMA}).status_code == 200
    login_as("outsider")
    assert client.post(url, {"schema_text": WEATHER_SCHEMA}).status_code == 404


def test_format_pretty_prints_json_and_yaml_and_refuses_garbage(client, user, gpt):
    client.force_login(user)
    url = reverse("actions:schema_format", args=[gpt.workspace.slug, gpt.slug])
    data = json.loads(client.post(url, {"schema_text": '{"openapi":"3.1.0","info":{"title":"T"}}'}).content)
    assert data == {"text": '{\n  "openapi": "3.1.0",\n  "info": {\n    "title": "T"\n  }\n}\n', "format": "json"}
    data = json.loads(client.post(url, {"schema_text": "openapi: 3.1.0\ninfo: {title: T, version: '1'}"}).content)
    assert data["text"] == "openapi: 3.1.0\ninfo:\n  title: T\n  version: '1'\n"
    response = client.post(url, {"schema_text": "{not json"})
    assert response.status_code == 400
    assert "does not parse" in json.loads(response.content)["error"]


def test_delete_action_by_editor(login_as, client, action):
    login_as("editor")
    gpt = action.gpt
    response = client.post(reverse("actions:action_delete", args=[gpt.workspace.slug, gpt.slug, action.slug]))
    assert response.status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists()


@pytest.mark.parametrize("count", [1, 6])
def test_action_editor_query_count_is_constant(client, user, gpt, count, django_assert_max_num_queries):
    actions = [make_action(gpt, actor=user, name=f"A{i}") for i in range(count)]
    client.force_login(user)
    url = edit_url(actions[-1])
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


# --- Import from URL (the schema import job) ----------------------------------------------------


def import_url(gpt):
    return reverse("actions:schema_import", args=[gpt.workspace.slug, gpt.slug])


def test_import_refuses_a_bad_url_with_its_reason(client, user, gpt):
    client.force_login(user)
    html = client.post(import_url(gpt), {"url": "http://127.0.0.1/openapi.json"}).content.decode()
    assert 'class="alert error"' in html
    assert "loopback" in html.lower()
    assert not gpt.jobs.exists()
    assert "Enter the URL" in client.post(import_url(gpt), {"url": ""}).content.decode()


def test_viewer_cannot_import(login_as, client, gpt):
    login_as("viewer")
    assert client.post(import_url(gpt), {"url": "https://example.com/x.json"}).status_code == 403


@pytest.mark.eager
def test_import_runs_as_a_job_whose_status_the_page_polls(
    client, user, gpt, settings, loopback_server, django_capture_on_commit_callbacks
):
    from tests.loopback_server import Reply

    settings.FETCHER_ALLOW_LOOPBACK_FOR_TESTS = True  # the test's own server on 127.0.0.1
    url = loopback_server.route(
        "/openapi.json", Reply(body=WEATHER_SCHEMA.encode(), headers={"Content-Type": "application/json"})
    )
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        html = client.post(import_url(gpt), {"url": url}, headers={"HX-Request": "true"}).content.decode()
    job = gpt.jobs.get()
    assert "Import from URL:" in html and url in html
    if job.status in ("pending", "running"):
        assert 'hx-trigger="every 1s"' in html
    status_url = reverse("actions:schema_import_job", args=[gpt.workspace.slug, gpt.slug, job.pk])
    html = client.get(status_url).content.decode()
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert "every 1s" not in html  # finished: no more polling
    assert f'href="{edit_url(job.action)}"' in html
    assert gpt.actions.get().schema_text == WEATHER_SCHEMA


def test_import_job_of_another_gpt_is_404(client, user, gpt, workspace):
    from gpts.models import Job
    from tests.factories import make_gpt

    other = make_gpt(workspace=workspace, actor=user, name="Other")
    job = Job.objects.create(workspace=workspace, gpt=other, kind=Job.Kind.SCHEMA_IMPORT)
    client.force_login(user)
    assert client.get(reverse("actions:schema_import_job", args=[workspace.slug, gpt.slug, job.pk])).status_code == 404


# --- Line ends and versions ---------------------------------------------------------------------


def test_pasted_and_uploaded_schemas_are_stored_with_lf_line_ends(client, user, gpt):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(user)
    crlf = WEATHER_SCHEMA.replace("\n", "\r\n")
    client.post(new_url(gpt), {"schema_text": crlf, "auth_type": "none", "name": "Pasted"})
    upload = SimpleUploadedFile("weather.json", crlf.encode())
    client.post(new_url(gpt), {"schema_text": "", "schema_file": upload, "auth_type": "none", "name": "Uploaded"})
    assert sorted(gpt.actions.values_list("name", "schema__text")) == [
        ("Pasted", WEATHER_SCHEMA),
        ("Uploaded", WEATHER_SCHEMA),
    ]


@pytest.mark.parametrize(
    ("version", "message"),
    [(None, "did not say which version it was made from"), ("two", "is not a whole number")],
)
def test_an_action_save_without_a_usable_version_is_refused(client, user, action, version, message):
    client.force_login(user)
    data = {"schema_text": WEATHER_SCHEMA.replace("Current weather", "Blind"), "auth_type": "none"}
    if version is not None:
        data["version"] = version
    response = client.post(edit_url(action), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    stored = Action.objects.get(pk=action.pk)
    assert (stored.schema_text, stored.version) == (WEATHER_SCHEMA, 1)


def test_the_action_page_carries_its_version_and_the_new_action_page_none(client, user, action):
    client.force_login(user)
    html = client.get(edit_url(action)).content.decode()
    assert '<input type="hidden" name="version" value="1" id="id_version">' in html
    assert 'name="version"' not in client.get(new_url(action.gpt)).content.decode()


def test_the_schema_upload_button_is_the_label_of_a_focusable_file_input(client, user, gpt):
    # The input itself is visually hidden; app.css gives its label the focus ring (see the browser
    # test of focus indicators), so the pair must stay label-then-input.
    client.force_login(user)
    html = client.get(new_url(gpt)).content.decode()
    label = '<label class="button small" for="id_schema_file">Upload file…</label>'
    assert label in html
    after = html[html.index(label) + len(label) :].lstrip()
    assert after.startswith('<input type="file" name="schema_file" id="id_schema_file"')

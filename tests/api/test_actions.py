"""Action endpoints: CRUD, write-only secrets, findings on save, strict mode, validation."""

import pytest

from actions.models import Action
from actions.schema import SchemaReport
from gpts.models import GPT
from gptstudio.findings import Finding, Severity
from tests.api.conftest import API_KEY, CLIENT_SECRET
from tests.factories import WEATHER_SCHEMA

YAML_SCHEMA = """openapi: 3.1.0
info: {title: Calendar, version: '1'}
servers: [{url: 'https://cal.example.com/v1'}]
paths: {}
"""


def test_create_an_action_with_a_secret(api, gpt):
    payload = {
        "gpt": gpt.pk,
        "name": "Weather",
        "schema_text": WEATHER_SCHEMA,
        "auth_type": "api_key",
        "api_key_auth_type": "custom",
        "api_key_custom_header": "X-Api-Key",
        "api_key": API_KEY,
        "privacy_policy_url": "https://weather.example.com/privacy",
    }
    response = api.post("/api/v1/actions/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["has_api_key"] is True and body["has_client_secret"] is False
    assert "api_key" not in body
    assert body["domain"] == "api.weather.example.com" and body["schema_format"] == "json"
    assert body["validation"]["domain"] == "api.weather.example.com"
    assert response["ETag"] == '"1"'
    action = Action.objects.get()
    assert action.api_key.reveal() == API_KEY
    assert GPT.objects.get().version == 2


def test_create_detects_yaml(api, gpt):
    response = api.post("/api/v1/actions/", {"gpt": gpt.pk, "name": "Cal", "schema_text": YAML_SCHEMA}, format="json")
    assert response.status_code == 201
    assert (response.json()["schema_format"], response.json()["domain"]) == ("yaml", "cal.example.com")
    assert Action.objects.get().schema_text == YAML_SCHEMA  # Kept byte for byte.


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "n" * 101}, "name"),
        ({"auth_type": "api_key"}, "api_key_auth_type"),
        # A client ID may wait (validation reports it, as after a rescue from ChatGPT); the URLs may not.
        ({"auth_type": "oauth"}, "oauth_authorization_url"),
        ({"auth_type": "magic"}, "auth_type"),
        ({"privacy_policy_url": "not a url"}, "privacy_policy_url"),
        ({"gpt_version": 7}, None),
    ],
)
def test_create_refuses_bad_input(api, gpt, payload, field):
    response = api.post("/api/v1/actions/", {"gpt": gpt.pk, "name": "A", **payload}, format="json")
    if field is None:
        assert response.status_code == 412 and response.json()["current_version"] == 1
    else:
        assert response.status_code == 400
        assert field in response.json()["errors"], response.json()
    assert not Action.objects.exists()


@pytest.mark.parametrize("name", [None, "", "   "])
def test_an_action_without_a_name_is_named_after_its_schema_as_in_the_studio(api, gpt, name):
    payload = {"gpt": gpt.pk, "schema_text": YAML_SCHEMA} | ({} if name is None else {"name": name})
    response = api.post("/api/v1/actions/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == Action.objects.get().name == "Calendar"


def test_a_put_with_a_blank_name_keeps_the_actions_name(api, secret_action):
    detail = api.get(f"/api/v1/actions/{secret_action.pk}/").json()
    payload = {k: detail[k] for k in ("schema_text", "auth_type", "privacy_policy_url", *Action.AUTH_CONFIG_FIELDS)}
    response = api.put(
        f"/api/v1/actions/{secret_action.pk}/", payload | {"name": ""}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.json()
    assert Action.objects.get().name == secret_action.name != ""


def test_create_on_a_foreign_or_missing_gpt_is_404(api, foreign_gpt):
    for gpt_id in (foreign_gpt.pk, 999999):
        response = api.post("/api/v1/actions/", {"gpt": gpt_id, "name": "A"}, format="json")
        assert response.status_code == 404 and response.json()["message"] == "No such gpt."
    assert not Action.objects.exists()


def test_an_eleventh_action_is_refused(api, gpt, user):
    from tests.factories import make_action

    for i in range(10):
        make_action(gpt, actor=user, name=f"A{i}")
    response = api.post("/api/v1/actions/", {"gpt": gpt.pk, "name": "One too many"}, format="json")
    assert response.status_code == 400
    assert "at most 10 actions" in response.json()["errors"]["gpt"][0]


def test_list_and_filter_by_gpt(api, gpt, secret_action, oauth_action, workspace, user):
    from tests.factories import make_gpt

    other = make_gpt(workspace=workspace, actor=user, name="Other")
    response = api.get("/api/v1/actions/")
    rows = response.json()["results"]
    assert [(r["name"], r["has_api_key"], r["has_client_secret"]) for r in rows] == [
        ("Weather", True, False),
        ("Calendar", False, True),
    ]
    assert "schema_text" not in rows[0]
    assert api.get(f"/api/v1/actions/?gpt={other.pk}").json()["results"] == []


def test_retrieve_has_the_schema_and_auth_but_no_secret(api, oauth_action):
    response = api.get(f"/api/v1/actions/{oauth_action.pk}/")
    body = response.json()
    assert response["ETag"] == '"1"'
    assert body["schema_text"] == WEATHER_SCHEMA
    assert body["oauth_client_id"] == "client-123" and body["has_client_secret"] is True
    assert "oauth_client_secret" not in body


def test_patch_keeps_secrets_unless_sent(api, secret_action):
    response = api.patch(
        f"/api/v1/actions/{secret_action.pk}/", {"name": "Weather v2"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200 and response.json()["has_api_key"] is True
    assert Action.objects.get().api_key.reveal() == API_KEY
    response = api.patch(f"/api/v1/actions/{secret_action.pk}/", {"api_key": ""}, format="json", HTTP_IF_MATCH='"2"')
    assert response.status_code == 200 and response.json()["has_api_key"] is False
    assert response["ETag"] == '"3"'


def test_switching_auth_type_clears_the_old_secret(api, secret_action):
    response = api.patch(f"/api/v1/actions/{secret_action.pk}/", {"auth_type": "none", "version": 1}, format="json")
    assert response.json()["has_api_key"] is False
    assert Action.objects.get().api_key.reveal() == ""


def test_put_replaces_the_action(api, secret_action):
    detail = api.get(f"/api/v1/actions/{secret_action.pk}/").json()
    payload = {k: detail[k] for k in ("name", "schema_text", "auth_type", "privacy_policy_url")}
    payload |= {
        k: detail[k]
        for k in (
            "api_key_auth_type",
            "api_key_custom_header",
            "oauth_client_id",
            "oauth_authorization_url",
            "oauth_token_url",
            "oauth_scope",
            "oauth_token_exchange_method",
        )
    }
    payload["schema_text"] = YAML_SCHEMA
    response = api.put(f"/api/v1/actions/{secret_action.pk}/", payload, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.json()
    action = Action.objects.get()
    assert (action.schema_format, action.domain, action.api_key.reveal()) == ("yaml", "cal.example.com", API_KEY)
    assert api.put(f"/api/v1/actions/{secret_action.pk}/", {"name": "x"}, format="json").status_code == 400


def test_delete_an_action(api, secret_action, gpt):
    assert api.delete(f"/api/v1/actions/{secret_action.pk}/?version=1").status_code == 204
    assert not Action.objects.exists()
    assert GPT.objects.get().version == 3
    assert gpt.revisions.first().summary == "Removed action Weather"


def test_validate_a_saved_action(api, secret_action):
    response = api.get(f"/api/v1/actions/{secret_action.pk}/validate/")
    assert response.status_code == 200
    assert response.json()["openapi_version"] == "3.1.0"


def test_validate_a_schema_text_without_saving(api):
    response = api.post("/api/v1/validate/schema/", {"schema_text": YAML_SCHEMA}, format="json")
    assert response.status_code == 200
    assert (response.json()["format"], response.json()["domain"]) == ("yaml", "cal.example.com")
    assert not Action.objects.exists()
    assert api.post("/api/v1/validate/schema/", {}, format="json").status_code == 400


def _schema_error(monkeypatch):
    from actions.api import views

    finding = Finding(Severity.ERROR, "schema.test.error", "Broken.", pointer="/paths", line=3, column=1)
    monkeypatch.setattr(views, "validate_schema_text", lambda text: SchemaReport(format="json", findings=[finding]))


def test_saving_an_action_with_errors_returns_findings(api, gpt, monkeypatch):
    _schema_error(monkeypatch)
    response = api.post("/api/v1/actions/", {"gpt": gpt.pk, "name": "Broken", "schema_text": "{"}, format="json")
    assert response.status_code == 201
    assert response.json()["validation"]["findings"][0]["line"] == 3


def test_strict_refuses_an_action_with_errors(api, gpt, secret_action, monkeypatch):
    _schema_error(monkeypatch)
    url = "/api/v1/actions/?strict=true"
    response = api.post(url, {"gpt": gpt.pk, "name": "Broken", "schema_text": "{"}, format="json")
    assert response.status_code == 400 and response.json()["findings"][0]["code"] == "schema.test.error"
    response = api.patch(
        f"/api/v1/actions/{secret_action.pk}/?strict=1", {"name": "Renamed"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400
    assert list(Action.objects.values_list("name", "version")) == [("Weather", 1)]
    assert GPT.objects.get().version == 2


def test_client_secret_is_accepted_and_never_returned(api, gpt):
    payload = {
        "gpt": gpt.pk,
        "name": "Cal",
        "auth_type": "oauth",
        "oauth_client_id": "cid",
        "oauth_client_secret": CLIENT_SECRET,
        "oauth_authorization_url": "https://auth.example.com/a",
        "oauth_token_url": "https://auth.example.com/t",
    }
    response = api.post("/api/v1/actions/", payload, format="json")
    assert response.status_code == 201 and response.json()["has_client_secret"] is True
    assert Action.objects.get().oauth_client_secret.reveal() == CLIENT_SECRET


def test_strict_with_the_real_rules_refuses_a_broken_schema(api, gpt):
    response = api.post(
        "/api/v1/actions/?strict=true", {"gpt": gpt.pk, "name": "Broken", "schema_text": "{bad"}, format="json"
    )
    assert response.status_code == 400
    finding = response.json()["findings"][0]
    assert (finding["code"], finding["line"], finding["column"]) == ("schema.syntax", 1, 2)
    assert not Action.objects.exists()
    draft = api.post("/api/v1/actions/", {"gpt": gpt.pk, "name": "Broken", "schema_text": "{bad"}, format="json")
    assert draft.status_code == 201 and draft.json()["validation"]["counts"]["error"] == 1
    assert api.get(f"/api/v1/gpts/{gpt.pk}/?").json()["readiness"] == "errors"
    assert [g["id"] for g in api.get("/api/v1/gpts/?has_errors=true").json()["results"]] == [gpt.pk]


def test_import_a_schema_from_a_url_starts_a_job(api, gpt, django_capture_on_commit_callbacks, monkeypatch):
    from actions import tasks

    queued = []
    monkeypatch.setattr(tasks.schema_import_task, "delay", queued.append)
    url = "https://api.weather.example.com/openapi.json"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/actions/import/", {"gpt": gpt.pk, "url": url}, format="json")
    assert response.status_code == 202, response.json()
    job = response.json()
    assert (job["kind"], job["status"], job["gpt"]) == ("schema_import", "pending", gpt.pk)
    assert queued == [job["id"]]
    assert api.get(f"/api/v1/jobs/{job['id']}/").json()["status"] == "pending"


def test_import_over_an_existing_action(api, gpt, secret_action, monkeypatch):
    from actions import tasks

    monkeypatch.setattr(tasks.schema_import_task, "delay", lambda job_id: None)
    payload = {"gpt": gpt.pk, "url": "https://example.com/s.yaml", "action": secret_action.pk}
    response = api.post("/api/v1/actions/import/", payload, format="json")
    assert response.status_code == 202 and response.json()["action"] == secret_action.pk


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/openapi.json", "file:///etc/passwd", "not a url", "https://169.254.169.254/x"]
)
def test_import_refuses_unsafe_urls(api, gpt, url):
    response = api.post("/api/v1/actions/import/", {"gpt": gpt.pk, "url": url}, format="json")
    assert response.status_code == 400 and "url" in response.json()["errors"]


def test_import_into_a_foreign_gpt_is_404(api, foreign_gpt):
    payload = {"gpt": foreign_gpt.pk, "url": "https://example.com/s.json"}
    assert api.post("/api/v1/actions/import/", payload, format="json").status_code == 404


def test_each_finding_says_what_to_do_and_whether_builders_report_it(api):
    two_servers = WEATHER_SCHEMA.replace(
        '"servers": [{"url": "https://api.weather.example.com"}]',
        '"servers": [{"url": "https://api.weather.example.com"}, {"url": "https://api.weather.example.com/v2"}]',
    )
    response = api.post("/api/v1/validate/schema/", {"schema_text": two_servers}, format="json")
    [finding] = [f for f in response.json()["findings"] if f["code"] == "action.server.multiple"]
    assert finding["fix"] == "Keep only the server ChatGPT should call, first in `servers`."
    assert finding["builder_reported"] is True
    assert "reported by builders" not in finding["message"]

"""GPT endpoints: list (filters, search, ordering, pages), create, retrieve, update, delete, validate."""

import pytest

from gpts import services
from gpts.models import GPT, Revision
from gptstudio import limits
from gptstudio.findings import Finding, Severity
from tests.factories import make_gpt

NEW_GPT = {
    "name": "Travel Pal",
    "description": "Plans trips.",
    "instructions": "Ask where to, then plan.",
    "conversation_starters": ["Plan a weekend", "", "Pack for rain"],
    "capabilities": {"web_search": False, "canvas": True, "image_generation": False, "code_interpreter": True},
    "visibility": "workspace",
}


def test_create_a_gpt_with_starters_and_capabilities(api, workspace, user):
    response = api.post("/api/v1/gpts/", {"workspace": workspace.slug, **NEW_GPT}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    gpt = GPT.objects.get(pk=body["id"])
    assert gpt.conversation_starters.count() == 2  # The empty one is dropped, like ChatGPT does.
    assert gpt.capabilities == NEW_GPT["capabilities"]
    assert (gpt.created_by, gpt.version, gpt.slug) == (user, 1, "travel-pal")
    assert body["conversation_starters"] == ["Plan a weekend", "Pack for rain"]
    assert body["validation"]["valid"] is True
    assert response["ETag"] == '"1"'
    assert Revision.objects.filter(gpt=gpt).count() == 1


def test_create_with_only_a_name_uses_defaults(api, workspace):
    response = api.post("/api/v1/gpts/", {"workspace": workspace.slug, "name": "Min"}, format="json")
    assert response.status_code == 201
    assert response.json()["capabilities"] == {
        "web_search": True,
        "canvas": True,
        "image_generation": True,
        "code_interpreter": False,
    }


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": ""}, "name"),
        # Only what the database cannot hold is refused; ChatGPT's 50 / 300 are findings (below).
        ({"name": "x" * (limits.STUDIO_NAME_HARD_MAX_LENGTH + 1)}, "name"),
        ({"name": "ok", "description": "d" * (limits.STUDIO_DESCRIPTION_HARD_MAX_LENGTH + 1)}, "description"),
        ({"name": "ok", "visibility": "everyone"}, "visibility"),
        ({"name": "ok", "conversation_starters": ["s"] * 13}, "conversation_starters"),
        ({"name": "ok", "conversation_starters": ["s" * 1001]}, "conversation_starters.0"),
        ({"name": "ok", "capabilities": {"canvas": "maybe"}}, "capabilities.canvas"),
        ({"name": "ok\x00"}, "name"),
        ({"name": "ok", "slug": "not a slug"}, "slug"),
    ],
)
def test_create_refuses_bad_input_with_field_errors(api, workspace, payload, field):
    response = api.post("/api/v1/gpts/", {"workspace": workspace.slug, **payload}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"], body
    assert not GPT.objects.exists()


def test_a_name_and_description_over_chatgpts_limits_save_as_a_draft_with_error_findings(api, workspace):
    name = "n" * (limits.GPT_NAME_MAX_LENGTH.value + 1)
    description = "d" * (limits.GPT_DESCRIPTION_MAX_LENGTH.value + 1)
    response = api.post(
        "/api/v1/gpts/", {"workspace": workspace.slug, "name": name, "description": description}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert (GPT.objects.get().name, GPT.objects.get().description) == (name, description)
    findings = {(f["code"], f["severity"]) for f in response.json()["validation"]["findings"]}
    assert {("gpt.name.too_long", "error"), ("gpt.description.too_long", "error")} <= findings


def test_create_with_a_taken_slug_is_400(api, workspace, gpt):
    response = api.post(
        "/api/v1/gpts/", {"workspace": workspace.slug, "name": "Other", "slug": gpt.slug}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "slug": [f"Another GPT in this workspace already uses the slug “{gpt.slug}”; choose another."]
    }


@pytest.mark.parametrize("slug", ["elsewhere", "nowhere"])
def test_create_in_a_foreign_or_missing_workspace_is_404_alike(api, foreign_gpt, slug):
    response = api.post("/api/v1/gpts/", {"workspace": slug, "name": "Sneaky"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"message": "No such workspace.", "code": "not_found"}
    assert GPT.objects.count() == 1


def test_retrieve_shows_everything_with_an_etag(api, gpt, secret_action):
    response = api.get(f"/api/v1/gpts/{gpt.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert response["ETag"] == f'"{gpt.version + 1}"'  # Adding the action bumped the version.
    assert body["conversation_starters"] == ["Hi", "Rain?"]
    assert [a["name"] for a in body["actions"]] == ["Weather"]
    assert body["action_count"] == 1 and body["knowledge_files"] == []


def test_patch_changes_only_the_sent_fields(api, gpt):
    response = api.patch(
        f"/api/v1/gpts/{gpt.pk}/",
        {"description": "New words", "capabilities": {"code_interpreter": True}},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.json()
    gpt.refresh_from_db()
    assert (gpt.description, gpt.code_interpreter, gpt.canvas, gpt.name) == ("New words", True, True, "Weather Buddy")
    assert response["ETag"] == '"2"' and response.json()["version"] == 2
    assert gpt.revisions.first().summary == "Changed description; Changed capabilities"


def test_put_needs_every_field(api, gpt):
    response = api.put(f"/api/v1/gpts/{gpt.pk}/", {"name": "Only a name"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400
    assert {"description", "instructions", "visibility"} <= set(response.json()["errors"])
    full = {**NEW_GPT, "recommended_model": "", "category": "", "use_conversation_data": False}
    response = api.put(f"/api/v1/gpts/{gpt.pk}/", full, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.json()
    gpt.refresh_from_db()
    assert (gpt.name, gpt.use_conversation_data) == ("Travel Pal", False)
    assert list(gpt.conversation_starters.values_list("text", flat=True)) == ["Plan a weekend", "Pack for rain"]


def test_delete_by_owner(api, gpt):
    assert api.delete(f"/api/v1/gpts/{gpt.pk}/", HTTP_IF_MATCH='"1"').status_code == 204
    assert not GPT.objects.exists()
    assert api.get(f"/api/v1/gpts/{gpt.pk}/").status_code == 404


def test_validate_a_gpt(api, gpt, secret_action):
    response = api.get(f"/api/v1/gpts/{gpt.pk}/validate/")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["readiness"] == "ready"
    assert list(body["actions"]) == [str(secret_action.pk)]
    assert body["actions"][str(secret_action.pk)]["domain"] == "api.weather.example.com"


def _error_report(monkeypatch):
    """Make the GPT validation report one error, whatever the rules say (the rules are the schema
    engine's; this tests what the API does with an error)."""
    from gpts.api import views
    from gpts.validation import GPTReport

    finding = Finding(Severity.ERROR, "gpt.test.error", "Something ChatGPT refuses.", pointer="/name")
    monkeypatch.setattr(views, "validate_gpt", lambda gpt: GPTReport(findings=[finding]))


def test_saving_with_errors_is_allowed_and_returns_the_findings(api, workspace, monkeypatch):
    _error_report(monkeypatch)
    response = api.post("/api/v1/gpts/", {"workspace": workspace.slug, "name": "Draft"}, format="json")
    assert response.status_code == 201
    validation = response.json()["validation"]
    assert validation["valid"] is False
    assert validation["findings"][0]["code"] == "gpt.test.error"


def test_strict_refuses_to_save_with_errors(api, workspace, gpt, monkeypatch):
    _error_report(monkeypatch)
    response = api.post("/api/v1/gpts/?strict=true", {"workspace": workspace.slug, "name": "Draft"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "has_errors" and body["findings"][0]["pointer"] == "/name"
    assert GPT.objects.count() == 1
    response = api.patch(f"/api/v1/gpts/{gpt.pk}/?strict=true", {"name": "Changed"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400
    gpt.refresh_from_db()
    assert (gpt.name, gpt.version, gpt.revisions.count()) == ("Weather Buddy", 1, 1)


def test_strict_saves_when_there_are_no_errors(api, gpt):
    response = api.patch(f"/api/v1/gpts/{gpt.pk}/?strict=true", {"name": "Changed", "version": 1}, format="json")
    assert response.status_code == 200


def test_a_bad_strict_flag_is_400_and_saves_nothing(api, gpt):
    response = api.patch(f"/api/v1/gpts/{gpt.pk}/?strict=perhaps", {"name": "Changed"}, format="json")
    assert response.status_code == 400 and "strict" in response.json()["errors"]
    gpt.refresh_from_db()
    assert gpt.name == "Weather Buddy"


# --- the list ---------------------------------------------------------------------------------------


@pytest.fixture
def several(workspace, user):
    alpha = make_gpt(workspace=workspace, actor=user, name="Alpha", instructions="Talks about RAIN", visibility="link")
    beta = make_gpt(workspace=workspace, actor=user, name="beta", capabilities={"code_interpreter": True})
    gamma = make_gpt(workspace=workspace, actor=user, name="Gamma", description="rainy days")
    GPT.objects.filter(pk=beta.pk).update(error_count=2, readiness="errors")
    return alpha, beta, gamma


def _names(response):
    assert response.status_code == 200, response.json()
    return [g["name"] for g in response.json()["results"]]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["Alpha", "beta", "Gamma"]),
        ("?search=rain", ["Alpha", "Gamma"]),
        ("?visibility=link", ["Alpha"]),
        ("?capability=code_interpreter", ["beta"]),
        ("?has_errors=true", ["beta"]),
        ("?has_errors=false", ["Alpha", "Gamma"]),
        ("?readiness=errors", ["beta"]),
        ("?ordering=-name", ["Gamma", "beta", "Alpha"]),
        ("?workspace=acme", ["Alpha", "beta", "Gamma"]),
        ("?workspace=elsewhere", []),
    ],
)
def test_list_filters_search_and_orders(api, several, query, expected):
    assert _names(api.get(f"/api/v1/gpts/{query}")) == expected


@pytest.mark.parametrize(
    "query, field",
    [
        ("?visibility=public", "visibility"),
        ("?has_errors=maybe", "has_errors"),
        ("?capability=telepathy", "capability"),
        ("?ordering=size", "ordering"),
        ("?search=%00", "search"),
    ],
)
def test_list_refuses_bad_filters(api, several, query, field):
    response = api.get(f"/api/v1/gpts/{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_list_pages(api, several):
    first = api.get("/api/v1/gpts/?page_size=2").json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    second = api.get("/api/v1/gpts/?page_size=2&page=2").json()
    assert [g["name"] for g in second["results"]] == ["Gamma"]
    assert api.get("/api/v1/gpts/?page=9").status_code == 404


@pytest.mark.parametrize("page", ["١", "²", "1.0", "+1", " 1", "x"])
def test_a_page_that_is_not_ascii_digits_is_an_invalid_page(api, several, page):
    response = api.get("/api/v1/gpts/", {"page": page})
    assert (response.status_code, response.json()["message"]) == (404, "Invalid page.")


@pytest.mark.parametrize("size", ["١", "²", "2.0", "x"])
def test_a_page_size_that_is_not_ascii_digits_falls_back_to_the_default(api, several, size):
    assert len(api.get("/api/v1/gpts/", {"page_size": size}).json()["results"]) == 3
    assert len(api.get("/api/v1/gpts/", {"page_size": "2"}).json()["results"]) == 2


def test_list_never_shows_foreign_gpts(api, gpt, foreign_gpt):
    assert _names(api.get("/api/v1/gpts/")) == ["Weather Buddy"]
    assert _names(api.get(f"/api/v1/gpts/?workspace={foreign_gpt.workspace.slug}")) == []


def test_the_detail_url_ignores_list_filters(api, gpt):
    assert api.get(f"/api/v1/gpts/{gpt.pk}/?visibility=nonsense").status_code == 200


def test_writes_record_the_api_user_as_author(api, gpt, user):
    api.patch(f"/api/v1/gpts/{gpt.pk}/", {"instructions": "Be kind."}, format="json", HTTP_IF_MATCH="*")
    revision = gpt.revisions.first()
    assert (revision.author, revision.number) == (user, 2)
    services.gpt_update(gpt=GPT.objects.get(), actor=user, expected_version=2, name="Again")
    assert api.get(f"/api/v1/gpts/{gpt.pk}/").json()["version"] == 3


def test_a_list_item_is_the_detail_less_its_detail_only_fields(api, several):
    listed = api.get("/api/v1/gpts/").json()["results"]
    assert listed and not any("instructions" in item for item in listed)
    for item in listed:
        detail = api.get(f"/api/v1/gpts/{item['id']}/").json()
        assert item == {key: detail[key] for key in item}
    assert listed[0]["updated_at"].endswith("Z")

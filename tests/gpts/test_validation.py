"""validate_gpt / validate_gpts: GPT field rules, cross-action rules, readiness and caching."""

import json
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from actions.schema import report as schema_report
from actions.services import action_update
from gpts import validation
from gpts.services import gpt_update
from gpts.validation import validate_gpt, validate_gpts
from gptstudio.findings import RULES, Severity
from tests.factories import WEATHER_SCHEMA, make_action, make_gpt

BEARER_SCHEMA = json.dumps(
    {
        **json.loads(WEATHER_SCHEMA),
        "servers": [{"url": "https://api.secure.example.com"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
)


@pytest.fixture(autouse=True)
def _empty_cache():
    # Schema reports are cached by text; tests must not see each other's reports.
    cache.clear()


def schema_on(host: str, operation_id: str = "getCurrent") -> str:
    data = json.loads(WEATHER_SCHEMA)
    data["servers"] = [{"url": f"https://{host}"}]
    data["paths"]["/current"]["get"]["operationId"] = operation_id
    return json.dumps(data)


class Related(list):
    """Stands in for a related manager: `.all()` returns the items."""

    def all(self):
        return self


def fake_gpt(**overrides):
    """A GPT-shaped object for limits the database itself refuses (e.g. 13 starters, 11 actions)."""
    values = {
        "pk": 1,
        "name": "Helper",
        "description": "",
        "instructions": "",
        "visibility": "invite_only",
        "category": "",
        "profile_picture": SimpleNamespace(name=""),
        "conversation_starters": Related(),
        "knowledge_files": Related(),
        "actions": Related(),
        "recommended_model": "",
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def fake_action(pk, host, **fields):
    values = {
        "pk": pk,
        "name": f"Action {pk}",
        "domain": host,
        "schema_text": schema_on(host, f"op{pk}"),
        "privacy_policy_url": "",
        "auth_type": "none",
        "api_key_auth_type": "",
        "api_key_custom_header": "",
        "oauth_client_id": "client",
        "oauth_authorization_url": "",
        "oauth_token_url": "",
        "has_api_key": True,
        "has_client_secret": True,
    }
    values.update(fields)
    return SimpleNamespace(**values)


def codes(report) -> set[str]:
    return {f.code for f in report.findings}


FIELD_CASES = [
    (
        "gpt.knowledge.pending",
        {"chatgpt_pending_knowledge": ["file-8kJh", "file-9xYz"]},
        {"chatgpt_pending_knowledge": []},
        "/knowledge",
    ),
    ("gpt.name.missing", {"name": "  "}, {"name": "A"}, "/name"),
    ("gpt.name.too_long", {"name": "x" * 51}, {"name": "x" * 50}, "/name"),
    ("gpt.description.too_long", {"description": "x" * 301}, {"description": "x" * 300}, "/description"),
    ("gpt.instructions.too_long", {"instructions": "x" * 8001}, {"instructions": "x" * 8000}, "/instructions"),
    (
        "gpt.starters.too_many",
        {"conversation_starters": Related(SimpleNamespace(text=f"s{i}") for i in range(13))},
        {"conversation_starters": Related(SimpleNamespace(text=f"s{i}") for i in range(12))},
        "/conversation_starters/12",
    ),
    (
        "gpt.starters.hidden",
        {"conversation_starters": Related(SimpleNamespace(text=f"s{i}") for i in range(5))},
        {"conversation_starters": Related(SimpleNamespace(text=f"s{i}") for i in range(4))},
        "/conversation_starters/4",
    ),
    (
        "gpt.category.missing",
        {"visibility": "gpt_store"},
        {"visibility": "gpt_store", "category": "Productivity"},
        "/category",
    ),
    (
        "gpt.knowledge.too_many",
        {"knowledge_files": Related(SimpleNamespace(name=f"f{i}", size=1, media_type="text/plain") for i in range(21))},
        {"knowledge_files": Related(SimpleNamespace(name=f"f{i}", size=1, media_type="text/plain") for i in range(20))},
        "/knowledge",
    ),
    (
        "gpt.knowledge.file_too_large",
        {"knowledge_files": Related([SimpleNamespace(name="p.png", size=21 * 2**20, media_type="image/png")])},
        {"knowledge_files": Related([SimpleNamespace(name="p.pdf", size=21 * 2**20, media_type="application/pdf")])},
        "/knowledge/0",
    ),
    (
        "gpt.knowledge.spreadsheet_too_large",
        {"knowledge_files": Related([SimpleNamespace(name="d.csv", size=51 * 2**20, media_type="text/csv")])},
        {"knowledge_files": Related([SimpleNamespace(name="d.csv", size=49 * 2**20, media_type="text/csv")])},
        "/knowledge/0",
    ),
    (
        "gpt.profile_picture.type",
        {"profile_picture": SimpleNamespace(name="profile_pictures/2026/11/me.bmp")},
        {"profile_picture": SimpleNamespace(name="profile_pictures/2026/11/me.webp")},
        "/profile_picture",
    ),
    (
        "gpt.actions.too_many",
        {"actions": Related(fake_action(i, f"api{i}.example.com") for i in range(11))},
        {"actions": Related(fake_action(i, f"api{i}.example.com") for i in range(10))},
        "/actions/10",
    ),
    (
        "gpt.action.duplicate_domain",
        {"actions": Related([fake_action(1, "api.example.com"), fake_action(2, "api.example.com")])},
        {"actions": Related([fake_action(1, "api.example.com"), fake_action(2, "files.example.com")])},
        "/actions/1/domain",
    ),
    (
        "gpt.action.privacy_policy_required",
        {"visibility": "link", "actions": Related([fake_action(1, "api.example.com", privacy_policy_url="not a url")])},
        {
            "visibility": "link",
            "actions": Related([fake_action(1, "api.example.com", privacy_policy_url="https://example.com/privacy")]),
        },
        "/actions/0/privacy_policy_url",
    ),
    (
        "gpt.action.duplicate_operation_id",
        {
            "actions": Related(
                [
                    fake_action(1, "a.example.com", schema_text=schema_on("a.example.com", "search")),
                    fake_action(2, "b.example.com", schema_text=schema_on("b.example.com", "search")),
                ]
            )
        },
        {"actions": Related([fake_action(1, "a.example.com"), fake_action(2, "b.example.com")])},
        "/actions/1/schema",
    ),
    (
        "gpt.action.auth_mismatch",
        {"actions": Related([fake_action(1, "api.secure.example.com", schema_text=BEARER_SCHEMA)])},
        {
            "actions": Related(
                [
                    fake_action(
                        1,
                        "api.secure.example.com",
                        schema_text=BEARER_SCHEMA,
                        auth_type="api_key",
                        api_key_auth_type="bearer",
                    )
                ]
            )
        },
        "/actions/0/authentication",
    ),
    (
        "gpt.model.no_actions",
        {"recommended_model": "GPT-5 Pro", "actions": Related([fake_action(1, "api.example.com")])},
        {"recommended_model": "GPT-5 Thinking", "actions": Related([fake_action(1, "api.example.com")])},
        "/recommended_model",
    ),
    (
        "gpt.action.oauth_url_off_domain",
        {
            "actions": Related(
                [
                    fake_action(
                        1,
                        "api.example.com",
                        auth_type="oauth",
                        oauth_authorization_url="https://login.other.com/authorize",
                        oauth_token_url="https://api.example.com/token",
                    )
                ]
            )
        },
        {
            "actions": Related(
                [
                    fake_action(
                        1,
                        "api.example.com",
                        auth_type="oauth",
                        oauth_authorization_url="https://accounts.google.com/o/oauth2/auth",
                        oauth_token_url="https://auth.example.com/token",
                    )
                ]
            )
        },
        "/actions/0/authentication/oauth/authorization_url",
    ),
]


def test_a_secret_the_studio_does_not_hold_is_an_error_until_entered():
    cases = [
        ({"auth_type": "api_key", "api_key_auth_type": "bearer", "has_api_key": False}, ["API Key"]),
        ({"auth_type": "api_key", "api_key_auth_type": "bearer"}, []),
        ({"auth_type": "oauth", "oauth_client_id": "", "has_client_secret": False}, ["Client ID and Client Secret"]),
        ({"auth_type": "oauth", "has_client_secret": False}, ["Client Secret"]),
        ({"auth_type": "oauth", "oauth_client_id": " "}, ["Client ID"]),
        ({"auth_type": "oauth"}, []),
        ({"auth_type": "none", "has_api_key": False, "has_client_secret": False}, []),
    ]
    for fields, expected in cases:
        report = validate_gpt(fake_gpt(actions=Related([fake_action(1, "api.example.com", **fields)])), use_cache=False)
        found = [f for f in report.findings if f.code == "action.auth.secret_missing"]
        assert [f.severity for f in found] == [Severity.ERROR] * len(expected), fields
        for finding, what in zip(found, expected, strict=True):
            assert f"Enter the {what} for api.example.com" in finding.message
            assert finding.pointer == "/actions/0/authentication"


def test_every_gpt_rule_has_a_case():
    assert {code for code in RULES if code.startswith("gpt.")} == {case[0] for case in FIELD_CASES}


@pytest.mark.parametrize(("code", "firing", "quiet", "pointer"), FIELD_CASES, ids=[c[0] for c in FIELD_CASES])
def test_gpt_rule_fires_and_stays_quiet(code, firing, quiet, pointer):
    fired = validate_gpt(fake_gpt(**firing), use_cache=False)
    matching = [f for f in fired.findings if f.code == code]
    assert matching, f"{code} did not fire; got {codes(fired)}"
    assert matching[0].pointer == pointer
    assert matching[0].severity == RULES[code].severity
    assert code not in codes(validate_gpt(fake_gpt(**quiet), use_cache=False))


def test_the_knowledge_file_count_says_it_is_reported_by_builders():
    files = Related(SimpleNamespace(name=f"f{i}", size=1, media_type="text/plain") for i in range(21))
    [finding] = validate_gpt(fake_gpt(knowledge_files=files), use_cache=False).findings
    assert finding.code == "gpt.knowledge.too_many"
    assert finding.builder_reported


def test_an_oauth_url_off_the_api_domain_in_the_auth_panel_stays_an_error():
    action = fake_action(1, "api.example.com", auth_type="oauth", oauth_authorization_url="https://login.other.com/a")
    [finding] = validate_gpt(fake_gpt(actions=Related([action])), use_cache=False).findings
    assert (finding.code, finding.severity) == ("gpt.action.oauth_url_off_domain", Severity.ERROR)


@pytest.mark.parametrize("model", ["GPT-5 Pro", "o3-pro", "gpt-5.2-PRO", "Pro mode"])
def test_a_pro_model_with_actions_is_reported(model):
    report = validate_gpt(fake_gpt(recommended_model=model, actions=Related([fake_action(1, "a.example.com")])))
    [finding] = [f for f in report.findings if f.code == "gpt.model.no_actions"]
    assert finding.severity == Severity.WARNING  # the picker fact is "likely": a warning, and it says so
    assert finding.builder_reported


@pytest.mark.parametrize(
    ("model", "actions"),
    [("GPT-5 Pro", []), ("Professional writer", ["a.example.com"]), ("o4-mini", ["a.example.com"]), ("", ["a.b.c"])],
)
def test_pro_models_without_actions_and_other_models_are_fine(model, actions):
    gpt = fake_gpt(recommended_model=model, actions=Related(fake_action(i, h) for i, h in enumerate(actions)))
    assert "gpt.model.no_actions" not in codes(validate_gpt(gpt, use_cache=False))


@pytest.mark.parametrize(
    ("field", "limit", "code"),
    [("name", 50, "gpt.name.too_long"), ("description", 300, "gpt.description.too_long")],
)
def test_field_lengths_count_like_chatgpt_with_emoji_as_two(field, limit, code):
    # ChatGPT's editor counts JavaScript string length: UTF-16 units, so an emoji counts 2.
    fits = "a" * (limit - 2) + "🙂"  # limit code units, limit - 1 code points
    over = "a" * (limit - 1) + "🙂"  # limit + 1 code units, limit code points
    assert code not in codes(validate_gpt(fake_gpt(**{field: fits}), use_cache=False))
    [finding] = [f for f in validate_gpt(fake_gpt(**{field: over}), use_cache=False).findings if f.code == code]
    assert f"has {limit + 1} characters" in finding.message


def test_instructions_count_like_chatgpt_too():
    over = "a" * 7999 + "🙂"
    [finding] = validate_gpt(fake_gpt(instructions=over), use_cache=False).findings
    assert finding.code == "gpt.instructions.too_long"
    assert "8,001 characters" in finding.message


def test_a_fresh_gpt_with_a_clean_action_is_ready(gpt, action):
    report = validate_gpt(gpt)
    assert report.readiness == "ready"
    assert report.valid
    assert report.actions[action.pk].domain == "api.weather.example.com"


def test_readiness_follows_the_worst_finding(gpt, user, action):
    gpt.refresh_from_db()
    gpt = gpt_update(gpt=gpt, actor=user, expected_version=gpt.version, conversation_starters=["a", "b", "c", "d", "e"])
    assert validate_gpt(gpt).readiness == "ready"  # an info note does not block anything
    gpt = gpt_update(gpt=gpt, actor=user, expected_version=gpt.version, visibility="link")
    report = validate_gpt(gpt)
    assert report.readiness == "errors"  # the action has no privacy policy URL
    assert "Public actions require valid privacy policy URLs" in report.findings[0].hint
    action_update(action=action, actor=user, expected_version=action.version, privacy_policy_url="https://x.example/p")
    gpt.refresh_from_db()
    assert validate_gpt(gpt).readiness == "ready"


def test_instructions_over_the_limit_are_kept_but_reported(workspace, user):
    gpt = make_gpt(workspace=workspace, actor=user, instructions="x" * 9000)
    [finding] = validate_gpt(gpt).findings
    assert finding.code == "gpt.instructions.too_long"
    assert "1,000 too many" in finding.message
    assert finding.severity == Severity.ERROR


def test_schema_errors_make_the_gpt_not_ready(gpt, user):
    make_action(gpt, actor=user, name="Local", schema_text=schema_on("localhost"))
    report = validate_gpt(gpt)
    assert report.readiness == "errors"
    assert report.findings == []  # the error is in the action's report
    assert "action.server.not_absolute" not in {f.code for f in report.all_findings}
    assert "action.server.localhost" in {f.code for f in report.all_findings}
    assert json.loads(json.dumps(report.as_dict()))["readiness"] == "errors"


def test_two_real_actions_on_one_domain(gpt, user, action):
    make_action(gpt, actor=user, name="Weather 2", schema_text=WEATHER_SCHEMA.replace("getCurrent", "getNow"))
    assert "gpt.action.duplicate_domain" in codes(validate_gpt(gpt))


def test_auth_mismatch_variants():
    def mismatch(**fields):
        action = fake_action(1, "api.secure.example.com", schema_text=fields.pop("schema", BEARER_SCHEMA), **fields)
        return "gpt.action.auth_mismatch" in codes(validate_gpt(fake_gpt(actions=Related([action])), use_cache=False))

    api_key_schema = BEARER_SCHEMA.replace(
        '{"type": "http", "scheme": "bearer"}', '{"type": "apiKey", "in": "header", "name": "X-Api-Key"}'
    )
    assert mismatch(auth_type="api_key", api_key_auth_type="basic")
    assert mismatch(
        schema=api_key_schema, auth_type="api_key", api_key_auth_type="custom", api_key_custom_header="X-Key"
    )
    assert not mismatch(
        schema=api_key_schema, auth_type="api_key", api_key_auth_type="custom", api_key_custom_header="x-api-key"
    )
    assert not mismatch(schema=WEATHER_SCHEMA, auth_type="none")  # the schema declares nothing


def test_schema_reports_are_cached_by_text(gpt, action, user, monkeypatch):
    cache.clear()  # the services validated (and cached) while the fixtures were built
    calls = []
    real = validation.validate_schema_text
    monkeypatch.setattr(validation, "validate_schema_text", lambda text: calls.append(text) or real(text))
    validate_gpt(gpt)
    validate_gpt(gpt)
    assert len(calls) == 1
    new_text = schema_on("api.changed.example.com")
    action_update(action=action, actor=user, expected_version=action.version, schema_text=new_text)
    gpt.refresh_from_db()
    assert validate_gpt(gpt).actions[action.pk].domain == "api.changed.example.com"
    assert calls == [WEATHER_SCHEMA, new_text]  # the save validated the new text once; then the cache served it


def test_cache_key_changes_with_the_rules(monkeypatch):
    key = schema_report.schema_cache_key("text")
    monkeypatch.setattr(schema_report, "ENGINE_VERSION", schema_report.ENGINE_VERSION + 1)
    assert schema_report.schema_cache_key("text") != key


def test_cache_key_changes_when_a_rule_is_registered_although_the_fingerprint_is_kept():
    from gptstudio.findings import register

    key = schema_report.schema_cache_key("text")
    built = schema_report._fingerprint.cache_info().misses
    schema_report.schema_cache_key("other text")
    assert schema_report._fingerprint.cache_info().misses == built  # not rebuilt for every schema
    register(
        "test.new_rule", Severity.INFO, "x", chatgpt_behaviour="x", source="x", confidence="confirmed", fix="Fix it."
    )
    try:
        assert schema_report.schema_cache_key("text") != key
    finally:
        del RULES["test.new_rule"]
    assert schema_report.schema_cache_key("text") == key


@pytest.mark.parametrize("count", [2, 6])
def test_validate_gpts_uses_a_constant_number_of_queries(workspace, user, count, django_assert_max_num_queries):
    for index in range(count):
        gpt = make_gpt(workspace=workspace, actor=user, name=f"GPT {index}", conversation_starters=["hi"])
        make_action(gpt, actor=user, schema_text=schema_on(f"api{index}.example.com"))
    with django_assert_max_num_queries(4):
        reports = validate_gpts(workspace.gpts.all())
    assert len(reports) == count
    assert all(report.readiness == "ready" for report in reports.values())

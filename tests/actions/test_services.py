"""The action write path: auth validation, secrets, domain, versions, revisions."""

import pytest
from django.core.exceptions import ValidationError

from actions import services
from actions.models import Action
from gpts.document.build import SECRET_PLACEHOLDER
from gpts.models import GPT
from gptstudio.errors import EditConflict
from tests.factories import WEATHER_SCHEMA, make_action


def test_create_derives_domain_and_format_and_records_a_revision(gpt, user):
    action = make_action(gpt, actor=user)
    assert (action.domain, action.schema_format, action.slug, action.version) == (
        "api.weather.example.com",
        "json",
        "weather",
        1,
    )
    gpt.refresh_from_db()
    assert gpt.version == 2
    revision = gpt.revisions.first()
    assert revision.summary == "Added action Weather"
    assert revision.document["actions"][0]["schema"] == WEATHER_SCHEMA


def test_schema_text_is_stored_exactly_as_given(gpt, user):
    text = "openapi: 3.1.0\n# a comment\nservers:\n  - url: https://x.example.com   \n\n"
    action = make_action(gpt, actor=user, schema_text=text)
    assert Action.objects.get(pk=action.pk).schema_text == text
    assert action.schema_format == "yaml"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"auth_type": "api_key"}, "api_key_auth_type"),
        ({"auth_type": "api_key", "api_key_auth_type": "custom"}, "api_key_custom_header"),
        (
            {"auth_type": "oauth", "oauth_client_id": "id", "oauth_authorization_url": "https://a.example.com/auth"},
            "oauth_token_url",
        ),
        ({"auth_type": "magic"}, "auth_type"),
        ({"name": "n" * 101}, "name"),
        ({"privacy_policy_url": "not a url"}, "privacy_policy_url"),
        ({"auth_type": "api_key", "api_key_auth_type": "digest"}, "api_key_auth_type"),
    ],
)
def test_invalid_auth_is_refused_with_a_field_message(gpt, user, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        make_action(gpt, actor=user, **fields)
    assert field in excinfo.value.message_dict, excinfo.value.message_dict
    assert not Action.objects.exists()
    assert GPT.objects.get(pk=gpt.pk).version == 1


def test_eleventh_action_is_refused(gpt, user, monkeypatch):
    from gptstudio import limits

    monkeypatch.setattr(limits, "GPT_ACTIONS_MAX", limits.Limit(2, "test", "confirmed", "actions"))
    make_action(gpt, actor=user, name="One")
    make_action(gpt, actor=user, name="Two")
    with pytest.raises(ValidationError, match="at most 2 actions"):
        make_action(gpt, actor=user, name="Three")


def test_secrets_never_reach_the_revision(gpt, user):
    make_action(gpt, actor=user, name="Keyed", auth_type="api_key", api_key_auth_type="bearer", api_key="sk-secret-123")
    action = make_action(
        gpt,
        actor=user,
        name="OAuth",
        schema_text=WEATHER_SCHEMA.replace("api.weather", "api.other"),
        auth_type="oauth",
        oauth_client_id="client",
        oauth_client_secret="cs-secret-456",
        oauth_authorization_url="https://api.other.example.com/auth",
        oauth_token_url="https://api.other.example.com/token",
    )
    for revision in gpt.revisions.all():
        text = str(revision.document)
        assert "sk-secret-123" not in text and "cs-secret-456" not in text
    document = gpt.revisions.first().document
    assert document["actions"][0]["authentication"]["api_key"]["key"] == SECRET_PLACEHOLDER
    assert document["actions"][1]["authentication"]["oauth"]["client_secret"] == SECRET_PLACEHOLDER
    assert action.has_client_secret


def test_update_keeps_secret_when_not_given_and_replaces_when_given(gpt, user):
    action = make_action(gpt, actor=user, auth_type="api_key", api_key_auth_type="bearer", api_key="old")
    action = services.action_update(
        action=action, actor=user, expected_version=1, privacy_policy_url="https://x.example.com/p"
    )
    assert Action.objects.get(pk=action.pk).api_key.reveal() == "old"
    action = services.action_update(action=action, actor=user, expected_version=2, api_key="new")
    assert Action.objects.get(pk=action.pk).api_key.reveal() == "new"
    assert action.version == 3
    # A secret change is recorded (who, when) without the secret itself.
    assert gpt.revisions.first().summary == "Changed action Weather"


def test_switching_auth_type_clears_the_old_secret(gpt, user):
    action = make_action(
        gpt, actor=user, auth_type="api_key", api_key_auth_type="custom", api_key_custom_header="X-Key", api_key="k"
    )
    action = services.action_update(action=action, actor=user, expected_version=1, auth_type="none")
    stored = Action.objects.get(pk=action.pk)
    assert not stored.has_api_key
    assert (stored.api_key_auth_type, stored.api_key_custom_header) == ("", "")


def test_stale_action_update_is_refused(action, user):
    services.action_update(action=action, actor=user, expected_version=1, name="Renamed")
    with pytest.raises(EditConflict) as excinfo:
        services.action_update(action=action, actor=user, expected_version=1, name="Lost")
    assert excinfo.value.current_version == 2
    assert Action.objects.get(pk=action.pk).name == "Renamed"


def test_update_without_changes_writes_nothing(action, user):
    services.action_update(action=action, actor=user, expected_version=1, name="Weather")
    assert Action.objects.get(pk=action.pk).version == 1
    assert action.gpt.revisions.count() == 2


def test_changing_the_schema_recomputes_the_domain(action, user):
    updated = services.action_update(
        action=action, actor=user, expected_version=1, schema_text=WEATHER_SCHEMA.replace("api.weather", "v2.weather")
    )
    assert updated.domain == "v2.weather.example.com"


def test_an_update_without_a_schema_keeps_the_domain_without_parsing_the_schema(action, user, monkeypatch):
    parsed = []
    monkeypatch.setattr(services, "domain_from_schema", lambda text: parsed.append(text) or "parsed.example")
    updated = services.action_update(action=action, actor=user, expected_version=1, name="Forecast")
    assert (updated.name, updated.domain, parsed) == ("Forecast", "api.weather.example.com", [])
    services.action_update(
        action=updated, actor=user, expected_version=2, schema_text=WEATHER_SCHEMA.replace("api.weather", "v2.weather")
    )
    assert len(parsed) == 1 and Action.objects.get(pk=action.pk).domain == "parsed.example"


def test_delete_records_a_revision(action, user):
    gpt = action.gpt
    services.action_delete(action=action, actor=user, expected_version=1)
    assert not Action.objects.exists()
    assert gpt.revisions.first().summary == "Removed action Weather"
    assert gpt.revisions.first().document["actions"] == []


def test_a_taken_action_slug_is_refused_on_the_slug_field(action, user):
    gpt = action.gpt
    message = "Another action of this GPT already uses the slug “weather”; choose another."
    with pytest.raises(ValidationError) as excinfo:
        make_action(gpt, actor=user, name="Second", slug="weather")
    assert excinfo.value.message_dict == {"slug": [message]}
    second = make_action(gpt, actor=user, name="Second", schema_text=WEATHER_SCHEMA.replace("api.weather", "b"))
    with pytest.raises(ValidationError) as excinfo:
        services.action_update(action=second, actor=user, expected_version=1, slug="weather")
    assert excinfo.value.message_dict == {"slug": [message]}
    assert Action.objects.get(pk=second.pk).slug == "second"


@pytest.mark.parametrize("slug", ["new", "validate", "format", "import"])
def test_action_slugs_that_are_page_paths_are_refused(action, user, slug):
    # /w/<ws>/g/<gpt>/actions/<slug>/ would open the page of that name instead.
    message = f"“{slug}” is reserved for a page of the studio; choose another slug."
    with pytest.raises(ValidationError) as excinfo:
        make_action(action.gpt, actor=user, name="Paths", slug=slug)
    assert excinfo.value.message_dict == {"slug": [message]}
    with pytest.raises(ValidationError) as excinfo:
        services.action_update(action=action, actor=user, expected_version=1, slug=slug)
    assert excinfo.value.message_dict == {"slug": [message]}
    assert list(Action.objects.values_list("slug", flat=True)) == ["weather"]


def test_an_invalid_action_slug_is_refused(gpt, user):
    with pytest.raises(ValidationError) as excinfo:
        make_action(gpt, actor=user, slug="-")
    assert "is not a valid slug" in excinfo.value.message_dict["slug"][0]


def test_action_update_without_an_int_version_is_a_programming_error(action, user):
    with pytest.raises(TypeError, match="expected_version must be the version"):
        services.action_update(action=action, actor=user, expected_version=None, name="Blind")
    assert Action.objects.get(pk=action.pk).name == "Weather"


def test_action_create_from_a_stale_gpt_version_is_refused(gpt, user):
    from gpts.services import gpt_update

    gpt_update(gpt=gpt, actor=user, expected_version=1, name="Changed meanwhile")
    with pytest.raises(EditConflict) as excinfo:
        make_action(gpt, actor=user, expected_gpt_version=1)
    assert (excinfo.value.expected_version, excinfo.value.current_version) == (1, 2)
    assert not Action.objects.exists()
    assert GPT.objects.get(pk=gpt.pk).version == 2
    make_action(gpt, actor=user, expected_gpt_version=2)
    assert GPT.objects.get(pk=gpt.pk).version == 3

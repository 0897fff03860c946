"""The admin loads every page and saves through the services (revisions, conflicts, secrets)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from actions.models import Action
from gpts.models import GPT, Job, KnowledgeFile, Membership, Revision, Workspace

SECRET = "sk-admin-secret-9876"


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("operator", "op@example.com", "operator-password")


@pytest.fixture
def admin_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def keyed_action(gpt, user):
    from tests.factories import make_action

    return make_action(gpt, actor=user, auth_type="api_key", api_key_auth_type="bearer", api_key=SECRET)


@pytest.mark.parametrize("model", [Workspace, Membership, GPT, KnowledgeFile, Revision, Job, Action])
def test_every_changelist_loads(admin_client, keyed_action, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_change_pages_load_and_never_show_secrets(admin_client, keyed_action):
    gpt = keyed_action.gpt
    for url in (
        reverse("admin:gpts_gpt_change", args=[gpt.pk]),
        reverse("admin:actions_action_change", args=[keyed_action.pk]),
        reverse("admin:gpts_workspace_change", args=[gpt.workspace.pk]),
        reverse("admin:gpts_revision_change", args=[gpt.revisions.first().pk]),
        reverse("admin:gpts_gpt_add"),
        reverse("admin:actions_action_add"),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode()
    assert (
        "API key: set"
        in admin_client.get(reverse("admin:actions_action_change", args=[keyed_action.pk])).content.decode()
    )


def gpt_form(gpt, **overrides):
    data = {
        "workspace": gpt.workspace_id,
        "name": gpt.name,
        "slug": gpt.slug,
        "description": gpt.description,
        "instructions": gpt.instructions,
        "web_search": "on",
        "canvas": "on",
        "image_generation": "on",
        "recommended_model": "",
        "visibility": gpt.visibility,
        "category": "",
        "use_conversation_data": "on",
        "expected_version": gpt.version,
        "conversation_starters-TOTAL_FORMS": "1",
        "conversation_starters-INITIAL_FORMS": "0",
        "conversation_starters-MIN_NUM_FORMS": "0",
        "conversation_starters-MAX_NUM_FORMS": "1000",
        "conversation_starters-0-position": "0",
        "conversation_starters-0-text": "Hello from admin",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
        "knowledge_files-TOTAL_FORMS": "0",
        "knowledge_files-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_save_goes_through_the_service_and_records_one_revision(admin_client, gpt, operator):
    gpt.conversation_starters.all().delete()
    url = reverse("admin:gpts_gpt_change", args=[gpt.pk])
    response = admin_client.post(url, gpt_form(gpt, name="Renamed by operator"))
    assert response.status_code == 302, response.content.decode()[:2000]
    gpt.refresh_from_db()
    assert (gpt.name, gpt.version) == ("Renamed by operator", 2)
    revision = gpt.revisions.first()
    assert revision.author == operator
    assert revision.document["conversation_starters"] == ["Hello from admin"]


def test_admin_stale_save_is_refused_with_a_message(admin_client, gpt, user):
    from gpts import services

    services.gpt_update(gpt=gpt, actor=user, expected_version=1, name="Changed meanwhile")
    url = reverse("admin:gpts_gpt_change", args=[gpt.pk])
    response = admin_client.post(url, gpt_form(gpt, name="Operator's stale edit", expected_version=1), follow=True)
    assert "changed by someone else" in response.content.decode()
    gpt.refresh_from_db()
    assert gpt.name == "Changed meanwhile"


def test_admin_add_gpt_creates_it_through_the_service(admin_client, workspace):
    response = admin_client.post(
        reverse("admin:gpts_gpt_add"),
        {
            **gpt_form(GPT(workspace=workspace, name="From admin", visibility="invite_only")),
            "slug": "",
            "expected_version": "",
        },
    )
    assert response.status_code == 302
    created = GPT.objects.get(name="From admin")
    assert created.slug == "from-admin"
    assert created.revisions.get().summary == "Created"


def action_form(action, **overrides):
    data = {
        "name": action.name,
        "schema_text": action.schema_text,
        "privacy_policy_url": action.privacy_policy_url,
        "auth_type": action.auth_type,
        "api_key_auth_type": action.api_key_auth_type,
        "api_key_custom_header": action.api_key_custom_header,
        "oauth_client_id": "",
        "oauth_authorization_url": "",
        "oauth_token_url": "",
        "oauth_scope": "",
        "oauth_token_exchange_method": "default_post",
        "expected_version": action.version,
        "new_api_key": "",
        "new_oauth_client_secret": "",
    }
    data.update(overrides)
    return data


def test_admin_keeps_the_secret_unless_replaced(admin_client, keyed_action):
    url = reverse("admin:actions_action_change", args=[keyed_action.pk])
    response = admin_client.post(url, action_form(keyed_action, privacy_policy_url="https://example.com/privacy"))
    assert response.status_code == 302
    stored = Action.objects.get(pk=keyed_action.pk)
    assert stored.api_key.reveal() == SECRET
    assert stored.privacy_policy_url == "https://example.com/privacy"

    response = admin_client.post(url, action_form(stored, new_api_key="sk-replaced"))
    assert response.status_code == 302
    assert Action.objects.get(pk=keyed_action.pk).api_key.reveal() == "sk-replaced"


def test_admin_invalid_action_shows_the_field_message_and_changes_nothing(admin_client, keyed_action):
    url = reverse("admin:actions_action_change", args=[keyed_action.pk])
    response = admin_client.post(url, action_form(keyed_action, api_key_auth_type=""), follow=True)
    assert "needs an auth type" in response.content.decode()
    assert Action.objects.get(pk=keyed_action.pk).version == 1


def test_revisions_are_read_only(admin_client, gpt):
    revision = gpt.revisions.first()
    response = admin_client.post(reverse("admin:gpts_revision_change", args=[revision.pk]), {"summary": "edited"})
    assert response.status_code == 403
    assert (
        admin_client.post(reverse("admin:gpts_revision_delete", args=[revision.pk]), {"post": "yes"}).status_code == 403
    )
    assert Revision.objects.get(pk=revision.pk).summary == "Created"


def test_admin_delete_uses_the_service(admin_client, gpt):
    response = admin_client.post(reverse("admin:gpts_gpt_delete", args=[gpt.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not GPT.objects.filter(pk=gpt.pk).exists()


def test_admin_workspace_add_makes_the_operator_owner(admin_client, operator):
    response = admin_client.post(
        reverse("admin:gpts_workspace_add"),
        {
            "name": "Ops Space",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    workspace = Workspace.objects.get(name="Ops Space")
    assert workspace.memberships.get().user == operator


def test_admin_error_reports_hide_typed_secrets(admin_client, keyed_action, monkeypatch):
    from actions.admin import ActionAdmin

    seen = {}
    original = ActionAdmin.save_model

    def spy(self, request, obj, form, change):
        seen["sensitive"] = getattr(request, "sensitive_post_parameters", ())
        return original(self, request, obj, form, change)

    monkeypatch.setattr(ActionAdmin, "save_model", spy)
    url = reverse("admin:actions_action_change", args=[keyed_action.pk])
    response = admin_client.post(url, action_form(keyed_action, new_api_key="sk-typed-in-form"))
    assert response.status_code == 302
    # Django's error reporter masks these POST fields in any report about this request.
    assert {"new_api_key", "new_oauth_client_secret"} <= set(seen["sensitive"])

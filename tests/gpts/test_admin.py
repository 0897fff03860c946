"""The admin loads every page and saves through the services (revisions, conflicts, secrets)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from actions.models import Action
from gpts.models import GPT, Invitation, Job, KnowledgeFile, Membership, Revision, Workspace
from gptstudio.models import APIToken

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


@pytest.mark.parametrize(
    "model", [Workspace, Membership, GPT, KnowledgeFile, Revision, Job, Action, Invitation, APIToken]
)
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


def form_errors(response):
    """The admin form's errors on a re-rendered change page, as {field or "__all__": [messages]}."""
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return {field: list(messages) for field, messages in form.errors.items()}


def test_admin_stale_save_shows_the_form_again_with_the_conflict(admin_client, gpt, user):
    from gpts import services

    services.gpt_update(gpt=gpt, actor=user, expected_version=1, name="Changed meanwhile")
    url = reverse("admin:gpts_gpt_change", args=[gpt.pk])
    response = admin_client.post(url, gpt_form(gpt, name="Operator's stale edit", expected_version=1))
    assert "changed by someone else" in form_errors(response)["__all__"][0]
    assert "Operator&#x27;s stale edit" in response.content.decode()  # what was typed is still there
    gpt.refresh_from_db()
    assert (gpt.name, gpt.version) == ("Changed meanwhile", 2)


def test_admin_gpt_service_error_lands_on_its_field_and_keeps_the_input(admin_client, gpt):
    url = reverse("admin:gpts_gpt_change", args=[gpt.pk])
    response = admin_client.post(url, gpt_form(gpt, slug="new", description="Typed by the operator"))
    assert form_errors(response) == {"slug": ["“new” is reserved for a page of the studio; choose another slug."]}
    assert "Typed by the operator" in response.content.decode()
    gpt.refresh_from_db()
    assert (gpt.slug, gpt.description, gpt.version) == ("weather-buddy", "", 1)


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
        "schema_text": action.schema_text if action.schema_id else "",
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


def test_admin_invalid_action_shows_the_form_again_with_the_field_error(admin_client, keyed_action):
    url = reverse("admin:actions_action_change", args=[keyed_action.pk])
    response = admin_client.post(url, action_form(keyed_action, name="Typed name", api_key_auth_type=""))
    errors = form_errors(response)
    assert list(errors) == ["api_key_auth_type"]
    assert "needs an auth type" in errors["api_key_auth_type"][0]
    assert 'value="Typed name"' in response.content.decode()
    stored = Action.objects.get(pk=keyed_action.pk)
    assert (stored.name, stored.version, stored.api_key_auth_type) == ("Weather", 1, "bearer")
    assert stored.gpt.revisions.count() == 2  # "Created" and "Added action": nothing new


def test_admin_invalid_action_add_shows_the_form_again(admin_client, gpt):
    data = {**action_form(Action(gpt=gpt, name="OAuth thing", auth_type="oauth")), "gpt": gpt.pk}
    del data["expected_version"]
    response = admin_client.post(reverse("admin:actions_action_add"), data)
    # The client ID may wait (reported by validation until entered, as after a rescue from ChatGPT).
    assert set(form_errors(response)) == {"oauth_authorization_url", "oauth_token_url"}
    assert not Action.objects.exists()


@pytest.mark.parametrize("version", [None, "", "abc", "0"])
@pytest.mark.parametrize("kind", ["gpt", "action"])
def test_admin_save_without_a_valid_version_is_a_form_error(admin_client, keyed_action, kind, version):
    from gpts.admin import MISSING_VERSION_MESSAGE

    edited, make_form = (keyed_action.gpt, gpt_form) if kind == "gpt" else (keyed_action, action_form)
    data = make_form(edited, name="Blind overwrite", expected_version=version)
    if version is None:
        del data["expected_version"]
    url = reverse(f"admin:{edited._meta.app_label}_{edited._meta.model_name}_change", args=[edited.pk])
    response = admin_client.post(url, data)
    assert form_errors(response)["__all__"] == [MISSING_VERSION_MESSAGE]
    assert MISSING_VERSION_MESSAGE.replace("'", "&#x27;") in response.content.decode()
    stored = type(edited).objects.get(pk=edited.pk)
    assert (stored.name, stored.version) == (edited.name, edited.version)


def test_admin_stale_action_save_is_a_form_error(admin_client, keyed_action, user):
    from actions.services import action_update

    action_update(action=keyed_action, actor=user, expected_version=1, name="Changed meanwhile")
    url = reverse("admin:actions_action_change", args=[keyed_action.pk])
    response = admin_client.post(url, action_form(keyed_action, name="Stale", expected_version=1))
    assert "changed by someone else" in form_errors(response)["__all__"][0]
    assert Action.objects.get(pk=keyed_action.pk).name == "Changed meanwhile"


def test_revisions_are_read_only(admin_client, gpt):
    revision = gpt.revisions.first()
    response = admin_client.post(reverse("admin:gpts_revision_change", args=[revision.pk]), {"summary": "edited"})
    assert response.status_code == 403
    assert (
        admin_client.post(reverse("admin:gpts_revision_delete", args=[revision.pk]), {"post": "yes"}).status_code == 403
    )
    assert Revision.objects.get(pk=revision.pk).summary == "Created"


def test_admin_delete_uses_the_service(admin_client, gpt, user, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gpts import services

    knowledge = services.knowledge_file_add(gpt=gpt, actor=user, upload=SimpleUploadedFile("a.txt", b"only here"))
    storage, stored = knowledge.file.storage, knowledge.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:gpts_gpt_delete", args=[gpt.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not GPT.objects.filter(pk=gpt.pk).exists()
    # Only the service removes the stored bytes (a plain model delete leaves them on disk).
    assert not storage.exists(stored)


def test_admin_adds_a_knowledge_file_through_the_service(admin_client, gpt, operator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin_client.post(
        reverse("admin:gpts_knowledgefile_add"),
        {"gpt": gpt.pk, "file": SimpleUploadedFile("handbook.txt", b"the handbook", content_type="text/plain")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    knowledge = KnowledgeFile.objects.get()
    assert (knowledge.name, knowledge.size, knowledge.media_type, knowledge.uploaded_by) == (
        "handbook.txt",
        12,
        "text/plain",
        operator,
    )
    assert knowledge.file.read() == b"the handbook"
    gpt.refresh_from_db()
    assert gpt.version == 2
    assert gpt.revisions.first().summary == "Added knowledge file handbook.txt"


def test_admin_knowledge_file_with_a_taken_name_is_a_form_error(admin_client, gpt, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gpts import services

    services.knowledge_file_add(gpt=gpt, actor=user, upload=SimpleUploadedFile("a.txt", b"first"))
    response = admin_client.post(
        reverse("admin:gpts_knowledgefile_add"), {"gpt": gpt.pk, "file": SimpleUploadedFile("a.txt", b"second")}
    )
    assert "already has a knowledge file named “a.txt”" in form_errors(response)["__all__"][0]
    assert KnowledgeFile.objects.count() == 1


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


def membership_form(workspace, rows, **overrides):
    data = {
        "name": workspace.name,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"memberships-{i}-{key}"] = value
        data[f"memberships-{i}-workspace"] = workspace.pk
    data.update(overrides)
    return data


def save_members(admin_client, workspace, rows):
    response = admin_client.post(
        reverse("admin:gpts_workspace_change", args=[workspace.pk]), membership_form(workspace, rows)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return dict(workspace.memberships.values_list("user__username", "role"))


def test_admin_membership_inline_adds_a_member_through_the_service(admin_client, workspace, user, other_user):
    rows = [
        {"id": workspace.memberships.get(user=user).pk, "user": user.pk, "role": "owner"},
        {"user": other_user.pk, "role": "editor"},
    ]
    assert save_members(admin_client, workspace, rows) == {user.username: "owner", other_user.username: "editor"}


def test_admin_membership_inline_changing_the_user_replaces_the_member(admin_client, workspace, user, other_user):
    from gpts import services
    from tests.factories import UserFactory

    services.membership_set(workspace=workspace, user=other_user, role="editor")
    newcomer = UserFactory()
    rows = [
        {"id": workspace.memberships.get(user=user).pk, "user": user.pk, "role": "owner"},
        {"id": workspace.memberships.get(user=other_user).pk, "user": newcomer.pk, "role": "viewer"},
    ]
    assert save_members(admin_client, workspace, rows) == {user.username: "owner", newcomer.username: "viewer"}


def test_admin_membership_inline_can_hand_the_last_owner_row_to_someone_else(admin_client, workspace, user, other_user):
    rows = [{"id": workspace.memberships.get(user=user).pk, "user": other_user.pk, "role": "owner"}]
    assert save_members(admin_client, workspace, rows) == {other_user.username: "owner"}


def test_admin_membership_inline_refusal_keeps_everything(admin_client, workspace, user):
    rows = [{"id": workspace.memberships.get(user=user).pk, "user": user.pk, "role": "viewer"}]
    response = admin_client.post(
        reverse("admin:gpts_workspace_change", args=[workspace.pk]), membership_form(workspace, rows, name="Renamed")
    )
    assert "at least one owner" in form_errors(response)["__all__"][0]
    workspace.refresh_from_db()
    assert workspace.name == "Acme"  # the rename in the same save was rolled back too
    assert workspace.memberships.get().role == "owner"


def admin_messages(response):
    from django.contrib.messages import get_messages

    return [str(message) for message in get_messages(response.wsgi_request)]


def test_admin_membership_delete_page_refuses_the_last_owner(admin_client, workspace, user, other_user):
    from gpts import services

    owner = workspace.memberships.get(user=user)
    url = reverse("admin:gpts_membership_delete", args=[owner.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302 and response["Location"] == url
    assert "at least one owner" in admin_messages(response)[0]
    assert workspace.memberships.get() == owner
    services.membership_set(workspace=workspace, user=other_user, role="owner")
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert list(workspace.memberships.values_list("user", flat=True)) == [other_user.pk]


def test_admin_membership_bulk_delete_goes_through_the_service_all_or_nothing(
    admin_client, workspace, user, other_user
):
    from django.contrib.admin.models import LogEntry

    from gpts import services

    services.membership_set(workspace=workspace, user=other_user, role="owner")
    changelist = reverse("admin:gpts_membership_changelist")
    every_owner = list(workspace.memberships.values_list("pk", flat=True))
    response = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": every_owner, "post": "yes"}
    )
    assert response.status_code == 302
    assert "at least one owner" in admin_messages(response)[-1]
    # The first owner's removal, allowed on its own, was rolled back with the refused second.
    assert workspace.memberships.count() == 2 and not LogEntry.objects.exists()
    one_owner = [workspace.memberships.get(user=other_user).pk]
    response = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": one_owner, "post": "yes"}
    )
    assert response.status_code == 302
    assert list(workspace.memberships.values_list("user", flat=True)) == [user.pk]


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


# --- Invitations and API tokens: read-only, with a revoke action ------------------------------


def test_invitation_admin_lists_and_revokes_open_invitations(admin_client, workspace, user, other_user):
    from gpts import services

    invitation, token = services.invitation_create(
        workspace=workspace, email="guest@example.com", role="editor", invited_by=user
    )
    accepted, _ = services.invitation_create(
        workspace=workspace, email=other_user.email, role="viewer", invited_by=user
    )
    Invitation.objects.filter(pk=accepted.pk).update(accepted_by=other_user, accepted_at=invitation.created_at)
    changelist = reverse("admin:gpts_invitation_changelist")
    page = admin_client.get(changelist, {"q": "guest"}).content.decode()
    assert "guest@example.com" in page and other_user.email not in page
    detail = admin_client.get(reverse("admin:gpts_invitation_change", args=[invitation.pk])).content.decode()
    assert invitation.token_hash not in detail and token not in detail
    assert "open" in detail

    response = admin_client.post(
        changelist, {"action": "revoke", "_selected_action": [invitation.pk, accepted.pk]}, follow=True
    )
    assert "Revoked 1 invitation. 1 already accepted, kept as a record." in response.content.decode()
    assert list(Invitation.objects.values_list("pk", flat=True)) == [accepted.pk]
    assert services.invitation_find(token=token) is None


def test_invitations_cannot_be_added_or_edited_in_the_admin(admin_client, workspace, user):
    from gpts import services

    invitation, _ = services.invitation_create(
        workspace=workspace, email="g@example.com", role="viewer", invited_by=user
    )
    assert admin_client.get(reverse("admin:gpts_invitation_add")).status_code == 403
    url = reverse("admin:gpts_invitation_change", args=[invitation.pk])
    assert admin_client.post(url, {"role": "owner"}).status_code == 403
    assert Invitation.objects.get().role == "viewer"


def test_token_admin_never_shows_the_digest_and_revokes_through_the_service(admin_client, user):
    from gptstudio import services as token_services
    from gptstudio.services import token_authenticate

    created = token_services.token_create(user=user, name="CI pipeline")
    other = token_services.token_create(user=user, name="Old laptop")
    token_services.token_revoke(token=other.token)
    first_revoked_at = APIToken.objects.get(pk=other.token.pk).revoked_at

    changelist = reverse("admin:gptstudio_apitoken_changelist")
    page = admin_client.get(changelist, {"status": "active"}).content.decode()
    assert "CI pipeline" in page and "Old laptop" not in page
    for url in (changelist, reverse("admin:gptstudio_apitoken_change", args=[created.token.pk])):
        body = admin_client.get(url).content.decode()
        assert created.token.digest not in body and created.plaintext not in body
    assert token_authenticate(created.plaintext) is not None

    response = admin_client.post(
        changelist, {"action": "revoke", "_selected_action": [created.token.pk, other.token.pk]}, follow=True
    )
    assert "Revoked 1 token. 1 already revoked, left as they were." in response.content.decode()
    assert token_authenticate(created.plaintext) is None
    assert APIToken.objects.get(pk=other.token.pk).revoked_at == first_revoked_at
    assert admin_client.get(reverse("admin:gptstudio_apitoken_add")).status_code == 403
    assert APIToken.objects.count() == 2  # revoked, not deleted


def test_staff_without_the_permission_cannot_revoke_tokens(client, user):
    from django.contrib.auth.models import Permission

    from gptstudio import services as token_services

    created = token_services.token_create(user=user, name="CI pipeline")
    staff = get_user_model().objects.create_user("viewer-op", "v@example.com", "pw", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_apitoken"))
    client.force_login(staff)
    changelist = reverse("admin:gptstudio_apitoken_changelist")
    assert client.get(changelist).status_code == 200
    client.post(changelist, {"action": "revoke", "_selected_action": [created.token.pk]})
    assert APIToken.objects.get(pk=created.token.pk).revoked_at is None


def test_an_admin_save_from_a_browser_changes_no_line_endings(admin_client, gpt, operator):
    """A browser sends a textarea's line breaks as CRLF; the stored text keeps its LF, and saving
    the form unchanged records no "Changed instructions"."""
    from gpts import services as gpt_services

    gpt = gpt_services.gpt_update(
        gpt=gpt, actor=operator, expected_version=gpt.version, instructions="Line one\nLine two\n\nLine four"
    )
    gpt.conversation_starters.all().delete()
    url = reverse("admin:gpts_gpt_change", args=[gpt.pk])
    browser = gpt_form(gpt, instructions=gpt.instructions.replace("\n", "\r\n"), name="Renamed")
    response = admin_client.post(url, browser)
    assert response.status_code == 302, response.content.decode()[:2000]
    gpt.refresh_from_db()
    assert gpt.instructions == "Line one\nLine two\n\nLine four"
    assert "instructions" not in gpt.revisions.first().summary.lower()


def test_admin_action_add_without_a_name_is_named_after_its_schema(admin_client, gpt):
    from tests.factories import WEATHER_SCHEMA

    data = {**action_form(Action(gpt=gpt, name="")), "schema_text": WEATHER_SCHEMA, "gpt": gpt.pk}
    del data["expected_version"]
    response = admin_client.post(reverse("admin:actions_action_add"), data)
    assert response.status_code == 302, form_errors(response)
    assert Action.objects.get().name == "Weather"  # info.title


def test_admin_keeps_a_gpt_name_over_chatgpts_limit_as_a_draft(admin_client, gpt):
    from gptstudio import limits

    long_name = "N" * (limits.GPT_NAME_MAX_LENGTH.value + 10)
    response = admin_client.post(reverse("admin:gpts_gpt_change", args=[gpt.pk]), gpt_form(gpt, name=long_name))
    assert response.status_code == 302, form_errors(response)
    assert GPT.objects.get(pk=gpt.pk).name == long_name


def test_admin_gpt_dropdown_names_each_gpts_workspace(admin_client, gpt, user):
    from tests.factories import make_gpt, make_workspace

    other = make_workspace(owner=user, name="Second team")
    make_gpt(other, actor=user, name=gpt.name)
    html = admin_client.get(reverse("admin:actions_action_add")).content.decode()
    assert f">{gpt.name} ({gpt.workspace.name})</option>" in html
    assert f">{gpt.name} (Second team)</option>" in html

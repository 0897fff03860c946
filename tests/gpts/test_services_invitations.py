"""Invitations, the personal workspace, reserved slugs and per-kind knowledge limits."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gpts import services
from gpts.models import Invitation, Membership
from gptstudio import limits
from tests.factories import UserFactory, make_gpt, verify_email


def test_invitation_stores_only_a_digest_of_its_token(workspace, user):
    invitation, token = services.invitation_create(
        workspace=workspace, email="a@example.com", role="viewer", invited_by=user
    )
    assert token not in invitation.token_hash
    assert invitation.token_hash == services.invitation_token_hash(token)
    assert services.invitation_find(token=token) == invitation
    assert services.invitation_find(token="guess") is None


def test_a_new_invitation_replaces_the_open_one_for_that_address(workspace, user):
    _, first_token = services.invitation_create(
        workspace=workspace, email="a@example.com", role="viewer", invited_by=user
    )
    second, _ = services.invitation_create(workspace=workspace, email="A@example.com", role="editor", invited_by=user)
    assert list(Invitation.objects.all()) == [second]
    assert services.invitation_find(token=first_token) is None


def test_expired_invitation_cannot_be_accepted(workspace, user):
    invitation, _ = services.invitation_create(
        workspace=workspace, email="late@example.com", role="editor", invited_by=user
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    late = UserFactory(email="late@example.com")
    verify_email(late)
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(invitation=invitation, user=late)
    assert workspace.memberships.count() == 1


def test_accepting_keeps_an_existing_members_role(workspace, user, other_user):
    services.membership_set(workspace=workspace, user=other_user, role="editor")
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=other_user.email,
        role="viewer",
        token_hash="x" * 64,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    verify_email(other_user)
    membership = services.invitation_accept(invitation=invitation, user=other_user)
    assert membership.role == "editor"
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == other_user


def _invite(workspace, user, email):
    invitation, _ = services.invitation_create(workspace=workspace, email=email, role="editor", invited_by=user)
    return invitation


def test_an_unverified_address_must_be_verified_before_accepting(workspace, user):
    from allauth.account.models import EmailAddress

    invitation = _invite(workspace, user, "new@example.com")
    newcomer = UserFactory(email="new@example.com")
    address = EmailAddress.objects.create(user=newcomer, email="new@example.com", verified=False, primary=True)
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_accept(invitation=invitation, user=newcomer)
    assert list(excinfo.value.message_dict) == ["invitation"]
    assert excinfo.value.message_dict["invitation"][0].startswith("Verify your address new@example.com first")
    assert not workspace.memberships.filter(user=newcomer).exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None

    address.verified = True
    address.save()
    assert services.invitation_accept(invitation=invitation, user=newcomer).role == "editor"


def test_the_account_email_without_a_verified_record_is_not_enough(workspace, user):
    # e.g. an account made by createsuperuser or in the admin: allauth never confirmed it.
    invitation = _invite(workspace, user, "ops@example.com")
    operator = UserFactory(email="OPS@example.com")
    with pytest.raises(ValidationError, match=r"Verify your address ops@example\.com first"):
        services.invitation_accept(invitation=invitation, user=operator)
    assert not workspace.memberships.filter(user=operator).exists()


def test_a_verified_secondary_address_accepts_case_insensitively(workspace, user):
    invitation = _invite(workspace, user, "Work@Example.com")
    person = UserFactory(email="home@example.com")
    verify_email(person, "work@example.com")
    assert services.invitation_accept(invitation=invitation, user=person).role == "editor"


def test_an_invitation_to_an_address_the_user_does_not_have_is_refused(workspace, user):
    invitation = _invite(workspace, user, "someone@example.com")
    stranger = UserFactory(email="stranger@example.com")
    verify_email(stranger)
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_accept(invitation=invitation, user=stranger)
    assert excinfo.value.message_dict == {
        "invitation": ["This invitation was sent to someone@example.com. Sign in with that address to accept it."]
    }


def test_personal_workspace_is_owned_by_the_new_user(db):
    newcomer = UserFactory(username="lin")
    workspace = services.personal_workspace_create(user=newcomer)
    assert workspace.name == "lin's workspace"
    assert Membership.objects.get(workspace=workspace).user == newcomer


@pytest.mark.parametrize("name", ["New", "Validate", "Import", "Format"])
def test_slugs_never_shadow_page_paths(workspace, user, name):
    assert make_gpt(workspace=workspace, actor=user, name=name).slug == f"{name.lower()}-2"


@pytest.mark.parametrize(
    ("name", "media_type", "limit"),
    [
        ("photo.png", "image/png", "GPT_KNOWLEDGE_IMAGE_MAX_BYTES"),
        (
            "sales.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "GPT_KNOWLEDGE_SPREADSHEET_MAX_BYTES",
        ),
        ("data.csv", "text/csv", "GPT_KNOWLEDGE_SPREADSHEET_MAX_BYTES"),
    ],
)
def test_images_and_spreadsheets_have_tighter_size_limits(gpt, user, monkeypatch, name, media_type, limit):
    monkeypatch.setattr(limits, limit, limits.Limit(4, "test", "confirmed", "bytes"))
    with pytest.raises(ValidationError, match="limit for"):
        services.knowledge_file_add(
            gpt=gpt, actor=user, upload=SimpleUploadedFile(name, b"12345", content_type=media_type)
        )
    assert not gpt.knowledge_files.exists()
    small = services.knowledge_file_add(
        gpt=gpt, actor=user, upload=SimpleUploadedFile(name, b"1234", content_type=media_type)
    )
    assert small.size == 4


def test_text_files_only_have_the_general_limit(gpt, user, monkeypatch):
    monkeypatch.setattr(limits, "GPT_KNOWLEDGE_IMAGE_MAX_BYTES", limits.Limit(1, "test", "confirmed", "bytes"))
    added = services.knowledge_file_add(gpt=gpt, actor=user, upload=SimpleUploadedFile("notes.txt", b"12345"))
    assert added.size == 5

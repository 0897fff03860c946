"""Members page, invitations by email with a role, accepting them, role changes."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from gpts import services
from gpts.models import Invitation, Membership
from tests.factories import UserFactory, verify_email


def members_url(workspace):
    return reverse("gpts:members", args=[workspace.slug])


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("editor", 200), ("viewer", 200), ("outsider", 404)])
def test_members_page_status_per_role(login_as, client, workspace, role, status):
    login_as(role)
    response = client.get(members_url(workspace))
    assert response.status_code == status
    if status == 200:
        assert ("Send invitation" in response.content.decode()) == (role == "owner")


@pytest.mark.parametrize("rows", [1, 10])
def test_members_page_query_count_is_constant(client, user, workspace, rows, django_assert_max_num_queries):
    for _ in range(rows):
        services.membership_set(workspace=workspace, user=UserFactory(), role="viewer")
        services.invitation_create(workspace=workspace, email=f"{rows}-{_}@example.com", role="editor", invited_by=user)
    client.force_login(user)
    with django_assert_max_num_queries(7):
        response = client.get(members_url(workspace))
    assert response.content.decode().count("Change role</button>") == rows + 1


def invite(client, workspace, email="new@example.com", role="editor"):
    return client.post(reverse("gpts:invitation_create", args=[workspace.slug]), {"email": email, "role": role})


def accept_link():
    return re.search(r"http://testserver(/invitations/[^/\s]+/)", mail.outbox[-1].body).group(1)


@pytest.mark.eager  # the invitation email is sent by a Celery task after commit
def test_owner_invites_by_email_and_the_invitee_accepts_with_that_role(
    client, user, workspace, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, workspace)
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new@example.com"]
    assert "as editor" in mail.outbox[-1].body
    invitation = Invitation.objects.get()
    assert len(invitation.token_hash) == 64 and invitation.token_hash not in mail.outbox[-1].body
    link = accept_link()

    invitee = UserFactory(email="New@Example.com")
    verify_email(invitee)
    client.force_login(invitee)
    assert "Join Acme" in client.get(link).content.decode()
    response = client.post(link)
    assert response["Location"] == reverse("gpts:dashboard", args=[workspace.slug])
    assert Membership.objects.get(workspace=workspace, user=invitee).role == "editor"
    assert client.post(link).status_code == 400  # used once only


@pytest.mark.eager
def test_anonymous_invitee_is_sent_to_sign_up_and_back(client, user, workspace, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, workspace)
    link = accept_link()
    client.logout()
    response = client.get(link)
    assert response["Location"].startswith(reverse("account_signup"))
    assert "next=" in response["Location"]


@pytest.mark.eager
@pytest.mark.parametrize(
    ("email", "verified", "problem"),
    [
        ("someone@else.example", True, "sent to new@example.com"),
        ("new@example.com", False, "Verify your address new@example.com first"),
    ],
)
def test_invitation_is_refused_unless_sent_to_a_verified_address_of_the_user(
    client, user, workspace, django_capture_on_commit_callbacks, email, verified, problem
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, workspace)
    link = accept_link()
    invitee = UserFactory(email=email)
    if verified:
        verify_email(invitee)
    client.force_login(invitee)
    response = client.post(link)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()


def test_unknown_invitation_link_is_404(client, user):
    client.force_login(user)
    assert client.get(reverse("gpts:invitation_accept", args=["nope"])).status_code == 404


def test_inviting_a_member_or_bad_address_is_refused_clearly(client, user, workspace):
    client.force_login(user)
    response = invite(client, workspace, email=user.email)
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    response = invite(client, workspace, email="not-an-address")
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_owners_manage_members(login_as, client, workspace, user, role):
    login_as(role)
    assert invite(client, workspace).status_code == 403
    url = reverse("gpts:membership_update", args=[workspace.slug, user.pk])
    assert client.post(url, {"role": "viewer"}).status_code == 403
    assert Membership.objects.get(workspace=workspace, user=user).role == "owner"


def test_owner_changes_roles_removes_members_and_revokes_invitations(client, user, other_user, workspace):
    services.membership_set(workspace=workspace, user=other_user, role="viewer")
    invitation, _ = services.invitation_create(
        workspace=workspace, email="x@example.com", role="viewer", invited_by=user
    )
    client.force_login(user)
    client.post(reverse("gpts:membership_update", args=[workspace.slug, other_user.pk]), {"role": "editor"})
    assert Membership.objects.get(workspace=workspace, user=other_user).role == "editor"
    client.post(reverse("gpts:invitation_revoke", args=[workspace.slug, invitation.pk]))
    assert not Invitation.objects.exists()
    client.post(reverse("gpts:membership_remove", args=[workspace.slug, other_user.pk]))
    assert not Membership.objects.filter(workspace=workspace, user=other_user).exists()


def test_last_owner_cannot_step_down(client, user, workspace):
    client.force_login(user)
    response = client.post(
        reverse("gpts:membership_update", args=[workspace.slug, user.pk]), {"role": "viewer"}, follow=True
    )
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.get(workspace=workspace, user=user).role == "owner"


def test_a_refused_last_owner_removal_stays_on_the_members_page_with_the_error(client, user, workspace):
    from tests.factories import make_workspace

    make_workspace(owner=user, name="Another team")  # Somewhere the old redirect could land instead.
    client.force_login(user)
    response = client.post(reverse("gpts:membership_remove", args=[workspace.slug, user.pk]))
    assert response.status_code == 302
    assert response.url == reverse("gpts:members", args=[workspace.slug])
    page = client.get(response.url).content.decode()
    assert "at least one owner" in page
    assert Membership.objects.filter(workspace=workspace, user=user, role="owner").exists()

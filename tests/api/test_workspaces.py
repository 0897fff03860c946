"""Workspace and member endpoints: listing, creating, renaming, deleting; owners manage members."""

import re
from unittest import mock
from urllib.parse import urlsplit

import pytest
from celery import current_app
from django.test import Client, TestCase

from gpts.models import Membership, Workspace
from gptstudio.mail import SEND_MAIL_TASK
from tests.factories import UserFactory, verify_email


def test_list_shows_only_my_workspaces_with_my_role(api, workspace, gpt, foreign_gpt):
    rows = api.get("/api/v1/workspaces/").json()["results"]
    assert [(w["slug"], w["role"], w["gpt_count"], w["member_count"]) for w in rows] == [("acme", "owner", 1, 1)]
    assert api.get(f"/api/v1/workspaces/{foreign_gpt.workspace.slug}/").status_code == 404


def test_member_and_gpt_counts_count_everyone(api, workspace, gpt, member_of):
    member_of("editor"), member_of("viewer")
    for row in (
        api.get("/api/v1/workspaces/").json()["results"][0],
        api.get(f"/api/v1/workspaces/{workspace.slug}/").json(),
    ):
        assert (row["member_count"], row["gpt_count"]) == (3, 1)


def test_create_makes_me_owner(api, user):
    response = api.post("/api/v1/workspaces/", {"name": "Research"}, format="json")
    assert response.status_code == 201
    assert (response.json()["slug"], response.json()["role"]) == ("research", "owner")
    assert Membership.objects.get(workspace__slug="research").user == user
    assert api.post("/api/v1/workspaces/", {"name": "R2", "slug": "research"}, format="json").status_code == 400


def test_rename_and_delete_by_owner(api, workspace):
    response = api.patch(f"/api/v1/workspaces/{workspace.slug}/", {"name": "Acme Inc"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Acme Inc"
    assert api.put(f"/api/v1/workspaces/{workspace.slug}/", {"name": " "}, format="json").status_code == 400
    assert api.delete(f"/api/v1/workspaces/{workspace.slug}/").status_code == 204
    assert not Workspace.objects.exists()


def _invite(api, workspace, identifier, role="editor"):
    """POST the member add, running its commit hooks (the invitation email is sent on commit)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.post(
            f"/api/v1/workspaces/{workspace.slug}/members/", {"username": identifier, "role": role}, format="json"
        )


def _accept_link(message) -> str:
    [link] = re.findall(r"https?://\S+/invitations/\S+/", message.body)
    return urlsplit(link).path


@pytest.mark.eager  # the invitation email is sent by a Celery task after commit
def test_adding_a_member_invites_them_and_they_join_only_by_accepting(api, workspace, user, mailoutbox):
    sam = UserFactory(username="sam")
    verify_email(sam)
    response = _invite(api, workspace, "sam")
    assert response.status_code == 202, response.json()
    assert not Membership.objects.filter(user=sam).exists()  # Nobody joins without accepting.
    [mail] = mailoutbox
    assert mail.to == [sam.email] and workspace.name in mail.body
    sams_browser = Client()
    sams_browser.force_login(sam)
    assert sams_browser.post(_accept_link(mail)).status_code == 302
    assert Membership.objects.get(user=sam).role == "editor"
    again = _invite(api, workspace, sam.email, role="viewer")
    assert again.status_code == 400 and "Already a member" in again.json()["errors"]["username"][0]
    url = f"/api/v1/workspaces/{workspace.slug}/members/{sam.pk}/"
    assert api.get(url).json()["role"] == "editor"
    assert api.patch(url, {"role": "owner"}, format="json").json()["role"] == "owner"
    assert api.put(url, {"role": "viewer"}, format="json").json()["role"] == "viewer"
    assert api.delete(url).status_code == 204
    assert not Membership.objects.filter(user=sam).exists()


@pytest.mark.eager  # the invitation email is sent by a Celery task after commit
def test_an_invitation_to_someone_else_cannot_be_accepted_by_another_account(api, workspace, mailoutbox):
    verify_email(UserFactory(username="sam"))
    _invite(api, workspace, "sam")
    intruder = UserFactory(username="intruder")
    verify_email(intruder)
    browser = Client()
    browser.force_login(intruder)
    browser.post(_accept_link(mailoutbox[0]))
    assert not Membership.objects.filter(user=intruder).exists()


@pytest.mark.eager  # the invitation email is sent by a Celery task after commit
def test_a_real_and_a_made_up_name_get_identical_answers(api, workspace, mailoutbox):
    """No enumeration: status, body shape and message are the same, only the echoed name differs."""
    verify_email(UserFactory(username="kim", email="Kim@Example.com"))
    UserFactory(username="unverified", email="u@example.com")
    answers = {
        name: _invite(api, workspace, name)
        for name in ("kim", "kim@example.com", "nobody", "no@body.example", "unverified")
    }
    shapes = {
        (r.status_code, tuple(r.json()), r.json()["message"].replace(name, "NAME"), r.json()["role"])
        for name, r in answers.items()
    }
    assert len(shapes) == 1, shapes
    assert next(iter(shapes))[0] == 202
    assert [m.to for m in mailoutbox] == [["Kim@Example.com"], ["kim@example.com"]]  # The second replaced the first.
    assert workspace.invitations.filter(accepted_at__isnull=True).count() == 1
    assert workspace.memberships.count() == 1
    assert _invite(api, workspace, "kim", role="boss").status_code == 400


@pytest.mark.eager  # the invitation email is sent by a Celery task after commit
def _invite_without_commit_hooks(api, workspace, identifier, capture):
    with capture(execute=False) as callbacks:
        response = api.post(
            f"/api/v1/workspaces/{workspace.slug}/members/", {"username": identifier, "role": "editor"}, format="json"
        )
    return response, callbacks


@pytest.mark.parametrize("identifier", ["kim", "nobody"])
def test_the_member_add_request_sends_no_mail_and_queues_it_after_commit(
    api, workspace, mailoutbox, django_capture_on_commit_callbacks, identifier
):
    """The answer takes no longer for a real user: the request path sends nothing, for anyone; the
    email to a real user is a Celery task queued once the invitation commits."""
    kim = UserFactory(username="kim", email="kim@example.com")
    verify_email(kim)
    mail_task = current_app.tasks[SEND_MAIL_TASK]
    with mock.patch.object(mail_task, "delay") as queued:
        capture = django_capture_on_commit_callbacks
        response, callbacks = _invite_without_commit_hooks(api, workspace, identifier, capture)
        assert response.status_code == 202
        assert mailoutbox == [] and not queued.called  # nothing sent or queued inside the request
        for callback in callbacks:
            callback()
    assert mailoutbox == []
    if identifier == "kim":
        queued.assert_called_once()
        assert queued.call_args.kwargs["recipients"] == ["kim@example.com"]
    else:
        assert not queued.called


@pytest.mark.eager
def test_the_invitation_email_arrives_when_the_mail_task_runs(
    api, workspace, mailoutbox, django_capture_on_commit_callbacks
):
    verify_email(UserFactory(username="kim", email="kim@example.com"))
    response, callbacks = _invite_without_commit_hooks(api, workspace, "kim", django_capture_on_commit_callbacks)
    assert response.status_code == 202 and mailoutbox == []
    for callback in callbacks:
        callback()  # eager Celery: the task runs here, in-process
    [message] = mailoutbox
    assert message.to == ["kim@example.com"] and workspace.name in message.body
    assert _accept_link(message).startswith("/invitations/")


@pytest.mark.eager  # the invitation email is sent by a Celery task after commit
def test_an_email_address_finds_only_the_person_who_verified_it(api, workspace, mailoutbox):
    alice = UserFactory(username="alice", email="alice@corp.example")
    verify_email(alice)
    # An account from before usernames refused "@", named like Alice's address.
    UserFactory(username="alice@corp.example", email="mallory@evil.example")
    assert _invite(api, workspace, "Alice@corp.example").status_code == 202
    assert [m.to for m in mailoutbox] == [["Alice@corp.example"]]
    assert workspace.memberships.count() == 1


def test_an_unverified_address_or_a_username_with_at_invites_nobody(api, workspace, mailoutbox):
    UserFactory(username="bob", email="bob@example.com")  # user.email, no verified EmailAddress
    UserFactory(username="carol@example.com", email="carol@example.org")
    for identifier in ("bob@example.com", "carol@example.com", "bob"):
        assert _invite(api, workspace, identifier, role="viewer").status_code == 202
    assert mailoutbox == [] and not workspace.invitations.exists()
    assert workspace.memberships.count() == 1


def test_the_last_owner_cannot_leave_or_be_demoted(api, workspace, user):
    url = f"/api/v1/workspaces/{workspace.slug}/members/{user.pk}/"
    response = api.patch(url, {"role": "viewer"}, format="json")
    assert response.status_code == 400 and "owner" in response.json()["errors"]["role"][0]
    assert api.delete(url).status_code == 400
    assert Membership.objects.get(user=user).role == "owner"


def test_members_of_foreign_workspaces_are_404(api, foreign_gpt, other_user):
    slug = foreign_gpt.workspace.slug
    assert api.get(f"/api/v1/workspaces/{slug}/members/").status_code == 404
    assert api.delete(f"/api/v1/workspaces/{slug}/members/{other_user.pk}/").status_code == 404
    assert api.get("/api/v1/workspaces/nope/members/").status_code == 404

"""Workspace and member endpoints: listing, creating, renaming, deleting; owners manage members."""

from gpts.models import Membership, Workspace
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


def test_members_lifecycle(api, workspace, user):
    sam = UserFactory(username="sam")
    verify_email(sam)
    response = api.post(
        f"/api/v1/workspaces/{workspace.slug}/members/", {"username": "sam", "role": "editor"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["username"], response.json()["role"]) == ("sam", "editor")
    again = api.post(
        f"/api/v1/workspaces/{workspace.slug}/members/", {"username": sam.email, "role": "viewer"}, format="json"
    )
    assert again.status_code == 400
    listed = api.get(f"/api/v1/workspaces/{workspace.slug}/members/").json()["results"]
    assert sorted((m["username"], m["role"]) for m in listed) == [("sam", "editor"), (user.username, "owner")]
    url = f"/api/v1/workspaces/{workspace.slug}/members/{sam.pk}/"
    assert api.get(url).json()["role"] == "editor"
    assert api.patch(url, {"role": "owner"}, format="json").json()["role"] == "owner"
    assert api.put(url, {"role": "viewer"}, format="json").json()["role"] == "viewer"
    assert api.delete(url).status_code == 204
    assert not Membership.objects.filter(user=sam).exists()


def test_members_by_email_and_unknown_people(api, workspace):
    verify_email(UserFactory(username="kim", email="Kim@Example.com"))
    url = f"/api/v1/workspaces/{workspace.slug}/members/"
    assert api.post(url, {"username": "kim@example.com", "role": "viewer"}, format="json").status_code == 201
    response = api.post(url, {"username": "nobody", "role": "viewer"}, format="json")
    assert response.status_code == 400 and "username" in response.json()["errors"]
    assert api.post(url, {"username": "kim", "role": "boss"}, format="json").status_code == 400


def test_an_email_address_finds_only_the_person_who_verified_it(api, workspace):
    alice = UserFactory(username="alice", email="alice@corp.example")
    verify_email(alice)
    # An account from before usernames refused "@", named like Alice's address.
    UserFactory(username="alice@corp.example", email="mallory@evil.example")
    url = f"/api/v1/workspaces/{workspace.slug}/members/"
    response = api.post(url, {"username": "Alice@corp.example", "role": "editor"}, format="json")
    assert response.status_code == 201 and response.json()["username"] == "alice"
    assert not Membership.objects.filter(user__username="alice@corp.example").exists()


def test_an_unverified_address_or_a_username_with_at_finds_nobody(api, workspace):
    UserFactory(username="bob", email="bob@example.com")  # user.email, no verified EmailAddress
    UserFactory(username="carol@example.com", email="carol@example.org")
    url = f"/api/v1/workspaces/{workspace.slug}/members/"
    for identifier in ("bob@example.com", "carol@example.com"):
        response = api.post(url, {"username": identifier, "role": "viewer"}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"]["username"] == ["No active user has verified this email address."]
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

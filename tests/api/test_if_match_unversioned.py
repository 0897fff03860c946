"""If-Match on a resource without versions (a workspace, a member, an API token): a tag can match
nothing there, so the condition is false and the change is refused with 412 (RFC 9110 13.1.1:
the server MUST NOT perform the method). Before, the header was ignored and the change made,
so a client guarding an edit with If-Match got a silent overwrite. `If-Match: *` still goes
ahead: the resource exists."""

import pytest

from gpts.models import Membership, Workspace
from gptstudio.services import token_create
from tests.factories import UserFactory


@pytest.fixture
def member(workspace):
    other = UserFactory()
    Membership.objects.create(workspace=workspace, user=other, role="viewer")
    return other


@pytest.mark.parametrize("if_match", ['"1"', 'W/"1"', "garbage"])
def test_a_tag_on_an_unversioned_workspace_member_or_token_is_412_and_changes_nothing(
    api, user, workspace, member, if_match
):
    token = token_create(user=user, name="CI").token
    members = f"/api/v1/workspaces/{workspace.slug}/members/{member.pk}/"
    changes = [
        ("patch", f"/api/v1/workspaces/{workspace.slug}/", {"name": "Renamed"}),
        ("patch", members, {"role": "editor"}),
        ("delete", members, None),
        ("delete", f"/api/v1/tokens/{token.pk}/", None),
    ]
    for method, url, body in changes:
        response = getattr(api, method)(url, body, format="json", HTTP_IF_MATCH=if_match)
        assert response.status_code == 412, (method, url, response.content)
        assert response.json()["code"] == "precondition_failed"
        assert "If-Match: *" in response.json()["message"]
    assert Workspace.objects.get(pk=workspace.pk).name == workspace.name
    assert Membership.objects.get(workspace=workspace, user=member).role == "viewer"
    token.refresh_from_db()
    assert token.revoked_at is None


def test_if_match_star_and_no_if_match_still_change_an_unversioned_resource(api, workspace, member):
    url = f"/api/v1/workspaces/{workspace.slug}/members/{member.pk}/"
    assert api.patch(url, {"role": "editor"}, format="json", HTTP_IF_MATCH="*").status_code == 200
    assert api.patch(url, {"role": "viewer"}, format="json").status_code == 200
    assert api.patch(f"/api/v1/workspaces/{workspace.slug}/", {"name": "New"}, format="json").status_code == 200


@pytest.mark.parametrize("method", ["TRACE", "POST"])
def test_a_method_the_route_does_not_take_is_405_whatever_if_match_says(api, workspace, member, method):
    url = f"/api/v1/workspaces/{workspace.slug}/members/{member.pk}/"
    assert api.generic(method, url, HTTP_IF_MATCH='"1"').status_code == 405

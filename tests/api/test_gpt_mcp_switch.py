"""`mcp_enabled` over the API: readable by every member, switched by owners only (no version
change, no revision), refused for editors without saving anything else of the same request."""

import pytest

from gpts import services
from gpts.models import GPT, Membership, Revision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_owner_switches_the_mcp_server_on_without_a_new_revision(api, gpt):
    revisions = Revision.objects.filter(gpt=gpt).count()
    response = api.patch(f"/api/v1/gpts/{gpt.pk}/", {"mcp_enabled": True, "version": gpt.version}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["mcp_enabled"] is True
    gpt.refresh_from_db()
    assert gpt.mcp_enabled is True
    assert Revision.objects.filter(gpt=gpt).count() == revisions
    assert api.get(f"/api/v1/gpts/{gpt.pk}/").json()["mcp_enabled"] is True


def test_an_editor_may_not_switch_it_and_nothing_of_the_request_is_saved(client_for, gpt):
    editor = UserFactory()
    services.membership_set(workspace=gpt.workspace, user=editor, role=Membership.Role.EDITOR)
    response = client_for(editor).patch(
        f"/api/v1/gpts/{gpt.pk}/", {"mcp_enabled": True, "name": "Renamed", "version": gpt.version}, format="json"
    )
    assert response.status_code == 403
    stored = GPT.objects.get(pk=gpt.pk)
    assert (stored.mcp_enabled, stored.name) == (False, gpt.name)


def test_an_editor_may_still_save_other_fields_when_sending_the_current_value(client_for, gpt):
    editor = UserFactory()
    services.membership_set(workspace=gpt.workspace, user=editor, role=Membership.Role.EDITOR)
    response = client_for(editor).patch(
        f"/api/v1/gpts/{gpt.pk}/", {"mcp_enabled": False, "name": "Renamed", "version": gpt.version}, format="json"
    )
    assert response.status_code == 200
    assert GPT.objects.get(pk=gpt.pk).name == "Renamed"


def test_create_with_the_switch_on(api, workspace):
    response = api.post(
        "/api/v1/gpts/", {"workspace": workspace.slug, "name": "Served", "mcp_enabled": True}, format="json"
    )
    assert response.status_code == 201, response.content
    assert GPT.objects.get(pk=response.json()["id"]).mcp_enabled is True

"""The GPT page's MCP server section: the endpoint URL, the tools and the operations left out
with their reason; the switch and the client registration are the owners'."""

import pytest

from gpts import services
from gpts.models import GPT, Membership
from tests.factories import UserFactory, make_action
from tests.gpts.test_mcp_endpoint import BROKEN_SCHEMA

pytestmark = pytest.mark.django_db

CALLBACK = "https://chatgpt.com/connector_platform_oauth_redirect"


def _page(gpt) -> str:
    return f"/w/{gpt.workspace.slug}/g/{gpt.slug}/"


def test_the_page_shows_the_endpoint_the_tools_and_what_is_left_out_and_why(hosted, client):
    gpt, owner = hosted
    make_action(gpt, actor=owner, name="Half", schema_text=BROKEN_SCHEMA)
    client.force_login(owner)
    html = client.get(_page(gpt)).content.decode()
    assert f"/mcp/{gpt.workspace.slug}/{gpt.slug}/" in html
    assert "<code>getNote</code> (read-only)" in html
    assert "<code>noParam</code> of Half" in html and "{id}" in html
    assert 'name="mcp_enabled"' in html


def test_an_owner_switches_it_off_from_the_page_and_an_editor_may_not(hosted, client):
    gpt, owner = hosted
    editor = UserFactory()
    services.membership_set(workspace=gpt.workspace, user=editor, role=Membership.Role.EDITOR)
    client.force_login(editor)
    assert 'name="mcp_enabled"' not in client.get(_page(gpt)).content.decode()
    assert client.post(f"{_page(gpt)}mcp/", {}).status_code == 403
    assert GPT.objects.get(pk=gpt.pk).mcp_enabled is True
    client.force_login(owner)
    assert client.post(f"{_page(gpt)}mcp/", {}).status_code == 302
    assert GPT.objects.get(pk=gpt.pk).mcp_enabled is False


def test_an_owner_registers_chatgpts_client_and_sees_its_id(hosted, client):
    gpt, owner = hosted
    client.force_login(owner)
    response = client.post(
        f"{_page(gpt)}mcp/clients/", {"mcp_client-name": "ChatGPT", "mcp_client-redirect_uri": CALLBACK}
    )
    assert response.status_code == 200
    from oauth2_provider.models import get_application_model

    application = get_application_model().objects.get(user=owner)
    assert application.redirect_uris == CALLBACK
    assert application.client_id in response.content.decode()
    refused = client.post(
        f"{_page(gpt)}mcp/clients/", {"mcp_client-name": "Bad", "mcp_client-redirect_uri": "not a url"}
    )
    assert refused.status_code == 400

"""The `mcp-server` target through the API and `export_gpt`: the same bytes as the service, no
secret (every API response here also passes the SecretGuardClient), and the new action flag."""

import io
import zipfile

from django.core.management import call_command

from gpts.exporters import gpt_export
from tests.api.conftest import API_KEY, CLIENT_SECRET
from tests.factories import make_rich_gpt


def service_bytes(gpt) -> bytes:
    buffer = io.BytesIO()
    gpt_export(gpt=gpt, target="mcp-server").write_to(buffer)
    return buffer.getvalue()


def test_a_viewer_downloads_the_mcp_server_zip(client_for, member_of, workspace, user):
    gpt = make_rich_gpt(workspace, user, api_key=API_KEY, client_secret=CLIENT_SECRET)
    response = client_for(member_of("viewer")).get(f"/api/v1/gpts/{gpt.pk}/export/?target=mcp-server")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="planner.mcp-server.zip"'
    assert response["ETag"] == f'W/"{gpt.version}-mcp-server-zip"'
    body = b"".join(response.streaming_content)
    assert body == service_bytes(gpt)
    assert "planner-mcp/server.py" in zipfile.ZipFile(io.BytesIO(body)).namelist()


def test_the_mcp_server_target_has_only_the_zip_format(api, gpt):
    response = api.get(f"/api/v1/gpts/{gpt.pk}/export/?target=mcp-server&format=json")
    assert response.status_code == 400
    assert "zip" in str(response.json()["errors"])


def test_export_gpt_writes_the_mcp_server_zip(workspace, user, tmp_path):
    gpt = make_rich_gpt(workspace, user, api_key=API_KEY, client_secret=CLIENT_SECRET)
    out = tmp_path / "planner.zip"
    call_command("export_gpt", "planner", "--workspace", workspace.slug, "--target", "mcp-server", "--out", str(out))
    assert out.read_bytes() == service_bytes(gpt)


def test_the_public_state_flag_is_read_and_written_through_the_api(api, gpt, user):
    from tests.factories import make_action

    action = make_action(gpt, actor=user)
    url = f"/api/v1/actions/{action.pk}/"
    assert api.get(url).json()["changes_public_state"] is True
    response = api.patch(
        url, {"changes_public_state": False}, content_type="application/json", HTTP_IF_MATCH=f'"{action.version}"'
    )
    assert response.status_code == 200, response.content
    assert response.json()["changes_public_state"] is False
    action.refresh_from_db()
    assert action.changes_public_state is False and action.version == 2

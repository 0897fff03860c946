"""The bridge targets and the migration report through every interface: the API (export with
`mcp_url`, `/migration/`), the `export_gpt` command (`--mcp-url`), the studio's Export menu and the
migration page."""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from actions.services import action_create
from gpts import services
from gpts.exporters import gpt_export
from tests.api.conftest import API_KEY, CLIENT_SECRET
from tests.factories import WEATHER_SCHEMA, UserFactory, make_rich_gpt

MCP_URL = "https://mcp.example.com/planner/mcp"


@pytest.fixture
def rich(workspace, user):
    return make_rich_gpt(workspace, user, api_key=API_KEY, client_secret=CLIENT_SECRET)


def export_url(gpt, query):
    return f"/api/v1/gpts/{gpt.pk}/export/?{query}"


def exported(gpt, target, **options) -> bytes:
    buffer = io.BytesIO()
    gpt_export(gpt=gpt, target=target, options=options).write_to(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("target", "filename"),
    [
        ("agent-skill", "planner.skill.zip"),
        ("agent-plugin", "planner.plugin.zip"),
        ("openai-tools", "planner.openai-tools.zip"),
    ],
)
def test_the_api_streams_each_bridge_target(api, rich, target, filename):
    response = api.get(export_url(rich, f"target={target}"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert b"".join(response.streaming_content) == exported(rich, target)


def test_the_api_passes_mcp_url_to_the_plugin_and_tags_it(api, rich):
    plain = api.get(export_url(rich, "target=agent-plugin"))
    with_url = api.get(export_url(rich, f"target=agent-plugin&mcp_url={MCP_URL}"))
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(with_url.streaming_content)))
    assert json.loads(bundle.read("mcp.json"))["mcpServers"]["planner"]["url"] == MCP_URL
    assert plain["ETag"] == f'W/"{rich.version}-agent-plugin-zip"'
    assert with_url["ETag"] != plain["ETag"] and with_url["ETag"].startswith(f'W/"{rich.version}-agent-plugin-zip-')
    # A target that does not read the option ignores it, tag included.
    assert api.get(export_url(rich, f"target=chatgpt&mcp_url={MCP_URL}"))["ETag"] == f'W/"{rich.version}-chatgpt-zip"'


@pytest.mark.parametrize("url", ["http://mcp.example.com/mcp", "https://u:p@mcp.example.com/", "https://x.example/#f"])
def test_the_api_refuses_a_bad_mcp_url_with_400(api, rich, url):
    response = api.get(export_url(rich, "target=agent-plugin"), {"mcp_url": url})
    assert response.status_code == 400
    assert "mcp_url" in response.json()["errors"]


def test_the_migration_endpoint_lists_what_carries_over_what_to_do_and_what_is_lost(client_for, rich, workspace):
    viewer = UserFactory()
    services.membership_set(workspace=workspace, user=viewer, role="viewer")
    response = client_for(viewer).get(f"/api/v1/gpts/{rich.pk}/migration/")
    assert response.status_code == 200
    report = response.json()
    assert set(report) == {"gpt", "target", "carries_over", "manual_steps", "lost", "findings", "stricter_readings"}
    topics = {item["topic"] for item in report["manual_steps"]}
    assert {"API key of “Calendar”", "OAuth of “Notes”", "Host the MCP server", "Model choice", "mcp.json"} <= topics
    assert "Conversations" in {item["topic"] for item in report["lost"]}
    assert "export.plugin.privacy_policy_several" in {f["code"] for f in report["findings"]}
    with_url = client_for(viewer).get(f"/api/v1/gpts/{rich.pk}/migration/", {"mcp_url": MCP_URL}).json()
    assert "mcp.json" not in {item["topic"] for item in with_url["manual_steps"]}
    bad = client_for(viewer).get(f"/api/v1/gpts/{rich.pk}/migration/", {"mcp_url": "ftp://x"})
    assert bad.status_code == 400


def test_the_migration_endpoint_is_404_outside_the_workspace(client_for, other_user, rich):
    assert client_for(other_user).get(f"/api/v1/gpts/{rich.pk}/migration/").status_code == 404


# --- The command -------------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("target", ["agent-skill", "agent-plugin", "openai-tools"])
def test_export_gpt_writes_each_bridge_target(rich, tmp_path, target):
    out = tmp_path / "out.zip"
    _, err = run("export_gpt", "planner", "--target", target, "--out", out, "--mcp-url", MCP_URL)
    assert out.read_bytes() == exported(rich, target, mcp_url=MCP_URL)
    if target == "agent-plugin":
        assert "export.plugin.privacy_policy_several" in err  # the export report, on stderr
        assert "mcp.json" in zipfile.ZipFile(out).namelist()


def test_export_gpt_refuses_a_bad_mcp_url_with_status_2(rich, tmp_path):
    out = tmp_path / "out.zip"
    with pytest.raises(CommandError) as excinfo:
        run("export_gpt", "planner", "--target", "agent-plugin", "--out", out, "--mcp-url", "http://example.com/")
    assert excinfo.value.returncode == 2 and not out.exists()


# --- The studio -------------------------------------------------------------------------------


def test_the_export_menu_links_the_bridge_targets_and_the_migration_page(client, rich, user):
    client.force_login(user)
    html = client.get(reverse("gpts:gpt_edit", args=[rich.workspace.slug, rich.slug])).content.decode()
    for target in ("agent-skill", "openai-tools", "agent-plugin"):
        assert reverse("gpts_export:export", args=[rich.workspace.slug, rich.slug, target]) in html
    assert reverse("gpts_export:migrate", args=[rich.workspace.slug, rich.slug]) in html
    assert 'name="mcp_url"' in html


def test_the_studio_download_passes_mcp_url_and_refuses_a_bad_one(client, rich, user):
    client.force_login(user)
    url = reverse("gpts_export:export", args=[rich.workspace.slug, rich.slug, "agent-plugin"])
    response = client.get(url, {"mcp_url": MCP_URL})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == exported(rich, "agent-plugin", mcp_url=MCP_URL)
    refused = client.get(url, {"mcp_url": "https://user:pw@mcp.example.com/"})
    assert refused.status_code == 400 and b"user name or password" in refused.content


def test_the_migration_page_shows_the_report_to_members_only(client, rich, workspace, other_user):
    url = reverse("gpts_export:migrate", args=[rich.workspace.slug, rich.slug])
    viewer = UserFactory()
    services.membership_set(workspace=workspace, user=viewer, role="viewer")
    client.force_login(viewer)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for section in ("carries-over", "manual-steps", "lost", "export-findings", "stricter-readings"):
        assert f'id="{section}"' in html
    assert "CALENDAR_API_KEY" in html and "Starters past 3" not in html
    for target in ("agent-skill", "agent-plugin", "openai-tools"):
        assert reverse("gpts_export:export", args=[rich.workspace.slug, rich.slug, target]) in html
    assert API_KEY not in html and CLIENT_SECRET not in html
    client.force_login(other_user)
    assert client.get(url).status_code == 404


def test_the_migration_page_and_api_query_counts_do_not_grow_with_actions(
    client, api, workspace, user, django_assert_max_num_queries
):
    client.force_login(user)
    small = services.gpt_create(workspace=workspace, actor=user, name="Small")
    large = services.gpt_create(workspace=workspace, actor=user, name="Large")
    action_create(
        gpt=small,
        actor=user,
        name="A0",
        schema_text=WEATHER_SCHEMA,
        auth_type="api_key",
        api_key_auth_type="bearer",
        api_key="k0",
    )
    for n in range(10):
        schema = WEATHER_SCHEMA.replace("api.weather.example.com", f"api{n}.example.com")
        action_create(
            gpt=large,
            actor=user,
            name=f"A{n}",
            schema_text=schema,
            auth_type="api_key",
            api_key_auth_type="bearer",
            api_key=f"k{n}",
        )
    for url in (
        lambda gpt: reverse("gpts_export:migrate", args=[workspace.slug, gpt.slug]),
        lambda gpt: f"/api/v1/gpts/{gpt.pk}/migration/",
    ):
        get = client.get if url(small).startswith("/w/") else api.get
        with django_assert_max_num_queries(20) as small_run:
            assert get(url(small)).status_code == 200
        with django_assert_max_num_queries(len(small_run.captured_queries)):
            assert get(url(large)).status_code == 200


def test_a_304_for_a_bridge_export_converts_nothing(api, rich, monkeypatch):
    url = export_url(rich, "target=openai-tools")
    tag = api.get(url)["ETag"]
    calls = []
    monkeypatch.setattr("gpts.exporters.tools.gpt_tools", lambda document: calls.append(1))
    assert api.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    assert calls == []


def test_switching_the_hosted_endpoint_on_changes_the_plugin_and_its_tag(api, rich):
    from gpts import services

    before = api.get(export_url(rich, "target=agent-plugin"))["ETag"]
    services.gpt_set_mcp_enabled(gpt=rich, actor=rich.created_by, enabled=True)
    after = api.get(export_url(rich, "target=agent-plugin"))
    assert after["ETag"] != before  # no new version, but other bytes: a cached copy must not be reused
    assert api.get(export_url(rich, "target=agent-plugin"), HTTP_IF_NONE_MATCH=before).status_code == 200
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(after.streaming_content)))
    assert json.loads(bundle.read("mcp.json"))["mcpServers"]["planner"]["url"].endswith(
        f"/mcp/{rich.workspace.slug}/{rich.slug}/"
    )

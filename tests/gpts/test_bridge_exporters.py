"""The bridge targets (agent-skill, agent-plugin, openai-tools): each zip checked against its
spec's rules (MIGRATION.md §1.2, §2.1, §4), deterministic, and free of secrets."""

import io
import json
import re
import zipfile
from pathlib import Path

import jsonschema_rs
import pytest
import yaml
from django.core.files.base import ContentFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.services import action_create
from gpts import services
from gpts.exporters import gpt_export
from gpts.exporters.agent_skill import SkillParts, knowledge_layout, skill_description, skill_name
from gpts.exporters.base import KnowledgeItem
from gpts.exporters.tools import env_prefix
from gpts.models import GPT
from tests.factories import make_gpt, make_rich_gpt
from tests.hypothesis_examples import scaled

API_KEY = "sk-live-bridge-9a8b7c-KNOWN-SECRET"
CLIENT_SECRET = "oauth-cs-bridge-1d2e3f-KNOWN-SECRET"
SCHEMAS = Path(__file__).parent.parent / "data" / "agent_plugins"
PLUGIN_VALIDATOR = jsonschema_rs.validator_for(json.loads((SCHEMAS / "plugin.schema.json").read_text()))
MCP_VALIDATOR = jsonschema_rs.validator_for(json.loads((SCHEMAS / "mcp.schema.json").read_text()))
SKILL_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # §2.1, ASCII; also the directory's plugin-name rule
SKILL_KEYS = {"name", "description", "license", "compatibility", "metadata", "allowed-tools"}
TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
BRIDGES = ("agent-skill", "agent-plugin", "openai-tools")
MCP_URL = "https://mcp.example.com/planner/mcp"


@pytest.fixture
def rich(workspace, user):
    gpt = make_rich_gpt(workspace, user, api_key=API_KEY, client_secret=CLIENT_SECRET)
    services.knowledge_file_add(gpt=gpt, actor=user, upload=ContentFile(b"# Team notes\n" * 50, name="notes.md"))
    services.knowledge_file_add(gpt=gpt, actor=user, upload=ContentFile(b"%PDF-1.7 fake", name="manual.pdf"))
    return GPT.objects.get(pk=gpt.pk)


def export_zip(gpt, target, **options) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    gpt_export(gpt=gpt, target=target, options=options).write_to(buffer)
    return zipfile.ZipFile(buffer)


def front_matter(text: str) -> tuple[dict, str, list[str]]:
    """(parsed front matter, body, the raw front matter lines) of a SKILL.md."""
    assert text.startswith("---\n")
    head, _, body = text[4:].partition("\n---\n")
    return yaml.safe_load(head), body, head.splitlines()


def check_skill(files: dict[str, bytes], folder: str) -> dict:
    """The Agent Skills rules (§2.1) on one skill folder; returns its front matter."""
    meta, body, raw = front_matter(files[f"{folder}/SKILL.md"].decode())
    name = folder.rsplit("/", 1)[-1]
    assert set(meta) <= SKILL_KEYS
    assert meta["name"] == name and SKILL_NAME.match(name) and len(name) <= 64
    assert 1 <= len(meta["description"]) <= 1024 and "Use when" in meta["description"]
    assert 1 <= len(meta["compatibility"]) <= 500
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in meta["metadata"].items())
    assert not any(line.strip() in ("---", "...") for line in raw)  # naive front-matter splitters agree
    for path in files:
        if path.startswith(f"{folder}/") and path.count("/") > folder.count("/") + 1:
            relative = path[len(folder) + 1 :]
            assert relative.split("/")[0] in ("references", "assets")
            assert f"]({relative})" in body  # every resource is linked from the body
    return meta


def test_agent_skill_is_one_folder_named_like_the_skill(rich):
    bundle = export_zip(rich, "agent-skill")
    files = {name: bundle.read(name) for name in bundle.namelist()}
    assert list(files) == [
        "planner/SKILL.md",
        "planner/assets/manual.pdf",
        "planner/references/notes.md",
        "planner/migration.md",
    ]
    meta = check_skill(files, "planner")
    assert meta["description"].startswith("Plans your week: weather, calendar and notes. Use when")
    assert "canvas" in meta["compatibility"] and "code interpreter" in meta["compatibility"]
    assert "web search" not in meta["compatibility"]
    _, body, _ = front_matter(files["planner/SKILL.md"].decode())
    assert rich.instructions.rstrip("\n") in body
    assert files["planner/references/notes.md"] == b"# Team notes\n" * 50
    assert files["planner/assets/manual.pdf"] == b"%PDF-1.7 fake"


@pytest.mark.parametrize(
    "description",
    [
        "Weather: \"quoted\" and 'single' words: key: value",
        "Line one\nLine two\n---\n...\nafter the markers",
        "---",
        "# not a comment, {not: a map}, [not a list], &anchor *alias !tag %directive @at `tick`",
        "Unicode: café — 😀 \u2028 separator",
    ],
)
def test_skill_front_matter_is_valid_yaml_whatever_the_description(workspace, user, description):
    gpt = make_gpt(workspace=workspace, actor=user, name="Tricky: Name", description=description)
    bundle = export_zip(gpt, "agent-skill")
    files = {name: bundle.read(name) for name in bundle.namelist()}
    meta = check_skill(files, "tricky-name")
    assert meta["description"].startswith(description + " Use when")


@settings(max_examples=scaled(500), suppress_health_check=list(HealthCheck), deadline=None)
@given(
    name=st.text(max_size=60),
    description=st.text(st.characters(blacklist_categories=["Cs"]), max_size=300),
)
def test_any_name_and_description_give_front_matter_that_reads_back_exactly(name, description):
    """Whatever the text (the profile in tests/conftest.py derandomizes it), the YAML holds it."""
    document = {"name": name, "description": description, "instructions": "", "conversation_starters": []}
    text, _ = skill_description(document)
    parts = SkillParts(skill_name(name), text, "Migrated.", [])
    meta, _, raw = front_matter(parts.skill_md(document))
    assert meta["name"] == parts.name and SKILL_NAME.match(meta["name"])
    assert meta["description"] == text and meta["metadata"]["gpt-name"] == name
    assert not any(line.strip() in ("---", "...") for line in raw)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("Weather Buddy",), "weather-buddy"),
        (("Café -- Über  Bot!!",), "cafe-uber-bot"),
        (("--Lead__and trail--",), "lead-and-trail"),
        (("日本語", "nihongo-gpt"), "nihongo-gpt"),
        (("日本語", "日本"), "custom-gpt"),
        (("x" * 70 + "-y",), "x" * 64),
        (("a" * 63 + "-bc",), "a" * 63),
    ],
)
def test_skill_names_follow_the_ascii_rules(names, expected):
    name = skill_name(*names)
    assert name == expected
    assert SKILL_NAME.match(name) and len(name) <= 64


def test_the_description_keeps_within_1024_and_says_when_to_use(workspace, user):
    document = {"name": "Long", "description": "d" * 2000, "conversation_starters": ["a" * 500]}
    text, findings = skill_description(document)
    assert len(text) == 1024 and "Use when" in text
    assert [f.code for f in findings] == ["export.skill.description_cut"]
    empty, none = skill_description({"name": "Empty", "description": "", "conversation_starters": []})
    assert empty.startswith("Migrated from the ChatGPT custom GPT “Empty”.") and "Use when" in empty and not none


def test_knowledge_names_are_made_safe_and_unique():
    def item(name, media_type="text/markdown"):
        return KnowledgeItem(name, 1, "0" * 64, media_type, lambda: io.BytesIO(b"x"))

    items = [
        item("../../etc/passwd.md"),
        item("passwd.md"),
        item("PASSWD.md"),
        item("résumé (final).md"),
        item(".hidden"),
        item("photo.png", "image/png"),
        item("data.bin", "application/octet-stream"),
    ]
    paths = [f.path for f in knowledge_layout(items)]
    assert paths == [
        "references/passwd.md",
        "references/passwd-2.md",
        "references/PASSWD-3.md",
        "references/resume-final.md",
        "references/hidden",
        "assets/photo.png",
        "assets/data.bin",
    ]
    assert len({p.lower() for p in paths}) == len(paths)
    assert all(re.fullmatch(r"(references|assets)/[A-Za-z0-9][A-Za-z0-9._-]*", p) for p in paths)


# --- agent-plugin -------------------------------------------------------------------------------


def test_agent_plugin_layout_and_manifest_match_the_spec(rich):
    bundle = export_zip(rich, "agent-plugin")
    names = bundle.namelist()
    assert names == [
        "plugin.json",
        "skills/planner/SKILL.md",
        "skills/planner/assets/manual.pdf",
        "skills/planner/references/notes.md",
        "migration.md",
    ]
    manifest = json.loads(bundle.read("plugin.json"))
    PLUGIN_VALIDATOR.validate(manifest)
    assert manifest["$schema"] == "https://agent-plugins.org/schemas/1.0.0/plugin.schema.json"
    assert SKILL_NAME.match(manifest["name"]) and manifest["name"] == "planner"
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"]) and manifest["version"] == f"1.0.{rich.version}"
    assert manifest["author"] == {"name": rich.workspace.name}
    interface = manifest["extensions"]["com.openai"]["interface"]
    assert interface["displayName"] == "Planner"
    assert interface["defaultPrompt"] == ["What's on today?", "Plan my week", "Yes"]
    assert interface["privacyPolicyURL"] == "https://api.weather.example.com/privacy"
    assert "brandColor" not in interface
    check_skill({n: bundle.read(n) for n in names}, "skills/planner")


def test_mcp_json_only_with_actions_and_an_mcp_url(rich, workspace, user):
    assert "mcp.json" not in export_zip(rich, "agent-plugin").namelist()
    bundle = export_zip(rich, "agent-plugin", mcp_url=MCP_URL)
    mcp = json.loads(bundle.read("mcp.json"))
    MCP_VALIDATOR.validate(mcp)
    assert mcp == {
        "$schema": "https://agent-plugins.org/schemas/1.0.0/mcp.schema.json",
        "mcpServers": {"planner": {"type": "streamable-http", "url": MCP_URL}},
    }
    plain = make_gpt(workspace=workspace, actor=user, name="No Actions")
    export = gpt_export(gpt=plain, target="agent-plugin", options={"mcp_url": MCP_URL})
    assert "export.plugin.mcp_url_unused" in [f.code for f in export.notices]
    assert "mcp.json" not in export_zip(plain, "agent-plugin", mcp_url=MCP_URL).namelist()


def test_migration_md_says_what_to_do_without_an_mcp_url(rich):
    report = export_zip(rich, "agent-plugin").read("migration.md").decode()
    assert "no MCP URL was given, so the plugin has no mcp.json" in report
    with_url = export_zip(rich, "agent-plugin", mcp_url=MCP_URL).read("migration.md").decode()
    assert "no MCP URL was given" not in with_url


@pytest.mark.parametrize(
    "url",
    [
        "http://mcp.example.com/mcp",
        "https://user:pw@mcp.example.com/mcp",
        "https://mcp.example.com/mcp#frag",
        "ftp://mcp.example.com/mcp",
        "/relative/mcp",
        "https://" + "a" * 1100 + ".com/",
    ],
)
def test_an_mcp_url_a_plugin_may_not_name_is_refused_with_a_finding(rich, url):
    export = gpt_export(gpt=rich, target="agent-plugin", options={"mcp_url": url})
    assert "export.plugin.mcp_url_invalid" in [f.code for f in export.notices]
    assert "mcp.json" not in export_zip(rich, "agent-plugin", mcp_url=url).namelist()


def test_loopback_http_is_a_valid_mcp_url(rich):
    mcp = json.loads(export_zip(rich, "agent-plugin", mcp_url="http://127.0.0.1:8000/mcp").read("mcp.json"))
    MCP_VALIDATOR.validate(mcp)


def test_directory_limits_are_findings_and_nothing_is_cut_silently(workspace, user):
    starters = ["First", "Second\nwith a break", "@helper do it", "Fourth", "Fifth", "x" * 200]
    gpt = make_gpt(
        workspace=workspace,
        actor=user,
        name="A Display Name Longer Than Thirty Characters",
        description="A description that is far longer than the thirty characters the directory allows.",
        conversation_starters=starters,
        category="Lifestyle",
    )
    action_create(gpt=gpt, actor=user, name="Weather", schema_text=_schema("https://api.example.com"))
    gpt.refresh_from_db()
    export = gpt_export(gpt=gpt, target="agent-plugin")
    codes = [f.code for f in export.notices]
    for code in (
        "export.plugin.display_name_too_long",
        "export.plugin.short_description_too_long",
        "export.plugin.category_missing",
        "export.plugin.privacy_policy_missing",
        "export.plugin.starter_mention",
        "export.plugin.starter_cut",
        "export.plugin.starters_dropped",
    ):
        assert code in codes
    bundle = export_zip(gpt, "agent-plugin")
    interface = json.loads(bundle.read("plugin.json"))["extensions"]["com.openai"]["interface"]
    assert interface["displayName"] == gpt.name  # reported, not cut
    assert interface["shortDescription"] == gpt.description
    assert interface["defaultPrompt"] == ["First", "Second with a break", "@helper do it"]
    assert all(len(p) <= 128 and "\n" not in p for p in interface["defaultPrompt"])
    report = bundle.read("migration.md").decode()
    assert "export.plugin.display_name_too_long" in report and "“Fourth”; “Fifth”" in report


# --- openai-tools -------------------------------------------------------------------------------


def _schema(server: str, paths: dict | None = None, components: dict | None = None) -> str:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "servers": [{"url": server}],
        "paths": paths
        or {"/ping": {"get": {"operationId": "ping", "summary": "Ping", "responses": {"200": {"description": "OK"}}}}},
    }
    if components:
        document["components"] = components
    return json.dumps(document)


PETS = {
    "/pets/{id}": {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "put": {
            "operationId": "pets.update v2",
            "summary": "Update a pet",
            "parameters": [
                {"name": "id", "in": "query", "schema": {"type": "integer"}},
                {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                {"name": "body", "in": "query", "schema": {"type": "string"}},
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
            },
            "responses": {"200": {"description": "OK"}},
        },
    },
    "/tree": {
        "post": {
            "operationId": "ping",
            "summary": "A recursive body",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}},
            "responses": {"200": {"description": "OK"}},
        }
    },
}
PET_COMPONENTS = {
    "schemas": {
        "Pet": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "string", "readOnly": True},
                "name": {"type": "string"},
                "tag": {"type": "string", "nullable": True},
                "age": {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
            },
            "additionalProperties": False,
        },
        "Node": {
            "type": "object",
            "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
        },
    }
}


@pytest.fixture
def pets(workspace, user):
    gpt = make_gpt(workspace=workspace, actor=user, name="Pets")
    action_create(gpt=gpt, actor=user, name="Ping", schema_text=_schema("https://ping.example.com"))
    action_create(
        gpt=gpt,
        actor=user,
        name="Pets API",
        schema_text=_schema("https://pets.example.com/v1", PETS, PET_COMPONENTS),
        auth_type="api_key",
        api_key_auth_type="bearer",
        api_key=API_KEY,
    )
    gpt.refresh_from_db()
    return gpt


def tools_of(gpt) -> tuple[list, dict]:
    bundle = export_zip(gpt, "openai-tools")
    assert bundle.namelist() == ["tools.json", "dispatch.json", "migration.md"]
    return json.loads(bundle.read("tools.json")), json.loads(bundle.read("dispatch.json"))


def strict_violations(schema, depth=1) -> list[str]:
    """The strict subset (§4), checked independently of the exporter."""
    problems = []
    if depth > 10:
        return ["deeper than 10 levels"]
    if not isinstance(schema, dict):
        return ["not a schema object"]
    kinds = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
    if "object" in kinds:
        if schema.get("additionalProperties") is not False:
            problems.append("an object without additionalProperties: false")
        if sorted(schema.get("required", [])) != sorted(schema.get("properties", {})):
            problems.append("an object whose properties are not all required")
        for sub in schema.get("properties", {}).values():
            problems += strict_violations(sub, depth + 1)
    if "items" in schema:
        problems += strict_violations(schema["items"], depth + 1)
    for branch in schema.get("anyOf", []):
        problems += strict_violations(branch, depth)
    if {"allOf", "oneOf", "not", "$ref"} & set(schema):
        problems.append("a keyword outside the subset")
    if "null" in kinds and isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        problems.append("a nullable enum that refuses null")
    return problems


def check_tools(tools: list, dispatch: dict) -> None:
    names = [t["name"] for t in tools]
    assert len(names) == len(set(names)) and all(TOOL_NAME.match(n) for n in names)
    assert list(dispatch["tools"]) == names
    for tool in tools:
        assert set(tool) == {"type", "name", "description", "parameters", "strict"} and tool["type"] == "function"
        jsonschema_rs.validator_for(tool["parameters"])  # a JSON Schema that compiles
        assert tool["parameters"]["type"] == "object"
        assert "$ref" not in json.dumps(tool["parameters"])
        if tool["strict"]:
            assert strict_violations(tool["parameters"]) == [], tool["name"]


def test_one_function_tool_per_operation_with_unique_names(pets):
    tools, dispatch = tools_of(pets)
    check_tools(tools, dispatch)
    assert [t["name"] for t in tools] == ["ping", "pets_update_v2", "ping_2"]
    update = dispatch["tools"]["pets_update_v2"]
    assert update["method"] == "PUT" and update["path"] == "/pets/{id}"
    assert update["server_url"] == "https://pets.example.com/v1"
    assert update["arguments"] == {
        "id": {"in": "path", "name": "id", "required": True},
        "id__query": {"in": "query", "name": "id", "required": False},
        "body__query": {"in": "query", "name": "body", "required": False},
        "X-Trace": {"in": "header", "name": "X-Trace", "required": False},
    }
    assert update["body"] == {"argument": "body", "content_type": "application/json", "required": True}
    assert update["auth"] == {"type": "api_key", "scheme": "bearer"}
    assert update["consequential"] is True
    assert dispatch["actions"]["Pets API"]["env"] == {"base_url": "PETS_API_BASE_URL", "api_key": "PETS_API_API_KEY"}


def test_body_schemas_are_inlined_nullable_unions_without_read_only(pets):
    tools, _ = tools_of(pets)
    update = next(t for t in tools if t["name"] == "pets_update_v2")
    body = update["parameters"]["properties"]["body"]
    assert "id" not in body["properties"]  # readOnly: the server sets it
    assert body["properties"]["tag"]["type"] == ["string", "null"]
    assert body["properties"]["age"] == {"type": ["integer", "null"], "exclusiveMinimum": 0}  # 3.0 → 2020-12
    assert update["strict"] is True and update["parameters"]["required"] == [
        "id",
        "id__query",
        "body__query",
        "X-Trace",
        "body",
    ]
    assert update["parameters"]["properties"]["id__query"]["type"] == ["integer", "null"]


def test_a_recursive_schema_is_cut_with_a_finding_and_is_not_strict(pets):
    export = gpt_export(gpt=pets, target="openai-tools")
    codes = [f.code for f in export.notices]
    assert "export.tools.recursive_schema" in codes and "export.tools.cookie_parameter" in codes
    renamed = next(f.message for f in export.notices if f.code == "export.tools.name_changed")
    assert renamed.startswith("2 operation(s) of “Pets API” have another tool name")
    assert "“pets.update v2” → “pets_update_v2”; “ping” → “ping_2”" in renamed
    tools, _ = tools_of(pets)
    tree = next(t for t in tools if t["name"] == "ping_2")
    assert tree["strict"] is False  # an open object (no additionalProperties: false) is not in the subset
    children = tree["parameters"]["properties"]["body"]["properties"]["children"]
    assert children["items"]["description"].startswith("(recursive")


def test_strict_only_when_the_schema_fits(workspace, user):
    paths = {
        "/a": {
            "post": {
                "operationId": "loose",
                "requestBody": {
                    "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}
                },
                "responses": {"200": {"description": "OK"}},
            }
        },
        "/b": {
            "get": {
                "operationId": "lengthy",
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "minLength": 2}}],
                "responses": {"200": {"description": "OK"}},
            }
        },
        "/c": {
            "get": {
                "operationId": "plain",
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string", "format": "int64", "enum": ["a", "b"]}}
                ],
                "responses": {"200": {"description": "OK"}},
            }
        },
    }
    gpt = make_gpt(workspace=workspace, actor=user, name="Strictness")
    action_create(gpt=gpt, actor=user, name="S", schema_text=_schema("https://s.example.com", paths))
    gpt.refresh_from_db()
    tools, dispatch = tools_of(gpt)
    check_tools(tools, dispatch)
    assert {t["name"]: t["strict"] for t in tools} == {"loose": False, "lengthy": False, "plain": True}
    plain = next(t for t in tools if t["name"] == "plain")["parameters"]["properties"]["q"]
    assert plain == {"type": ["string", "null"], "enum": ["a", "b", None]}  # optional: null means absent
    assert dispatch["tools"]["plain"]["null_means_absent"] is True
    assert dispatch["tools"]["loose"]["null_means_absent"] is False


# --- every bridge target --------------------------------------------------------------------------


@pytest.mark.parametrize("target", BRIDGES)
def test_same_gpt_gives_byte_identical_zips(rich, target):
    def raw():
        buffer = io.BytesIO()
        gpt_export(gpt=rich, target=target, options={"mcp_url": MCP_URL}).write_to(buffer)
        return buffer.getvalue()

    first = raw()
    assert first == raw()
    for info in zipfile.ZipFile(io.BytesIO(first)).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0) and info.external_attr >> 16 == 0o100644


@pytest.mark.parametrize("target", BRIDGES)
def test_no_secret_in_any_byte_of_any_output(rich, pets, target):
    for gpt in (rich, pets):
        buffer = io.BytesIO()
        gpt_export(gpt=gpt, target=target, options={"mcp_url": MCP_URL}).write_to(buffer)
        bundle = zipfile.ZipFile(buffer)
        blobs = [buffer.getvalue(), *(bundle.read(name) for name in bundle.namelist())]
        for blob in blobs:
            for secret in (API_KEY, CLIENT_SECRET):
                assert secret.encode() not in blob


@pytest.mark.parametrize("target", BRIDGES)
def test_every_bridge_export_carries_the_migration_report(rich, target):
    bundle = export_zip(rich, target)
    name = next(n for n in bundle.namelist() if n.endswith("migration.md"))
    report = bundle.read(name).decode()
    for heading in ("## What carries over", "## Manual steps", "## What is lost", "## Stricter readings"):
        assert heading in report
    assert "Model choice" in report  # the rich GPT recommends a model
    if target != "agent-skill":
        assert ("CALENDAR_API_KEY" in report) == (target == "openai-tools")
    assert ("**Run the tool calls**" in report) == (target == "openai-tools")
    assert ("**Host the MCP server**" in report) == (target != "openai-tools")
    assert ("OAuth proxy" in report) == (target != "openai-tools")  # Notes uses OAuth


@pytest.mark.parametrize(("gpt_name", "folder"), [("Yes", "yes"), ("Null", "null"), ("0", "0"), ("1e3", "1e3")])
def test_skill_names_yaml_would_read_as_other_types_stay_strings(workspace, user, gpt_name, folder):
    bundle = export_zip(make_gpt(workspace=workspace, actor=user, name=gpt_name), "agent-skill")
    assert check_skill({n: bundle.read(n) for n in bundle.namelist()}, folder)["name"] == folder


def test_bridge_exports_never_refuse_and_their_report_lists_chatgpts_errors(workspace, user):
    broken = make_gpt(workspace=workspace, actor=user, name="Too Long", instructions="x" * 9000)
    for target in BRIDGES:
        bundle = export_zip(broken, target)
        report = bundle.read(next(n for n in bundle.namelist() if n.endswith("migration.md"))).decode()
        assert "gpt.instructions.too_long" in report, target


@pytest.mark.parametrize(("slug", "prefix"), [("weather-api", "WEATHER_API_"), ("3d-prints", "ACTION_3D_PRINTS_")])
def test_environment_variable_prefixes_are_valid_shell_names(slug, prefix):
    assert env_prefix(slug) == prefix and re.fullmatch(r"[A-Z_][A-Z0-9_]*", env_prefix(slug))


def test_a_gpt_served_by_gpt_studio_names_its_hosted_endpoint_unless_a_url_is_given(rich, settings):
    services.gpt_set_mcp_enabled(gpt=rich, actor=rich.created_by, enabled=True)
    rich = GPT.objects.get(pk=rich.pk)
    hosted = f"http://127.0.0.1:8000/mcp/{rich.workspace.slug}/{rich.slug}/"
    settings.SITE_DOMAIN = "127.0.0.1:8000"
    mcp = json.loads(export_zip(rich, "agent-plugin").read("mcp.json"))
    MCP_VALIDATOR.validate(mcp)
    assert mcp["mcpServers"]["planner"]["url"] == hosted  # loopback: plain http is allowed
    settings.SITE_DOMAIN = "studio.example.com"
    served = json.loads(export_zip(rich, "agent-plugin").read("mcp.json"))["mcpServers"]["planner"]["url"]
    assert served == f"https://studio.example.com/mcp/{rich.workspace.slug}/{rich.slug}/"
    given = json.loads(export_zip(rich, "agent-plugin", mcp_url=MCP_URL).read("mcp.json"))
    assert given["mcpServers"]["planner"]["url"] == MCP_URL

"""The OpenAPI schema is valid, documented, committed, and served with its UIs (no CDN)."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
REFRESH = "python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml  (or: make schema)"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return out.read_text()


def test_the_committed_schema_is_current(generated):
    assert generated == SNAPSHOT.read_text(), f"The API schema changed. If intended, refresh the snapshot: {REFRESH}"


def test_every_operation_has_a_summary_and_error_responses(generated):
    schema = yaml.safe_load(generated)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), f"{where} has no summary"
            codes = set(operation["responses"])
            assert any(code.startswith("2") for code in codes), where
            assert {"401", "403", "404", "429"} <= codes, f"{where} lacks error responses"
            for code, response in operation["responses"].items():
                if code >= "400":
                    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            if method in ("post", "put", "patch") and "requestBody" in operation:
                assert {"400", "413", "415"} <= codes, where


def test_every_request_body_refuses_unknown_keys(generated):
    """Every write serializer is a WriteSerializer (400 for a key it does not declare), which the
    schema says as `additionalProperties: false`, nested objects included; so schemathesis sends
    no extra keys in its positive cases, and a serializer that forgot the base fails here."""
    schema = yaml.safe_load(generated)
    components = schema["components"]["schemas"]

    def objects(node):
        if "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[1]]
        if node.get("type") == "object" or "properties" in node:
            yield node
            for child in node.get("properties", {}).values():
                yield from objects(child)
        for child in node.get("allOf", []) + node.get("oneOf", []):
            yield from objects(child)

    checked = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                for node in objects(content["schema"]):
                    assert node.get("additionalProperties") is False, f"{method.upper()} {path}: {node}"
                    checked += 1
    assert checked >= 20  # Not vacuous: every write operation was looked at.


def test_main_operations_have_examples(generated):
    schema = yaml.safe_load(generated)
    for path, method in [
        ("/api/v1/gpts/", "post"),
        ("/api/v1/gpts/{id}/", "patch"),
        ("/api/v1/actions/", "post"),
        ("/api/v1/validate/schema/", "post"),
        ("/api/v1/tokens/", "post"),
    ]:
        assert schema["paths"][path][method]["requestBody"]["content"]["application/json"].get("examples"), path


def test_export_and_import_document_their_files_and_refusals(generated):
    paths = yaml.safe_load(generated)["paths"]
    export = paths["/api/v1/gpts/{id}/export/"]["get"]
    content = export["responses"]["200"]["content"]
    assert content["application/zip"]["schema"] == {"type": "string", "format": "binary"}
    for media_type in ("application/yaml", "application/json"):
        assert content[media_type]["schema"] == {"$ref": "#/components/schemas/GPTDocument"}
    assert {"ETag", "Content-Disposition"} <= set(export["responses"]["200"]["headers"])
    assert {"400", "409"} <= set(export["responses"])
    assert export["responses"]["409"]["content"]["application/json"]["examples"]
    query = {p["name"]: p for p in export["parameters"] if p["in"] == "query"}
    assert query["target"]["required"] and set(query["target"]["schema"]["enum"]) == {
        "chatgpt",
        "document",
        "agent-skill",
        "agent-plugin",
        "openai-tools",
        "mcp-server",
    }
    assert query["mcp_url"]["schema"]["type"] == "string"
    assert set(query["format"]["schema"]["enum"]) == {"zip", "yaml", "json"}
    assert query["force"]["schema"]["type"] == "boolean"

    upload = paths["/api/v1/workspaces/{slug}/import/"]["post"]
    assert set(upload["requestBody"]["content"]) == {"multipart/form-data"}
    for code in ("200", "201"):
        assert upload["responses"][code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ImportResult"
        }
    one_of = yaml.safe_load(generated)["components"]["schemas"]["ImportResult"]["oneOf"]
    assert one_of == [
        {"$ref": "#/components/schemas/GPTImportResult"},
        {"$ref": "#/components/schemas/ChatGPTImportResult"},
    ]
    assert {"400", "409", "412", "413", "428"} <= set(upload["responses"])
    assert upload["responses"]["400"]["content"]["application/json"]["examples"]


def test_the_document_component_accepts_what_the_published_schema_accepts():
    """Every document the JSON Schema accepts also matches the API docs' GPTDocument (a subset
    of it: OpenAPI 3.0 cannot say the conditionals), so a client validating with either agrees."""
    import jsonschema

    from gpts.document_schema import build_document_schema, build_openapi_document_schema

    component = build_openapi_document_schema()
    allowed = {"type", "properties", "required", "additionalProperties", "items", "enum", "description", "title"}
    allowed |= {"maxLength", "minLength", "maxItems", "pattern", "minimum", "maximum"}

    def keywords(node):
        if isinstance(node, list):
            for item in node:
                yield from keywords(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "properties":
                    yield from keywords(list(value.values()))
                else:
                    yield key
                    yield from keywords(value)

    assert set(keywords(component)) <= allowed
    assert "if" in set(keywords(build_document_schema()))  # the published one has more to say
    published = build_document_schema()
    document = {
        "format": "gptstudio/gpt@1",
        "name": "N",
        "description": "",
        "instructions": "",
        "conversation_starters": [],
        "capabilities": {"web_search": True, "canvas": False, "image_generation": False, "code_interpreter": False},
        "recommended_model": "",
        "visibility": "invite_only",
        "category": "",
        "use_conversation_data": True,
        "knowledge": [],
        "actions": [
            {
                "name": "A",
                "privacy_policy_url": "",
                "authentication": {"type": "api_key", "api_key": {"auth_type": "custom", "custom_header": "X-Key"}},
                "schema": "{}",
            }
        ],
    }
    jsonschema.validate(document, published)
    jsonschema.Draft4Validator(component).validate(document)
    wrong = document | {"visibility": "everyone"}
    assert not jsonschema.Draft4Validator(component).is_valid(wrong)


def test_schema_and_docs_are_served_without_a_cdn(anon):
    schema = anon.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    for url in ("/api/docs/", "/api/redoc/"):
        page = anon.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        assert "cdn." not in html and "unpkg" not in html


def test_the_docs_pages_have_no_inline_script_style_or_web_font(anon, settings):
    """What the site's CSP refuses (tests/browser/test_api_docs.py renders both pages in Chromium)."""
    import re

    for url in ("/api/docs/", "/api/redoc/"):
        page = anon.get(url)
        html = page.content.decode()
        assert "<style" not in html and " style=" not in html and "googleapis" not in html, url
        scripts = re.findall(r"<script([^>]*)>", html)
        assert scripts and all('src="' in attributes for attributes in scripts), url
        init = anon.get(f"{url}?script")
        assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
        assert "/api/schema/" in init.content.decode()
    swagger, redoc = anon.get("/api/docs/"), anon.get("/api/redoc/")
    assert "style-src 'self';" in swagger["Content-Security-Policy"]  # The site's policy, unrelaxed.
    # Redoc's one relaxation: styles with this response's nonce (and two bundle styles by hash).
    nonce = re.search(r"'nonce-([^']+)'", redoc["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in redoc.content.decode()
    assert "script-src 'self';" in redoc["Content-Security-Policy"]


def test_the_ui_assets_are_static_files_of_the_project():
    from django.contrib.staticfiles import finders

    for asset in ("swagger-ui-dist/swagger-ui-bundle.js", "redoc/bundles/redoc.standalone.js"):
        assert finders.find(f"drf_spectacular_sidecar/{asset}"), asset


def test_changes_of_unversioned_workspaces_members_and_tokens_document_their_412(generated):
    # They refuse an If-Match naming a version (tests/api/test_if_match_unversioned.py).
    changes = [
        ("post", "/api/v1/tokens/"),
        ("delete", "/api/v1/tokens/{id}/"),
        ("post", "/api/v1/workspaces/"),
        ("put", "/api/v1/workspaces/{slug}/"),
        ("patch", "/api/v1/workspaces/{slug}/"),
        ("delete", "/api/v1/workspaces/{slug}/"),
        ("post", "/api/v1/workspaces/{workspace_slug}/members/"),
        ("put", "/api/v1/workspaces/{workspace_slug}/members/{user_id}/"),
        ("patch", "/api/v1/workspaces/{workspace_slug}/members/{user_id}/"),
        ("delete", "/api/v1/workspaces/{workspace_slug}/members/{user_id}/"),
    ]
    paths = yaml.safe_load(generated)["paths"]
    for method, path in changes:
        response = paths[path][method]["responses"]["412"]
        assert "no versions" in response["description"], (method, path)
    assert "412" not in paths["/api/v1/workspaces/{slug}/"]["get"]["responses"]

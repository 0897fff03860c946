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


def test_schema_and_docs_are_served_without_a_cdn(anon):
    schema = anon.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    for url in ("/api/docs/", "/api/redoc/"):
        page = anon.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        assert "cdn." not in html and "unpkg" not in html


def test_the_ui_assets_are_static_files_of_the_project():
    from django.contrib.staticfiles import finders

    for asset in ("swagger-ui-dist/swagger-ui-bundle.js", "redoc/bundles/redoc.standalone.js"):
        assert finders.find(f"drf_spectacular_sidecar/{asset}"), asset

"""Structural validation against the vendored official OpenAPI meta-schemas."""

import json

from actions.schema import validate_schema_text
from actions.schema.structure import MAX_STRUCTURE_FINDINGS, METASCHEMA_DIR, structure_findings
from gptstudio.findings import Severity

from .helpers import schema_data, schema_text


def test_vendored_metaschemas_are_the_official_ones():
    ids = {
        name: json.loads((METASCHEMA_DIR / name).read_text()).get("$id")
        or json.loads((METASCHEMA_DIR / name).read_text())["id"]
        for name in ("oas-3.0.json", "oas-3.1.json")
    }
    assert ids == {
        "oas-3.0.json": "https://spec.openapis.org/oas/3.0/schema/2021-09-28",
        "oas-3.1.json": "https://spec.openapis.org/oas/3.1/schema/2022-10-07",
    }


def test_errors_are_warnings_at_the_offending_pointer_with_a_line():
    text = schema_text(lambda d: d["paths"]["/current"]["get"]["responses"].__setitem__("200", {"content": {}}))
    report = validate_schema_text(text)
    [finding] = [f for f in report.findings if f.code == "openapi.structure"]
    assert finding.severity == Severity.WARNING
    assert finding.pointer == "/paths/~1current/get/responses/200"
    assert "description" in finding.message
    assert text.splitlines()[finding.line - 1].strip().startswith('"200"')


def test_each_version_uses_its_own_metaschema():
    # `jsonSchemaDialect` exists in 3.1 only.
    with_dialect = lambda d: d.__setitem__("jsonSchemaDialect", "https://spec.openapis.org/oas/3.1/dialect/base")  # noqa: E731
    assert not structure_findings(schema_data(with_dialect), "3.1")
    in_30 = schema_data(lambda d: (with_dialect(d), d.__setitem__("openapi", "3.0.3")))
    assert any("jsonSchemaDialect" in f.message for f in structure_findings(in_30, "3.0"))


def test_structural_findings_are_capped():
    def many_bad_paths(data):
        for i in range(MAX_STRUCTURE_FINDINGS + 50):
            data["paths"][f"/bad{i}"] = {"get": {"operationId": f"bad{i}", "responses": {"200": {}}}}

    findings = structure_findings(schema_data(many_bad_paths), "3.1")
    assert len(findings) == MAX_STRUCTURE_FINDINGS + 1
    assert findings[-1].code == "openapi.structure.truncated"
    assert findings[-1].severity == Severity.INFO
    assert "50 more" in findings[-1].message


def test_swagger_2_is_not_validated_as_openapi_3():
    report = validate_schema_text('{"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {}}')
    assert "openapi.swagger2" in {f.code for f in report.findings}
    assert "openapi.structure" not in {f.code for f in report.findings}
    assert report.openapi_version == "2.0"

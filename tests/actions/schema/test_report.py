"""The schema report as the API, UI and export use it."""

import json

from django.core.cache import cache

from actions.schema import Operation, SchemaReport, validate_schema_text
from actions.schema import report as report_module
from actions.schema_reports import validate_schema_text_cached

from .helpers import schema_text


def test_cached_report_equals_the_fresh_one_and_is_reused(monkeypatch):
    cache.clear()
    text = schema_text()
    first = validate_schema_text_cached(text)
    monkeypatch.setattr(report_module, "validate_schema_text", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    second = validate_schema_text_cached(text)
    assert second.as_dict() == first.as_dict() == validate_schema_text(text).as_dict()


def test_report_as_dict_is_json_with_operations_and_limits():
    report = validate_schema_text(schema_text())
    assert isinstance(report, SchemaReport)
    assert all(isinstance(op, Operation) for op in report.operations)
    data = json.loads(json.dumps(report.as_dict()))
    assert data["valid"] is True
    assert data["counts"] == {"error": 0, "warning": 0, "info": 0}
    assert data["limits"]["size_bytes"]["max"] == 1_000_000
    assert data["operations"][1] == {
        "method": "post",
        "path": "/alerts",
        "operation_id": "createAlert",
        "summary": "Create an alert",
        "consequential": True,
        "consequential_explicit": False,
    }


def test_findings_are_sorted_errors_first_then_by_line():
    text = schema_text(
        lambda d: (
            d["paths"]["/current"]["get"]["parameters"][0].__setitem__("in", "header"),
            d.__setitem__("servers", [{"url": "http://api.example.com"}]),
        )
    )
    findings = validate_schema_text(text).findings
    assert [f.severity for f in findings] == sorted(
        (f.severity for f in findings), key=["error", "warning", "info"].index
    )
    assert findings[0].code == "action.server.not_https"


def test_large_text_validation_restores_the_garbage_collector():
    import gc

    assert gc.isenabled()
    validate_schema_text(schema_text(lambda d: d["info"].__setitem__("description", "x" * 300_000)))
    assert gc.isenabled()

"""`manage.py validate_schema PATH [--format json]`: output and exit status."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.actions.schema.helpers import run_validate_schema as run
from tests.actions.schema.helpers import schema_text

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def schema_file(tmp_path):
    def write(text, name="openapi.json"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def test_valid_schema_exits_0_with_a_summary(schema_file):
    code, out, _ = run(schema_file(schema_text()))
    assert code == 0
    assert "OpenAPI 3.1.0 (json), domain api.weather.example.com" in out
    assert "0 error(s)" in out


def test_errors_exit_1_and_are_printed_at_their_line(schema_file):
    path = schema_file(schema_text(lambda d: d.__setitem__("servers", [{"url": "http://api.example.com"}])))
    code, out, _ = run(path)
    assert code == 1
    line = next(line for line in out.splitlines() if "action.server.not_https" in line)
    assert line.startswith(f"{path}:9:7: error")  # the "url" key of servers[0]
    assert "ChatGPT says:" in out


def test_warnings_alone_exit_0(schema_file):
    text = schema_text(lambda d: d["paths"]["/current"]["get"]["parameters"][0].__setitem__("in", "header"))
    code, out, _ = run(schema_file(text))
    assert code == 0 and "action.parameter.header" in out


def test_json_format_has_the_documented_keys(schema_file):
    code, out, _ = run(
        schema_file("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n", "a.yaml"), "--format", "json"
    )
    report = json.loads(out)
    assert code == 1
    assert {"valid", "openapi_version", "domain", "operations", "findings"} <= set(report)
    assert report["valid"] is False and report["openapi_version"] == "3.1.0"
    assert {f["code"] for f in report["findings"]} >= {"action.server.missing"}
    assert all(
        {"severity", "code", "message", "pointer", "line", "column", "hint"} <= set(f) for f in report["findings"]
    )


def test_unreadable_file_exits_2(tmp_path):
    code, _, err = run(str(tmp_path / "missing.yaml"))
    assert code == 2 and "cannot read" in err


def test_non_utf8_file_exits_2(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    code, _, err = run(str(path))
    assert code == 2 and "not UTF-8" in err


def test_oversized_file_is_refused_without_reading_it_all(schema_file):
    code, out, _ = run(schema_file(schema_text()), "--max-bytes", "100", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert [f["code"] for f in report["findings"]] == ["schema.too_large"]


def test_bad_usage_exits_2_as_a_process():
    result = subprocess.run(
        [sys.executable, "manage.py", "validate_schema"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "the following arguments are required: path" in result.stderr


def test_reads_standard_input_as_a_process():
    result = subprocess.run(
        [sys.executable, "manage.py", "validate_schema", "-", "--format", "json"],
        cwd=ROOT,
        input=schema_text(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["domain"] == "api.weather.example.com"

"""`python -m actions.schema`: the engine without Django, with the same output as `manage.py validate_schema`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.actions.schema.helpers import run_validate_schema, schema_text
from tests.corpus import corpus_bytes

ROOT = Path(__file__).resolve().parents[3]
FRAMEWORK_PACKAGES = ("django", "rest_framework", "gptstudio", "gpts", "celery")

# Files of the shared corpus with each exit status, JSON and YAML, the 3 KB petstore among them.
CORPUS_CASES = [
    ("gpt_actions", "cookbook_jira.yaml", 0),  # a warning only
    ("gpt_actions", "ruvnet_ms-graph.json", 0),
    ("gpt_actions", "cookbook_box.json", 0),
    ("gpt_actions", "anilmatcha_greeting_localhost.json", 1),
    ("gpt_actions", "cookbook_redshift.yaml", 1),
    ("large", "oai_v3.0_petstore.yaml", 1),
    ("large", "oai_v3.1_webhook-example.yaml", 1),
]


def engine_cli(*args, stdin=None):
    """`python -m actions.schema ARGS` as a process: (exit status, stdout, stderr)."""
    result = subprocess.run(
        [sys.executable, "-m", "actions.schema", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},  # no DJANGO_SETTINGS_MODULE, no SCHEMA_MAX_BYTES
    )
    return result.returncode, result.stdout, result.stderr


def loaded_modules_after(code: str) -> set[str]:
    """The top-level packages loaded by a fresh interpreter that runs `code`."""
    script = f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, env={"PATH": "/usr/bin"}
    )
    return set(result.stdout.split())


def test_importing_the_engine_loads_no_django_module():
    loaded = loaded_modules_after("import actions.schema")
    assert not loaded & set(FRAMEWORK_PACKAGES)


def test_validating_and_the_cli_load_no_django_module(tmp_path):
    path = tmp_path / "openapi.yaml"
    path.write_bytes(corpus_bytes("large", "oai_v3.0_petstore.yaml"))
    loaded = loaded_modules_after(
        "import actions.schema as engine\n"
        "from actions.schema import cli, domain, findings, limits, parsing, pointers, report, rules, structure\n"
        f"engine.validate_schema_text(open({str(path)!r}).read())\n"
        "import contextlib, io\n"
        f"with contextlib.redirect_stdout(io.StringIO()): cli.main([{str(path)!r}])\n"
    )
    assert "actions" in loaded and "yaml" in loaded and "jsonschema_rs" in loaded  # the code did run
    assert not loaded & set(FRAMEWORK_PACKAGES)


def test_a_json_schema_is_validated_without_loading_the_yaml_reader(tmp_path):
    path = tmp_path / "openapi.json"
    path.write_text(schema_text(), encoding="utf-8")
    loaded = loaded_modules_after(
        f"import actions.schema as engine\nassert engine.validate_schema_text(open({str(path)!r}).read()).valid\n"
    )
    assert "yaml" not in loaded
    assert "jsonschema_rs" in loaded  # the structure was still checked


@pytest.mark.parametrize(("group", "name", "status"), CORPUS_CASES)
@pytest.mark.parametrize("output_format", ["text", "json"])
def test_the_cli_prints_what_manage_py_prints(tmp_path, group, name, status, output_format):
    path = tmp_path / name
    path.write_bytes(corpus_bytes(group, name))
    engine = engine_cli(str(path), "--format", output_format)
    django = run_validate_schema(str(path), "--format", output_format)
    assert engine == django
    assert engine[0] == status
    if output_format == "json":
        assert json.loads(engine[1])["valid"] is (status == 0)
    else:
        assert engine[1].splitlines()[-1].startswith("OpenAPI ")


def test_the_cli_reads_standard_input():
    code, out, _ = engine_cli("-", "--format", "json", stdin=schema_text())
    assert code == 0
    report = json.loads(out)
    assert report["path"] == "-" and report["domain"] == "api.weather.example.com"


def test_the_cli_exits_2_for_a_missing_file_as_manage_py_does(tmp_path):
    missing = str(tmp_path / "missing.yaml")
    engine, django = engine_cli(missing), run_validate_schema(missing)
    assert engine[0] == django[0] == 2
    assert engine[2].strip() == django[2].strip()
    assert "cannot read" in engine[2]


def test_the_cli_exits_2_for_text_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    code, out, err = engine_cli(str(path))
    assert code == 2 and out == "" and "not UTF-8" in err


def test_the_cli_exits_2_on_bad_usage():
    code, _, err = engine_cli("--format", "xml", "openapi.yaml")
    assert code == 2 and "invalid choice: 'xml'" in err
    code, _, err = engine_cli()
    assert code == 2 and "the following arguments are required: path" in err


def test_the_cli_caps_input_from_the_option_and_the_environment(tmp_path):
    path = tmp_path / "openapi.json"
    path.write_text(schema_text(), encoding="utf-8")
    code, out, _ = engine_cli(str(path), "--max-bytes", "100", "--format", "json")
    assert code == 1 and [f["code"] for f in json.loads(out)["findings"]] == ["schema.too_large"]
    result = subprocess.run(
        [sys.executable, "-m", "actions.schema", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin", "SCHEMA_MAX_BYTES": "100"},
    )
    assert result.returncode == 1 and "[schema.too_large]" in result.stdout


def test_manage_py_follows_the_schema_max_bytes_setting(settings, tmp_path):
    path = tmp_path / "openapi.json"
    path.write_text(schema_text(), encoding="utf-8")
    settings.SCHEMA_MAX_BYTES = 100
    code, out, _ = run_validate_schema(str(path), "--format", "json")
    assert code == 1 and [f["code"] for f in json.loads(out)["findings"]] == ["schema.too_large"]

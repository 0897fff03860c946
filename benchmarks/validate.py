"""Schema validation speed: bare parse vs openapi-spec-validator vs GPT Studio's full validation.

Runs in one process, on the same files: (a) the bare parse (`json.loads` and `orjson.loads` for
JSON, PyYAML's CSafeLoader for YAML), (b) openapi-spec-validator alone (its `validate()` on the
parsed document), (c) GPT Studio's full validation (`validate_schema_text`: parse, safety checks,
GPT action rules, structural validation, line numbers). Prints medians and ratios as JSON lines, for
the largest corpus spec and for the typical action schemas (every file of the gpt_actions corpus).

Then it times `manage.py validate_schema` as a whole process on GitHub's 13 MB spec and Stripe's
JSON spec, to compare with the whole-process figures of other tools (issue 3: openapi-spec-validator
about 24 s and 5 s, Redocly CLI about 5.0 s and 1.3 s on this machine type).

Usage: python benchmarks/validate.py [--corpus DIR] [--runs N] [--osv-runs N] [--skip-process]
The corpus defaults to ../shared/corpus next to the repository, else tests/data/corpus (whose large
files are gzip-compressed; they are decompressed to a temporary folder first).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gptstudio.settings.local")

import django  # noqa: E402

django.setup()

import orjson  # noqa: E402
import yaml  # noqa: E402
from openapi_spec_validator import validate as osv_validate  # noqa: E402
from openapi_spec_validator.schemas.backend import get_validator_backend  # noqa: E402

from actions.schema import validate_schema_text  # noqa: E402
from actions.schema.parsing import parse_schema, scan_document  # noqa: E402
from actions.schema.report import GC_PAUSE_MIN_BYTES, _collector_paused  # noqa: E402
from actions.schema.rules import check_action_schema  # noqa: E402
from actions.schema.structure import structure_findings  # noqa: E402

LARGEST = "github_api.github.com_octokit-openapi-23.0.2.json"
STRIPE = "stripe_spec3_2022-04-12.json"
TYPICAL = "cookbook_gmail.yaml"  # a mid-sized published action schema (6 operations, 12 $refs)


def emit(**fields) -> None:
    print(json.dumps(fields), flush=True)


def median_ms(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 2)


def default_corpus() -> Path:
    shared = ROOT.parent / "shared" / "corpus"
    return shared if shared.is_dir() else ROOT / "tests" / "data" / "corpus"


def materialise(corpus: Path, scratch: Path) -> Path:
    """A folder with plain files: the corpus itself, or a decompressed copy of its .gz files."""
    if not any(corpus.glob("*/*.gz")):
        return corpus
    for source in corpus.glob("*/*"):
        target = scratch / source.parent.name / source.name.removesuffix(".gz")
        target.parent.mkdir(parents=True, exist_ok=True)
        data = source.read_bytes()
        target.write_bytes(gzip.decompress(data) if source.suffix == ".gz" else data)
    return scratch


def bare_parse(text: str, name: str):
    """(label, function) pairs for the bare parses of this file."""
    if name.endswith(".json"):
        return [("json.loads", lambda: json.loads(text)), ("orjson.loads", lambda: orjson.loads(text))]
    return [("yaml.CSafeLoader", lambda: yaml.load(text, Loader=yaml.CSafeLoader))]


def osv_alone(data):
    def run():
        with contextlib.suppress(Exception):  # an invalid spec still costs its validation time
            osv_validate(data)

    return run


def in_process(path: Path, runs: int, osv_runs: int) -> dict:
    text = path.read_text(encoding="utf-8")
    result = {"file": path.name, "bytes": len(text.encode())}
    for label, function in bare_parse(text, path.name):
        result[f"{label}_ms"] = median_ms(function, runs)
    data = json.loads(text) if path.name.endswith(".json") else yaml.load(text, Loader=yaml.CSafeLoader)
    result["openapi_spec_validator_ms"] = median_ms(osv_alone(data), osv_runs)
    result["gptstudio_full_ms"] = median_ms(lambda: validate_schema_text(text), runs)
    report = validate_schema_text(text)
    result["findings"] = len(report.findings)
    bare = min(
        v
        for k, v in result.items()
        if k.endswith("_ms") and k.split("_ms")[0] in ("json.loads", "orjson.loads", "yaml.CSafeLoader")
    )
    result["fastest_bare_parse_ms"] = bare
    result["speedup_vs_openapi_spec_validator"] = round(
        result["openapi_spec_validator_ms"] / result["gptstudio_full_ms"], 1
    )
    result["full_over_fastest_bare_parse"] = round(result["gptstudio_full_ms"] / bare, 2)
    if "json.loads_ms" in result:
        result["full_over_json_loads"] = round(result["gptstudio_full_ms"] / result["json.loads_ms"], 2)
    return result


def stages(path: Path, runs: int) -> dict:
    """Where the full validation's time goes (each stage timed alone, medians in ms; the garbage
    collector paused as in the full validation)."""
    with _collector_paused(GC_PAUSE_MIN_BYTES):
        return _stages(path, runs)


def _stages(path: Path, runs: int) -> dict:
    text = path.read_text(encoding="utf-8")
    parsed = parse_schema(text)
    checked, family = check_action_schema(parsed.data, parsed.size_bytes, parsed.scan)
    pointers = {f.pointer for f in checked.findings}
    return {
        "file": path.name,
        "orjson_ms": median_ms(lambda: orjson.loads(text), runs),
        "parse_with_safety_checks_ms": median_ms(lambda: parse_schema(text), runs),
        "document_walk_ms": median_ms(lambda: scan_document(parsed.data), runs),
        "gpt_action_rules_ms": median_ms(
            lambda: check_action_schema(parsed.data, parsed.size_bytes, parsed.scan), runs
        ),
        "structure_jsonschema_rs_ms": median_ms(lambda: structure_findings(parsed.data, family), runs),
        "line_numbers_ms": median_ms(lambda: parsed.positions(pointers), runs),
        "pointers_located": len(pointers),
    }


def whole_process(path: Path, runs: int) -> dict:
    command = [sys.executable, str(ROOT / "manage.py"), "validate_schema", str(path), "--format", "json"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, check=False, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return {
        "case": "whole_process",
        "command": "manage.py validate_schema PATH --format json",
        "file": path.name,
        "exit_status": completed.returncode,
        "median_s": round(statistics.median(times), 2),
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--osv-runs", type=int, default=1, help="runs of openapi-spec-validator on the largest spec")
    parser.add_argument("--skip-process", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gptstudio-bench-") as scratch:
        corpus = materialise(args.corpus, Path(scratch))
        emit(case="setup", corpus=str(args.corpus), osv_backend=get_validator_backend(), python=sys.version.split()[0])
        emit(case="largest_spec", runs=args.runs, **in_process(corpus / "large" / LARGEST, args.runs, args.osv_runs))
        emit(case="largest_spec_stages", runs=args.runs, **stages(corpus / "large" / LARGEST, args.runs))
        emit(
            case="typical_action",
            runs=args.runs,
            **in_process(corpus / "gpt_actions" / TYPICAL, args.runs * 4, args.runs),
        )
        actions = sorted((corpus / "gpt_actions").iterdir())
        per_file = [
            median_ms(lambda p=p: validate_schema_text(p.read_text(encoding="utf-8")), args.runs) for p in actions
        ]
        emit(
            case="all_action_schemas",
            files=len(actions),
            median_ms=round(statistics.median(per_file), 2),
            max_ms=max(per_file),
            slowest=actions[per_file.index(max(per_file))].name,
            target_median_ms=20,
        )
        if not args.skip_process:
            for name in (LARGEST, STRIPE):
                emit(**whole_process(corpus / "large" / name, runs=3))


if __name__ == "__main__":
    main()

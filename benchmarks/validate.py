"""Schema validation speed: in-process stages, and whole processes against other tools.

In one process, on the same files: (a) the bare parse (`json.loads` and `orjson.loads` for JSON,
PyYAML's CSafeLoader for YAML), (b) openapi-spec-validator alone (its `validate()` on the parsed
document), (c) GPT Studio's full validation (`validate_schema_text`: parse, safety checks, GPT
action rules, structural validation, line numbers). Prints medians and ratios as JSON lines, for
the largest corpus spec and for the typical action schemas (every file of the gpt_actions corpus).

Then, as a user runs them, whole processes on every file of the corpus's `large` group, in
alternating rounds in one sitting (each round runs every tool once, in a rotating order, so load
from other processes falls on all of them alike): `python -m actions.schema PATH --format json`
(the engine alone), `manage.py validate_schema PATH --format json` (the same through Django),
openapi-spec-validator's CLI, and Redocly CLI `lint` when installed (its path from --redocly or
$REDOCLY_CLI, e.g. after `npm install --prefix /tmp/redocly @redocly/cli@2.77.0`:
/tmp/redocly/node_modules/.bin/redocly; otherwise it is reported as not installed). Per tool and
file: the median wall time and the median CPU time (user + system of the process and its children,
which other load on the machine changes less), and whether the engine's CLI was the fastest.

Usage: python benchmarks/validate.py [--corpus DIR] [--runs N] [--osv-runs N] [--rounds N]
       [--rounds-large N] [--redocly PATH] [--skip-in-process] [--skip-process]
The corpus defaults to ../shared/corpus next to the repository, else tests/data/corpus (whose large
files are gzip-compressed; they are decompressed to a temporary folder first).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import resource
import shutil
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


ENGINE = "python -m actions.schema"
MANAGE = "manage.py validate_schema"
OSV = "openapi-spec-validator"
REDOCLY = "redocly lint"
LARGE_FILE_BYTES = 1_000_000
TARGET_PETSTORE_S = 0.25
PETSTORE = "oai_v3.0_petstore.yaml"


def process_commands(redocly: str | None) -> dict[str, list[str] | None]:
    """Each tool's command line (PATH is appended), or None when the tool is not installed."""
    osv = shutil.which("openapi-spec-validator", path=str(Path(sys.executable).parent)) or shutil.which(
        "openapi-spec-validator"
    )
    return {
        ENGINE: [sys.executable, "-m", "actions.schema", "--format", "json"],
        MANAGE: [sys.executable, str(ROOT / "manage.py"), "validate_schema", "--format", "json"],
        OSV: [osv] if osv else None,
        REDOCLY: [redocly, "lint"] if redocly and Path(redocly).exists() else None,
    }


def timed_run(command: list[str], env: dict, timeout: float) -> tuple[float, float, int | str]:
    """(wall seconds, CPU seconds of the process and its children, exit status or "timeout")."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        status: int | str = subprocess.run(
            command, capture_output=True, check=False, cwd=ROOT, env=env, timeout=timeout
        ).returncode
    except subprocess.TimeoutExpired:
        status = "timeout"
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, status


def whole_processes(path: Path, commands: dict, rounds: int, timeout: float) -> dict:
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py picks its own, the engine needs none
    installed = [tool for tool, command in commands.items() if command]
    samples: dict[str, list[tuple[float, float, int | str]]] = {tool: [] for tool in installed}
    for round_number in range(rounds):
        shift = round_number % len(installed)
        for tool in installed[shift:] + installed[:shift]:
            samples[tool].append(timed_run([*commands[tool], str(path)], env, timeout))
    tools = {}
    for tool, command in commands.items():
        if command is None:
            tools[tool] = "not installed"
            continue
        runs = samples[tool]
        tools[tool] = {
            "median_s": round(statistics.median(wall for wall, _, _ in runs), 3),
            "min_s": round(min(wall for wall, _, _ in runs), 3),
            "max_s": round(max(wall for wall, _, _ in runs), 3),
            "cpu_median_s": round(statistics.median(cpu for _, cpu, _ in runs), 3),
            "exit_status": runs[-1][2],
        }
    timings = {tool: value for tool, value in tools.items() if isinstance(value, dict)}
    peers = [tool for tool in timings if tool not in (ENGINE, MANAGE)]
    result = {
        "case": "whole_process",
        "file": path.name,
        "bytes": path.stat().st_size,
        "rounds": rounds,
        "tools": tools,
        "engine_fastest_wall": all(timings[ENGINE]["median_s"] < timings[p]["median_s"] for p in peers),
        "engine_fastest_cpu": all(timings[ENGINE]["cpu_median_s"] < timings[p]["cpu_median_s"] for p in peers),
    }
    if path.name == PETSTORE:
        result["target_s"] = TARGET_PETSTORE_S
        result["meets_target"] = timings[ENGINE]["median_s"] <= TARGET_PETSTORE_S
    return result


def in_process_cases(corpus: Path, runs: int, osv_runs: int) -> None:
    emit(case="largest_spec", runs=runs, **in_process(corpus / "large" / LARGEST, runs, osv_runs))
    emit(case="largest_spec_stages", runs=runs, **stages(corpus / "large" / LARGEST, runs))
    emit(case="typical_action", runs=runs, **in_process(corpus / "gpt_actions" / TYPICAL, runs * 4, runs))
    actions = sorted((corpus / "gpt_actions").iterdir())
    per_file = [median_ms(lambda p=p: validate_schema_text(p.read_text(encoding="utf-8")), runs) for p in actions]
    emit(
        case="all_action_schemas",
        files=len(actions),
        median_ms=round(statistics.median(per_file), 2),
        max_ms=max(per_file),
        slowest=actions[per_file.index(max(per_file))].name,
        target_median_ms=20,
    )


def process_cases(corpus: Path, args) -> None:
    commands = process_commands(args.redocly)
    emit(case="process_setup", tools={tool: command is not None for tool, command in commands.items()})
    results = []
    for path in sorted((corpus / "large").iterdir(), key=lambda p: p.stat().st_size):
        rounds = args.rounds_large if path.stat().st_size > LARGE_FILE_BYTES else args.rounds
        results.append(whole_processes(path, commands, rounds, args.timeout))
        emit(**results[-1])
    emit(
        case="whole_process_summary",
        files=len(results),
        engine_fastest_wall_on=sum(r["engine_fastest_wall"] for r in results),
        engine_fastest_cpu_on=sum(r["engine_fastest_cpu"] for r in results),
        slower_than_a_peer_on=[r["file"] for r in results if not r["engine_fastest_wall"]],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--osv-runs", type=int, default=1, help="runs of openapi-spec-validator on the largest spec")
    parser.add_argument("--rounds", type=int, default=7, help="whole-process rounds per file up to 1 MB")
    parser.add_argument("--rounds-large", type=int, default=3, help="whole-process rounds per larger file")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before one process run is stopped")
    parser.add_argument("--redocly", default=os.environ.get("REDOCLY_CLI"), help="path of the redocly executable")
    parser.add_argument("--skip-in-process", action="store_true")
    parser.add_argument("--skip-process", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gptstudio-bench-") as scratch:
        corpus = materialise(args.corpus, Path(scratch))
        emit(case="setup", corpus=str(args.corpus), osv_backend=get_validator_backend(), python=sys.version.split()[0])
        if not args.skip_in_process:
            in_process_cases(corpus, args.runs, args.osv_runs)
        if not args.skip_process:
            process_cases(corpus, args)


if __name__ == "__main__":
    main()

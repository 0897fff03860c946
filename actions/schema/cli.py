"""The schema report of one file, as `python -m actions.schema` and `manage.py validate_schema` print it.

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 bad usage or unreadable file.
PATH "-" reads standard input. JSON output is `{"path", **report.as_dict()}`: at least `valid`,
`openapi_version`, `domain`, `operations` and `findings`.

Both commands call `run()`, so their output and exit codes are the same; the management command
only supplies Django's colours and its default cap (settings.SCHEMA_MAX_BYTES). Run without Django,
the default cap is the environment's SCHEMA_MAX_BYTES, else 20 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .findings import LIKELY_NOTE
from .limits import STUDIO_SCHEMA_HARD_MAX_BYTES
from .parsing import detect_schema_format, schema_max_bytes, too_large_finding
from .report import SchemaReport, validate_schema_text

if TYPE_CHECKING:  # typing's full module costs the CLI a few milliseconds at start
    from collections.abc import Callable
    from typing import BinaryIO, TextIO

    Style = Callable[[str], str]

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
FORMATS = ("text", "json")
PROG = "validate_schema"


def _plain(text: str) -> str:
    return text


# Keys: the three severities, and "success" / "failure" for the summary line.
PLAIN_STYLES: dict[str, Style] = dict.fromkeys(("error", "warning", "info", "success", "failure"), _plain)


def _ansi(code: str) -> Style:
    return lambda text: f"\x1b[{code}m{text}\x1b[0m"


# Django's default palette (ERROR, WARNING, NOTICE, SUCCESS, ERROR), for a terminal.
ANSI_STYLES: dict[str, Style] = {
    "error": _ansi("31;1"),
    "warning": _ansi("33;1"),
    "info": _ansi("31"),
    "success": _ansi("32;1"),
    "failure": _ansi("31;1"),
}


def read_report(path: str, cap: int, stdin: BinaryIO | None = None) -> SchemaReport:
    """The report of the file at `path` ("-": `stdin`), never reading more than `cap` + 1 bytes.
    Raises OSError or UnicodeDecodeError when the file cannot be read as UTF-8 text."""
    if path == "-":
        raw = (stdin or sys.stdin.buffer).read(cap + 1)
        size = len(raw)
    else:
        file = Path(path)
        size = file.stat().st_size
        with file.open("rb") as handle:
            raw = handle.read(cap + 1)
    if size > cap:
        head = raw[:64].decode("utf-8", "replace")
        return SchemaReport(format=detect_schema_format(head), size_bytes=size, findings=[too_large_finding(size, cap)])
    return validate_schema_text(raw.decode("utf-8"), max_bytes=cap)


def text_lines(path: str, report: SchemaReport, styles: dict[str, Style] = PLAIN_STYLES) -> list[str]:
    """One line per finding (`path:line:column: severity [code] message`, then its pointer and hint),
    then a summary."""
    lines = []
    for finding in report.findings:
        severity = str(finding.severity)
        lines.append(
            f"{path}:{finding.line or 1}:{finding.column or 1}: {styles[severity](severity)} "
            f"[{finding.code}] {finding.message}{f' ({LIKELY_NOTE})' if finding.builder_reported else ''}"
        )
        if finding.pointer:
            lines.append(f"    at {finding.pointer}")
        if finding.hint:
            lines.append(f"    {finding.hint}")
    counts = report.counts
    summary = (
        f"OpenAPI {report.openapi_version or '?'} ({report.format}), domain {report.domain or '-'}, "
        f"auth {report.auth_scheme or '-'}, {len(report.operations)} operation(s), {report.size_bytes:,} bytes: "
        f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s)."
    )
    lines.append(styles["success" if report.valid else "failure"](summary))
    return lines


def run(
    path: str,
    *,
    output_format: str,
    max_bytes: int | None,
    stdout: TextIO,
    stderr: TextIO,
    stdin: BinaryIO | None = None,
    styles: dict[str, Style] = PLAIN_STYLES,
) -> int:
    """Validate one file and print its report; returns the exit status."""
    try:
        report = read_report(path, schema_max_bytes(max_bytes), stdin)
    except (OSError, UnicodeDecodeError) as exc:
        reason = f"not UTF-8 text ({exc.reason})" if isinstance(exc, UnicodeDecodeError) else exc.strerror or exc
        stderr.write(f"{PROG}: cannot read {path}: {reason}\n")
        return EXIT_UNREADABLE
    if output_format == "json":
        stdout.write(json.dumps({"path": path, **report.as_dict()}, ensure_ascii=False, indent=2) + "\n")
    else:
        stdout.write("".join(line + "\n" for line in text_lines(path, report, styles)))
    return EXIT_OK if report.valid else EXIT_ERRORS


def add_arguments(parser: argparse.ArgumentParser, *, max_bytes_default: str) -> None:
    """The options both commands take."""
    parser.add_argument("path", help="JSON or YAML file, or - for standard input")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument(
        "--max-bytes", type=int, default=None, help=f"input cap in bytes (default: {max_bytes_default})"
    )


def _environment_max_bytes() -> int | None:
    value = os.environ.get("SCHEMA_MAX_BYTES", "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{PROG}: SCHEMA_MAX_BYTES must be a number of bytes, not {value!r}.") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m actions.schema",
        description="Validate an OpenAPI schema as ChatGPT's GPT action editor will see it.",
    )
    add_arguments(parser, max_bytes_default=f"$SCHEMA_MAX_BYTES, else {STUDIO_SCHEMA_HARD_MAX_BYTES:,}")
    args = parser.parse_args(argv)
    max_bytes = args.max_bytes if args.max_bytes is not None else _environment_max_bytes()
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    return run(
        args.path,
        output_format=args.format,
        max_bytes=max_bytes,
        stdout=sys.stdout,
        stderr=sys.stderr,
        styles=ANSI_STYLES if colour else PLAIN_STYLES,
    )

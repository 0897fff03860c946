"""`manage.py validate_schema PATH [--format json]`: the schema report of one OpenAPI file.

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 bad usage or unreadable file.
PATH "-" reads standard input. JSON output is the report's `as_dict()`: at least `valid`,
`openapi_version`, `domain`, `operations` and `findings`.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from actions.schema import SchemaReport, validate_schema_text
from actions.schema.parsing import detect_schema_format, schema_max_bytes, too_large_finding

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


class Command(BaseCommand):
    help = "Validate an OpenAPI schema as ChatGPT's GPT action editor will see it."
    # Reads a file and needs neither the database nor the project checks: skipping them keeps the
    # whole process fast enough for editors and CI hooks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="JSON or YAML file, or - for standard input")
        parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
        parser.add_argument(
            "--max-bytes", type=int, default=None, help="input cap in bytes (default: settings.SCHEMA_MAX_BYTES, 20 MB)"
        )

    def handle(self, *args, path, format, max_bytes, **options):
        cap = schema_max_bytes(max_bytes)
        try:
            report = self._report(path, cap)
        except (OSError, UnicodeDecodeError) as exc:
            reason = f"not UTF-8 text ({exc.reason})" if isinstance(exc, UnicodeDecodeError) else exc.strerror or exc
            self.stderr.write(f"validate_schema: cannot read {path}: {reason}")
            sys.exit(EXIT_UNREADABLE)
        if format == "json":
            self.stdout.write(json.dumps({"path": path, **report.as_dict()}, ensure_ascii=False, indent=2))
        else:
            self._write_text(path, report)
        sys.exit(EXIT_OK if report.valid else EXIT_ERRORS)

    def _report(self, path: str, cap: int) -> SchemaReport:
        if path == "-":
            raw = sys.stdin.buffer.read(cap + 1)
            size = len(raw)
        else:
            file = Path(path)
            size = file.stat().st_size
            with file.open("rb") as handle:
                raw = handle.read(cap + 1)  # never read more than the cap into memory
        if size > cap:
            head = raw[:64].decode("utf-8", "replace")
            return SchemaReport(
                format=detect_schema_format(head), size_bytes=size, findings=[too_large_finding(size, cap)]
            )
        return validate_schema_text(raw.decode("utf-8"), max_bytes=cap)

    def _write_text(self, path: str, report: SchemaReport) -> None:
        style = {"error": self.style.ERROR, "warning": self.style.WARNING, "info": self.style.NOTICE}
        for finding in report.findings:
            where = f"{path}:{finding.line or 1}:{finding.column or 1}"
            label = style[str(finding.severity)](str(finding.severity))
            self.stdout.write(f"{where}: {label} [{finding.code}] {finding.message}")
            if finding.pointer:
                self.stdout.write(f"    at {finding.pointer}")
            if finding.hint:
                self.stdout.write(f"    {finding.hint}")
        counts = report.counts
        summary = (
            f"OpenAPI {report.openapi_version or '?'} ({report.format}), domain {report.domain or '-'}, "
            f"auth {report.auth_scheme or '-'}, {len(report.operations)} operation(s), {report.size_bytes:,} bytes: "
            f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s)."
        )
        self.stdout.write(self.style.SUCCESS(summary) if report.valid else self.style.ERROR(summary))

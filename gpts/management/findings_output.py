"""How the commands print findings: one line each for people, or JSON (`--format json`)."""

from __future__ import annotations

import json

from gptstudio.findings import LIKELY_NOTE, Finding, sort_findings


def finding_line(finding: Finding) -> str:
    where = finding.pointer or ""
    if finding.line is not None:
        where += f" (line {finding.line}{f', column {finding.column}' if finding.column else ''})"
    note = f" ({LIKELY_NOTE})" if finding.builder_reported else ""
    return (
        f"{finding.severity:<7} {finding.code}  {where.strip() + ': ' if where.strip() else ''}{finding.message}{note}"
    )


def write_findings(stream, findings: list[Finding]) -> None:
    for finding in sort_findings(findings):
        stream.write(finding_line(finding))


def write_json(stream, payload: dict) -> None:
    stream.write(json.dumps(payload, ensure_ascii=False, indent=2))

"""Validation of a whole GPT: its fields against ChatGPT's limits, every action's schema report,
and the rules that involve several actions or the GPT's visibility (publish readiness).

`validate_gpt(gpt)` is the one entry point. (Foundation version: runs each action's schema report;
the schema-engine issue adds the GPT-level rules, keeping this interface.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from actions.schema import SchemaReport, validate_schema_text
from gptstudio.findings import Finding, Severity, has_errors, sort_findings


@dataclass
class GPTReport:
    findings: list[Finding] = field(default_factory=list)  # GPT-level findings (fields, cross-action)
    actions: dict[int, SchemaReport] = field(default_factory=dict)  # action id → its schema report

    @property
    def all_findings(self) -> list[Finding]:
        found = list(self.findings)
        for report in self.actions.values():
            found += report.findings
        return found

    @property
    def valid(self) -> bool:
        return not has_errors(self.all_findings)

    @property
    def readiness(self) -> str:
        """ "errors", "warnings" or "ready" (for the GPT's chosen visibility)."""
        severities = {f.severity for f in self.all_findings}
        if Severity.ERROR in severities:
            return "errors"
        return "warnings" if Severity.WARNING in severities else "ready"

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "readiness": self.readiness,
            "findings": [f.as_dict() for f in sort_findings(self.findings)],
            "actions": {str(action_id): report.as_dict() for action_id, report in self.actions.items()},
        }


def validate_gpt(gpt) -> GPTReport:
    return GPTReport(actions={action.pk: validate_schema_text(action.schema_text) for action in gpt.actions.all()})

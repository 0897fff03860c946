"""The schema report: what the UI, the API, the export and `validate_schema` show for a schema.

`validate_schema_text(text)` is the one entry point: parse (with safety findings), run the GPT
action rules, validate the structure against the official OpenAPI meta-schema, then look up line
and column only for the pointers that have findings. `schema_cache_key(text)` names a report for
callers that cache it (`actions/schema_reports.py`, `gpts/validation.py`): a hash of the text and of the rules.
"""

from __future__ import annotations

import functools
import gc
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from . import limits
from .findings import RULES, Finding, Severity, has_errors, sort_findings
from .parsing import ParsedSchema, parse_schema
from .pointers import shown
from .rules import Operation, check_action_schema
from .structure import structure_findings

__all__ = [
    "Operation",
    "SchemaReport",
    "parse_and_validate_schema",
    "validate_schema_text",
]

# Bump when the report changes for the same text (new rule logic, new fields): cached reports of the
# old engine are then ignored. Registry changes (codes, severities) change the key by themselves.
ENGINE_VERSION = 2


@dataclass
class SchemaReport:
    format: str  # "json" | "yaml"
    openapi_version: str = ""
    domain: str = ""
    server_url: str = ""
    auth_scheme: str = ""  # "none" | "api_key" | "http_basic" | "http_bearer" | "oauth2" | ...
    size_bytes: int = 0
    operations: list[Operation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    security_scheme: dict = field(default_factory=dict)  # the declared scheme, for GPT-level auth checks

    @property
    def valid(self) -> bool:
        return not has_errors(self.findings)

    @property
    def counts(self) -> dict:
        """Findings per severity."""
        counts = {str(s): 0 for s in Severity}
        for finding in self.findings:
            counts[str(finding.severity)] += 1
        return counts

    @property
    def limits(self) -> dict:
        """The schema's numbers against ChatGPT's limits, for the UI and the export's paste guide."""
        return {
            "operations": _against(len(self.operations), limits.ACTION_OPERATIONS_MAX),
            "size_bytes": _against(self.size_bytes, limits.ACTION_SCHEMA_MAX_BYTES),
        }

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "format": self.format,
            "openapi_version": self.openapi_version,
            "domain": self.domain,
            "server_url": self.server_url,
            "auth_scheme": self.auth_scheme,
            "size_bytes": self.size_bytes,
            "operations": [asdict(op) for op in self.operations],
            "limits": self.limits,
            "counts": self.counts,
            "findings": [f.as_dict() for f in sort_findings(self.findings)],
        }


def _against(value: int, limit: limits.Limit) -> dict:
    return {"value": value, "max": limit.value, "over": value > limit.value, "confidence": limit.confidence}


@contextmanager
def _collector_paused(size: int):
    """Pause Python's cyclic garbage collector while a large document is validated. Parsing a big
    spec creates a million objects, which sets off full collections that walk them all again and
    again (about a quarter of the time on GitHub's 13 MB spec); JSON data has no reference cycles,
    so nothing is lost by collecting once afterwards."""
    if size < GC_PAUSE_MIN_BYTES or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


GC_PAUSE_MIN_BYTES = 256 * 1024


def validate_schema_text(text, *, max_bytes: int | None = None) -> SchemaReport:
    """The full report for one schema text (str or UTF-8 bytes). Never raises for bad input."""
    return parse_and_validate_schema(text, max_bytes=max_bytes)[1]


def parse_and_validate_schema(text, *, max_bytes: int | None = None) -> tuple[ParsedSchema, SchemaReport]:
    """The parsed schema and its report, for callers that also need the data (the URL import
    names the action from it): one parse serves both."""
    with _collector_paused(len(text) if isinstance(text, str | bytes | bytearray) else 0):
        parsed = parse_schema(text, max_bytes=max_bytes)
        return parsed, _report(parsed)


def _report(parsed: ParsedSchema) -> SchemaReport:
    report = SchemaReport(format=parsed.format, size_bytes=parsed.size_bytes)
    findings = list(parsed.findings)
    data = parsed.data
    if isinstance(data, dict):
        checked, family = check_action_schema(data, parsed.size_bytes, parsed.scan)
        findings += checked.findings
        if family is not None:
            findings += structure_findings(data, family)
        version = data.get("openapi", data.get("swagger", ""))
        report.openapi_version = "" if version is None else shown(version)
        report.domain = checked.domain
        report.server_url = checked.server_url
        report.auth_scheme = checked.auth_scheme
        report.security_scheme = checked.security_scheme
        report.operations = checked.operations
    report.findings = sort_findings(parsed.locate(findings))
    return report


def rules_fingerprint() -> str:
    """Changes whenever a rule is added, removed or changes severity."""
    # Rules are only ever added (`register` refuses a second registration of a code, and a Rule is
    # frozen), so the engine version and the number of rules identify the signature: it is built
    # once, not for every schema of every export (sorting ~130 rules took 40 µs a schema).
    return _fingerprint(ENGINE_VERSION, len(RULES))


@functools.lru_cache(maxsize=8)
def _fingerprint(engine_version: int, rule_count: int) -> str:
    signature = "|".join(f"{code}:{rule.severity}" for code, rule in sorted(RULES.items()))
    import hashlib  # only callers that cache reports need it, not the CLI

    return hashlib.sha256(f"{engine_version}|{signature}".encode()).hexdigest()[:12]


def schema_cache_key(text: str) -> str:
    import hashlib

    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"schema-report:{rules_fingerprint()}:{digest}"


# How long the callers that cache reports (by `schema_cache_key`) keep one.
SCHEMA_REPORT_CACHE_SECONDS = 24 * 60 * 60

"""The schema report: what the UI, the API, the export and `validate_schema` show for a schema.

`validate_schema_text(text)` is the one entry point. (Foundation version: parsing and the derived
domain only; the schema-engine issue adds structural validation, the GPT action rules, line
numbers and the operation summary, keeping this interface.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from actions.domain import domain_from_data
from gptstudio.findings import Finding, has_errors, sort_findings

from .parsing import parse_schema


@dataclass(frozen=True)
class Operation:
    method: str  # lower case, as in the schema: "get", "post", ...
    path: str
    operation_id: str
    summary: str
    consequential: bool  # effective x-openai-isConsequential (GET defaults to false, others true)
    consequential_explicit: bool  # whether the schema set it


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

    @property
    def valid(self) -> bool:
        return not has_errors(self.findings)

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
            "findings": [f.as_dict() for f in sort_findings(self.findings)],
        }


def validate_schema_text(text: str) -> SchemaReport:
    parsed = parse_schema(text)
    data = parsed.data if isinstance(parsed.data, dict) else {}
    return SchemaReport(
        format=parsed.format,
        openapi_version=str(data.get("openapi", "")),
        domain=domain_from_data(data),
        size_bytes=len(text.encode()),
        findings=list(parsed.findings),
    )

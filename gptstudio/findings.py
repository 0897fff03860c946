"""The one findings type and the rule registry, re-exported from the schema engine.

They live in `actions/schema/findings.py` so that the engine (and its CLI) runs without Django;
everything else imports them from here. One `Finding` class, one `RULES` registry.
"""

from actions.schema.findings import (
    FIX_VERBS,
    LIKELY_NOTE,
    RULES,
    SEVERITY_ORDER,
    Finding,
    Rule,
    Severity,
    UnknownRule,
    has_errors,
    make_finding,
    register,
    sort_findings,
)

__all__ = [
    "FIX_VERBS",
    "LIKELY_NOTE",
    "RULES",
    "SEVERITY_ORDER",
    "Finding",
    "Rule",
    "Severity",
    "UnknownRule",
    "has_errors",
    "make_finding",
    "register",
    "sort_findings",
]

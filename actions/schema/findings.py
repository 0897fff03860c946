"""The one findings type and the rule registry.

Every check in GPT Studio (OpenAPI structure, GPT action rules, GPT field limits, publish
readiness) reports `Finding`s. Each finding's `code` names a `Rule` registered here; the rule
fixes the severity, says what ChatGPT does, and cites its source, so the rules page of the docs
is generated from this registry and the same code always means the same thing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # ChatGPT refuses the schema/GPT, or silently drops an operation or action.
    WARNING = "warning"  # ChatGPT accepts but ignores or rewrites a part; or the rule is unconfirmed.
    INFO = "info"  # Worth knowing, changes nothing in ChatGPT.


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    chatgpt_behaviour: str
    source: str
    confidence: str
    chatgpt_message: str = ""


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None
    hint: str = ""

    def as_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


class UnknownRule(KeyError):
    pass


RULES: dict[str, Rule] = {}

# GPT_EDITOR.md's policy: a rule resting on a *likely* fact says so in every message it gives.
LIKELY_NOTE = "(What ChatGPT does here is reported by builders, not documented by OpenAI.)"


def register(
    code: str,
    severity: Severity,
    title: str,
    *,
    chatgpt_behaviour: str,
    source: str,
    confidence: str,
    chatgpt_message: str = "",
) -> Rule:
    """Register a rule once; a second registration of the same code is a programming error."""
    if code in RULES:
        raise ValueError(f"Rule {code!r} is registered twice.")
    if confidence == "unconfirmed" and severity == Severity.ERROR:
        raise ValueError(f"Rule {code!r} rests on an unconfirmed fact and cannot be an error.")
    rule = Rule(code, Severity(severity), title, chatgpt_behaviour, source, confidence, chatgpt_message)
    RULES[code] = rule
    return rule


def make_finding(
    code: str,
    message: str,
    *,
    pointer: str = "",
    line: int | None = None,
    column: int | None = None,
    hint: str | None = None,
) -> Finding:
    """A finding for a registered rule; severity and default hint come from the registry, and a
    rule of *likely* confidence gets LIKELY_NOTE after its message (here, so no rule can forget it)."""
    try:
        rule = RULES[code]
    except KeyError:
        raise UnknownRule(code) from None
    if hint is None:
        hint = f"ChatGPT says: “{rule.chatgpt_message}”" if rule.chatgpt_message else ""
    if rule.confidence == "likely":
        message = f"{message} {LIKELY_NOTE}"
    return Finding(rule.severity, code, message, pointer, line, column, hint)


def has_errors(findings) -> bool:
    return any(f.severity == Severity.ERROR for f in findings)


def sort_findings(findings) -> list[Finding]:
    """Errors first, then by position, so reports read top to bottom."""
    return sorted(
        findings,
        key=lambda f: (SEVERITY_ORDER[f.severity], f.line if f.line is not None else 0, f.pointer, f.code),
    )

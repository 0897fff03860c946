"""The one findings type and the rule registry.

Every check in GPT Studio (OpenAPI structure, GPT action rules, GPT field limits, publish
readiness) reports `Finding`s. Each finding's `code` names a `Rule` registered here; the rule
fixes the severity, says what ChatGPT does, and cites its source, so the rules page of the docs
is generated from this registry and the same code always means the same thing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import StrEnum

from .limits import Limit


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
    fix: str  # What to do, for the person reading the finding: shown before what is wrong.
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

    @property
    def fix(self) -> str:
        """What to do about it: the rule's text, so every finding of a code gives the same advice."""
        rule = RULES.get(self.code)
        return rule.fix if rule else ""

    @property
    def builder_reported(self) -> bool:
        """What ChatGPT does here is reported by builders, not documented (a rule of *likely* confidence).
        Pages say so once, in a legend (LIKELY_NOTE), and mark each such finding."""
        rule = RULES.get(self.code)
        return rule is not None and rule.confidence == "likely"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = str(self.severity)
        data["fix"] = self.fix
        data["builder_reported"] = self.builder_reported
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        """The finding `as_dict()` gave (its derived keys are ignored: they come from the rule)."""
        stored = {name: data[name] for name in FINDING_FIELDS if name in data}
        return cls(**{**stored, "severity": Severity(data["severity"])})


FINDING_FIELDS = tuple(field.name for field in fields(Finding))


class UnknownRule(KeyError):
    pass


RULES: dict[str, Rule] = {}

# GPT_EDITOR.md's policy: a finding resting on a *likely* fact says so. Pages say it once, as the legend
# of the findings marked `builder_reported`; text outputs append it to such findings' lines.
LIKELY_NOTE = "What ChatGPT does here is reported by builders, not documented by OpenAI."

# A rule's `fix` is an instruction: it starts with one of these verbs (a test checks every rule).
FIX_VERBS = frozenset((
    "add", "break", "change", "check", "choose", "convert", "declare", "deploy", "enter", "export", "fetch",
    "fix", "flatten", "give", "import", "keep", "leave", "make", "merge", "move", "paste", "pick", "point",
    "reduce", "remove", "rename", "replace", "return", "review", "send", "serve", "set", "shorten", "split", "start",
    "upload", "use", "wrap", "write", "zip",
))  # fmt: skip


def register(
    code: str,
    severity: Severity,
    title: str,
    *,
    chatgpt_behaviour: str,
    fix: str,
    source: str = "",
    confidence: str = "",
    limit: Limit | None = None,
    chatgpt_message: str = "",
) -> Rule:
    """Register a rule once; a second registration of the same code is a programming error. `fix`
    says what to do, starting with a verb of FIX_VERBS ("Shorten the name to 50 characters or fewer.").
    A rule that enforces one of ChatGPT's limits names it (`limit=`): its source and confidence are
    the limit's."""
    if limit is not None:
        source, confidence = source or limit.source, confidence or limit.confidence
    if not source or not confidence:
        raise ValueError(f"Rule {code!r} needs a source and a confidence (or the limit it enforces).")
    if code in RULES:
        raise ValueError(f"Rule {code!r} is registered twice.")
    if confidence == "unconfirmed" and severity == Severity.ERROR:
        raise ValueError(f"Rule {code!r} rests on an unconfirmed fact and cannot be an error.")
    rule = Rule(code, Severity(severity), title, chatgpt_behaviour, source, confidence, fix, chatgpt_message)
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
    """A finding for a registered rule; severity, default hint, fix and provenance come from the registry."""
    try:
        rule = RULES[code]
    except KeyError:
        raise UnknownRule(code) from None
    if hint is None:
        hint = f"ChatGPT says: “{rule.chatgpt_message}”" if rule.chatgpt_message else ""
    return Finding(rule.severity, code, message, pointer, line, column, hint)


def has_errors(findings) -> bool:
    return any(f.severity == Severity.ERROR for f in findings)


def sort_findings(findings) -> list[Finding]:
    """Errors first, then by position, so reports read top to bottom."""
    return sorted(
        findings,
        key=lambda f: (SEVERITY_ORDER[f.severity], f.line if f.line is not None else 0, f.pointer, f.code),
    )

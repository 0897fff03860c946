"""The exporter registry: a target is one small module with one `Exporter` subclass.

Every target reads the same `ExportSource`: the GPT's document (never a secret), its knowledge
files as streams opened on demand, and its validation report. Targets yield bytes chunk by chunk,
so a download streams and a big knowledge file never sits in memory. The bridge targets of
MIGRATION.md (agent-skill, agent-plugin, openai-tools) are the same shape: another module, another
`@register` class. A target may read options (`Exporter.options`, e.g. the plugin's `mcp_url`:
what it reads changes its bytes) and report what it changed or left out (`Exporter.notices`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import BinaryIO, ClassVar

from gpts.document.build import gpt_document
from gpts.models import GPT
from gpts.validation import GPTReport, validate_gpt
from gptstudio.findings import LIKELY_NOTE, Finding, Severity, make_finding
from gptstudio.findings import register as register_rule

register_rule(
    "export.refused",
    Severity.ERROR,
    "The GPT has validation errors; export it anyway only when forced",
    chatgpt_behaviour="ChatGPT would refuse or drop what the errors describe.",
    source="GPT Studio",
    confidence="confirmed",
    fix="Fix the errors listed, or export anyway if you mean to.",
)


@dataclass(frozen=True)
class KnowledgeItem:
    name: str
    size: int
    sha256: str
    media_type: str
    open: Callable[[], BinaryIO]  # a fresh binary stream of the stored bytes


@dataclass
class ExportSource:
    """What every target reads. Build it with `export_source(gpt)`."""

    gpt: GPT
    document: dict
    knowledge: list[KnowledgeItem]
    options: dict[str, str] = field(default_factory=dict)  # the target's own options (`Exporter.options`)
    derived: dict = field(default_factory=dict)  # a target's work shared by its `notices` and `iter_bytes`

    @cached_property
    def report(self) -> GPTReport:
        """The GPT's validation, on first use (schema reports come from their cache). Without the
        check of stored secrets: an export never carries one, and its paste guide asks for each."""
        return validate_gpt(self.gpt, secrets=False)

    @cached_property
    def findings(self) -> list[Finding]:
        """Validation findings, pointing into the document (actions' schema findings included)."""
        from .paste_plan import located_findings

        return located_findings(self.gpt, self.report)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]


def export_source(gpt: GPT) -> ExportSource:
    from django.core.files.storage import default_storage

    def opener(stored_name: str):
        return lambda: default_storage.open(stored_name, "rb")

    knowledge = [
        KnowledgeItem(k.name, k.size, k.sha256, k.media_type, opener(k.file.name)) for k in gpt.knowledge_files.all()
    ]
    return ExportSource(gpt=gpt, document=gpt_document(gpt), knowledge=knowledge)


class ExportRefused(Exception):
    """The GPT has validation errors and the export was not forced. Nothing was produced."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(
            f"This GPT has {len(findings)} validation error(s); fix them, or export anyway (--force) to get a "
            "bundle whose guide lists them first."
        )

    def as_findings(self) -> list[Finding]:
        return [make_finding("export.refused", str(self)), *self.findings]


class UnknownTarget(KeyError):
    pass


class Exporter:
    """One export target. Subclasses set the class attributes and implement `iter_bytes`."""

    name: ClassVar[str]  # the target's id in URLs and commands: "chatgpt", "document", ...
    label: ClassVar[str]  # shown in the UI
    formats: ClassVar[tuple[str, ...]]  # the first is the default
    refuses_invalid: ClassVar[bool] = True  # refuse a GPT with validation errors unless forced
    options: ClassVar[tuple[str, ...]] = ()  # names of the options it reads from `source.options`

    def notices(self, source: ExportSource) -> list[Finding]:
        """What this export changes or leaves out (cut texts, directory limits): the export report."""
        return []

    def resolved_options(self, gpt: GPT, options: dict[str, str] | None) -> dict[str, str]:
        """The options this export of `gpt` runs with: the given ones it reads (empty ones
        dropped), plus any default a target derives from the GPT. The export and its ETag both
        use this, so the tag changes whenever the bytes would."""
        return {key: value for key, value in (options or {}).items() if key in self.options and value}

    def media_type(self, fmt: str) -> str:
        raise NotImplementedError

    def filename(self, source: ExportSource, fmt: str) -> str:
        raise NotImplementedError

    def iter_bytes(self, source: ExportSource, *, fmt: str, forced: bool) -> Iterator[bytes]:
        raise NotImplementedError


EXPORTERS: dict[str, Exporter] = {}


def finding_markdown(finding: Finding) -> str:
    """A finding as a Markdown list item of an exported guide or report: what to do first, then its code,
    pointer and what is wrong (with the builders' note: a file has no legend to say it once)."""
    where = f" at `{finding.pointer}`" if finding.pointer else ""
    note = f" ({LIKELY_NOTE})" if finding.builder_reported else ""
    fix = f"{finding.fix} " if finding.fix else ""
    return f"- **{finding.severity}** {fix}`{finding.code}`{where}: {finding.message}{note}"


def register(cls: type[Exporter]) -> type[Exporter]:
    if cls.name in EXPORTERS:
        raise ValueError(f"Export target {cls.name!r} is registered twice.")
    EXPORTERS[cls.name] = cls()
    return cls


def get_exporter(name: str) -> Exporter:
    try:
        return EXPORTERS[name]
    except KeyError:
        raise UnknownTarget(f"Unknown export target {name!r}; choose one of: {', '.join(sorted(EXPORTERS))}.") from None


@dataclass
class Export:
    filename: str
    media_type: str
    chunks: Iterator[bytes]
    findings: list[Finding] = field(default_factory=list)  # errors the export went ahead with (forced)
    report: Callable[[], list[Finding]] = field(default=list, repr=False)  # computes `notices`

    @cached_property
    def notices(self) -> list[Finding]:
        """The target's own export report (Exporter.notices), worked out on first use: a 304 never
        converts anything."""
        return self.report()

    def write_to(self, fileobj: BinaryIO) -> int:
        written = 0
        for chunk in self.chunks:
            fileobj.write(chunk)
            written += len(chunk)
        return written


def gpt_export(
    *, gpt: GPT, target: str, fmt: str | None = None, force: bool = False, options: dict[str, str] | None = None
) -> Export:
    """Export a GPT to a target. Raises UnknownTarget, ValueError (a format the target does not
    write) or ExportRefused (validation errors, not forced). The bytes are produced lazily while
    `chunks` is consumed. `options` the target does not read are ignored, so a caller can pass
    what a form holds whatever the target."""
    exporter = get_exporter(target)
    fmt = fmt or exporter.formats[0]
    if fmt not in exporter.formats:
        raise ValueError(f"The {target} target writes {', '.join(exporter.formats)}, not {fmt!r}.")
    source = export_source(gpt)
    source.options = exporter.resolved_options(gpt, options)
    # A target that never refuses validates only to name the errors it went ahead with: the
    # stored error count, which every save keeps current, says whether there are any.
    errors = source.errors if exporter.refuses_invalid or gpt.error_count else []
    if errors and exporter.refuses_invalid and not force:
        raise ExportRefused(errors)
    return Export(
        filename=exporter.filename(source, fmt),
        media_type=exporter.media_type(fmt),
        chunks=exporter.iter_bytes(source, fmt=fmt, forced=bool(errors)),
        findings=errors,
        report=lambda: exporter.notices(source),
    )

"""The shape the bridge targets share (agent-skill, agent-plugin, openai-tools): a deterministic
zip that never refuses a GPT for ChatGPT's validation errors (they bind ChatGPT, not where the GPT
is going; the report lists them) and ends with the migration report of its own export."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import ClassVar

from .base import Exporter, ExportSource
from .migration import migration_report
from .zipstream import DeterministicZip


class BridgeExporter(Exporter):
    formats = ("zip",)
    refuses_invalid = False
    file_suffix: ClassVar[str]  # <gpt-slug>.<file_suffix>.zip

    def media_type(self, fmt: str) -> str:
        return "application/zip"

    def filename(self, source: ExportSource, fmt: str) -> str:
        return f"{source.gpt.slug}.{self.file_suffix}.zip"

    def write_entries(self, bundle: DeterministicZip, source: ExportSource) -> Generator[bytes, None, str]:
        """Yield the target's own entries; return the path of its migration.md."""
        raise NotImplementedError

    def iter_bytes(self, source: ExportSource, *, fmt: str, forced: bool) -> Iterator[bytes]:
        bundle = DeterministicZip()
        report_path = yield from self.write_entries(bundle, source)
        report = migration_report(source, target=self.name, export_findings=self.notices(source))
        yield from bundle.add_bytes(report_path, report.as_markdown().encode("utf-8"))
        yield from bundle.close()

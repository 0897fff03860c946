"""Target `document`: the GPT document alone, YAML or JSON, for git. It never refuses a draft
with validation errors: keeping work in progress under version control must always be possible."""

from __future__ import annotations

from collections.abc import Iterator

from gpts.document.render import render_document

from .base import Exporter, ExportSource, register


@register
class DocumentExporter(Exporter):
    name = "document"
    label = "GPT document (for git)"
    formats = ("yaml", "json")
    refuses_invalid = False

    def media_type(self, fmt: str) -> str:
        return "application/yaml" if fmt == "yaml" else "application/json"

    def filename(self, source: ExportSource, fmt: str) -> str:
        return f"{source.gpt.slug}.gpt.{fmt}"

    def iter_bytes(self, source: ExportSource, *, fmt: str, forced: bool) -> Iterator[bytes]:
        yield render_document(source.document, fmt).encode("utf-8")

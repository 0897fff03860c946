"""`manage.py export_gpt SLUG --target TARGET --out PATH [--workspace WS] [--force] [--mcp-url URL]`.

TARGET: chatgpt, document, agent-skill, agent-plugin, openai-tools (the registry's targets).

SLUG is a GPT's slug: unique across workspaces, or narrowed with --workspace.
Exit status: 0 exported; 1 refused (validation errors; the findings are printed); 2 bad usage
(also: no such GPT, or a slug several workspaces have and no --workspace)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gpts.exporters import EXPORTERS, ExportRefused, gpt_export
from gpts.exporters.agent_plugin import mcp_url_problem
from gpts.management.findings_output import write_findings
from gpts.management.gpt_lookup import gpt_for_command


class Command(BaseCommand):
    help = "Export a GPT to one of the registry's targets (chatgpt, document, agent-skill, agent-plugin, ...)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The GPT's slug.")
        parser.add_argument("--workspace", help="The workspace's slug (needed when several have the slug).")
        parser.add_argument("--target", required=True, choices=sorted(EXPORTERS))
        parser.add_argument("--out", required=True, help="Output file, or - for standard output.")
        parser.add_argument("--format", dest="fmt", help="yaml or json for --target document (default: from --out).")
        parser.add_argument("--force", action="store_true", help="Export even with validation errors.")
        parser.add_argument(
            "--mcp-url",
            default="",
            help="agent-plugin: the hosted MCP server's URL (adds mcp.json when the GPT has actions).",
        )

    def handle(self, *args, slug, workspace, target, out, fmt, force, mcp_url, **options):
        gpt = gpt_for_command(slug, workspace)
        exporter = EXPORTERS[target]
        if fmt is None and len(exporter.formats) > 1:
            suffix = Path(out).suffix.lstrip(".").lower()
            fmt = "yaml" if suffix == "yml" else suffix if suffix in exporter.formats else exporter.formats[0]
        if mcp_url and (problem := mcp_url_problem(mcp_url)):
            raise CommandError(f"--mcp-url: {problem}", returncode=2)
        try:
            export = gpt_export(gpt=gpt, target=target, fmt=fmt, force=force, options={"mcp_url": mcp_url})
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except ExportRefused as exc:
            write_findings(self.stderr, exc.findings)
            raise CommandError(str(exc), returncode=1) from exc
        if out == "-":
            size = export.write_to(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            size = self._write_atomically(export, Path(out))
        if export.findings:
            self.stderr.write(f"Exported with {len(export.findings)} validation error(s) (forced):")
            write_findings(self.stderr, export.findings)
        if export.notices:
            self.stderr.write(f"Export report ({len(export.notices)} finding(s); migration.md lists them too):")
            write_findings(self.stderr, export.notices)
        if out != "-":
            self.stdout.write(f"Wrote {out} ({size:,} bytes, {export.media_type}).")

    def _write_atomically(self, export, path: Path) -> int:
        # A half-written bundle must never replace a good one: write beside it, then rename.
        directory = path.parent if str(path.parent) else Path(".")
        if not directory.is_dir():
            raise CommandError(f"Folder {directory} does not exist.", returncode=2)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as stream:
                size = export.write_to(stream)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return size

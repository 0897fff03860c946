"""`manage.py validate_gpt PATH_OR_SLUG [--workspace WS] [--format json]`.

PATH is a bundle zip or a GPT document (checked as if imported; nothing is written); otherwise the
argument is a GPT's slug (unique across workspaces, or narrowed with --workspace).
Exit status: 0 no errors; 1 errors found; 2 bad usage."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gpts.bundle import BundleRefused, is_zip, read_bundle
from gpts.document.read import DOCUMENT_MAX_BYTES, parse_document
from gpts.exporters.paste_plan import located_findings
from gpts.importers import document_validation_findings
from gpts.management.findings_output import write_findings, write_json
from gpts.management.gpt_lookup import gpt_for_command
from gpts.models import Workspace
from gpts.validation import validate_gpt
from gptstudio.findings import Finding, has_errors


class Command(BaseCommand):
    help = "Validate a stored GPT (by slug) or a bundle/document file against ChatGPT's rules."

    def add_arguments(self, parser):
        parser.add_argument("path_or_slug")
        parser.add_argument(
            "--workspace", help="The workspace slug that narrows a GPT slug (a file is validated on its own)."
        )
        parser.add_argument("--format", dest="fmt", choices=["text", "json"], default="text")

    def handle(self, *args, path_or_slug, workspace, fmt, **options):
        path = Path(path_or_slug)
        if path.is_file():
            findings, subject = self._file_findings(path, workspace), str(path)
        else:
            gpt = gpt_for_command(path_or_slug, workspace, what="file or GPT")
            findings, subject = located_findings(gpt, validate_gpt(gpt)), f"{gpt.workspace.slug}/{gpt.slug}"
        valid = not has_errors(findings)
        if fmt == "json":
            write_json(self.stdout, {"valid": valid, "source": subject, "findings": [f.as_dict() for f in findings]})
        else:
            write_findings(self.stdout, findings)
            self.stdout.write(f"{subject}: {'valid' if valid else 'errors found'} ({len(findings)} finding(s)).")
        if not valid:
            raise CommandError("Validation found errors.", returncode=1)

    def _file_findings(self, path: Path, workspace_slug: str | None) -> list[Finding]:
        if workspace_slug and not Workspace.objects.filter(slug=workspace_slug).exists():
            raise CommandError(f"No workspace {workspace_slug!r}.", returncode=2)
        with path.open("rb") as stream:
            if is_zip(stream.read(4)):
                stream.seek(0)
                try:
                    bundle = read_bundle(stream)
                except BundleRefused as exc:
                    return exc.findings
                with bundle:
                    return bundle.findings + document_validation_findings(
                        document=bundle.document, knowledge_files=bundle.knowledge_files
                    )
            stream.seek(0)
            parsed = parse_document(stream.read(DOCUMENT_MAX_BYTES + 1))
        if not parsed.valid:
            return parsed.findings
        return document_validation_findings(document=parsed.document)

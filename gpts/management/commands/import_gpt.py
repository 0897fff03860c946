"""`manage.py import_gpt PATH --workspace SLUG [--gpt SLUG] [--expected-version N] [--format json]`.

PATH is a bundle zip (from `export_gpt --target chatgpt`) or a GPT document (YAML or JSON).
Without --gpt it creates a new GPT; with it, a new revision of that GPT.
Exit status: 0 imported; 1 refused, nothing written (findings printed); 2 bad usage."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gpts.importers import DocumentRejected, gpt_import
from gpts.management.findings_output import write_findings, write_json
from gpts.models import GPT, Workspace
from gptstudio.errors import EditConflict


class Command(BaseCommand):
    help = "Import a bundle zip or a GPT document as a new GPT, or as a new revision of --gpt."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument("--gpt", help="Slug of an existing GPT to update (a new revision).")
        parser.add_argument("--expected-version", type=int, help="Refuse if the GPT moved past this version.")
        parser.add_argument("--actor", help="Username recorded as the revision's author.")
        parser.add_argument("--format", dest="fmt", choices=["text", "json"], default="text")

    def handle(self, *args, path, workspace, gpt, expected_version, actor, fmt, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No such file: {path}", returncode=2)
        target_workspace = Workspace.objects.filter(slug=workspace).first()
        if target_workspace is None:
            raise CommandError(f"No workspace {workspace!r}.", returncode=2)
        target_gpt = None
        if gpt:
            target_gpt = GPT.objects.filter(workspace=target_workspace, slug=gpt).first()
            if target_gpt is None:
                raise CommandError(f"No GPT {gpt!r} in workspace {workspace!r}.", returncode=2)
        author = None
        if actor:
            author = get_user_model().objects.filter(username=actor).first()
            if author is None:
                raise CommandError(f"No user {actor!r}.", returncode=2)
        try:
            with source.open("rb") as upload:
                outcome = gpt_import(
                    workspace=target_workspace,
                    actor=author,
                    upload=upload,
                    filename=source.name,
                    gpt=target_gpt,
                    expected_version=expected_version,
                )
        except DocumentRejected as exc:
            self._refused(fmt, exc.findings, "The import was refused; nothing was written.")
        except EditConflict as exc:
            self._refused(fmt, [], str(exc))
        if fmt == "json":
            write_json(self.stdout, outcome.as_dict())
            return
        verb = "Created" if outcome.created else "Updated" if outcome.revision else "Unchanged:"
        self.stdout.write(f"{verb} GPT {outcome.gpt.slug!r} (version {outcome.gpt.version}).")
        for secret in outcome.secrets_to_enter:
            self.stdout.write(f"To be entered: the {secret.field} of action {secret.action!r}.")
        write_findings(self.stdout, outcome.findings)

    def _refused(self, fmt, findings, message):
        if fmt == "json":
            write_json(self.stdout, {"valid": False, "message": message, "findings": [f.as_dict() for f in findings]})
        else:
            write_findings(self.stderr, findings)
        raise CommandError(message, returncode=1)

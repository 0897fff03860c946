"""`manage.py import_gpt PATH --workspace SLUG [--gpt SLUG] [--expected-version N] [--format json]`.

PATH is a bundle zip (from `export_gpt --target chatgpt`), a GPT document (YAML or JSON), or
ChatGPT's own JSON of a GPT or a list of them (detected from the content). Without --gpt it creates
a new GPT; with it, a new revision of that GPT. ChatGPT's JSON finds the GPT it updates by its
ChatGPT id: give the version you saw with `--chatgpt-version g-…=N` (one per GPT to update).
Exit status: 0 imported; 1 refused (any GPT of a ChatGPT list included), nothing written for it
(findings printed); 2 bad usage."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gpts.chatgpt_import import ChatGPTImportResult
from gpts.importers import DocumentRejected
from gpts.management.findings_output import write_findings, write_json
from gpts.models import GPT, Workspace
from gpts.uploads import gpt_import
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
        parser.add_argument(
            "--chatgpt-version",
            dest="versions",
            action="append",
            default=[],
            metavar="CHATGPT_ID=N",
            help="ChatGPT's JSON: the version you saw of the GPT imported from CHATGPT_ID (to update it).",
        )

    def handle(self, *args, path, workspace, gpt, expected_version, actor, fmt, versions, **options):
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
        expected_versions = _versions(versions)
        try:
            with source.open("rb") as upload:
                outcome = gpt_import(
                    workspace=target_workspace,
                    actor=author,
                    upload=upload,
                    filename=source.name,
                    gpt=target_gpt,
                    expected_version=expected_version,
                    expected_versions=expected_versions,
                )
        except DocumentRejected as exc:
            self._refused(fmt, exc.findings, "The import was refused; nothing was written.")
        except EditConflict as exc:
            self._refused(fmt, [], str(exc))
        if isinstance(outcome, ChatGPTImportResult):
            self._chatgpt_report(fmt, outcome)
            return
        if fmt == "json":
            write_json(self.stdout, outcome.as_dict())
            return
        verb = "Created" if outcome.created else "Updated" if outcome.revision else "Unchanged:"
        self.stdout.write(f"{verb} GPT {outcome.gpt.slug!r} (version {outcome.gpt.version}).")
        for secret in outcome.secrets_to_enter:
            self.stdout.write(f"To be entered: the {secret.field} of action {secret.action!r}.")
        write_findings(self.stdout, outcome.findings)

    def _chatgpt_report(self, fmt, result: ChatGPTImportResult) -> None:
        """One line per GPT (then its findings), or the result's JSON; exit 1 when any was refused."""
        if fmt == "json":
            write_json(self.stdout, result.as_dict())
        else:
            for item in result.results:
                label = f"{item.plan.index + 1}. {item.plan.name or '(no name)'} [{item.plan.chatgpt_id or 'no id'}]"
                if item.outcome is None:
                    self.stdout.write(f"{label}: {item.error}")
                    write_findings(self.stdout, item.plan.findings)
                    continue
                gpt = item.outcome.gpt
                verb = "created" if item.outcome.created else "updated" if item.outcome.revision else "unchanged"
                self.stdout.write(f"{label}: {verb} GPT {gpt.slug!r} (version {gpt.version}).")
                write_findings(self.stdout, item.plan.findings + item.outcome.findings)
        if result.refused:
            raise CommandError(f"{result.refused} of {len(result.results)} GPT(s) not imported.", returncode=1)

    def _refused(self, fmt, findings, message):
        if fmt == "json":
            write_json(self.stdout, {"valid": False, "message": message, "findings": [f.as_dict() for f in findings]})
        else:
            write_findings(self.stderr, findings)
        raise CommandError(message, returncode=1)


def _versions(pairs: list[str]) -> dict[str, int]:
    versions = {}
    for pair in pairs:
        chatgpt_id, _, number = pair.partition("=")
        if not chatgpt_id.strip() or not re.fullmatch(r"[0-9]{1,9}", number.strip()):
            raise CommandError(f"--chatgpt-version takes CHATGPT_ID=N (e.g. g-abc123=3), not {pair!r}.", returncode=2)
        versions[chatgpt_id.strip()] = int(number)
    return versions

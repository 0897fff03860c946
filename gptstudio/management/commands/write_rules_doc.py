"""`manage.py write_rules_doc [--check]`: write docs/RULES.md from the rule registry."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gptstudio.rules_doc import rules_markdown

RULES_DOC = Path(settings.BASE_DIR) / "docs" / "RULES.md"


class Command(BaseCommand):
    help = "Write docs/RULES.md from the rule registry and the limits module."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only check that the file is up to date")
        parser.add_argument("--out", default=str(RULES_DOC), help="where to write (default docs/RULES.md)")

    def handle(self, *args, check, out, **options):
        path = Path(out)
        content = rules_markdown()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != content:
                raise CommandError(f"{path} is out of date: run `manage.py write_rules_doc`.")
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")

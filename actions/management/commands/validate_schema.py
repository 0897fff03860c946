"""`manage.py validate_schema PATH [--format json]`: the schema report of one OpenAPI file.

The same command as `python -m actions.schema` (actions/schema/cli.py: output, exit status), with
Django's colours and settings.SCHEMA_MAX_BYTES as the default cap.
"""

import sys

from django.core.management.base import BaseCommand

from actions.schema import cli


class Command(BaseCommand):
    help = "Validate an OpenAPI schema as ChatGPT's GPT action editor will see it."
    # Reads a file and needs neither the database nor the project checks: skipping them keeps the
    # whole process fast enough for editors and CI hooks.
    requires_system_checks = []

    def add_arguments(self, parser):
        cli.add_arguments(parser, max_bytes_default="settings.SCHEMA_MAX_BYTES, 20 MB")

    def handle(self, *args, path, format, max_bytes, **options):
        styles = {
            "error": self.style.ERROR,
            "warning": self.style.WARNING,
            "info": self.style.NOTICE,
            "success": self.style.SUCCESS,
            "failure": self.style.ERROR,
        }
        sys.exit(
            cli.run(
                path,
                output_format=format,
                max_bytes=max_bytes,
                stdout=self.stdout,
                stderr=self.stderr,
                stdin=sys.stdin.buffer,
                styles=styles,
            )
        )

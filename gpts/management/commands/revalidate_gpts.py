"""Refresh every GPT's stored readiness after the validation rules changed (no new revisions)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from gpts.models import GPT
from gpts.services import store_validation


class Command(BaseCommand):
    help = "Re-run validation on every GPT and store its readiness and finding counts."

    def handle(self, *args, **options):
        changed = 0
        for pk in GPT.objects.values_list("pk", flat=True).order_by("pk"):
            with transaction.atomic():
                gpt = GPT.objects.select_for_update().get(pk=pk)
                before = (gpt.readiness, gpt.error_count, gpt.warning_count)
                store_validation(gpt)
                if (gpt.readiness, gpt.error_count, gpt.warning_count) != before:
                    GPT.objects.filter(pk=pk).update(
                        readiness=gpt.readiness, error_count=gpt.error_count, warning_count=gpt.warning_count
                    )
                    changed += 1
        self.stdout.write(self.style.SUCCESS(f"Revalidated all GPTs; {changed} changed readiness or counts."))

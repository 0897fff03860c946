"""Refresh every GPT's stored readiness after the validation rules changed (no new revisions)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from gpts.models import GPT
from gpts.services import STORED_VALIDATION_FIELDS, store_validation


class Command(BaseCommand):
    help = "Re-run validation on every GPT and store its readiness, finding counts and action count."

    def handle(self, *args, **options):
        changed = 0
        for pk in GPT.objects.values_list("pk", flat=True).order_by("pk"):
            with transaction.atomic():
                gpt = GPT.objects.select_for_update().get(pk=pk)
                before = [getattr(gpt, name) for name in STORED_VALIDATION_FIELDS]
                store_validation(gpt)
                if [getattr(gpt, name) for name in STORED_VALIDATION_FIELDS] != before:
                    GPT.objects.filter(pk=pk).update(**{name: getattr(gpt, name) for name in STORED_VALIDATION_FIELDS})
                    changed += 1
        self.stdout.write(self.style.SUCCESS(f"Revalidated all GPTs; {changed} changed readiness or counts."))

"""Re-encrypt every stored secret under the first key of FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), run this
command, then remove the old keys. Safe to run twice; touches only ciphertext columns and never
holds a plaintext longer than `MultiFernet.rotate` does.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.functions import Cast

from gptstudio.encryption import DecryptionError, EncryptedTextField, rotate


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields under the newest key in FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        rows = 0
        for model in apps.get_models():
            names = [f.attname for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
            if names:
                rows += self._rotate_model(model, names)
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted secrets in {rows} row(s) under the newest key."))

    @transaction.atomic
    def _rotate_model(self, model, names) -> int:
        # Cast to plain text so the ORM hands back the stored ciphertext instead of decrypting it.
        raw = {f"raw_{name}": Cast(name, models.TextField()) for name in names}
        queryset = model._base_manager.select_for_update().annotate(**raw).values_list("pk", *raw).order_by("pk")
        rotated = 0
        for pk, *tokens in queryset:
            updates = {}
            for name, token in zip(names, tokens, strict=True):
                if not token:
                    continue
                try:
                    # An expression, not a str: update() must store this ciphertext as is.
                    updates[name] = models.Value(rotate(token), output_field=models.TextField())
                except DecryptionError as exc:
                    raise CommandError(f"{model._meta.label} #{pk} {name}: {exc}") from exc
            if updates:
                model._base_manager.filter(pk=pk).update(**updates)
                rotated += 1
        return rotated

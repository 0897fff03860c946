"""`dumpdata` that refuses before it writes anything when the dump would hold a stored secret.

Django's dumpdata streams: the secret guard in `EncryptedTextField.value_to_string` stops it at
the first row with a secret, after the rows before it were written, so `--output` kept a
truncated file (and a shell redirect a truncated stream). This looks first: every model with an
encrypted column that the arguments select and that has a row with a secret is named, and nothing
is written. The field's guard stays as the backstop for other serialisers.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import CommandError
from django.core.management.commands import dumpdata
from django.db.models import Q

from gptstudio.encryption import EncryptedTextField


def _names(model) -> set[str]:
    """How a dumpdata argument can name `model` (`actions`, `actions.Action`, any case of the model)."""
    return {model._meta.app_label, f"{model._meta.app_label}.{model._meta.model_name}"}


def _label(argument: str) -> str:
    app_label, _, model_name = argument.partition(".")
    return f"{app_label}.{model_name.lower()}" if model_name else app_label


def _selected(model, app_labels: list[str], excludes: list[str]) -> bool:
    names = _names(model)
    chosen = not app_labels or any(_label(label) in names for label in app_labels)
    return chosen and not any(_label(label) in names for label in excludes)


class Command(dumpdata.Command):
    def handle(self, *app_labels, **options):
        using = options["database"]
        pks = [pk.strip() for pk in options["primary_keys"].split(",")] if options.get("primary_keys") else None
        holding = []
        for model in apps.get_models():
            secrets = [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not secrets or not _selected(model, list(app_labels), options["exclude"]):
                continue
            rows = model._base_manager.using(using).exclude(Q(**dict.fromkeys(secrets, "")))
            if pks is not None:
                rows = rows.filter(pk__in=pks)
            first = rows.order_by("pk").values_list("pk", flat=True).first()
            if first is not None:
                holding.append(f"{model._meta.label} (#{first} and maybe more)")
        if holding:
            raise CommandError(
                f"Nothing was written: the dump would include stored secrets in {', '.join(holding)}, and "
                "secrets are never serialised (a fixture would carry them as plaintext, or restore them as "
                "empty). Back up the database itself (pg_dump, or a copy of the SQLite file) with "
                f"FIELD_ENCRYPTION_KEYS; to dump the rest, add "
                f"{' '.join(f'--exclude {label.split()[0]}' for label in holding)}."
            )
        return super().handle(*app_labels, **options)

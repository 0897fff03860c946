from django.apps import AppConfig
from django.conf import settings
from django.core.signals import setting_changed


class ActionsConfig(AppConfig):
    """GPT Actions: OpenAPI schema text, authentication, privacy policy URL."""

    name = "actions"

    def ready(self):
        # Importing the schema engine registers its rules, so the registry (and the rules page) is
        # complete as soon as Django is set up.
        from actions.schema import parsing, report  # noqa: F401

        from . import tasks  # noqa: F401 (registers the Celery tasks gpts.jobs.job_enqueue queues by name)

        # The engine reads no settings; its default input cap follows settings.SCHEMA_MAX_BYTES.
        parsing.set_default_max_bytes(getattr(settings, "SCHEMA_MAX_BYTES", None))
        setting_changed.connect(_schema_max_bytes_changed, dispatch_uid="actions.schema_max_bytes")


def _schema_max_bytes_changed(*, setting, value, **kwargs):
    if setting == "SCHEMA_MAX_BYTES":
        from actions.schema import parsing

        parsing.set_default_max_bytes(value)

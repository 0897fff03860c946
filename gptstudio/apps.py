from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GptStudioConfig(AppConfig):
    """Shared infrastructure (encryption, findings, limits, health) and its commands."""

    name = "gptstudio"
    verbose_name = "GPT Studio"

    def ready(self):
        from . import tasks  # noqa: F401 (registers the Celery tasks queued by name, e.g. by gptstudio.mail)
        from .site import site_sync_from_settings

        post_migrate.connect(site_sync_from_settings, sender=self, dispatch_uid="gptstudio.site_sync_from_settings")

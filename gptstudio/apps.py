from django.apps import AppConfig


class GptStudioConfig(AppConfig):
    """Shared infrastructure (encryption, findings, limits, health) and its commands."""

    name = "gptstudio"
    verbose_name = "GPT Studio"

from django.apps import AppConfig


class ActionsConfig(AppConfig):
    """GPT Actions: OpenAPI schema text, authentication, privacy policy URL."""

    name = "actions"

from django.apps import AppConfig


class ActionsConfig(AppConfig):
    """GPT Actions: OpenAPI schema text, authentication, privacy policy URL."""

    name = "actions"

    def ready(self):
        # Importing the schema engine registers its rules, so the registry (and the rules page) is
        # complete as soon as Django is set up.
        from actions.schema import report  # noqa: F401

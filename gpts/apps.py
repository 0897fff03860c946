from django.apps import AppConfig


class GptsConfig(AppConfig):
    """Workspaces, GPTs, their starters, knowledge files, revisions and jobs."""

    name = "gpts"
    verbose_name = "GPTs"

    def ready(self):
        # Registers the GPT-level rules, so the rule registry is complete once Django is set up.
        from gpts import validation  # noqa: F401

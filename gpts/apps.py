from django.apps import AppConfig


class GptsConfig(AppConfig):
    """Workspaces, GPTs, their starters, knowledge files, revisions and jobs."""

    name = "gpts"
    verbose_name = "GPTs"

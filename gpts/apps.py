from django.apps import AppConfig


class GptsConfig(AppConfig):
    """Workspaces, GPTs, their starters, knowledge files, revisions and jobs."""

    name = "gpts"
    verbose_name = "GPTs"

    def ready(self):
        # Importing these registers their rules, so the rule registry is complete once Django is
        # set up: GPT-level validation, the document, bundle import, ChatGPT's JSON, import and export.
        from gpts import (  # noqa: F401
            bundle,
            chatgpt_import,
            document,
            exporters,
            importers,
            validation,
        )

        from . import (
            signals,  # noqa: F401 (connects the sign-up receiver)
            tasks,  # noqa: F401 (registers the Celery tasks gpts.jobs.job_enqueue queues by name)
        )

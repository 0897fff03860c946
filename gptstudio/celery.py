"""The Celery app, wired once. Settings come from Django settings prefixed CELERY_.

With no REDIS_URL, CELERY_TASK_ALWAYS_EAGER makes `.delay()` run the task in-process, so the
embedded default needs no broker. With REDIS_URL set, `make worker` consumes the queue.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gptstudio.settings.local")

app = Celery("gptstudio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

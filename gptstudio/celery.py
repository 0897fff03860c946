"""The Celery app, wired once. Settings come from Django settings prefixed CELERY_.

With no REDIS_URL, CELERY_TASK_ALWAYS_EAGER makes `.delay()` run the task in-process, so the
embedded default needs no broker. With REDIS_URL set, `make worker` consumes the queue.

No settings module is chosen here: this module is imported by every entry point (manage.py, wsgi,
the worker), and each of those picks its own default. A default set here would win over wsgi's
production default, because the package is imported first.
"""

from celery import Celery, signals

app = Celery("gptstudio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def refuse_to_work_without_a_broker(**kwargs):
    """Without REDIS_URL tasks run eagerly in the web process; a worker would only wait on an
    in-memory broker that nothing ever sends to. Say so instead of idling silently."""
    if app.conf.task_always_eager:
        raise SystemExit(
            "REDIS_URL is not set (in the environment or .env), so tasks run eagerly in-process and "
            "need no worker. Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run one."
        )

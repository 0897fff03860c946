"""Queueing a Celery task from code below the tasks modules.

The tasks modules are entry points above the services (docs/ARCHITECTURE.md), so a service never
imports one: it queues a task by its registered name, through Celery's task registry, which keeps
eager mode (no broker: the task runs in process) working.
"""

from __future__ import annotations

from functools import partial

from celery import current_app
from django.db import transaction


def enqueue_after_commit(task_name: str, /, *args, **kwargs) -> None:
    """Queue the task registered as `task_name` once the current transaction commits, so the
    worker finds what the transaction wrote and a rolled-back change queues nothing."""
    task = current_app.tasks[task_name]
    transaction.on_commit(partial(task.delay, *args, **kwargs))

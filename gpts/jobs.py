"""A job row's queueing and transitions, shared by the job runners (actions.imports, actions.heavy,
actions.calls, gpts.picture_fetch).

`job_enqueue` queues a job's Celery task by its registered name: the tasks modules are entry points
above the services (docs/ARCHITECTURE.md), so a service never imports one. The claim and finish
take the job row's lock and re-check its status, so two deliveries of one Celery task cannot both
run a job or overwrite each other's outcome.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from gptstudio.queueing import enqueue_after_commit

from .models import Job

FINISHED = (Job.Status.SUCCEEDED, Job.Status.FAILED)


def job_enqueue(job: Job, *, task_name: str) -> Job:
    """Queue the Celery task registered as `task_name` with the job's id, once the current
    transaction commits (so the worker finds the row). With eager Celery it runs in process then."""
    enqueue_after_commit(task_name, job.pk)
    return job


@transaction.atomic
def job_claim(*, job_id: int, kinds) -> Job:
    """Mark the job running for one more attempt; a finished job is returned untouched."""
    job = Job.objects.select_for_update().get(pk=job_id, kind__in=kinds)
    if job.status in FINISHED:
        return job
    job.status = Job.Status.RUNNING
    job.attempts += 1
    job.started_at = job.started_at or timezone.now()
    job.save(update_fields=["status", "attempts", "started_at", "updated_at"])
    return job


@transaction.atomic
def job_finish(
    job: Job, status: str, *, error: str = "", result: dict | None = None, action=None, drop_params=()
) -> Job:
    """Record the outcome (and the action it wrote), dropping the `drop_params` keys of the stored
    input. A job another delivery has finished first keeps that outcome."""
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.status in FINISHED:
        return locked
    locked.status = status
    locked.error = error
    locked.result = result or {}
    locked.finished_at = timezone.now()
    fields = ["status", "error", "result", "finished_at", "updated_at"]
    if drop_params:
        locked.params = {key: value for key, value in locked.params.items() if key not in drop_params}
        fields.append("params")
    if action is not None:
        locked.action = action
        fields.append("action")
    locked.save(update_fields=fields)
    return locked

"""The life of a Job row, shared by every kind of job (schema import, profile picture fetch): a
worker claims an attempt, then records the outcome once. Both are idempotent under the row lock,
so a job delivered twice keeps the outcome of the delivery that finished first."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import Job

FINISHED = (Job.Status.SUCCEEDED, Job.Status.FAILED)


@transaction.atomic
def job_claim(*, job_id: int, kind: str) -> Job:
    """Start an attempt of job `job_id` (of `kind`): running, one more attempt. A finished job is
    returned untouched."""
    job = Job.objects.select_for_update().get(pk=job_id, kind=kind)
    if job.status in FINISHED:
        return job
    job.status = Job.Status.RUNNING
    job.attempts += 1
    job.started_at = job.started_at or timezone.now()
    job.save(update_fields=["status", "attempts", "started_at", "updated_at"])
    return job


@transaction.atomic
def job_finish(job: Job, status: str, *, error: str = "", result: dict | None = None, action=None) -> Job:
    """Record the job's outcome (and the action it made, if any), unless another delivery of the
    job finished first: then that outcome is kept and returned."""
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.status in FINISHED:
        return locked
    locked.status = status
    locked.error = error
    locked.result = result or {}
    locked.finished_at = timezone.now()
    fields = ["status", "error", "result", "finished_at", "updated_at"]
    if action is not None:
        locked.action = action
        fields.append("action")
    locked.save(update_fields=fields)
    return locked

"""Test calls: an editor runs one operation of an action from the "Try it" panel or
`POST /api/v1/actions/{id}/call/`, through the operation runner (actions/runner.py).

    action_call(...)         synchronous, bounded by the runner's 45 s deadline
    action_call_start(...)   the same as a job (kind action_test): created in the request,
        │                    enqueued on commit, answered 202; the panel and scripts poll it
        ▼
    actions.tasks.action_call_task(job_id) → action_call_run(job_id)

A call is never retried (it may not be idempotent). The job keeps the arguments (`params`) and
the response shown to the caller (`result`); the audit trail (CallRecord) keeps neither.
Who may call is the caller's business (editors and owners: the views check it).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from gpts.jobs import job_enqueue
from gpts.models import Job

from .models import Action, CallRecord
from .runner import OperationRefused, OperationResult, find_operation, run_operation


def action_call(*, action: Action, actor, operation: str, arguments) -> OperationResult:
    """Call `operation` (tool name or operationId) of `action` now. Raises OperationRefused (an
    unknown operation included: the runner records that attempt too)."""
    return run_operation(
        action=action, tool_name=operation, arguments=arguments, actor=actor, via=CallRecord.Via.TEST_CALL
    )


@transaction.atomic
def action_call_start(*, action: Action, actor, operation: str, arguments) -> Job:
    """A job that makes the call in the background (for calls that may take long). An unknown
    operation is refused here, before any job exists; everything else is the job's outcome."""
    name = find_operation(action, operation).name
    job = Job(
        workspace_id=action.gpt.workspace_id,
        kind=Job.Kind.ACTION_TEST,
        gpt_id=action.gpt_id,
        action=action,
        created_by=actor,
        params={"operation": name, "arguments": arguments, "action_version": action.version},
    )
    job.full_clean()
    job.save()
    return job_enqueue(job, task_name="actions.call")


def action_call_run(*, job_id: int) -> Job:
    """Run a test-call job once; a finished (or already started) job is returned untouched."""
    with transaction.atomic():
        job = Job.objects.select_for_update().select_related("action__gpt").get(pk=job_id, kind=Job.Kind.ACTION_TEST)
        if job.status != Job.Status.PENDING:
            return job
        job.status, job.attempts, job.started_at = Job.Status.RUNNING, 1, timezone.now()
        job.save(update_fields=["status", "attempts", "started_at", "updated_at"])
    if job.action is None:
        return _finish(job, error="The action was deleted before the call ran.", result={"code": "runner.unusable"})
    try:
        result = run_operation(
            action=job.action,
            tool_name=job.params["operation"],
            arguments=job.params.get("arguments"),
            actor=job.created_by,
            via=CallRecord.Via.TEST_CALL,
        )
    except OperationRefused as exc:
        return _finish(job, error=exc.message, result=exc.as_dict())
    return _finish(job, result=result.as_dict())


def _finish(job: Job, *, result: dict, error: str = "") -> Job:
    job.status = Job.Status.FAILED if error else Job.Status.SUCCEEDED
    job.result, job.error, job.finished_at = result, error, timezone.now()
    job.save(update_fields=["status", "result", "error", "finished_at", "updated_at"])
    return job

"""Celery tasks for actions: thin wrappers that take ids and call a service."""

from celery import shared_task

from . import calls, imports, services


@shared_task(name="actions.refresh_domain")
def action_refresh_domain_task(action_id: int) -> str:
    return services.action_refresh_domain(action_id=action_id)


@shared_task(bind=True, name="actions.schema_import", max_retries=None)
def schema_import_task(self, job_id: int) -> str:
    """Run a schema-import job. The service decides what is transient and caps the attempts (on
    the job row, so the count survives worker restarts); this task only schedules the retry."""
    while True:
        try:
            return imports.schema_import_run(job_id=job_id).status
        except imports.TransientImportFailure as exc:
            if not self.request.is_eager:
                raise self.retry(countdown=exc.retry_in, exc=exc) from None
            # Eager (no broker): nothing could run a scheduled retry, and with eager propagation
            # Celery would raise Retry into the caller; so retry at once, in process, as Celery's
            # own eager retry does. The service's attempt cap ends the loop.


@shared_task(name="actions.call")
def action_call_task(job_id: int) -> str:
    """Run a test-call job (never retried: the call may not be idempotent)."""
    return calls.action_call_run(job_id=job_id).status

"""Schemas too large to check or save inside a web request: they run as Celery jobs.

A schema text over settings.SCHEMA_SYNC_MAX_BYTES (gptstudio.limits.STUDIO_SCHEMA_SYNC_MAX_BYTES)
would hold a web worker for seconds and hundreds of MB (a 19.5 MB YAML: 8-13 s), so every small
request queued behind it waits. Instead the interfaces start a job and answer at once (202 + the
job in the API, a polling status in the editor):

    schema_check_start / action_save_start   in the request: check the per-user limit, store the
        │                                     input on the job row (secrets encrypted), enqueue
        ▼                                     on commit
    actions.tasks.heavy_job_task(job_id)     thin Celery task
        ▼
    heavy_job_run(job_id)                    the schema report (schema_check), or the service
                                             call and the report (action_save); the stored input
                                             is dropped from the row when the job finishes

Per user, at most settings.HEAVY_JOBS_PER_USER heavy jobs may be pending or running at once; one
more raises TooManyHeavyJobs (429 in the API). A job older than twice Celery's hard time limit
cannot still be running, so it no longer counts (a worker that died must not block its user).

An action save keeps its version check: the job calls action_update with the version the request
started from, so an edit saved in between fails the job with a conflict (`result.conflict`).

Memory: a job over a multi-megabyte schema grows the process by hundreds of MB that Python's
allocator keeps; the Celery worker replaces such a child after the task
(CELERY_WORKER_MAX_MEMORY_PER_CHILD), so its memory returns to the baseline. With eager tasks (no
REDIS_URL, the embedded default) the job runs in the web process, as every other job does there.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gpts.jobs import FINISHED, job_claim, job_enqueue, job_finish
from gpts.models import GPT, Job, Workspace
from gpts.services import stale_job_cutoff_seconds
from gptstudio.encryption import DecryptionError, decrypt, encrypt
from gptstudio.errors import EditConflict, TooManyHeavyJobs
from gptstudio.findings import Finding

from .models import Action
from .schema.report import Operation, SchemaReport
from .schema_reports import validate_schema_text_cached
from .services import action_create, action_update

logger = logging.getLogger(__name__)

HEAVY_KINDS = (Job.Kind.SCHEMA_CHECK, Job.Kind.ACTION_SAVE)
ACTIVE = (Job.Status.PENDING, Job.Status.RUNNING)
SECRET_FIELDS = ("api_key", "oauth_client_secret")


def sync_max_bytes() -> int:
    return int(settings.SCHEMA_SYNC_MAX_BYTES)


def schema_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def is_heavy(text: str | None) -> bool:
    """Whether a schema text is over the synchronous cap (its UTF-8 size, as the cap is in bytes)."""
    if not text:
        return False
    cap = sync_max_bytes()
    if len(text) > cap:
        return True  # Every character is at least one byte: no need to encode a 20 MB text.
    return len(text) * 4 > cap and schema_size(text) > cap


def heavy_jobs_per_user() -> int:
    return int(settings.HEAVY_JOBS_PER_USER)


def active_heavy_jobs(user):
    """The user's heavy jobs that may still be waiting or running (one older than the point where
    a running job counts as stale no longer holds a slot, whatever its status says)."""
    stale_before = timezone.now() - timedelta(seconds=stale_job_cutoff_seconds())
    return Job.objects.filter(created_by=user, kind__in=HEAVY_KINDS, status__in=ACTIVE, created_at__gte=stale_before)


def _reserve(actor) -> None:
    """Refuse a heavy job beyond the user's limit. Locks the user's row so that two requests at
    the same moment cannot both take the last slot."""
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    limit = heavy_jobs_per_user()
    if active_heavy_jobs(actor).count() >= limit:
        raise TooManyHeavyJobs(limit=limit)


# --- Start (in the request) -------------------------------------------------------------------------


@transaction.atomic
def schema_check_start(
    *, actor, text: str, workspace: Workspace | None = None, gpt: GPT | None = None, action: Action | None = None
) -> Job:
    """A job that validates `text` (nothing is saved); its result is the schema report, the same
    dict `validate_schema_text(text).as_dict()` gives. `workspace` is None for the API's
    workspace-less validate endpoint: the job is then visible to its creator only."""
    _reserve(actor)
    job = Job(
        workspace=workspace or (gpt.workspace if gpt else None),
        kind=Job.Kind.SCHEMA_CHECK,
        gpt=gpt,
        action=action,
        created_by=actor,
        params={"schema_text": text, "size_bytes": schema_size(text)},
    )
    job.save()
    return job_enqueue(job, task_name="actions.heavy_job")


@transaction.atomic
def action_save_start(
    *,
    actor,
    gpt: GPT,
    action: Action | None = None,
    expected_version: int | None = None,
    expected_gpt_version: int | None = None,
    strict: bool = False,
    api_key: str | None = None,
    oauth_client_secret: str | None = None,
    **fields,
) -> Job:
    """A job that creates an action on `gpt` (no `action`) or updates `action` from
    `expected_version`, through actions.services, then validates the saved schema. `fields` are
    the services' keyword arguments; secrets are stored encrypted until the job has run."""
    if action is not None and action.gpt_id != gpt.pk:
        raise ValidationError({"action": "This action belongs to another GPT."})
    _reserve(actor)
    secrets = {
        name: encrypt(value)
        for name, value in (("api_key", api_key), ("oauth_client_secret", oauth_client_secret))
        if value is not None
    }
    job = Job(
        workspace_id=gpt.workspace_id,
        kind=Job.Kind.ACTION_SAVE,
        gpt=gpt,
        action=action,
        created_by=actor,
        params={
            "action_id": action.pk if action else None,
            "expected_version": expected_version,
            "expected_gpt_version": expected_gpt_version,
            "strict": strict,
            "fields": fields,
            "secrets": secrets,
            "size_bytes": schema_size(fields.get("schema_text") or ""),
        },
    )
    job.save()
    return job_enqueue(job, task_name="actions.heavy_job")


# --- Run (in the worker) ----------------------------------------------------------------------------


def heavy_job_run(*, job_id: int) -> Job:
    """Run a heavy job once; a finished job is returned untouched (a second delivery is a no-op)."""
    job = job_claim(job_id=job_id, kinds=HEAVY_KINDS)
    if job.status in FINISHED:
        return job
    try:
        if job.kind == Job.Kind.SCHEMA_CHECK:
            report = validate_schema_text_cached(job.params["schema_text"])
            return _finish(job, Job.Status.SUCCEEDED, result=report.as_dict())
        return _save(job)
    except Exception:
        # Never leave a job `running` (it would hold one of its user's slots): record the failure.
        # Celery's soft time limit ends up here too.
        logger.exception("large-schema job %s failed", job.pk)
        return _finish(job, Job.Status.FAILED, error="The job failed unexpectedly; nothing was saved. Try again.")


def report_from_dict(data: dict) -> SchemaReport:
    """A schema-check job's result (`SchemaReport.as_dict()`) as the report again, for the pages
    that render a report object."""
    fields = ("format", "openapi_version", "domain", "server_url", "auth_scheme", "size_bytes")
    return SchemaReport(
        **{name: data[name] for name in fields},
        operations=[Operation(**operation) for operation in data["operations"]],
        findings=[Finding.from_dict(finding) for finding in data["findings"]],
    )


def _finish(job: Job, status: str, **outcome) -> Job:
    """Finish the job and drop its stored input (the schema text, any encrypted secret)."""
    return job_finish(job, status, drop_params=("schema_text", "fields", "secrets"), **outcome)


class _StrictRefusal(Exception):
    def __init__(self, report: SchemaReport):
        self.report = report


def _save(job: Job) -> Job:
    params = job.params
    try:
        secrets = {name: decrypt(token) for name, token in params.get("secrets", {}).items()}
    except DecryptionError:
        message = "The secret sent with this save can no longer be decrypted (the key was rotated); send it again."
        return _finish(job, Job.Status.FAILED, error=message)
    try:
        with transaction.atomic():
            action = _call_service(job, params, secrets)
            report = validate_schema_text_cached(action.schema_text)
            if params.get("strict") and not report.valid:
                raise _StrictRefusal(report)
    except EditConflict as exc:
        conflict = {"expected_version": exc.expected_version, "current_version": exc.current_version}
        return _finish(job, Job.Status.FAILED, error=str(exc), result={"conflict": conflict})
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return _finish(job, Job.Status.FAILED, error=" ".join(exc.messages), result={"errors": errors})
    except _StrictRefusal as refusal:
        errors = refusal.report.counts.get("error", 0)
        message = f"Not saved: strict mode refuses a result with {errors} validation error(s)."
        return _finish(job, Job.Status.FAILED, error=message, result={"validation": refusal.report.as_dict()})
    result = {
        "action_id": action.pk,
        "action_version": action.version,
        "created": params.get("action_id") is None,
        "validation": report.as_dict(),
    }
    return _finish(job, Job.Status.SUCCEEDED, result=result, action=action)


def _call_service(job: Job, params: dict, secrets: dict) -> Action:
    gpt = GPT.objects.filter(pk=job.gpt_id).first()
    if gpt is None:
        raise ValidationError({"gpt": "The GPT was deleted before the save could run."})
    fields = {**params["fields"], **secrets}
    if params.get("action_id") is None:
        return action_create(
            gpt=gpt, actor=job.created_by, expected_gpt_version=params.get("expected_gpt_version"), **fields
        )
    target = Action.objects.filter(pk=params["action_id"], gpt=gpt).first()
    if target is None:
        raise ValidationError({"action": "The action was deleted before the save could run."})
    return action_update(action=target, actor=job.created_by, expected_version=params["expected_version"], **fields)

"""Import an action's OpenAPI schema from a URL, as a Celery job recorded in a `gpts.models.Job`.

    schema_import_start(gpt, actor, url, action=None)   in the request: check the URL, create the
        │                                               job (kind schema_import), enqueue on commit
        ▼
    actions.tasks.schema_import_task(job_id)            thin Celery task; owns the retry call
        ▼
    schema_import_run(job_id)                           fetch through gptstudio.fetcher, decode,
                                                        check it is a schema, create or update the
                                                        action through actions.services

The schema text is stored exactly as fetched, decoded by the response's charset (UTF-8 when none
is named; a UTF-8 byte-order mark is dropped). Remote `$ref`s are never followed: the text is
stored and validated as it is, nothing it points to is fetched.

Failures: transient ones (timeouts, connection errors, DNS "try again", HTTP 5xx and 429) are
retried with backoff (the server's Retry-After when it sends one) up to SCHEMA_IMPORT_MAX_ATTEMPTS;
between attempts the job is `pending` and `error` says what failed and when the next try is.
Permanent ones (a refused address, 4xx, too large, undecodable, not an OpenAPI schema, an edit
conflict, a GPT already at its action limit) fail the job at once with a clear `error`.

Idempotent: a finished job is never run again, and the action is written under a lock on the job
row that re-checks its status, so two deliveries of one job cannot create two actions.
Lock order: job row, then the GPT, then the action (actions.services).
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from gpts.jobs import FINISHED, job_claim, job_enqueue, job_finish
from gpts.models import GPT, Job
from gptstudio import limits
from gptstudio.errors import EditConflict
from gptstudio.fetcher import FetchError, FetchPolicy, FetchRefused, FetchResult, fetch, validate_url
from gptstudio.findings import Severity

from .models import Action
from .schema import SchemaReport, parse_and_validate_schema
from .services import action_create, action_update

logger = logging.getLogger(__name__)

# The fetcher's defaults, spelled out: the schema cap is GPT Studio's own (big real specs must be
# inspectable); ChatGPT's much smaller size limit is a finding of the schema report, not a refusal.
SCHEMA_IMPORT_POLICY = FetchPolicy(
    schemes=frozenset({"https", "http"}),
    max_bytes=limits.STUDIO_SCHEMA_HARD_MAX_BYTES,
    max_redirects=5,
    connect_timeout=5.0,
    read_timeout=10.0,
    total_timeout=30.0,
)
SCHEMA_IMPORT_ACCEPT = (
    "application/vnd.oai.openapi+json, application/json, application/yaml, application/x-yaml, text/yaml, "
    "text/plain;q=0.8, */*;q=0.5"
)
SCHEMA_IMPORT_MAX_ATTEMPTS = 4
RETRY_BASE_SECONDS = 10  # 10 s, 30 s, 90 s between the four attempts
RETRY_MAX_SECONDS = 300
URL_MAX_LENGTH = 2000
IMPORTED_NAME_FALLBACK = "Imported action"


class TransientImportFailure(Exception):
    """This attempt failed for a reason worth retrying; the task retries after `retry_in` seconds."""

    def __init__(self, message: str, *, retry_in: float):
        super().__init__(message)
        self.retry_in = retry_in


# --- Start (in the request) -------------------------------------------------------------------------


@transaction.atomic
def schema_import_start(*, gpt: GPT, actor, url: str, action: Action | None = None) -> Job:
    """Create a schema-import job and enqueue it once the transaction commits.

    With `action`, the import replaces that action's schema, but only if the action is still at
    the version it has now when the job runs (else the job fails with a conflict). Without it, a
    new action is created, named after the schema's `info.title`. Bad input raises ValidationError
    with a field message (`url`, `action`, `gpt`) and creates nothing."""
    url = (url or "").strip()
    if len(url) > URL_MAX_LENGTH:
        raise ValidationError({"url": f"The URL is longer than {URL_MAX_LENGTH} characters."})
    try:
        validate_url(url, policy=SCHEMA_IMPORT_POLICY)
    except FetchRefused as exc:
        raise ValidationError({"url": exc.message}) from None
    if action is not None and action.gpt_id != gpt.pk:
        raise ValidationError({"action": "This action belongs to another GPT."})
    maximum = limits.GPT_ACTIONS_MAX.value
    if action is None and gpt.actions.count() >= maximum:
        raise ValidationError(
            {"gpt": f"ChatGPT allows at most {maximum} actions per GPT; remove one or import over an existing one."}
        )
    job = Job(
        workspace_id=gpt.workspace_id,
        kind=Job.Kind.SCHEMA_IMPORT,
        gpt=gpt,
        action=action,
        created_by=actor,
        params={
            "url": url,
            "action_id": action.pk if action else None,
            "expected_action_version": action.version if action else None,
        },
    )
    job.full_clean()
    job.save()
    return job_enqueue(job, task_name="actions.schema_import")


# --- Run (in the worker) ----------------------------------------------------------------------------


def schema_import_run(*, job_id: int) -> Job:
    """Run one attempt of a schema-import job; returns the job (finished, or pending a retry when
    this raises TransientImportFailure). A finished job is returned untouched.

    Deliberately not one transaction: no lock is held while waiting on the network. Each write
    (claiming the attempt, recording a failure, writing the action) is its own short transaction."""
    job = job_claim(job_id=job_id, kinds=(Job.Kind.SCHEMA_IMPORT,))
    if job.status in FINISHED:
        return job
    url = job.params["url"]
    try:
        response = fetch(url, headers={"Accept": SCHEMA_IMPORT_ACCEPT}, policy=SCHEMA_IMPORT_POLICY)
        response.raise_for_status()
        text = response.text()
    except FetchError as exc:
        logger.info("schema import job %s attempt %s: %s", job.pk, job.attempts, exc.message)
        if exc.transient:
            return _retry_or_give_up(job, exc)
        return job_finish(job, Job.Status.FAILED, error=exc.message)
    parsed, report = parse_and_validate_schema(text)
    data = parsed.data
    summary = _summary(report, response)
    problem = _not_a_schema(data, report, response)
    if problem:
        return job_finish(job, Job.Status.FAILED, error=problem, result=summary)
    return _write(job, text=text, data=data, summary=summary)


def retry_delay(attempt: int, retry_after: float | None) -> float:
    """Seconds before the next attempt: the server's Retry-After if given, else 10, 30, 90 ...;
    never more than RETRY_MAX_SECONDS."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), RETRY_MAX_SECONDS)
    return min(RETRY_BASE_SECONDS * 3 ** (attempt - 1), RETRY_MAX_SECONDS)


def _retry_or_give_up(job: Job, exc: FetchError) -> Job:
    if job.attempts >= SCHEMA_IMPORT_MAX_ATTEMPTS:
        return job_finish(job, Job.Status.FAILED, error=f"Gave up after {job.attempts} attempts. {exc.message}")
    delay = retry_delay(job.attempts, getattr(exc, "retry_after", None))
    message = (
        f"Attempt {job.attempts} of {SCHEMA_IMPORT_MAX_ATTEMPTS} failed: {exc.message} Trying again in {delay:.0f} s."
    )
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status in FINISHED:
            return locked
        locked.status = Job.Status.PENDING
        locked.error = message
        locked.save(update_fields=["status", "error", "updated_at"])
    raise TransientImportFailure(message, retry_in=delay)


def _summary(report: SchemaReport, response: FetchResult) -> dict:
    severities = [f.severity for f in report.findings]
    return {
        "final_url": response.url,
        "valid": report.valid,
        "domain": report.domain,
        "openapi_version": report.openapi_version,
        "format": report.format,
        "size_bytes": report.size_bytes,
        "operation_count": len(report.operations),
        "error_count": severities.count(Severity.ERROR),
        "warning_count": severities.count(Severity.WARNING),
    }


def _not_a_schema(data, report: SchemaReport, response: FetchResult) -> str:
    """Why the fetched text is not an OpenAPI (or Swagger) document, or "" when it is one."""
    if isinstance(data, dict) and ("openapi" in data or "swagger" in data):
        return ""
    content_type = response.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    if isinstance(data, dict):
        what = "a JSON/YAML document without an 'openapi' field"
    elif data is None:
        errors = [f.message for f in report.findings if f.severity == Severity.ERROR]
        what = "text that does not parse as JSON or YAML" + (f" ({errors[0]})" if errors else "")
    else:
        what = f"a {type(data).__name__}, not a JSON/YAML object"
    return (
        f"The URL returned {what} ({content_type}), not an OpenAPI schema. Point it at the schema file "
        "itself (often …/openapi.json or …/openapi.yaml), not at a documentation page."
    )


def schema_title(data: dict) -> str:
    info = data.get("info")
    title = info.get("title") if isinstance(info, dict) else None
    return " ".join(title.split()) if isinstance(title, str) else ""


def unique_action_name(title: str, taken: list[str]) -> str:
    max_length = Action._meta.get_field("name").max_length
    base = (title or IMPORTED_NAME_FALLBACK)[:max_length].strip()
    taken_lower = {name.lower() for name in taken}
    candidate, n = base, 1
    while candidate.lower() in taken_lower:
        n += 1
        suffix = f" ({n})"
        candidate = base[: max_length - len(suffix)].rstrip() + suffix
    return candidate


def _write(job: Job, *, text: str, data: dict, summary: dict) -> Job:
    """Create or update the action and finish the job, in one transaction under the job's lock."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status in FINISHED:
            return locked
        gpt = GPT.objects.filter(pk=locked.gpt_id).first()
        action_id = locked.params.get("action_id")
        try:
            if gpt is None:
                raise ValidationError({"gpt": "The GPT was deleted after the import started."})
            if action_id is None:
                name = unique_action_name(schema_title(data), list(gpt.actions.values_list("name", flat=True)))
                action = action_create(gpt=gpt, actor=locked.created_by, name=name, schema_text=text)
            else:
                target = Action.objects.filter(pk=action_id, gpt=gpt).first()
                if target is None:
                    raise ValidationError({"action": "The action was deleted after the import started."})
                action = action_update(
                    action=target,
                    actor=locked.created_by,
                    expected_version=locked.params["expected_action_version"],
                    schema_text=text,
                    summary=f"Imported the schema of action {target.name} from {locked.params['url']}",
                )
        except EditConflict as exc:
            conflict = {"expected_version": exc.expected_version, "current_version": exc.current_version}
            return job_finish(locked, Job.Status.FAILED, error=str(exc), result={**summary, "conflict": conflict})
        except ValidationError as exc:
            return job_finish(locked, Job.Status.FAILED, error=" ".join(exc.messages), result=summary)
        result = {**summary, "action_id": action.pk, "created": action_id is None}
        return job_finish(locked, Job.Status.SUCCEEDED, result=result, action=action)

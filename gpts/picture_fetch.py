"""Fetch a GPT's profile picture from the address ChatGPT's JSON gave (a rescue import keeps it in
`GPT.chatgpt_profile_picture_url`), as a job the user asks for.

    profile_picture_fetch_start(gpt=, actor=)   validate the address, record a Job, enqueue on commit
    profile_picture_fetch_run(job_id=)          in the worker: fetch through gptstudio.fetcher (the
                                                SSRF rules of every fetch), check the picture as the
                                                editor does (gpts.pictures), save it through
                                                gpts.services.gpt_update (a new revision)

One attempt: a picture link that fails is usually expired, not flaky, and the user can ask again.
"""

from __future__ import annotations

import dataclasses
import io
import logging

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from gptstudio import limits
from gptstudio.errors import EditConflict
from gptstudio.fetcher import DEFAULT_POLICY, FetchError, FetchRefused, fetch, validate_url

from . import services
from .jobs import FINISHED, job_claim, job_enqueue, job_finish
from .models import GPT, Job
from .pictures import PROFILE_PICTURE_FORMATS

logger = logging.getLogger(__name__)

# The fetcher's defaults (schemes, redirects, timeouts), capped at the largest picture the editor takes.
PROFILE_PICTURE_POLICY = dataclasses.replace(DEFAULT_POLICY, max_bytes=limits.STUDIO_PROFILE_PICTURE_MAX_BYTES)
PROFILE_PICTURE_ACCEPT = "image/png, image/jpeg, image/gif, image/webp;q=0.9, */*;q=0.1"


def profile_picture_fetch_start(*, gpt: GPT, actor) -> Job:
    """Record a fetch job for the GPT's kept ChatGPT picture address and enqueue it on commit.
    Raises ValidationError when the GPT has no such address or the fetcher would refuse it."""
    url = gpt.chatgpt_profile_picture_url
    if not url:
        raise ValidationError(
            {"chatgpt_profile_picture_url": "This GPT has no profile picture address from ChatGPT to fetch."}
        )
    try:
        validate_url(url, policy=PROFILE_PICTURE_POLICY)
    except FetchRefused as exc:
        raise ValidationError({"chatgpt_profile_picture_url": exc.message}) from None
    job = Job(
        workspace_id=gpt.workspace_id,
        kind=Job.Kind.PROFILE_PICTURE_FETCH,
        gpt=gpt,
        created_by=actor,
        params={"url": url},
    )
    job.full_clean()
    job.save()
    return job_enqueue(job, task_name="gpts.profile_picture_fetch")


def profile_picture_fetch_run(*, job_id: int) -> Job:
    """Run the job once; a finished job is returned untouched. No lock is held while fetching."""
    job = job_claim(job_id=job_id, kinds=(Job.Kind.PROFILE_PICTURE_FETCH,))
    if job.status in FINISHED:
        return job
    if job.gpt_id is None:
        return job_finish(job, Job.Status.FAILED, error="The GPT was deleted.")
    try:
        response = fetch(job.params["url"], headers={"Accept": PROFILE_PICTURE_ACCEPT}, policy=PROFILE_PICTURE_POLICY)
        response.raise_for_status()
    except FetchError as exc:
        logger.info("profile picture job %s: %s", job.pk, exc.message)
        return job_finish(job, Job.Status.FAILED, error=exc.message)
    try:
        with Image.open(io.BytesIO(response.content)) as image:
            image_format = image.format
    except Exception:  # Pillow raises many types for what is not an image
        image_format = None
    extensions = PROFILE_PICTURE_FORMATS.get(image_format or "")
    if not extensions:
        return job_finish(
            job, Job.Status.FAILED, error="The address did not answer with a PNG, JPEG, GIF or WebP picture."
        )
    upload = SimpleUploadedFile(f"profile.{extensions[0]}", response.content, content_type=f"image/{extensions[0]}")
    try:
        with transaction.atomic():
            gpt = services.lock_gpt(GPT.objects.get(pk=job.gpt_id), expected_version=None)
            gpt = services.gpt_update(
                gpt=gpt,
                actor=job.created_by,
                expected_version=gpt.version,
                profile_picture=upload,
                summary="Profile picture fetched from ChatGPT",
            )
    except GPT.DoesNotExist:
        return job_finish(job, Job.Status.FAILED, error="The GPT was deleted.")
    except ValidationError as exc:
        return job_finish(job, Job.Status.FAILED, error=" ".join(exc.messages))
    except EditConflict as exc:  # not expected: the version is read under the lock
        return job_finish(job, Job.Status.FAILED, error=str(exc))
    return job_finish(
        job,
        Job.Status.SUCCEEDED,
        result={"bytes": len(response.content), "format": image_format, "version": gpt.version},
    )

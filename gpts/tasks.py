"""Celery tasks for GPTs: thin wrappers that take ids and call a service."""

from celery import shared_task

from . import picture_fetch


@shared_task(name="gpts.profile_picture_fetch")
def profile_picture_fetch_task(job_id: int) -> str:
    return picture_fetch.profile_picture_fetch_run(job_id=job_id).status

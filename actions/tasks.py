"""Celery tasks for actions: thin wrappers that take ids and call a service."""

from celery import shared_task

from . import services


@shared_task(name="actions.refresh_domain")
def action_refresh_domain_task(action_id: int) -> str:
    return services.action_refresh_domain(action_id=action_id)

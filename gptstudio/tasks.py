"""Infrastructure tasks."""

from celery import shared_task


@shared_task(name="gptstudio.ping")
def ping(payload: str = "pong") -> dict:
    """Round trip through the broker; used by the health check and the worker test."""
    import os
    import socket

    return {"payload": payload, "host": socket.gethostname(), "pid": os.getpid()}


@shared_task(name="gptstudio.send_mail")
def send_mail_task(*, subject: str, body: str, recipients: list[str]) -> None:
    """Send one plain-text message (queued by `gptstudio.mail.mail_send_after_commit`)."""
    from django.core.mail import send_mail

    send_mail(subject, body, None, recipients)

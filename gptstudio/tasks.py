"""Infrastructure tasks."""

from celery import shared_task


@shared_task(name="gptstudio.ping")
def ping(payload: str = "pong") -> dict:
    """Round trip through the broker; used by the health check and the worker test."""
    import os
    import socket

    return {"payload": payload, "host": socket.gethostname(), "pid": os.getpid()}

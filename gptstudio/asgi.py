"""ASGI entry point: `/mcp/…` goes to the hosted MCP endpoint (gpts/mcp/endpoint.py, on the
official MCP SDK), everything else to Django's ASGI handler.

Development: `make run` serves this with uvicorn. Production: gunicorn with uvicorn workers,
`gunicorn gptstudio.asgi:application -k uvicorn_worker.UvicornWorker` (README, "Production").
The lifespan protocol starts and stops the MCP session manager; Django's handler never sees it.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gptstudio.settings.production")

django_application = get_asgi_application()

from gpts.mcp.endpoint import MCPApp  # noqa: E402  (needs the apps loaded by the line above)


def build_application(mcp_application: MCPApp):
    """The router around one MCP app (an SDK session manager runs once: tests build their own)."""

    async def application(scope, receive, send):
        if scope["type"] == "lifespan":
            await _lifespan(mcp_application, receive, send)
        elif scope["type"] == "http" and scope["path"].startswith("/mcp/"):
            await mcp_application(scope, receive, send)
        else:
            await django_application(scope, receive, send)

    return application


async def _lifespan(mcp_application: MCPApp, receive, send):
    message = await receive()  # lifespan.startup
    try:
        async with mcp_application.lifespan():
            await send({"type": "lifespan.startup.complete"})
            message = await receive()  # lifespan.shutdown
    except Exception as failure:  # a failed start is reported to the server, not swallowed
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.failed", "message": str(failure)})
            return
        raise
    await send({"type": "lifespan.shutdown.complete"})


application = build_application(MCPApp())

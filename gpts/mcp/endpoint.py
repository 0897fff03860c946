"""The hosted MCP endpoint, `/mcp/<workspace>/<gpt>/`: an ASGI app on the official SDK's low-level
`Server` and its Streamable HTTP session manager (stateless, JSON responses), in front of which
this module decides who may call which GPT.

Order of refusals: no or bad token, or an OAuth token bound to another endpoint (RFC 8707) → 401
with the RFC 9728 challenge; a GPT that does not exist or is not switched on → 404; a valid token
of someone outside the GPT's workspace → 403 `insufficient_scope` (see `_resolve`). Viewers see
and may call read-only tools only (a write tool is not in their list: calling it is a tool error).
One SDK server serves every GPT: the request's GPT travels in a context variable that the
handlers (and the instructions the server announces) read.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.db.models import OuterRef, Prefetch, Subquery, prefetch_related_objects
from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings

from actions.models import Action
from gpts.models import GPT, Membership

from .access import MCP_SCOPE, Caller, authenticate, resource_metadata_url
from .catalog import Catalog, HostedTool, gpt_catalog
from .limits import rate_limited

logger = logging.getLogger(__name__)

PATH = re.compile(r"^/mcp/(?P<workspace>[-a-zA-Z0-9_]+)/(?P<gpt>[-a-zA-Z0-9_]+)/?$")


@dataclass(frozen=True)
class Served:
    """What one request serves: the GPT's tool catalog as this caller may see it."""

    gpt_id: int
    catalog: Catalog
    caller: Caller

    def visible(self) -> list[HostedTool]:
        if self.caller.role == Membership.Role.VIEWER:
            return [tool for tool in self.catalog.tools if tool.read_only]
        return self.catalog.tools


_served: contextvars.ContextVar[Served] = contextvars.ContextVar("gptstudio_mcp_served")


class GPTServer(Server):
    """The SDK's low-level server whose announced instructions are the requested GPT's."""

    @property
    def instructions(self) -> str | None:
        served = _served.get(None)
        return served.catalog.instructions if served else None

    @instructions.setter
    def instructions(self, value: str | None) -> None:  # the SDK's constructor sets it; per GPT here
        pass


async def _list_tools(ctx, params) -> types.ListToolsResult:
    served = _served.get()
    return types.ListToolsResult(
        tools=[
            types.Tool(
                name=tool.name,
                title=tool.title or None,
                description=tool.description or None,
                input_schema=tool.input_schema,
                annotations=types.ToolAnnotations(
                    read_only_hint=tool.annotations["readOnlyHint"],
                    destructive_hint=tool.annotations["destructiveHint"],
                    idempotent_hint=tool.annotations["idempotentHint"],
                    open_world_hint=tool.annotations["openWorldHint"],
                ),
            )
            for tool in served.visible()
        ]
    )


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=message)], is_error=True)


def _call_sync(served: Served, tool: HostedTool, arguments: dict) -> types.CallToolResult:
    from .calls import run_tool

    close_old_connections()
    outcome = run_tool(tool=tool, arguments=arguments, actor=served.caller.user)
    if outcome.error:
        return _error(f"{outcome.error} ({outcome.error_code})")
    text = outcome.body + ("\n[truncated at 100,000 characters]" if outcome.truncated else "")
    structured = None
    if "json" in outcome.content_type.lower() and not outcome.truncated:
        with contextlib.suppress(ValueError):
            structured = json.loads(outcome.body)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        structured_content=structured if isinstance(structured, dict) else None,
        is_error=outcome.status >= 400,
    )


async def _call_tool(ctx, params: types.CallToolRequestParams) -> types.CallToolResult:
    served = _served.get()
    tool = served.catalog.get(params.name)
    if tool is None:
        return _error(f"No tool named {params.name!r} in this GPT.")
    if tool not in served.visible():
        return _error(f"Viewers may call read-only tools only; {tool.name} changes data.")
    return await sync_to_async(_call_sync, thread_sensitive=False)(served, tool, dict(params.arguments or {}))


def build_server() -> GPTServer:
    return GPTServer("gptstudio", version="1", on_list_tools=_list_tools, on_call_tool=_call_tool)


def _catalog_for(gpt: GPT) -> Catalog:
    """The saved GPT's catalog, cached per process by (GPT, version): a save bumps the version."""
    key = (gpt.pk, gpt.version)
    catalog = _catalogs.get(key)
    if catalog is None:
        # The tools are converted from the schema texts: read them with the actions, in one query.
        prefetch_related_objects([gpt], Prefetch("actions", queryset=Action.objects.select_related("schema")))
        if len(_catalogs) >= 256:
            _catalogs.clear()
        catalog = _catalogs[key] = gpt_catalog(gpt)
    return catalog


_catalogs: dict[tuple[int, int], Catalog] = {}


def _challenge(resource: str, error: str = "", description: str = "") -> dict[str, str]:
    """The RFC 6750 / RFC 9728 `WWW-Authenticate` challenge the MCP authorization spec asks for."""
    parts = [f'error="{error}"'] if error else []
    if error == "insufficient_scope":
        parts.append(f'scope="{MCP_SCOPE}"')
    parts.append(f'resource_metadata="{resource_metadata_url(resource)}"')
    if description:
        parts.append(f'error_description="{description}"')
    return {"www-authenticate": "Bearer " + ", ".join(parts)}


def _resolve(workspace: str, gpt_slug: str, headers: dict[str, str], resource: str) -> tuple[int, dict, Served | None]:
    """(status, extra headers, what to serve): the refusals and the rate limits, decided in a thread.

    401: no token, or one that is unknown, expired, revoked or issued for another endpoint (an
    audience check is part of validating a token: RFC 9068 §4, the MCP spec's "invalid tokens MUST
    receive 401"); the client should get a token for this endpoint. 404: no switched-on GPT here.
    403 `insufficient_scope`: a valid token for this endpoint whose user is not (or no longer) a
    member of the GPT's workspace ("insufficient permissions" in the spec's error table)."""
    close_old_connections()
    caller = authenticate(headers.get("authorization", ""), resource=resource)
    if caller is None:
        return 401, _challenge(resource), None
    if caller.wrong_audience:
        return 401, _challenge(resource, "invalid_token", "The token was issued for another MCP endpoint."), None
    role_here = Membership.objects.filter(workspace_id=OuterRef("workspace_id"), user=caller.user).values("role")
    gpt = (
        GPT.objects.select_related("workspace")
        .annotate(caller_role=Subquery(role_here[:1]))
        .filter(workspace__slug=workspace, slug=gpt_slug, mcp_enabled=True)
        .first()
    )
    if gpt is None:
        return 404, {}, None
    if gpt.caller_role is None:
        return 403, _challenge(resource, "insufficient_scope", "You are not a member of this GPT's workspace."), None
    caller.role = gpt.caller_role
    retry_after = rate_limited(caller=caller, gpt_id=gpt.pk)
    if retry_after is not None:
        return 429, {"retry-after": str(retry_after)}, None
    return 200, {}, Served(gpt_id=gpt.pk, catalog=_catalog_for(gpt), caller=caller)


_MESSAGES = {
    401: "Send a personal API token (Authorization: Bearer gps_…) or an OAuth access token for this server.",
    403: "Your token is valid, but you are not a member of this GPT's workspace.",
    404: "No MCP server here.",
    429: "Too many calls: slow down.",
}


async def _plain(send, status: int, headers: dict[str, str]) -> None:
    body = json.dumps({"message": _MESSAGES[status], "code": f"mcp.{status}"}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def canonical_resource(scope) -> str:
    """This endpoint's canonical URI (RFC 8707 / RFC 9728), from the request's own host."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    host = headers.get("host", "localhost")
    scheme = headers.get("x-forwarded-proto") if settings.USE_X_FORWARDED_HOST else None
    path = scope["path"] if scope["path"].endswith("/") else scope["path"] + "/"
    return f"{scheme or scope.get('scheme', 'http')}://{host}{path}"


class MCPApp:
    """ASGI app for `/mcp/…`. Run `lifespan()` around serving (gptstudio/asgi.py does)."""

    def __init__(self) -> None:
        self.server = build_server()
        self.manager = StreamableHTTPSessionManager(
            app=self.server,
            stateless=True,
            json_response=True,
            security_settings=TransportSecuritySettings(
                # The SDK has no "any host" entry: ALLOWED_HOSTS=* (development) switches the check off.
                enable_dns_rebinding_protection="*" not in settings.ALLOWED_HOSTS,
                allowed_hosts=_allowed_hosts(),
                allowed_origins=list(getattr(settings, "MCP_ALLOWED_ORIGINS", [])),
            ),
        )

    @contextlib.asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        async with self.manager.run():
            yield

    async def __call__(self, scope, receive, send) -> None:
        match = PATH.match(scope["path"])
        if match is None:
            await _plain(send, 404, {})
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        status, extra, served = await sync_to_async(_resolve, thread_sensitive=False)(
            match["workspace"], match["gpt"], headers, canonical_resource(scope)
        )
        if served is None:
            await _plain(send, status, extra)
            return
        token = _served.set(served)
        try:
            await self.manager.handle_request(scope, receive, send)
        finally:
            _served.reset(token)


def _allowed_hosts() -> list[str]:
    """The SDK's DNS-rebinding check takes Host values with ports (`host:*` for any port)."""
    hosts: list[str] = []
    for host in settings.ALLOWED_HOSTS:
        bare = host.lstrip(".")
        hosts += [bare, f"{bare}:*"]
    return hosts

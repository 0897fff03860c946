"""Running one hosted tool: through the operation runner (actions/runner.py) when it is present,
else through a minimal stand-in with the same contract (path, query, header and JSON body from the
tool's argument map; the stored API key added server-side; the one fetcher). The stand-in goes
when the runner branch is merged; nothing else here changes then.

The caller's MCP token is never passed upstream: the only credentials sent are the action's own.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from actions.models import Action
from gptstudio import fetcher, limits

from .catalog import HostedTool

RESPONSE_CAP_CHARACTERS = 100_000  # ChatGPT's action response cap (GPT_EDITOR.md §3)
CALL_DEADLINE_SECONDS = 45.0


@dataclass
class CallOutcome:
    status: int
    body: str
    content_type: str
    truncated: bool
    error: str = ""  # a refusal's message (the tool answers isError)
    error_code: str = ""


def run_tool(*, action: Action, tool: HostedTool, arguments: dict, actor) -> CallOutcome:
    try:
        from actions.runner import OperationRefused, run_operation
    except ImportError:
        return _run_standin(action=action, tool=tool, arguments=arguments)
    try:
        result = run_operation(
            action=action, tool_name=tool.name, arguments=arguments, actor=actor, via="mcp", upstream_token=None
        )
    except OperationRefused as refused:
        return CallOutcome(0, "", "", False, error=refused.message, error_code=refused.code)
    return CallOutcome(result.status, result.body, result.content_type, result.truncated)


def _auth_headers(action: Action) -> dict[str, str]:
    if action.auth_type != Action.AuthType.API_KEY or not action.api_key:
        return {}
    key, kind = action.api_key.reveal(), action.api_key_auth_type
    if kind == Action.ApiKeyAuthType.BASIC:
        return {"Authorization": f"Basic {base64.b64encode(key.encode()).decode()}"}
    if kind == Action.ApiKeyAuthType.CUSTOM and action.api_key_custom_header:
        return {action.api_key_custom_header: key}
    return {"Authorization": f"Bearer {key}"}


def _run_standin(*, action: Action, tool: HostedTool, arguments: dict) -> CallOutcome:
    from actions.operations import action_tools

    if action.auth_type == Action.AuthType.OAUTH:
        message = "This action uses OAuth: connect your account first."
        return CallOutcome(0, "", "", False, error=message, error_code="runner.oauth_not_connected")
    base = getattr(action, "base_url_override", "") or action_tools(action.schema_text, set()).base_url
    if not base:
        message = "The action's schema names no server URL."
        return CallOutcome(0, "", "", False, error=message, error_code="runner.unusable")
    path, query, headers, body = tool.tool.path, [], _auth_headers(action), None
    for spec in tool.tool.arguments:
        if spec.argument not in arguments:
            continue
        value = arguments[spec.argument]
        if spec.location == "path":
            path = path.replace("{" + spec.name + "}", quote(str(value), safe=""))
        elif spec.location == "query":
            values = value if isinstance(value, list) else [value]
            query.extend((spec.name, _text(item)) for item in values)
        elif spec.location == "header":
            headers[spec.name] = _text(value)
    request_body = tool.tool.body
    if request_body is not None and request_body.argument in arguments:
        value = arguments[request_body.argument]
        body = (value if isinstance(value, str) else json.dumps(value)).encode()
        headers["Content-Type"] = request_body.content_type or "application/json"
    url = base + path + (f"?{urlencode(query)}" if query else "")
    policy = fetcher.FetchPolicy(
        max_bytes=limits.STUDIO_SCHEMA_HARD_MAX_BYTES,
        total_timeout=CALL_DEADLINE_SECONDS,
        max_redirects=0,
        user_agent="GPTStudio-MCP/1.0",
    )
    try:
        result = fetcher.fetch(url, method=tool.tool.method, headers=headers, content=body, policy=policy)
    except fetcher.FetchError as failure:
        return CallOutcome(0, "", "", False, error=str(failure), error_code="runner.fetch_failed")
    text = result.content.decode(result.charset or "utf-8", errors="replace")
    return CallOutcome(
        result.status_code,
        text[:RESPONSE_CAP_CHARACTERS],
        result.headers.get("content-type", ""),
        len(text) > RESPONSE_CAP_CHARACTERS,
    )


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)

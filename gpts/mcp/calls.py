"""Running one hosted tool through the operation runner (actions/runner.py): the stored API key, or
for an OAuth action the calling user's own connected upstream token (actions/upstream.py), is added
server-side; the call is audited (CallRecord, via "mcp"); the caller's MCP token is never passed
upstream."""

from __future__ import annotations

from dataclasses import dataclass

from actions.models import CallRecord
from actions.runner import OperationRefused, run_operation

from .catalog import HostedTool


@dataclass
class CallOutcome:
    status: int
    body: str
    content_type: str
    truncated: bool
    error: str = ""  # a refusal's message (the tool answers isError)
    error_code: str = ""


def run_tool(*, tool: HostedTool, arguments: dict, actor) -> CallOutcome:
    try:
        result = run_operation(
            action=tool.action,
            tool_name=tool.name,
            operation=tool.operation,
            arguments=arguments,
            actor=actor,
            via=CallRecord.Via.MCP,
        )
    except OperationRefused as refused:
        where = f" at {refused.pointer}" if refused.pointer else ""
        return CallOutcome(0, "", "", False, error=f"{refused.message}{where}", error_code=refused.code)
    return CallOutcome(result.status, result.body, result.content_type, result.truncated)

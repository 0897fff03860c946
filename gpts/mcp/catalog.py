"""A GPT's actions as the hosted MCP server's tools: the same names, input schemas and explicit
annotations as the `mcp-server` export (gpts/exporters/mcp_server.py), built from the SAVED GPT.

Tool names are unique across the whole GPT in document order, exactly as the export and the
operation runner (actions/runner.py) name them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from actions.operations import Tool, action_tools, tool_annotations
from gpts.models import GPT


@dataclass(frozen=True)
class HostedTool:
    name: str  # the name MCP clients see (the export's)
    action_id: int
    operation: str  # the operation's name within its action (the runner's tool_name)
    title: str
    description: str
    input_schema: dict
    annotations: dict
    tool: Tool

    @property
    def read_only(self) -> bool:
        return bool(self.annotations.get("readOnlyHint"))


@dataclass(frozen=True)
class LeftOut:
    """An operation the hosted server does not offer, and why (shown on the GPT page)."""

    action: str
    operation: str
    reason: str


@dataclass
class Catalog:
    name: str
    title: str
    version: int
    instructions: str
    tools: list[HostedTool] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    def get(self, name: str) -> HostedTool | None:
        return next((tool for tool in self.tools if tool.name == name), None)


def _runner_problems(action) -> dict[str, str]:
    """Tool name (unique across the GPT) → why the runner cannot build it ("" = runnable), when the
    runner exists."""
    try:
        from actions.runner import action_operations
    except ImportError:  # the runner lands on its own branch; until then every operation is offered
        return {}
    return {operation.name: operation.problem for operation in action_operations(action)}


def gpt_catalog(gpt: GPT) -> Catalog:
    """The tools of `gpt` as saved (its actions in order), and the operations left out."""
    catalog = Catalog(
        name=f"{gpt.workspace.slug}/{gpt.slug}",
        title=gpt.name,
        version=gpt.version,
        instructions=gpt.instructions or gpt.description,
    )
    used_names: set[str] = set()
    for action in gpt.actions.all():
        exported = action_tools(action.schema_text, used_names)
        own = action_tools(action.schema_text, set())  # the same operations, named within the action
        problems = _runner_problems(action)
        has_server = bool(own.base_url or getattr(action, "base_url_override", ""))
        for tool, local in zip(exported.tools, own.tools, strict=True):
            if problems:
                problem = problems.get(tool.name, "")
            elif not has_server:
                problem = "the schema names no absolute server URL and the action has no base URL override"
            else:
                problem = "; ".join(local.problems)
            if problem:
                catalog.left_out.append(LeftOut(action=action.name, operation=local.name, reason=problem))
                continue
            catalog.tools.append(
                HostedTool(
                    name=tool.name,
                    action_id=action.pk,
                    operation=local.name,
                    title=tool.title,
                    description=tool.description,
                    input_schema=tool.input_schema,
                    annotations=tool_annotations(tool, changes_public_state=action.changes_public_state),
                    tool=local,
                )
            )
    return catalog

"""A GPT's actions as the hosted MCP server's tools: the operation runner's runnable operations
(actions/runner.py, on actions/operations.py), so the names, input schemas and explicit
annotations are the `mcp-server` export's; built from the SAVED GPT. Operations the runner cannot
build are left out, with the reason the GPT page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from actions.models import Action
from actions.runner import RunnableOperation, action_operations
from gpts.models import GPT


@dataclass(frozen=True)
class HostedTool:
    """One tool: what a call runs, as loaded with the catalog. The catalog is cached per GPT
    version, and every change of an action (its secrets included) bumps that version, so neither
    the action nor the operation is stale."""

    action: Action = field(repr=False)
    operation: RunnableOperation

    @property
    def name(self) -> str:  # unique across the GPT: the export's and the runner's name
        return self.operation.name

    @property
    def title(self) -> str:
        return self.operation.title

    @property
    def description(self) -> str:
        return self.operation.description

    @property
    def input_schema(self) -> dict:
        return self.operation.input_schema

    @property
    def annotations(self) -> dict:
        return self.operation.annotations

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


def gpt_catalog(gpt: GPT) -> Catalog:
    """The tools of `gpt` as saved (its actions in order), and the operations left out."""
    catalog = Catalog(
        name=f"{gpt.workspace.slug}/{gpt.slug}",
        title=gpt.name,
        version=gpt.version,
        instructions=gpt.instructions or gpt.description,
    )
    actions = list(gpt.actions.all())
    for action in actions:
        for operation in action_operations(action, siblings=actions):
            if operation.problem:
                catalog.left_out.append(LeftOut(action=action.name, operation=operation.name, reason=operation.problem))
                continue
            catalog.tools.append(HostedTool(action=action, operation=operation))
    return catalog

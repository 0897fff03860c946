"""A GPT document's actions as tools, for the targets that export tools (`mcp-server`,
`openai-tools`): the one derivation in `actions.operations`, run over every action with names
unique across the GPT and findings pointing into the document."""

from __future__ import annotations

from dataclasses import dataclass

from actions.operations import ActionTools, action_tools
from gptstudio.findings import Finding

from .paste_plan import action_slugs


@dataclass
class GptActionTools:
    action: dict  # the action's part of the GPT document
    slug: str
    converted: ActionTools

    @property
    def tools(self):
        return self.converted.tools

    @property
    def server_url(self) -> str:
        return self.converted.base_url


def gpt_tools(document: dict) -> tuple[list[GptActionTools], list[Finding]]:
    """Every operation of every action of the document as a tool, names unique across the GPT
    (a clash gets `_2`, `_3` … in document order), with the conversion's findings."""
    used: set[str] = set()
    result, findings = [], []
    for index, (action, slug) in enumerate(zip(document["actions"], action_slugs(document), strict=True)):
        converted = action_tools(
            action["schema"], used, pointer_prefix=f"/actions/{index}/schema", label=action["name"]
        )
        findings += converted.findings
        result.append(GptActionTools(action, slug, converted))
    return result, findings


def source_tools(source) -> tuple[list[GptActionTools], list[Finding]]:
    """The GPT's tools, converted once per export (notices and bytes share them)."""
    if "tools" not in source.derived:
        source.derived["tools"] = gpt_tools(source.document)
    return source.derived["tools"]


def env_prefix(slug: str) -> str:
    """Environment variable prefix of an action (`weather-api` → `WEATHER_API_`; one starting with a
    digit gets `ACTION_` before it, as a shell variable cannot). The mcp-server target names its
    variables the same way."""
    prefix = "".join(c if c.isalnum() else "_" for c in slug.upper())
    return f"{'ACTION_' if prefix[:1].isdigit() else ''}{prefix}_"

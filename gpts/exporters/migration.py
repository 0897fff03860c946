"""The migration report: what of a GPT carries over to a plugin, a skill, function tools or an MCP
server, what needs a manual step, and what is lost (MIGRATION.md §5.1 and §6).

One builder for every place that shows it: `migration.md` in each bridge export (agent-skill,
agent-plugin, openai-tools, mcp-server), the page `/w/<ws>/g/<gpt>/migrate/` and the API's
`GET /api/v1/gpts/{id}/migration/`. Call `migration_report(source, target=…, export_findings=…)`
and render it with `as_markdown()` or `as_dict()`. Without a target it describes every bridge
target and runs each one's checks (the page and the API).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gptstudio.findings import Finding, Severity, sort_findings

from .base import ExportSource, finding_markdown, get_exporter
from .paste_plan import action_slugs
from .tools import env_prefix

BRIDGE_TARGETS = ("agent-skill", "agent-plugin", "openai-tools", "mcp-server")
# The targets whose actions end up behind an MCP server (a skill or plugin reaches them only so).
MCP_TARGETS = frozenset({"agent-skill", "agent-plugin", "mcp-server"})
TARGET_TITLES = {
    "agent-skill": "Agent Skill",
    "agent-plugin": "Agent Plugin",
    "openai-tools": "OpenAI function tools",
    "mcp-server": "MCP server",
}
CAPABILITY_NAMES = {
    "web_search": "Web search",
    "canvas": "Canvas",
    "image_generation": "Image generation",
    "code_interpreter": "Code interpreter & data analysis",
}
# Where MIGRATION.md marks a fact unconfirmed, the exports take the stricter reading; said once here.
STRICTER_READINGS = (
    "Skill names use ASCII a-z, 0-9 and '-' only (the spec's text), not the reference validator's Unicode letters.",
    "Plugin names satisfy both the Agent Plugins pattern and the directory's rule: ^[a-z0-9]+(-[a-z0-9]+)*$, "
    "at most 64 characters.",
    "Function tools are strict only when their schema uses the documented strict-mode keywords; anything else "
    "(e.g. minLength, allOf, open objects) keeps strict: false.",
    "Which upload format ChatGPT's Skills page accepts is unconfirmed: the skill zip follows the OpenAI skills "
    "API (one top-level folder).",
)


@dataclass(frozen=True)
class MigrationItem:
    topic: str
    text: str

    def as_dict(self) -> dict:
        return {"topic": self.topic, "text": self.text}


@dataclass
class MigrationReport:
    gpt_name: str
    target: str | None
    carries_over: list[MigrationItem] = field(default_factory=list)
    manual_steps: list[MigrationItem] = field(default_factory=list)
    lost: list[MigrationItem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: tuple[str, ...] = STRICTER_READINGS

    def as_dict(self) -> dict:
        return {
            "gpt": self.gpt_name,
            "target": self.target,
            "carries_over": [i.as_dict() for i in self.carries_over],
            "manual_steps": [i.as_dict() for i in self.manual_steps],
            "lost": [i.as_dict() for i in self.lost],
            "findings": [f.as_dict() for f in self.findings],
            "stricter_readings": list(self.notes),
        }

    def as_markdown(self) -> str:
        title = TARGET_TITLES.get(self.target or "", "plugins, skills, function tools and MCP")
        lines = [
            f"# Migrating “{self.gpt_name}” to {title}",
            "",
            "OpenAI is retiring custom GPTs in favour of plugins. This report says what GPT Studio carried "
            "over, what you still have to do by hand, and what does not survive the move.",
            "",
        ]
        for heading, items in (
            ("What carries over", self.carries_over),
            ("Manual steps", self.manual_steps),
            ("What is lost", self.lost),
        ):
            lines += [f"## {heading}", ""]
            if heading == "Manual steps":
                lines += [f"- [ ] **{i.topic}**: {i.text}" for i in items] or ["- Nothing to do by hand."]
            else:
                lines += [f"- **{i.topic}**: {i.text}" for i in items] or ["- Nothing."]
            lines.append("")
        if self.findings:
            lines += ["## Export findings", ""]
            lines += [finding_markdown(f) for f in self.findings]
            lines.append("")
        lines += ["## Stricter readings", "", "Where the sources are unconfirmed, GPT Studio chose the stricter rule:"]
        lines.append("")
        lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines).rstrip("\n") + "\n"


def _targets(target: str | None) -> set[str]:
    return {target} if target else set(BRIDGE_TARGETS)


def _carries_over(document: dict, source: ExportSource, targets: set[str]) -> list[MigrationItem]:
    items = []
    if targets & {"agent-skill", "agent-plugin"}:
        items.append(MigrationItem("Instructions", "become the body of SKILL.md, unchanged."))
        items.append(
            MigrationItem(
                "Name and description",
                "give the skill's name (ASCII a-z, 0-9, '-') and its description, with a “Use when …” clause"
                + (", and the plugin's name, display name and descriptions." if "agent-plugin" in targets else "."),
            )
        )
        if source.knowledge:
            items.append(
                MigrationItem(
                    "Knowledge files",
                    f"{len(source.knowledge)} file(s) go into the skill: text under references/, the rest under "
                    "assets/, each linked from SKILL.md.",
                )
            )
        used = [CAPABILITY_NAMES[k] for k, on in document["capabilities"].items() if on and k in CAPABILITY_NAMES]
        if used:
            items.append(
                MigrationItem("Capabilities", f"{', '.join(used)} are named in the skill's compatibility note.")
            )
    if "agent-plugin" in targets:
        starters = document["conversation_starters"]
        if starters:
            items.append(
                MigrationItem(
                    "Conversation starters",
                    f"the first {min(3, len(starters))} become the plugin's defaultPrompt (one line, ≤ 128 "
                    "characters each).",
                )
            )
        if any(a["privacy_policy_url"] for a in document["actions"]):
            items.append(MigrationItem("Privacy policy URL", "becomes interface.privacyPolicyURL in plugin.json."))
    action_count = len(document["actions"])
    if document["actions"] and targets & {"openai-tools", "mcp-server"}:
        kinds = " and ".join(
            t for t, k in (("function tools", "openai-tools"), ("MCP tools", "mcp-server")) if k in targets
        )
        items.append(
            MigrationItem(
                "Actions",
                f"every operation of the {action_count} action(s) becomes one of the {kinds}, with its arguments' "
                "schema, method, path and the action's authentication kind.",
            )
        )
    return items


def _manual_steps(document: dict, source: ExportSource, targets: set[str]) -> list[MigrationItem]:
    steps = []
    actions = document["actions"]
    slugs = action_slugs(document)
    for action, slug in zip(actions, slugs, strict=True):
        auth = action["authentication"]
        if auth["type"] == "api_key" and targets & {"openai-tools", "mcp-server"}:
            steps.append(
                MigrationItem(
                    f"API key of “{action['name']}”",
                    f"secrets are never exported: set it as the environment variable {env_prefix(slug)}API_KEY "
                    "where the server or your dispatcher runs (never in plugin.json or mcp.json).",
                )
            )
        if auth["type"] == "oauth" and targets & MCP_TARGETS:
            steps.append(
                MigrationItem(
                    f"OAuth of “{action['name']}”",
                    "put an OAuth proxy in front of the MCP server (it holds the upstream client secret and "
                    "tokens; MIGRATION.md §3.5), register its callback URL with the provider in place of "
                    "ChatGPT's, and have users connect again.",
                )
            )
        elif auth["type"] == "oauth":
            steps.append(
                MigrationItem(
                    f"OAuth of “{action['name']}”",
                    "your dispatcher signs each user in with the authorization and token URLs in dispatch.json "
                    "(register its own callback URL with the provider) and sends their access token.",
                )
            )
    if actions and "openai-tools" in targets:
        steps.append(
            MigrationItem(
                "Run the tool calls",
                "pass tools.json as `tools=` to the Responses API, and let your code make each call the model "
                "asks for from dispatch.json (method, server URL, path template, where each argument goes, the "
                "auth kind; a null argument of a strict tool means leave it out). Ask the user before calls "
                "marked consequential.",
            )
        )
    if actions and targets & MCP_TARGETS:
        steps.append(
            MigrationItem(
                "Host the MCP server",
                "custom actions do not transfer: run the mcp-server export (or your own server) on a public "
                "HTTPS address.",
            )
        )
        if "agent-plugin" in targets and not source.options.get("mcp_url"):
            steps.append(
                MigrationItem(
                    "mcp.json",
                    "no MCP URL was given, so the plugin has no mcp.json: export again with the server's URL "
                    "(mcp_url), or add mcp.json with one streamable-http server yourself. A plugin that uses an "
                    "MCP server must include it in its first directory upload.",
                )
            )
        steps.append(
            MigrationItem(
                "Register it in ChatGPT",
                "turn on Developer mode (Settings → Security and login), then chatgpt.com/plugins → + → Add "
                "custom MCP server with its URL; for the directory, submit with 5 positive and 3 negative test "
                "cases and a justification for each tool's hints.",
            )
        )
    starters = document["conversation_starters"]
    if len(starters) > 3 and "agent-plugin" in targets:
        extra = "; ".join(f"“{s}”" for s in starters[3:])
        steps.append(
            MigrationItem("Starters past 3", f"a plugin shows 3; keep the others in your docs or skill: {extra}.")
        )
    if document["recommended_model"]:
        steps.append(
            MigrationItem(
                "Model choice",
                f"the GPT recommended {document['recommended_model']}; plugins, skills and tool lists have no "
                "model setting: choose it where they run (the client, or the `model` of your API call).",
            )
        )
    if source.knowledge and targets & {"agent-skill", "agent-plugin"}:
        steps.append(
            MigrationItem(
                "Review the knowledge",
                "skills load reference files only when SKILL.md points to them: check each file is still "
                "needed and that the instructions say when to read it.",
            )
        )
    if "agent-plugin" in targets:
        steps.append(
            MigrationItem(
                "Directory details",
                "add a logo, brand colour, website and terms URLs, and fix every export finding below before "
                "submitting to the plugin directory.",
            )
        )
    return steps


def _lost(document: dict, source: ExportSource, targets: set[str]) -> list[MigrationItem]:
    lost = [
        MigrationItem("Conversations", "past chats with the GPT do not move to the plugin."),
        MigrationItem(
            "Built-in capabilities",
            "web search, canvas, image generation and code interpreter are switches of ChatGPT, not of a "
            "skill or plugin: the target's own tools decide.",
        ),
    ]
    if document["visibility"] in ("link", "gpt_store"):
        lost.append(
            MigrationItem(
                "Sharing",
                "plugins have no “anyone with the link”: outside your workspace they reach people only through "
                "the reviewed directory, and the replacement starts private.",
            )
        )
    if document["actions"]:
        lost.append(
            MigrationItem(
                "Signed-in connections",
                "users' action logins (OAuth tokens) do not carry over: everyone connects again.",
            )
        )
        lost.append(
            MigrationItem(
                "Consequential flags",
                "x-openai-isConsequential has no direct equivalent: it is kept in dispatch.json (consequential) "
                "and becomes the MCP tool hints; your client decides when to ask for approval.",
            )
        )
    if "use_conversation_data" in document:
        lost.append(
            MigrationItem(
                "Conversation data setting",
                "the GPT's “use conversation data to improve our models” choice is a ChatGPT setting; set data "
                "controls in the workspace instead.",
            )
        )
    if source.gpt.profile_picture:
        lost.append(MigrationItem("Profile picture", "is not exported; add it as the plugin's logo by hand."))
    if "agent-plugin" not in targets and document["conversation_starters"]:
        lost.append(MigrationItem("Conversation starters", "a skill or a tool list has no place for them."))
    return lost


def _target_findings(source: ExportSource, targets: set[str]) -> list[Finding]:
    """The targets' own export reports, read through the exporter registry (a plugin holds the skill,
    so the skill's report is not counted twice)."""
    findings: list[Finding] = []
    if "agent-plugin" in targets:
        findings += get_exporter("agent-plugin").notices(source)
    elif "agent-skill" in targets:
        findings += get_exporter("agent-skill").notices(source)
    if "openai-tools" in targets and source.document["actions"]:
        findings += get_exporter("openai-tools").notices(source)
    return findings


def migration_report(
    source: ExportSource, *, target: str | None = None, export_findings: list[Finding] | None = None
) -> MigrationReport:
    """The report for one bridge target (its export's findings given), or for all of them (the
    findings of each target's checks, then the GPT's own validation errors)."""
    document = source.document
    targets = _targets(target)
    findings = list(export_findings) if export_findings is not None else _target_findings(source, targets)
    errors = [f for f in source.findings if f.severity == Severity.ERROR] if source.gpt.error_count else []
    unique = list(dict.fromkeys([*sort_findings(findings), *errors]))
    return MigrationReport(
        gpt_name=document["name"],
        target=target,
        carries_over=_carries_over(document, source, targets),
        manual_steps=_manual_steps(document, source, targets),
        lost=_lost(document, source, targets),
        findings=unique,
    )

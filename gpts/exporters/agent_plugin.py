"""Target `agent-plugin`: the portable Agent Plugins 1.0 layout (MIGRATION.md §1.2) as a zip.

Layout (plugin.json at the archive root, as the directory's upload wants; byte-identical for the
same GPT and options):
    plugin.json              $schema, name, version, description, author, keywords, and OpenAI's
                             presentation under extensions["com.openai"].interface
    skills/<name>/…          the skill, exactly as the `agent-skill` target writes it
    mcp.json                 one `streamable-http` server, only when the GPT has actions and an MCP
                             URL is given (option `mcp_url`); never a header or a secret
    migration.md             the migration report, with the directory checks below
Choices: `name` is the skill name, which satisfies both the Agent Plugins pattern and the
directory's package-name rule (`^[a-z0-9]+(-[a-z0-9]+)*$`, ≤ 64). `version` is `1.0.<GPT version>`:
every saved version of the GPT is a new patch release, in order. The directory's submission limits
(§1.7) are checked as findings (`export.plugin.*`), never cut silently; only `defaultPrompt` is
shaped because its format forces it (at most 3 single-line entries of ≤ 128 characters), and a
finding says what was cut or dropped.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from gptstudio.findings import Finding, Severity, make_finding
from gptstudio.findings import register as register_rule
from gptstudio.site import is_loopback_host, site_url

from .agent_skill import SkillParts, _one_line, iter_skill_entries, skill_parts
from .base import ExportSource, register
from .bridge import BridgeExporter
from .zipstream import DeterministicZip

PLUGIN_SCHEMA = "https://agent-plugins.org/schemas/1.0.0/plugin.schema.json"
MCP_SCHEMA = "https://agent-plugins.org/schemas/1.0.0/mcp.schema.json"
DISPLAY_NAME_MAX = 30
SHORT_DESCRIPTION_MAX = 30
LONG_DESCRIPTION_MAX = 4000
DEVELOPER_NAME_MAX = 80
STARTERS_MAX = 3
STARTER_MAX = 128
URL_MAX = 1024
# The directory's categories (MIGRATION.md §1.4, as used in OpenAI's catalogue).
DIRECTORY_CATEGORIES = (
    "Business & Operations", "Communication", "Creativity", "Data & Analytics", "Developer Tools",
    "Education & Research", "Finance", "Other", "Productivity", "Security", "Travel",
)  # fmt: skip

_DIRECTORY = {"source": "MIGRATION.md §1.7 (directory submission limits)", "confidence": "confirmed"}
# code: (title, what to do)
_CHECKS = {
    "export.plugin.display_name_too_long": (
        "The display name is over the directory's 30 characters",
        "Shorten the GPT's name to 30 characters or fewer for the directory.",
    ),
    "export.plugin.short_description_too_long": (
        "The short description is over the directory's 30 characters",
        "Shorten the plugin's short description to 30 characters or fewer.",
    ),
    "export.plugin.long_description_too_long": (
        "The long description is over the directory's 4,000 characters",
        "Shorten the GPT's description to 4,000 characters or fewer.",
    ),
    "export.plugin.developer_name_too_long": (
        "The developer name is over the directory's 80 characters",
        "Shorten the developer name to 80 characters or fewer.",
    ),
    "export.plugin.category_missing": (
        "No directory category matches the GPT's category",
        "Set a category that matches one of the directory's categories.",
    ),
    "export.plugin.privacy_policy_missing": (
        "A plugin with an MCP server needs a privacy policy URL",
        "Enter an https privacy policy URL in the GPT's actions.",
    ),
    "export.plugin.privacy_policy_invalid": (
        "The privacy policy URL is not https or is over 1,024 characters",
        "Change the privacy policy URL to https, 1,024 characters or fewer.",
    ),
    "export.plugin.privacy_policy_several": (
        "The actions have different privacy policy URLs; the plugin takes one",
        "Use the same privacy policy URL in every action, or check the one the plugin took.",
    ),
    "export.plugin.starter_mention": (
        "A starter prompt holds an @mention, which the directory forbids",
        "Remove the @mention from the conversation starter.",
    ),
    "export.plugin.mcp_url_unused": (
        "An MCP URL was given but the GPT has no actions",
        "Leave the MCP server URL empty, or add actions to the GPT.",
    ),
}
for _code, (_title, _fix) in _CHECKS.items():
    register_rule(
        _code,
        Severity.WARNING,
        _title,
        chatgpt_behaviour="The plugin directory refuses the submission until it is fixed; the plugin still loads.",
        fix=_fix,
        **_DIRECTORY,
    )
_FORCED = {"source": "MIGRATION.md §1.4 (interface.defaultPrompt)", "confidence": "confirmed"}
register_rule(
    "export.plugin.starters_dropped",
    Severity.WARNING,
    "Conversation starters past the third (or repeated ones) are not in the plugin",
    chatgpt_behaviour="defaultPrompt holds at most 3 entries; Codex drops the rest with a warning.",
    **_FORCED,
    fix="Move the starters you want in the plugin into the first three.",
)
register_rule(
    "export.plugin.starter_cut",
    Severity.WARNING,
    "A conversation starter was made one line or cut to 128 characters",
    chatgpt_behaviour="Each defaultPrompt entry is at most 128 characters after whitespace collapsing.",
    **_FORCED,
    fix="Shorten the conversation starter to one line of 128 characters or fewer.",
)
register_rule(
    "export.plugin.mcp_url_invalid",
    Severity.ERROR,
    "The MCP server URL is not one an Agent Plugin may name",
    chatgpt_behaviour="mcp.json URLs are absolute, https unless loopback, without userinfo or fragment.",
    source="MIGRATION.md §1.2 (mcp.json)",
    confidence="confirmed",
    fix="Enter an absolute https URL without user name or fragment.",
)


def mcp_url_problem(url: str) -> str:
    """Why `url` cannot be an Agent Plugin's MCP server URL (MIGRATION.md §1.2), or ""."""
    if len(url) > URL_MAX:
        return f"The MCP URL has {len(url):,} characters; at most {URL_MAX:,}."
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        return "The MCP URL is not a valid URL."
    if parts.scheme not in ("https", "http") or not host:
        return "The MCP URL must be an absolute https:// URL."
    if parts.scheme == "http" and not is_loopback_host(host):
        return "The MCP URL must use https (plain http only for 127.0.0.1, ::1 or localhost)."
    if parts.username is not None or parts.password is not None:
        return "The MCP URL must not hold a user name or password: credentials never go into a plugin."
    if parts.fragment or url.endswith("#"):
        return "The MCP URL must not have a #fragment."
    if any(c.isspace() for c in url):
        return "The MCP URL must not contain spaces."
    return ""


def _https_problem(url: str) -> str:
    if len(url) > URL_MAX:
        return f"has {len(url):,} characters (at most {URL_MAX:,})"
    return "" if urlsplit(url).scheme == "https" else "is not https"


def default_prompts(starters: list[str]) -> tuple[list[str], list[Finding]]:
    findings, prompts, seen = [], [], set()
    dropped = 0
    for index, starter in enumerate(starters):
        text = _one_line(starter)
        if not text or text.lower() in seen or len(prompts) == STARTERS_MAX:
            dropped += 1
            continue
        if len(text) > STARTER_MAX:
            findings.append(
                make_finding(
                    "export.plugin.starter_cut",
                    f"Starter {index + 1} has {len(text)} characters on one line; defaultPrompt takes "
                    f"{STARTER_MAX}, so it was cut.",
                    pointer=f"/conversation_starters/{index}",
                )
            )
            text = text[: STARTER_MAX - 1].rstrip() + "…"
        elif text != starter:
            findings.append(
                make_finding(
                    "export.plugin.starter_cut",
                    f"Starter {index + 1} was made one line (its whitespace collapsed).",
                    pointer=f"/conversation_starters/{index}",
                )
            )
        if "@" in text.split(" ")[0] or " @" in f" {text}":
            findings.append(
                make_finding(
                    "export.plugin.starter_mention",
                    f"Starter {index + 1} holds an @mention; the directory refuses starter prompts with one.",
                    pointer=f"/conversation_starters/{index}",
                )
            )
        seen.add(text.lower())
        prompts.append(text)
    if dropped:
        findings.append(
            make_finding(
                "export.plugin.starters_dropped",
                f"{dropped} of {len(starters)} conversation starters are not in the plugin (it shows at most "
                f"{STARTERS_MAX}, each once); migration.md lists them.",
                pointer="/conversation_starters",
            )
        )
    return prompts, findings


def _privacy_policy(document: dict) -> tuple[str, list[Finding]]:
    urls = list(dict.fromkeys(a["privacy_policy_url"] for a in document["actions"] if a["privacy_policy_url"]))
    findings = []
    if not urls:
        if document["actions"]:
            findings.append(
                make_finding(
                    "export.plugin.privacy_policy_missing",
                    "No action has a privacy policy URL; the directory requires one for a plugin with an MCP server.",
                    pointer="/actions",
                )
            )
        return "", findings
    if len(urls) > 1:
        findings.append(
            make_finding(
                "export.plugin.privacy_policy_several",
                f"The actions name {len(urls)} privacy policies; the plugin uses the first ({urls[0]}). Publish one "
                "policy that covers every API.",
                pointer="/actions",
            )
        )
    if problem := _https_problem(urls[0]):
        findings.append(
            make_finding(
                "export.plugin.privacy_policy_invalid", f"The privacy policy URL {problem}.", pointer="/actions"
            )
        )
    return urls[0], findings


def _length_check(
    code: str, label: str, text: str, limit: int, pointer: str, *, single_line: bool = True
) -> list[Finding]:
    several_lines = single_line and "\n" in text.strip()
    if len(text) <= limit and not several_lines:
        return []
    shape = "one line of at most" if single_line else "at most"
    return [
        make_finding(
            code,
            f"The {label} “{_one_line(text)[:60]}” has {len(text)} characters"
            + (" on several lines" if several_lines else "")
            + f"; the directory takes {shape} {limit}. Change it in plugin.json before submitting.",
            pointer=pointer,
        )
    ]


def plugin_manifest(source: ExportSource, parts: SkillParts) -> tuple[dict, list[Finding]]:
    document = source.document
    workspace_name = source.gpt.workspace.name
    description = document["description"].strip() or parts.description
    prompts, findings = default_prompts(document["conversation_starters"])
    privacy, privacy_findings = _privacy_policy(document)
    findings += privacy_findings
    display_name = document["name"]
    findings += _length_check(
        "export.plugin.display_name_too_long", "display name", display_name, DISPLAY_NAME_MAX, "/name"
    )
    findings += _length_check(
        "export.plugin.short_description_too_long",
        "short description",
        description,
        SHORT_DESCRIPTION_MAX,
        "/description",
    )
    findings += _length_check(
        "export.plugin.long_description_too_long",
        "long description",
        description,
        LONG_DESCRIPTION_MAX,
        "/description",
        single_line=False,
    )
    findings += _length_check(
        "export.plugin.developer_name_too_long", "developer name", workspace_name, DEVELOPER_NAME_MAX, ""
    )
    category = next((c for c in DIRECTORY_CATEGORIES if c.lower() == document["category"].strip().lower()), "")
    if not category:
        findings.append(
            make_finding(
                "export.plugin.category_missing",
                f"The GPT's category “{document['category'] or '(none)'}” is not a directory category; choose one of "
                f"{', '.join(DIRECTORY_CATEGORIES)} in plugin.json (interface.category).",
                pointer="/category",
            )
        )
    interface = {
        "displayName": display_name,
        "shortDescription": description,
        "longDescription": description,
        "developerName": workspace_name,
    }
    if category:
        interface["category"] = category
    if prompts:
        interface["defaultPrompt"] = prompts
    if privacy:
        interface["privacyPolicyURL"] = privacy
    keywords = ["custom-gpt", "gpt-studio"]
    if document["category"]:
        keywords.append(document["category"])
    manifest = {
        "$schema": PLUGIN_SCHEMA,
        "name": parts.name,
        "version": f"1.0.{source.gpt.version}",
        "description": description,
        "author": {"name": workspace_name},
        "keywords": keywords,
        "extensions": {"com.openai": {"interface": interface}},
    }
    return manifest, findings


def hosted_mcp_url(gpt) -> str:
    """The URL of GPT Studio's own MCP endpoint for `gpt` (`/mcp/<workspace>/<gpt>/`, on
    SITE_DOMAIN) when its owner has switched it on, else "". https, but for a loopback host."""
    if not gpt.mcp_enabled:
        return ""
    return site_url(f"/mcp/{gpt.workspace.slug}/{gpt.slug}/")


def mcp_manifest(source: ExportSource, parts: SkillParts) -> tuple[dict | None, list[Finding]]:
    url = source.options.get("mcp_url", "")
    if not url:
        return None, []
    if not source.document["actions"]:
        finding = make_finding(
            "export.plugin.mcp_url_unused",
            "An MCP URL was given, but the GPT has no actions, so the plugin has no mcp.json.",
        )
        return None, [finding]
    if problem := mcp_url_problem(url):
        return None, [make_finding("export.plugin.mcp_url_invalid", problem)]
    return {"$schema": MCP_SCHEMA, "mcpServers": {parts.name: {"type": "streamable-http", "url": url}}}, []


def _json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def plugin_parts(source: ExportSource) -> tuple[SkillParts, dict, dict | None, list[Finding]]:
    if "plugin" not in source.derived:
        parts = skill_parts(source)
        manifest, findings = plugin_manifest(source, parts)
        mcp, mcp_findings = mcp_manifest(source, parts)
        source.derived["plugin"] = (parts, manifest, mcp, [*parts.findings, *findings, *mcp_findings])
    return source.derived["plugin"]


@register
class AgentPluginExporter(BridgeExporter):
    name = "agent-plugin"
    label = "Agent Plugin (zip: plugin.json + skill)"
    file_suffix = "plugin"
    options = ("mcp_url",)

    def resolved_options(self, gpt, options):
        """An MCP URL given wins; else the hosted endpoint's, when the GPT serves its actions there."""
        resolved = super().resolved_options(gpt, options)
        if "mcp_url" not in resolved and (hosted := hosted_mcp_url(gpt)):
            resolved["mcp_url"] = hosted
        return resolved

    def notices(self, source: ExportSource) -> list[Finding]:
        return plugin_parts(source)[3]

    def write_entries(self, bundle: DeterministicZip, source: ExportSource):
        parts, manifest, mcp, _ = plugin_parts(source)
        yield from bundle.add_bytes("plugin.json", _json(manifest))
        if mcp is not None:
            yield from bundle.add_bytes("mcp.json", _json(mcp))
        yield from iter_skill_entries(bundle, parts, source, f"skills/{parts.name}/")
        return "migration.md"

"""Target `mcp-server`: the GPT's actions as a small runnable MCP server (issue 13 §4).

Layout (one top-level folder, byte-identical for the same GPT):
    <slug>-mcp/server.py         the server (the same file for every GPT; it reads tools.json)
    <slug>-mcp/tools.json        the tools (MCP shape: name, description, inputSchema, annotations,
                                 _meta) and per tool the HTTP call; the actions' base URLs, auth
                                 kinds and environment variable prefixes. Never a secret.
    <slug>-mcp/requirements.txt  the official `mcp` SDK and its dependencies, pinned
    <slug>-mcp/README.md         how to run, configure (environment), host and register it
    <slug>-mcp/migration.md      what carries over from the GPT and what needs a manual step

The server uses the SDK's low-level `Server`, so each tool's input schema is exactly the one
derived in `actions.operations` (the same tools the hosted endpoint serves). ChatGPT's action
limits (30 operations, 300-character descriptions) do not bind an MCP server, so this target exports
a GPT with validation errors too; a schema that cannot be read gives no tools, and the README says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from actions.operations import tool_annotations

from .base import Exporter, ExportSource, register
from .migration import migration_report
from .tools import GptActionTools, env_prefix, source_tools
from .zipstream import DeterministicZip

FILES_DIR = Path(__file__).parent / "mcp_server_files"
TOOLS_FORMAT = "gptstudio/mcp-tools@1"
META_PREFIX = "io.gptstudio/"
API_KEY_INJECTION = {
    "bearer": "sent as `Authorization: Bearer <key>`",
    "basic": "sent as `Authorization: Basic <key>` (a `user:password` value is base64-encoded first)",
}


def _auth(authentication: dict) -> dict:
    """The action's auth kind without any secret (the document holds placeholders only, and they
    are not copied either)."""
    kind = authentication.get("type", "none")
    if kind == "api_key":
        api_key = authentication["api_key"]
        return {"type": kind, "apiKeyAuthType": api_key["auth_type"], "customHeader": api_key["custom_header"]}
    if kind == "oauth":
        oauth = authentication["oauth"]
        return {
            "type": kind,
            "authorizationUrl": oauth["authorization_url"],
            "tokenUrl": oauth["token_url"],
            "scope": oauth["scope"],
        }
    return {"type": "none"}


def build_tools_spec(source: ExportSource) -> tuple[dict, list[GptActionTools]]:
    """tools.json's data, and the converted actions (for the README's notes)."""
    document = source.document
    converted = source_tools(source)[0]
    actions, tools = [], []
    for entry in converted:
        action, slug, result = entry.action, entry.slug, entry.converted
        changes_public_state = action.get("changes_public_state", True)
        actions.append(
            {
                "slug": slug,
                "name": action["name"],
                "envPrefix": env_prefix(slug),
                "baseUrl": result.base_url,
                "auth": _auth(action["authentication"]),
                "changesPublicState": changes_public_state,
            }
        )
        for tool in result.tools:
            tools.append(
                {
                    "tool": {
                        "name": tool.name,
                        "title": tool.title,
                        "description": tool.description,
                        "inputSchema": tool.input_schema,
                        "annotations": tool_annotations(tool, changes_public_state=changes_public_state),
                        "_meta": {
                            f"{META_PREFIX}x-openai-isConsequential": tool.consequential_raw,
                            f"{META_PREFIX}operation": f"{tool.method} {tool.path}",
                            f"{META_PREFIX}action": slug,
                        },
                    },
                    "call": {
                        "action": slug,
                        "method": tool.method,
                        "path": tool.path,
                        "bodyMediaType": tool.body.content_type if tool.body else "",
                        "arguments": [
                            {
                                "argument": arg.argument,
                                "in": arg.location,
                                "name": arg.name,
                                "style": arg.style,
                                "explode": arg.explode,
                            }
                            for arg in tool.arguments
                        ]
                        + (
                            [{"argument": tool.body.argument, "in": "body", "name": "", "style": "", "explode": True}]
                            if tool.body
                            else []
                        ),
                    },
                }
            )
    spec = {
        "format": TOOLS_FORMAT,
        "server": {
            "name": source.gpt.slug,
            "title": document["name"],
            "version": str(source.gpt.version),
            "instructions": document["instructions"] or document["description"],
        },
        "actions": actions,
        "tools": tools,
    }
    return spec, converted


_HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")


def _hint_cells(annotations: dict) -> str:
    return " | ".join("yes" if annotations[key] else "no" for key in _HINTS)


def _auth_lines(action: dict) -> list[str]:
    prefix, auth = action["envPrefix"], action["auth"]
    lines = [
        f"- `{prefix}BASE_URL`: the API's base URL"
        + (
            f" (default `{action['baseUrl']}`, from the schema)."
            if action["baseUrl"]
            else " (**required**: the schema has no absolute server URL)."
        )
    ]
    if auth["type"] == "api_key":
        how = API_KEY_INJECTION.get(auth["apiKeyAuthType"], f"sent in the header `{auth['customHeader']}`")
        lines.append(
            f"- `{prefix}API_KEY`: the API key (**required**), {how}. The same key ChatGPT held for the action."
        )
    elif auth["type"] == "oauth":
        lines.append(
            f"- `{prefix}ACCESS_TOKEN`: an upstream access token this server obtained for itself (see OAuth below). "
            "Until it is set, or an OAuth proxy is in front, this action's tools answer with an error."
        )
    return lines


def render_readme(spec: dict, converted: list[GptActionTools]) -> str:
    server = spec["server"]
    lines = [
        f"# {server['title']}: MCP server",
        "",
        f"Exported by GPT Studio from the GPT “{server['title']}”: its actions as MCP tools, one per API operation, "
        "on the official MCP Python SDK (`mcp`, pinned in requirements.txt). No secret is in this project: keys and "
        "tokens come from the environment.",
        "",
        "## Run",
        "",
        "```sh",
        "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt",
        ".venv/bin/python server.py    # Streamable HTTP at http://127.0.0.1:8000/mcp",
        "```",
        "",
        "## Configure (environment variables)",
        "",
        "- `HOST`, `PORT`: where to listen (default `127.0.0.1`, `8000`); the endpoint is `/mcp`.",
        "- `ALLOWED_HOSTS`, `ALLOWED_ORIGINS`: comma-separated `Host` and `Origin` values accepted when the server "
        "is reached under a real name (e.g. `mcp.example.com`, `https://chatgpt.com`). On 127.0.0.1 the SDK checks "
        "them by itself; set them whenever `HOST` is not loopback (DNS rebinding protection).",
        "- `UPSTREAM_TIMEOUT_SECONDS` (default 30) and `UPSTREAM_MAX_RESPONSE_BYTES` (default 1048576): limits of each "
        "API call; a slower or larger answer is a tool error.",
        "",
    ]
    for action in spec["actions"]:
        lines += [f"### {action['name']} (`{action['envPrefix']}*`)", "", *_auth_lines(action), ""]
    lines += [
        "## Host it and register it",
        "",
        "ChatGPT connects only to public HTTPS servers: deploy this behind HTTPS (or a tunnel while testing), set "
        "`HOST=0.0.0.0` and `ALLOWED_HOSTS`, then in ChatGPT turn on Developer mode and add a custom MCP server "
        "(Settings → Apps / chatgpt.com/plugins → Add custom MCP server) with the URL `https://<your host>/mcp`. "
        "ChatGPT's form offers OAuth or no authentication, not a static key: keys stay on this server.",
        "",
    ]
    if any(action["auth"]["type"] == "oauth" for action in spec["actions"]):
        lines += [
            "## OAuth",
            "",
            "A GPT action's OAuth settings cannot be reused as they are: ChatGPT's callback was "
            "`https://chatgpt.com/aip/<gpt id>/oauth/callback`, and an MCP server must be an OAuth 2.1 resource "
            "server that never passes the client's token to the API (MCP authorization, 2026-07-28). Either:",
            "",
            "1. **Proxy (recommended):** put an OAuth proxy in front of this server, e.g. FastMCP's `OAuthProxy` "
            "(`upstream_authorization_endpoint`, `upstream_token_endpoint`, `upstream_client_id`, "
            "`upstream_client_secret`, `token_verifier`, `base_url`). It presents a DCR-compatible front to ChatGPT, "
            "holds the upstream tokens, and its own callback URL replaces ChatGPT's in the API's OAuth app.",
            "2. **Service token:** obtain an access token for this server itself (a service account) and set "
            "`<PREFIX>ACCESS_TOKEN`; every call then acts as that account.",
            "",
        ]
        for action in spec["actions"]:
            if action["auth"]["type"] == "oauth":
                auth = action["auth"]
                lines += [
                    f"- {action['name']}: authorization URL `{auth['authorizationUrl']}`, token URL "
                    f"`{auth['tokenUrl']}`, scope `{auth['scope'] or '(none)'}`. The client secret is not exported: "
                    "take it from the API provider's console.",
                ]
        lines.append("")
    lines += [
        "## Tools",
        "",
        "Hints are set explicitly on every tool, from the HTTP method and `x-openai-isConsequential` (GPT Studio's "
        "mapping, an inference: a consequential read counts as a write, any other consequential call as destructive) "
        "and from each action's “changes third-party or public state” setting (`openWorldHint`). Review them before "
        "submitting: ChatGPT's review asks for a justification of each. The schema's own "
        "`x-openai-isConsequential` is kept in each tool's `_meta`.",
        "",
        "| Tool | Operation | x-openai-isConsequential | read-only | destructive | idempotent | open world |",
        "|---|---|---|---|---|---|---|",
    ]
    for entry in spec["tools"]:
        tool = entry["tool"]
        raw = tool["_meta"][f"{META_PREFIX}x-openai-isConsequential"]
        shown = "(absent)" if raw is None else str(raw).lower()
        lines.append(
            f"| `{tool['name']}` | `{tool['_meta'][f'{META_PREFIX}operation']}` | {shown} | "
            f"{_hint_cells(tool['annotations'])} |"
        )
    lines.append("")
    notes = [
        (action["name"], note)
        for action, result in zip(spec["actions"], converted, strict=True)
        for note in result.converted.notes
    ]
    if notes:
        lines += ["## Not converted", "", *(f"- {name}: {note}" for name, note in notes), ""]
    return "\n".join(lines)


def migration_markdown(source: ExportSource) -> str:
    """The migration report for this target (the same report the other bridge targets write)."""
    return migration_report(source, target="mcp-server", export_findings=[]).as_markdown()


def _json_bytes(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@register
class MCPServerExporter(Exporter):
    name = "mcp-server"
    label = "MCP server (runnable Python project, zip)"
    formats = ("zip",)
    refuses_invalid = False

    def media_type(self, fmt: str) -> str:
        return "application/zip"

    def filename(self, source: ExportSource, fmt: str) -> str:
        return f"{source.gpt.slug}.mcp-server.zip"

    def iter_bytes(self, source: ExportSource, *, fmt: str, forced: bool) -> Iterator[bytes]:
        spec, converted = build_tools_spec(source)
        folder = f"{source.gpt.slug}-mcp"
        bundle = DeterministicZip()
        yield from bundle.add_bytes(f"{folder}/README.md", render_readme(spec, converted).encode("utf-8"))
        yield from bundle.add_bytes(f"{folder}/migration.md", migration_markdown(source).encode("utf-8"))
        yield from bundle.add_bytes(f"{folder}/requirements.txt", (FILES_DIR / "requirements.txt").read_bytes())
        yield from bundle.add_bytes(f"{folder}/server.py", (FILES_DIR / "server.py.txt").read_bytes())
        yield from bundle.add_bytes(f"{folder}/tools.json", _json_bytes(spec))
        yield from bundle.close()

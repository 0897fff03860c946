"""`servers`: the one https URL on a public host that every call goes to."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from actions.schema.addresses import address_refusal, host_address, is_loopback
from actions.schema.domain import domain_from_server_url
from actions.schema.findings import Severity, register
from actions.schema.pointers import json_pointer

from .core import (
    NO_SERVER,
    NOT_ROOT,
    SUPPORTED_METHODS,
    ActionCheck,
)

LOCAL_HOSTS = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_PLACEHOLDER = re.compile(r"[{}<>]|^your[_-]|your[_-]?(url|endpoint|domain|host|instance)|replace[_-]with", re.I)
# WHATWG URL standard: forbidden domain code points (C0 controls, space, # % / : < > ? @ [ \ ] ^ |, DEL)
# plus `{` and `}`, which only a fill-in placeholder puts in a host. A host with one does not parse.
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f{}]")


register(
    "action.server.missing",
    Severity.ERROR,
    "No server URL",
    chatgpt_behaviour="ChatGPT needs `servers[0].url`, an absolute https URL; without one it refuses the schema.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message=NO_SERVER,
    fix="Add a `servers` entry with the API's absolute https URL.",
)
register(
    "action.server.not_absolute",
    Severity.ERROR,
    "Server URL is not an absolute URL",
    chatgpt_behaviour="A relative URL or a placeholder word is not a valid server URL; ChatGPT refuses the schema.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message=NO_SERVER,
    fix="Write the server URL in full, starting with https://.",
)
register(
    "action.server.not_https",
    Severity.ERROR,
    "Server URL is not https",
    chatgpt_behaviour="ChatGPT calls actions over https only and ignores an http server.",
    source="GPT_EDITOR.md §3.1 [DEV], §3.2 [PROD]",
    confidence="likely",
    chatgpt_message=NOT_ROOT,
    fix="Serve the API over https and change the server URL to https://.",
)
register(
    "action.server.localhost",
    Severity.ERROR,
    "Server is localhost or a loopback address",
    chatgpt_behaviour="ChatGPT calls the API from OpenAI's servers; localhost is not reachable and is refused.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message=NOT_ROOT,
    fix="Deploy the API on a public https domain and use that as the server URL.",
)
register(
    "action.server.ip_address",
    Severity.WARNING,
    "Server is an IP address, not a domain",
    chatgpt_behaviour="An action is keyed by its domain and needs a valid public TLS certificate; IP "
    "addresses rarely have one. Not documented either way.",
    source="GPT_EDITOR.md §3.2 [PROD], §5",
    confidence="unconfirmed",
    fix="Use a domain name with a valid TLS certificate instead of an IP address.",
)
register(
    "action.server.port",
    Severity.ERROR,
    "Server URL uses a port other than 443",
    chatgpt_behaviour="ChatGPT requires TLS 1.2+ on port 443; calls to other ports fail.",
    source="GPT_EDITOR.md §3.2 [PROD]",
    confidence="confirmed",
    fix="Serve the API on port 443 and remove the port from the server URL.",
)
register(
    "action.server.invalid_host",
    Severity.ERROR,
    "Server host is a placeholder or not a valid host name",
    chatgpt_behaviour="ChatGPT uses the server URL as written: a host with a fill-in placeholder ({name}, "
    "<name>, your-domain) or a character no URL host can have (WHATWG URL standard: `<`, `>`, `{`, space, ...) "
    "does not parse or names a host that does not exist, so no call can reach the API.",
    source="GPT_EDITOR.md §3.1; WHATWG URL standard (forbidden domain code points)",
    confidence="likely",
    chatgpt_message=NO_SERVER,
    fix="Replace the placeholder with the API's real host name.",
)
register(
    "action.server.placeholder",
    Severity.WARNING,
    "Server URL path contains a placeholder or server variable",
    chatgpt_behaviour="ChatGPT uses the server URL as written; server variables and fill-in placeholders "
    "({name}, <name>) in its path are not documented as supported, so calls go to a path that does not exist.",
    source="GPT_EDITOR.md §3.1",
    confidence="unconfirmed",
    fix="Replace the server variables and placeholders with their real values.",
)
register(
    "action.server.multiple_hosts",
    Severity.WARNING,
    "Servers on more than one host",
    chatgpt_behaviour="An action covers one host: ChatGPT keeps the first server's host and drops the others. "
    "Use one action per host.",
    source="GPT_EDITOR.md §3.1, §5 [DEV]",
    confidence="likely",
    chatgpt_message="Found multiple hostnames, dropping …",
    fix="Keep one server host per action, and add an action for each other host.",
)
register(
    "action.server.multiple",
    Severity.WARNING,
    "More than one server",
    chatgpt_behaviour="ChatGPT uses the first server and ignores the rest.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="Multiple servers found, using …",
    fix="Keep only the server ChatGPT should call, first in `servers`.",
)


def check_servers(data: dict, result: ActionCheck) -> None:
    servers = data.get("servers")
    first = servers[0] if isinstance(servers, list) and servers else None
    url = first.get("url") if isinstance(first, dict) else None
    if not isinstance(url, str) or not url.strip():
        pointer = "/servers/0/url" if isinstance(first, dict) and "url" in first else "/servers"
        if isinstance(url, dict | list):
            detail = "is not text (in YAML, a `{…}` placeholder makes a mapping: quote the URL)"
        else:
            detail = "is missing"
        result.add(
            "action.server.missing",
            f"The server URL {detail}. Add `servers: [{{url: https://api.example.com}}]` with your API's address.",
            pointer if servers else "",
        )
        return
    url = url.strip()
    result.server_url = url
    pointer = "/servers/0/url"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        parts, host, port = None, "", None
    if parts is None or not parts.scheme or not host:
        result.add(
            "action.server.not_absolute",
            f"“{url}” is not an absolute URL. Use the full address of your API, like https://api.example.com/v1.",
            pointer,
        )
        return
    result.domain = domain_from_server_url(url)
    try:  # every spelling the fetcher reads as an address: 2130706433, 0x7f.1, [::ffff:127.0.0.1] ...
        ip = host_address(host)
        invalid_literal = False
    except ValueError:
        ip, invalid_literal = None, True
    if host.lower() in LOCAL_HOSTS or host.lower().endswith(".localhost") or (ip is not None and is_loopback(ip)):
        shown = f" ({ip})" if ip is not None and str(ip) != host else ""
        result.add(
            "action.server.localhost",
            f"The server {url}{shown} is this computer; ChatGPT calls your API from OpenAI's servers and cannot "
            "reach it. Deploy the API on a public https domain (or use a tunnel with a public https URL).",
            pointer,
        )
    elif ip is not None:
        reason = address_refusal(ip)
        detail = (
            f" ({ip}, {reason}, which ChatGPT cannot reach from the internet)"
            if reason
            else (f" ({ip})" if str(ip) != host else "")
        )
        result.add(
            "action.server.ip_address",
            f"The server {url} is an IP address{detail}. Use a domain name with a valid TLS certificate.",
            pointer,
        )
    elif invalid_literal:
        result.add(
            "action.server.ip_address",
            f"The server host “{host}” is numeric like an IP address but is not a valid one, and not a domain "
            "name either. Use your API's domain name.",
            pointer,
        )
    if parts.scheme.lower() != "https":
        result.add(
            "action.server.not_https",
            f"The server URL uses {parts.scheme}://. ChatGPT only calls https URLs: serve the API over https "
            "and write https:// here.",
            pointer,
        )
    elif port not in (None, 443):
        result.add(
            "action.server.port",
            f"The server uses port {port}. ChatGPT calls actions on port 443 only: serve the API there.",
            pointer,
        )
    variables = first.get("variables") if isinstance(first.get("variables"), dict) else {}
    fill_in = "Replace server variables with their values" if variables else "Replace the placeholder"
    named_host = ip is None and not invalid_literal  # an IP literal's brackets and colons are fine
    if named_host and (_PLACEHOLDER.search(host) or _FORBIDDEN_HOST.search(unquote(host))):
        result.add(
            "action.server.invalid_host",
            f"The server host “{host}” is a placeholder or has characters a host name cannot have. "
            f"{fill_in} with your API's real host name: ChatGPT uses the URL as written.",
            pointer,
        )
    elif _PLACEHOLDER.search(parts.netloc + parts.path):
        result.add(
            "action.server.placeholder",
            f"The server URL “{url}” contains a placeholder. {fill_in} with the real value: ChatGPT uses the "
            "URL as written.",
            pointer,
        )
    _check_other_servers(data, result, servers)


def _check_other_servers(data: dict, result: ActionCheck, servers: list) -> None:
    main_host = result.domain
    others = [(f"/servers/{i}", s) for i, s in enumerate(servers) if i > 0]
    paths = data.get("paths")
    if isinstance(paths, dict):
        for path, item in paths.items():
            if not isinstance(item, dict):
                continue
            base = json_pointer("paths", path)
            if isinstance(item.get("servers"), list):
                others += [(f"{base}/servers/{i}", s) for i, s in enumerate(item["servers"])]
            for method in SUPPORTED_METHODS:
                op = item.get(method)
                if isinstance(op, dict) and isinstance(op.get("servers"), list):
                    others += [(f"{base}/{method}/servers/{i}", s) for i, s in enumerate(op["servers"])]
    for pointer, server in others:
        url = server.get("url") if isinstance(server, dict) else None
        host = domain_from_server_url(url) if isinstance(url, str) else ""
        if host and host != main_host:
            result.add(
                "action.server.multiple_hosts",
                f"This server is on {host}, but the action's host is {main_host}; ChatGPT drops it. Move the "
                f"operations for {host} into a separate action.",
                pointer,
            )
        elif pointer.startswith("/servers/"):
            result.add(
                "action.server.multiple",
                f"ChatGPT uses only the first server ({result.server_url}); remove this one or put it first.",
                pointer,
            )

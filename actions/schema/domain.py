"""An action's identity in ChatGPT is the host of its schema's first server URL (GPT_EDITOR.md §5).

`actions.domain` re-exports these (with `detect_schema_format`, the JSON-or-YAML guess, from parsing).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .parsing import detect_schema_format, parse_schema

__all__ = ["detect_schema_format", "domain_from_data", "domain_from_schema", "domain_from_server_url"]


def domain_from_server_url(url) -> str:
    if not isinstance(url, str):
        return ""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower()


def domain_from_data(data) -> str:
    if not isinstance(data, dict):
        return ""
    servers = data.get("servers")
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return ""
    return domain_from_server_url(servers[0].get("url"))


def domain_from_schema(text: str) -> str:
    """The derived domain of a schema text, or "" when it has none (or does not parse)."""
    return domain_from_data(parse_schema(text).data)

"""An action's identity in ChatGPT is the host of its schema's first server URL (GPT_EDITOR.md §5)."""

from __future__ import annotations

from urllib.parse import urlsplit


def detect_schema_format(text: str) -> str:
    """ "json" when the text starts like a JSON document, else "yaml" (JSON is valid YAML too)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    return "json" if stripped[:1] in ("{", "[") else "yaml"


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
    from .schema import parse_schema

    return domain_from_data(parse_schema(text).data)

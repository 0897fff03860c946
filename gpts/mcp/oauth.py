"""OAuth access tokens for the hosted MCP endpoint (filled in with the authorization server)."""

from __future__ import annotations


def oauth_caller(credential: str, *, resource: str):
    return None

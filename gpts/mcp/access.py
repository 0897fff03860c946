"""Who is calling the hosted MCP endpoint: a personal API token (`Bearer gps_…`) or an OAuth
access token issued by GPT Studio's own authorization server for this endpoint (RFC 8707: bound
to one GPT's endpoint; a token for another resource is refused)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from gptstudio.models import APIToken
from gptstudio.services import token_authenticate

PRM_PREFIX = "/.well-known/oauth-protected-resource"


@dataclass
class Caller:
    user: object
    token_key: str  # identifies the credential for per-token rate limits
    role: str | None = None
    wrong_audience: bool = False


def resource_metadata_url(resource: str) -> str:
    """RFC 9728 §3.1: the metadata lives at the well-known prefix inserted before the path."""
    parts = urlsplit(resource)
    return f"{parts.scheme}://{parts.netloc}{PRM_PREFIX}{parts.path}"


def authenticate(authorization: str, *, resource: str) -> Caller | None:
    """The caller behind an `Authorization` header value, or None (→ 401)."""
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        return None
    if credential.startswith(APIToken.PREFIX):
        token = token_authenticate(credential)
        return Caller(user=token.user, token_key=f"api:{token.pk}") if token else None
    from .oauth import oauth_caller

    return oauth_caller(credential, resource=resource)

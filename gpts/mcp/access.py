"""Who is calling the hosted MCP endpoint: a personal API token (`Bearer gps_…`) or an OAuth
access token issued by GPT Studio's own authorization server for this endpoint (RFC 8707: bound
to one GPT's endpoint; a token for another resource is refused)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from oauth2_provider.models import get_access_token_model

from gptstudio.models import APIToken
from gptstudio.services import token_authenticate

PRM_PREFIX = "/.well-known/oauth-protected-resource"
MCP_SCOPE = "mcp"  # the scope of an OAuth access token for an MCP endpoint (gpts.mcp.oauth issues them)


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
    return oauth_caller(credential, resource=resource)


def oauth_caller(credential: str, *, resource: str):
    """The caller behind an access token issued here, None when unknown, expired or revoked;
    a token bound to another resource (or to none) is marked `wrong_audience`."""
    checksum = hashlib.sha256(credential.encode()).hexdigest()
    token = get_access_token_model().objects.select_related("user").filter(token_checksum=checksum).first()
    if token is None or token.is_expired() or token.user is None or not token.user.is_active:
        return None
    if not token.allow_scopes([MCP_SCOPE]):
        return None
    bound = bool(token.resource) and token.allows_audience(resource)
    return Caller(user=token.user, token_key=f"oauth:{token.pk}", wrong_audience=not bound)

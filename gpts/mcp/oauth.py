"""GPT Studio as the OAuth 2.1 authorization server for its own users' MCP clients (ChatGPT's
connector among them), on django-oauth-toolkit: authorization code with PKCE (S256, required),
RFC 8414 and RFC 9728 metadata, and RFC 8707 resource indicators binding each token to one GPT's
endpoint (MIGRATION.md §3.5).

What GPT Studio adds to the library: a token is only issued for a `resource` that is an MCP
endpoint the signing-in user may use (a switched-on GPT in one of their workspaces), and the
endpoint accepts only tokens bound to itself. Clients are registered by workspace owners with
ChatGPT's callback URL as the redirect URI (`mcp_client_register`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.db import transaction
from django.http import HttpResponseForbidden
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model
from oauth2_provider.views import AuthorizationView

from gpts.models import GPT, Membership, Workspace

_ENDPOINT_PATH = re.compile(r"^/mcp/(?P<workspace>[-a-zA-Z0-9_]+)/(?P<gpt>[-a-zA-Z0-9_]+)/?$")


class MCPClientError(ValueError):
    pass


def endpoint_gpt(resource: str, *, host: str, user) -> GPT | None:
    """The switched-on GPT whose endpoint `resource` names on `host`, if `user` is in its workspace."""
    parts = urlsplit(resource)
    match = _ENDPOINT_PATH.match(parts.path)
    if match is None or parts.netloc.lower() != host.lower() or parts.query or parts.fragment:
        return None
    return GPT.objects.filter(
        workspace__slug=match["workspace"], slug=match["gpt"], mcp_enabled=True, workspace__memberships__user=user
    ).first()


class MCPAuthorizationView(AuthorizationView):
    """The library's consent view, refusing any `resource` other than an MCP endpoint the
    signed-in user may use: only members of a GPT's workspace get tokens for it."""

    def get(self, request, *args, **kwargs):
        return self._refusal(request, request.GET.getlist("resource")) or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        resources = request.POST.get("resource", "").split()
        return self._refusal(request, resources) or super().post(request, *args, **kwargs)

    def _refusal(self, request, resources: list[str]):
        if not resources:
            return HttpResponseForbidden(
                "Ask for a token for one MCP endpoint: send `resource` (RFC 8707) with its URL, "
                "e.g. https://studio.example.com/mcp/<workspace>/<gpt>/."
            )
        host = request.get_host()
        if any(endpoint_gpt(resource, host=host, user=request.user) is None for resource in resources):
            return HttpResponseForbidden("No MCP server you may use at that `resource`.")
        return None


@transaction.atomic
def mcp_client_register(*, workspace: Workspace, actor, name: str, redirect_uri: str, confidential: bool = False):
    """Register an MCP client (e.g. ChatGPT's connector, redirect URI = its callback URL).
    Owners only. Returns (application, client_secret or "" for a public client)."""
    if not Membership.objects.filter(workspace=workspace, user=actor, role=Membership.Role.OWNER).exists():
        raise MCPClientError("Only workspace owners register MCP clients.")
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.fragment:
        raise MCPClientError("The redirect URI must be an absolute https URL without a fragment.")
    Application = get_application_model()
    secret = generate_client_secret() if confidential else ""
    application = Application(
        name=f"{workspace.slug}: {name}"[:255],
        user=actor,
        client_type=Application.CLIENT_CONFIDENTIAL if confidential else Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        client_secret=secret,
        algorithm="",
    )
    application.full_clean()
    application.save()
    return application, secret

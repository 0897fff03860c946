"""The GPT page's MCP server section: the owner's switch and the client registration (ChatGPT's
connector and other OAuth clients). Writes go through gpt_set_mcp_enabled / mcp_client_register."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from actions.models import CallRecord

from . import selectors, services
from .access import workspace_view
from .mcp.catalog import gpt_catalog
from .mcp.oauth import MCPClientError, mcp_client_register
from .permissions import Access


class MCPClientForm(forms.Form):
    # It sits on the GPT page beside the GPT's own form, whose fields have the same names: the
    # prefix keeps the ids (and so the labels) apart.
    prefix = "mcp_client"

    name = forms.CharField(max_length=100, initial="ChatGPT", label="Client name")
    redirect_uri = forms.URLField(
        max_length=2000,
        label="Redirect URI",
        help_text="ChatGPT's Callback URL (Settings → Apps → Create app → Advanced settings), or your client's.",
    )
    confidential = forms.BooleanField(required=False, label="Confidential client (issue a client secret)")


def mcp_context(request, workspace, gpt) -> dict:
    """What the GPT page shows about its MCP server (also for viewers: the URL and the tools)."""
    catalog = gpt_catalog(gpt)
    return {
        "mcp_url": request.build_absolute_uri(f"/mcp/{workspace.slug}/{gpt.slug}/"),
        "mcp_catalog": catalog,
        # From the runner's audit records: every call through the endpoint, refused ones included.
        "mcp_calls": CallRecord.objects.filter(gpt=gpt, via=CallRecord.Via.MCP).count(),
        "mcp_client_form": MCPClientForm(),
    }


@workspace_view(Access.MANAGE)
@require_POST
def gpt_mcp_switch(request, workspace, gpt):
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    enabled = request.POST.get("mcp_enabled") == "on"
    services.gpt_set_mcp_enabled(gpt=gpt, actor=request.user, enabled=enabled)
    messages.success(request, f"MCP server {'on' if enabled else 'off'} for “{gpt.name}”.")
    return redirect("gpts:gpt_edit", workspace.slug, gpt.slug)


@workspace_view(Access.MANAGE)
@require_POST
def mcp_client_new(request, workspace, gpt):
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    form = MCPClientForm(request.POST)
    if form.is_valid():
        try:
            application, secret = mcp_client_register(workspace=workspace, actor=request.user, **form.cleaned_data)
        except (MCPClientError, ValidationError) as refused:
            form.add_error("redirect_uri", str(refused.messages[0] if hasattr(refused, "messages") else refused))
        else:
            context = {"workspace": workspace, "gpt": gpt, "application": application, "client_secret": secret}
            return render(request, "gpts/mcp_client_created.html", context)
    context = {"workspace": workspace, "gpt": gpt, "form": form}
    return render(request, "gpts/mcp_client_created.html", context, status=400)

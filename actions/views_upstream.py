"""Connect / disconnect the signed-in user's account with an OAuth action's API (actions/upstream.py).

Any member may connect (a viewer's read-only MCP tools need a token too). The PKCE verifier waits in
the session under the flow's nonce; the callback is one URL for every action (the action is named
in the signed `state`), the redirect URI to register with the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from gpts import selectors
from gpts.access import workspace_view
from gpts.permissions import Access

from .models import Action
from .upstream import (
    UpstreamAuthError,
    upstream_authorization_start,
    upstream_connect_finish,
    upstream_disconnect,
    upstream_state_read,
)

SESSION_KEY = "upstream_oauth_verifiers"
PENDING_MAX = 10  # flows one session may have started and not finished


def _action(request, workspace, gpt_slug: str, action_slug: str) -> Action:
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt_slug)
    for action in gpt.actions.all():
        if action.slug == action_slug:
            return action
    raise Http404("No such action.")


def _editor_url(action: Action) -> str:
    return reverse("actions:action_edit", args=[action.gpt.workspace.slug, action.gpt.slug, action.slug])


def _problem(request, message: str, action: Action | None = None, status: int = 400):
    return render(request, "actions/upstream_problem.html", {"message": message, "action": action}, status=status)


@workspace_view(Access.VIEW)
@require_GET
def upstream_connect(request, workspace, gpt, action):
    """Send the user to the API's authorization page (the link an unconnected tool call gives)."""
    action = _action(request, workspace, gpt, action)
    try:
        start = upstream_authorization_start(action=action, user=request.user)
    except UpstreamAuthError as error:
        return _problem(request, error.message, action)
    pending = dict(list(request.session.get(SESSION_KEY, {}).items())[-(PENDING_MAX - 1) :])
    pending[start.nonce] = start.verifier
    request.session[SESSION_KEY] = pending
    return redirect(start.url)


@login_required
@require_GET
def upstream_callback(request):
    """Where the API's authorization page sends the user back, with a code or an error."""
    try:
        action_id, nonce = upstream_state_read(state=request.GET.get("state", ""), user=request.user)
    except UpstreamAuthError as error:
        return _problem(request, error.message)
    action = (
        Action.objects.select_related("gpt__workspace")
        .filter(pk=action_id, gpt__workspace__memberships__user=request.user)
        .first()
    )
    if action is None:
        raise Http404("No such action.")
    pending = request.session.get(SESSION_KEY, {})
    verifier = pending.pop(nonce, None)
    request.session[SESSION_KEY] = pending
    if verifier is None:
        return _problem(request, "This connection was already finished or not started in this browser.", action)
    if error := request.GET.get("error"):
        description = request.GET.get("error_description", "")[:300]
        reason = "you declined access" if error == "access_denied" else error
        return _problem(
            request, f"The API did not connect: {reason}{f' ({description})' if description else ''}.", action
        )
    code = request.GET.get("code", "")
    if not code:
        return _problem(request, "The API sent the user back without an authorization code.", action)
    try:
        upstream_connect_finish(action=action, user=request.user, code=code, verifier=verifier)
    except UpstreamAuthError as error:
        return _problem(request, error.message, action, status=502)
    messages.success(request, f"Your account is connected with the API of “{action.name}”.")
    return redirect(_editor_url(action))


@workspace_view(Access.VIEW)
@require_POST
def upstream_disconnect_view(request, workspace, gpt, action):
    action = _action(request, workspace, gpt, action)
    if upstream_disconnect(action=action, user=request.user):
        messages.success(request, f"Disconnected from the API of “{action.name}”; its tokens are deleted here.")
    return redirect(_editor_url(action))

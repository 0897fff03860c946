"""Role checks for API views, on top of gpts.permissions (the one place for the role rules).

Querysets are already scoped to the caller's workspaces, so an object outside them is a 404
before any permission runs; this class decides what a member's role allows (403 otherwise).
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from gpts.permissions import Access, check_access


def access_for(view, request) -> Access:
    """What the request needs: the view's `required_access[action]` if it names one, else VIEW
    for reads, MANAGE for deletes and EDIT for other writes."""
    declared = getattr(view, "required_access", {}).get(getattr(view, "action", None))
    if declared is not None:
        return declared
    if request.method in SAFE_METHODS:
        return Access.VIEW
    return Access.MANAGE if request.method == "DELETE" else Access.EDIT


class WorkspaceRolePermission(BasePermission):
    """Object permission: the caller's role in the object's workspace (`view.workspace_of(obj)`)
    must allow `access_for(view, request)`. Raises AccessDenied (→ 403 with the reason)."""

    def has_object_permission(self, request, view, obj):
        check_access(request.user, view.workspace_of(obj), access_for(view, request))
        return True

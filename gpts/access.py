"""The role rules of gpts.permissions, applied to page views.

`workspace_view(needed)` loads the workspace named in the URL through the selector (404 for
anyone who is not a member), checks the member's role (403 when it is too low) and hands the
view `request.workspace` and `request.role`; templates get `can_edit` / `can_manage` from it.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .permissions import Access, AccessDenied, allows, check_access
from .selectors import workspace_get


def workspace_view(needed: Access = Access.VIEW, *, write_needs: Access | None = None):
    """Decorate a view taking `ws` (workspace slug). `write_needs`: the access POST (and other
    unsafe methods) require, when higher than what reading the page needs."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, ws, *args, **kwargs):
            workspace = workspace_get(user=request.user, slug=ws)
            required = needed
            if write_needs is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
                required = max(needed, write_needs)
            try:
                role = check_access(request.user, workspace, required)
            except AccessDenied as denied:
                raise PermissionDenied(str(denied)) from None
            request.workspace, request.role = workspace, role
            return view(request, workspace, *args, **kwargs)

        return wrapper

    return decorator


def role_context(role: str | None) -> dict:
    return {
        "role": role,
        "can_edit": allows(role, Access.EDIT),
        "can_manage": allows(role, Access.MANAGE),
    }

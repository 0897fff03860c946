"""Who may do what in a workspace. One place for the role rules, used by the API, the UI and
the commands alike.

Roles (DESIGN.md): viewers read and export, editors also write, owners also manage members and
delete. A user who is not a member does not see the workspace at all: callers answer 404, never
403, so the existence of other teams' data does not leak.
"""

from __future__ import annotations

from enum import IntEnum

from django.http import Http404

from .models import Membership, Workspace


class Access(IntEnum):
    """What an action needs; compared with the member's role rank."""

    VIEW = 1  # read, validate, export
    EDIT = 2  # create, change, import, restore
    MANAGE = 3  # members, delete GPTs and workspaces


ROLE_ACCESS = {
    Membership.Role.VIEWER: Access.VIEW,
    Membership.Role.EDITOR: Access.EDIT,
    Membership.Role.OWNER: Access.MANAGE,
}


class AccessDenied(Exception):
    """The user is a member but their role does not allow this (HTTP 403)."""

    def __init__(self, *, needed: Access, role: str):
        self.needed, self.role = needed, role
        super().__init__(f"Your role in this workspace ({role}) does not allow this; it needs {needed.name.lower()}.")


def role_of(user, workspace: Workspace) -> str | None:
    """The user's role, using a `role` annotation when the workspace was loaded through a selector."""
    if not getattr(user, "is_authenticated", False):
        return None
    annotated = getattr(workspace, "user_role", None)
    if annotated is not None:
        return annotated
    return Membership.objects.filter(workspace=workspace, user=user).values_list("role", flat=True).first()


def allows(role: str | None, needed: Access) -> bool:
    return role is not None and ROLE_ACCESS[role] >= needed


def check_access(user, workspace: Workspace, needed: Access) -> str:
    """Return the user's role if it allows `needed`; Http404 for non-members, AccessDenied otherwise."""
    role = role_of(user, workspace)
    if role is None:
        raise Http404("No such workspace.")
    if not allows(role, needed):
        raise AccessDenied(needed=needed, role=role)
    return role

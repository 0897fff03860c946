"""Members and invitations: everyone in a workspace sees who belongs; owners invite by email
with a role, change roles and remove members. Invitation links are accepted by a signed-in user
whose email address matches."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .access import role_context, workspace_view
from .forms import InvitationForm, MembershipRoleForm
from .permissions import Access


@workspace_view(Access.VIEW)
@require_GET
def members(request, workspace):
    return _members_page(request, workspace)


def _members_page(request, workspace, invite_form=None, status=200):
    context = {
        "workspace": workspace,
        "memberships": selectors.members_of(workspace),
        "invitations": workspace.invitations.select_related("invited_by").filter(accepted_at__isnull=True),
        "invite_form": invite_form or InvitationForm(),
        "role_choices": services.Membership.Role.choices,
        **role_context(request.role),
    }
    return render(request, "gpts/members.html", context, status=status)


@workspace_view(Access.MANAGE)
@require_POST
def invitation_create(request, workspace):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation, token = services.invitation_create(
                workspace=workspace,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            accept_url = request.build_absolute_uri(reverse("gpts:invitation_accept", args=[token]))
            services.invitation_send(invitation=invitation, accept_url=accept_url)
            messages.success(request, f"Invitation sent to {invitation.email} as {invitation.get_role_display()}.")
            return redirect("gpts:members", workspace.slug)
    # Re-render the members page with the form's errors (the decorator already checked access).
    return _members_page(request, workspace, invite_form=form, status=400)


@workspace_view(Access.MANAGE)
@require_POST
def invitation_revoke(request, workspace, invitation_id):
    invitation = get_object_or_404(workspace.invitations.all(), pk=invitation_id)
    services.invitation_revoke(invitation=invitation)
    messages.success(request, f"Invitation to {invitation.email} revoked.")
    return redirect("gpts:members", workspace.slug)


@workspace_view(Access.MANAGE)
@require_POST
def membership_update(request, workspace, user_id):
    member = get_object_or_404(get_user_model(), pk=user_id, memberships__workspace=workspace)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner, editor or viewer.")
    else:
        try:
            services.membership_set(workspace=workspace, user=member, role=form.cleaned_data["role"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{member.get_username()} is now {form.cleaned_data['role']}.")
    return redirect("gpts:members", workspace.slug)


@workspace_view(Access.MANAGE)
@require_POST
def membership_remove(request, workspace, user_id):
    member = get_object_or_404(get_user_model(), pk=user_id, memberships__workspace=workspace)
    try:
        services.membership_remove(workspace=workspace, user=member)
    except ValidationError as error:
        # Refused (e.g. the last owner leaving): stay on the members page, where the error is about.
        messages.error(request, " ".join(error.messages))
        return redirect("gpts:members", workspace.slug)
    messages.success(request, f"{member.get_username()} was removed from {workspace.name}.")
    if member == request.user:
        return redirect("gpts:home")
    return redirect("gpts:members", workspace.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The link from the invitation email. Anonymous visitors sign in or sign up first and come
    back here (`next`)."""
    invitation = services.invitation_find(token=token)
    if invitation is None:
        return render(request, "gpts/invitation.html", {"problem": "This invitation link is not valid."}, status=404)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=reverse("account_signup"))
    problem = ""
    if request.method == "POST":
        try:
            membership = services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(
                request, f"You joined {membership.workspace.name} as {membership.get_role_display().lower()}."
            )
            return redirect("gpts:dashboard", membership.workspace.slug)
    elif not invitation.is_open:
        problem = "This invitation has expired or was already used; ask for a new one."
    return render(
        request, "gpts/invitation.html", {"invitation": invitation, "problem": problem}, status=400 if problem else 200
    )

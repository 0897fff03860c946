"""Named read queries. The API and the pages both read through these, so a list has one query
shape (and one query count) wherever it is shown. Every query is scoped to the caller's
workspaces: objects outside them are simply not found."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from actions.models import Action

from .models import GPT, ConversationStarter, KnowledgeFile, Membership, Revision, Workspace

GPT_ORDERINGS = {
    "name": "name",
    "-name": "-name",
    "updated": "updated_at",
    "-updated": "-updated_at",
    "created": "created_at",
    "-created": "-created_at",
}


def _role_subquery(user):
    return Subquery(Membership.objects.filter(workspace=OuterRef("pk"), user=user).values("role")[:1])


def workspaces_for(user) -> QuerySet[Workspace]:
    """The user's workspaces, each annotated with `user_role`, `member_count` and `gpt_count`."""
    if not user.is_authenticated:
        return Workspace.objects.none()
    return (
        Workspace.objects.filter(memberships__user=user)
        .annotate(
            user_role=_role_subquery(user),
            member_count=Count("memberships", distinct=True),
            gpt_count=Count("gpts", distinct=True),
        )
        .order_by("name", "id")
    )


def workspace_get(*, user, slug: str) -> Workspace:
    try:
        return workspaces_for(user).get(slug=slug)
    except Workspace.DoesNotExist:
        raise Http404("No such workspace.") from None


def members_of(workspace: Workspace) -> QuerySet[Membership]:
    return workspace.memberships.select_related("user").order_by("user__username", "id")


def gpts_for(user) -> QuerySet[GPT]:
    """GPTs in the user's workspaces, ready for a list: workspace, last editor, action count."""
    if not user.is_authenticated:
        return GPT.objects.none()
    return (
        GPT.objects.filter(workspace__memberships__user=user)
        .select_related("workspace", "updated_by")
        .annotate(action_count=Count("actions", distinct=True))
    )


def gpt_list(
    *,
    user,
    workspace: Workspace | None = None,
    search: str = "",
    visibility: str = "",
    readiness: str = "",
    capability: str = "",
    ordering: str = "name",
) -> QuerySet[GPT]:
    queryset = gpts_for(user)
    if workspace is not None:
        queryset = queryset.filter(workspace=workspace)
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(description__icontains=search) | Q(instructions__icontains=search)
        )
    if visibility:
        queryset = queryset.filter(visibility=visibility)
    if readiness:
        queryset = queryset.filter(readiness=readiness)
    if capability in GPT.CAPABILITY_FIELDS:
        queryset = queryset.filter(**{capability: True})
    return queryset.order_by(GPT_ORDERINGS.get(ordering, "name"), "id")


def gpt_detail_queryset(user) -> QuerySet[GPT]:
    """GPTs with everything the editor, the document and the exporters read, prefetched."""
    return gpts_for(user).prefetch_related(
        Prefetch("conversation_starters", queryset=ConversationStarter.objects.order_by("position")),
        Prefetch("knowledge_files", queryset=KnowledgeFile.objects.order_by("name", "id")),
        Prefetch("actions", queryset=Action.objects.order_by("position", "id")),
    )


def gpt_get(*, user, workspace_slug: str, gpt_slug: str) -> GPT:
    try:
        return gpt_detail_queryset(user).get(workspace__slug=workspace_slug, slug=gpt_slug)
    except GPT.DoesNotExist:
        raise Http404("No such GPT.") from None


def revisions_of(gpt: GPT) -> QuerySet[Revision]:
    """A GPT's revisions, newest first, without their (possibly large) documents."""
    return gpt.revisions.select_related("author").defer("document").order_by("-number")


def gpt_with_document(*, workspace_slug: str, gpt_slug: str) -> GPT | None:
    """For operator commands (no user): a GPT with what the document and exporters read."""
    return (
        GPT.objects.select_related("workspace")
        .prefetch_related(
            Prefetch("conversation_starters", queryset=ConversationStarter.objects.order_by("position")),
            Prefetch("knowledge_files", queryset=KnowledgeFile.objects.order_by("name", "id")),
            Prefetch("actions", queryset=Action.objects.order_by("position", "id")),
        )
        .filter(workspace__slug=workspace_slug, slug=gpt_slug)
        .first()
    )

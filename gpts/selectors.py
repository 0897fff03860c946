"""Named read queries. The API and the pages both read through these, so a list has one query
shape (and one query count) wherever it is shown. Every query is scoped to the caller's
workspaces: objects outside them are simply not found."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.http import Http404

from actions.models import Action

from .models import GPT, ConversationStarter, Job, KnowledgeFile, Membership, Revision, SchemaText, Workspace

GPT_ORDERINGS = {
    # Names sort as people read them, whatever their case.
    "name": Lower("name").asc(),
    "-name": Lower("name").desc(),
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
    # A subquery, not `filter(memberships__user=user)`: counting over that join would count only
    # the caller's own membership (member_count was always 1).
    return (
        Workspace.objects.filter(pk__in=Membership.objects.filter(user=user).values("workspace"))
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


def user_for_membership(identifier: str):
    """The active user a workspace owner names by `identifier`, or None.

    With an "@" it is an email address and matches only an address the user has *verified*
    (allauth's EmailAddress), never a username: anyone can sign up with someone else's address,
    and, before usernames refused "@" (gptstudio/usernames.py), with a username that looks like
    it. `user.email` alone, or an unverified EmailAddress, proves nothing (as for invitations:
    services._check_invited_address). Without an "@" it is an exact username."""
    from allauth.account.models import EmailAddress

    users = get_user_model().objects.filter(is_active=True)
    if "@" not in identifier:
        return users.filter(username=identifier).first()
    owners = (
        EmailAddress.objects.filter(email__iexact=identifier, verified=True, user__is_active=True)
        .values_list("user", flat=True)
        .distinct()
    )
    # allauth keeps a verified address unique to one account; if two ever share one, neither is meant.
    matched = list(owners[:2])
    return users.get(pk=matched[0]) if len(matched) == 1 else None


def gpts_for(user) -> QuerySet[GPT]:
    """GPTs in the user's workspaces, ready for a list: workspace, last editor (the action count
    is stored on the GPT)."""
    if not user.is_authenticated:
        return GPT.objects.none()
    # A membership subquery rather than a join: PostgreSQL then sorts and pages the GPTs directly.
    return GPT.objects.filter(
        workspace_id__in=Membership.objects.filter(user=user).values("workspace_id")
    ).select_related("workspace", "updated_by")


def gpts_for_list(user) -> QuerySet[GPT]:
    """`gpts_for` without the instructions (up to 100,000 characters each), which no list shows."""
    return gpts_for(user).defer("instructions")


def gpt_filter(
    queryset: QuerySet[GPT],
    *,
    workspace: Workspace | None = None,
    workspace_slug: str = "",
    search: str = "",
    visibility: str = "",
    readiness: str = "",
    has_errors: bool | None = None,
    capability: str = "",
    ordering: str = "name",
) -> QuerySet[GPT]:
    """Narrow and order a GPT queryset (the list filters of the pages and the API)."""
    if workspace is not None:
        queryset = queryset.filter(workspace=workspace)
    if workspace_slug:
        queryset = queryset.filter(workspace__slug=workspace_slug)
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(description__icontains=search) | Q(instructions__icontains=search)
        )
    if visibility:
        queryset = queryset.filter(visibility=visibility)
    if readiness:
        queryset = queryset.filter(readiness=readiness)
    if has_errors is not None:
        queryset = queryset.filter(error_count__gt=0) if has_errors else queryset.filter(error_count=0)
    if capability in GPT.CAPABILITY_FIELDS:
        queryset = queryset.filter(**{capability: True})
    return queryset.order_by(GPT_ORDERINGS.get(ordering or "name", GPT_ORDERINGS["name"]), "id")


def gpt_list(*, user, **filters) -> QuerySet[GPT]:
    """The user's GPTs, filtered and ordered (see `gpt_filter` for the filters)."""
    return gpt_filter(gpts_for(user), **filters)


def gpt_detail_queryset(user) -> QuerySet[GPT]:
    """GPTs with everything the editor, the document and the exporters read, prefetched, and the
    user's role in the GPT's workspace as `user_role` (see `with_role_on_workspace`)."""
    return (
        gpts_for(user)
        .select_related("created_by")
        .annotate(
            user_role=Subquery(Membership.objects.filter(workspace=OuterRef("workspace"), user=user).values("role")[:1])
        )
        .prefetch_related(
            Prefetch("conversation_starters", queryset=ConversationStarter.objects.order_by("position")),
            Prefetch(
                "knowledge_files", queryset=KnowledgeFile.objects.select_related("uploaded_by").order_by("name", "id")
            ),
            Prefetch("actions", queryset=Action.objects.select_related("schema").order_by("position", "id")),
        )
    )


def gpt_get(*, user, workspace_slug: str, gpt_slug: str) -> GPT:
    try:
        return gpt_detail_queryset(user).get(workspace__slug=workspace_slug, slug=gpt_slug)
    except GPT.DoesNotExist:
        raise Http404("No such GPT.") from None


def revisions_of(gpt: GPT) -> QuerySet[Revision]:
    """A GPT's revisions, newest first, without their (possibly large) documents."""
    return gpt.revisions.select_related("author").defer("snapshot").order_by("-number")


def revision_read(*, revision: Revision, include_schemas: bool) -> dict:
    """A revision's document for a read, and a line per action's schema (`schemas`).

    Schema texts can be megabytes each and most saves leave them alone, so the document holds an
    action's schema text only when it differs from the revision before (by action name: new or
    changed), or when `include_schemas`; otherwise `schema` is null and `schemas` gives its hash
    and size. Three queries, whatever the number of actions."""
    snapshot = revision.snapshot
    entries = snapshot.get("actions", [])
    previous = (
        Revision.objects.filter(gpt_id=revision.gpt_id, number__lt=revision.number)
        .order_by("-number")
        .only("snapshot")
        .first()
    )
    before = {entry["name"]: entry["schema"] for entry in previous.snapshot.get("actions", [])} if previous else {}
    changed = [before.get(entry["name"]) != entry["schema"] for entry in entries]
    wanted = {entry["schema"] for entry, new in zip(entries, changed, strict=True) if include_schemas or new}
    sizes = dict(revision.schemas.values_list("sha256", "size"))
    texts = dict(SchemaText.objects.filter(sha256__in=wanted).values_list("sha256", "text")) if wanted else {}
    document = {**snapshot}
    if "actions" in snapshot:
        document["actions"] = [{**entry, "schema": texts.get(entry["schema"])} for entry in entries]
    schemas = [
        {
            "action": entry["name"],
            "sha256": entry["schema"],
            "size": sizes.get(entry["schema"], 0),
            "changed": new,
            "included": entry["schema"] in texts,
        }
        for entry, new in zip(entries, changed, strict=True)
    ]
    return {"document": document, "schemas": schemas}


def revision_documents_for_diff(old: Revision | None, new: Revision) -> tuple[dict, dict]:
    """The documents of two revisions, for `document_diff`, with one query for the schema texts
    the diff reads: an action whose schema is the same text on both sides keeps its hash in place
    of the text on both (equal, so "unchanged", and never parsed). `old=None`: an empty document."""
    old_snapshot = old.snapshot if old is not None else {}
    old_entries = {entry["name"]: entry["schema"] for entry in old_snapshot.get("actions", [])}
    new_entries = {entry["name"]: entry["schema"] for entry in new.snapshot.get("actions", [])}
    unchanged = {name for name, digest in new_entries.items() if old_entries.get(name) == digest}
    wanted = {d for n, d in old_entries.items() if n not in unchanged} | {
        d for n, d in new_entries.items() if n not in unchanged
    }
    texts = dict(SchemaText.objects.filter(sha256__in=wanted).values_list("sha256", "text")) if wanted else {}

    def rebuilt(snapshot: dict) -> dict:
        if "actions" not in snapshot:
            return dict(snapshot)
        actions = [{**entry, "schema": texts.get(entry["schema"], entry["schema"])} for entry in snapshot["actions"]]
        return {**snapshot, "actions": actions}

    return rebuilt(old_snapshot), rebuilt(new.snapshot)


ACTION_SECRET_FIELDS = ("api_key", "oauth_client_secret")


def gpt_with_document(*, workspace_slug: str, gpt_slug: str) -> GPT | None:
    """For operator commands (no user): a GPT with its workspace and what the document, the
    validation and the exporters read (conversation starters, knowledge files, actions), in four
    queries. The actions come without their secret columns, which none of them reads (documents
    and exports never carry one), so no secret is loaded or decrypted only to be dropped."""
    return (
        GPT.objects.filter(workspace__slug=workspace_slug, slug=gpt_slug)
        .select_related("workspace")
        .prefetch_related(
            Prefetch("conversation_starters", queryset=ConversationStarter.objects.order_by("position")),
            Prefetch("knowledge_files", queryset=KnowledgeFile.objects.order_by("name", "id")),
            Prefetch("actions", queryset=Action.objects.select_related("schema").defer(*ACTION_SECRET_FIELDS)),
        )
        .first()
    )


def revision_get(*, gpt: GPT, number: int) -> Revision:
    try:
        return gpt.revisions.select_related("author").get(number=number)
    except (Revision.DoesNotExist, ValueError, TypeError):
        raise Http404("No such revision.") from None


def knowledge_files_of(gpt: GPT) -> QuerySet[KnowledgeFile]:
    return gpt.knowledge_files.select_related("uploaded_by").order_by("name", "id")


def jobs_for(user) -> QuerySet[Job]:
    """Jobs in the user's workspaces, and the user's own workspace-less ones (large-schema checks
    from the validate endpoint), newest first."""
    if not user.is_authenticated:
        return Job.objects.none()
    member_of = Membership.objects.filter(user=user).values("workspace_id")
    return (
        Job.objects.filter(Q(workspace_id__in=member_of) | Q(workspace__isnull=True, created_by=user))
        # A pending large-schema job holds its input (megabytes) in `params`, which no reader shows.
        .defer("params")
        .select_related("workspace", "created_by")
        .order_by("-created_at", "-id")
    )


def with_role_on_workspace(obj, workspace: Workspace | None = None) -> Workspace:
    """Copy a `user_role` annotation of `obj` onto its workspace (`obj.workspace` unless given),
    where gpts.permissions looks for it, so a role check after a detail query costs no query."""
    workspace = workspace or obj.workspace
    role = getattr(obj, "user_role", None)
    if role is not None:
        workspace.user_role = role
    return workspace

"""Named read queries. The API and the pages both read through these, so a list has one query
shape (and one query count) wherever it is shown. Every query is scoped to the caller's
workspaces: objects outside them are simply not found."""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.http import Http404

from actions.models import Action

from .models import GPT, ConversationStarter, Job, KnowledgeFile, Membership, Revision, Workspace

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


GPT_LIST_VALUES = (
    "id",
    "workspace__slug",
    "name",
    "slug",
    "description",
    "visibility",
    *GPT.CAPABILITY_FIELDS,
    "readiness",
    "error_count",
    "warning_count",
    "action_count",
    "version",
    "created_at",
    "updated_at",
    "updated_by__username",
)


class GPTListRows:
    """A filtered, ordered GPT queryset as a paginator reads it: counted on the GPT table alone
    (the rows' joins would only slow the count) and fetched as plain rows of GPT_LIST_VALUES for
    the page's slice only (no model instances, no instructions, which can be 100k characters).
    The API's list pages these; `GPTListRowsSerializer` renders them."""

    def __init__(self, queryset: QuerySet[GPT]):
        self.queryset = queryset

    @property
    def ordered(self) -> bool:
        return self.queryset.ordered

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("GPTListRows are read a page (a slice) at a time.")
        return list(self.queryset[key].values(*GPT_LIST_VALUES))

    def __iter__(self):
        return iter(self.queryset.values(*GPT_LIST_VALUES))


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
            Prefetch("actions", queryset=Action.objects.order_by("position", "id")),
        )
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
    """For operator commands (no user): a GPT with its workspace and what the document, the
    validation and the exporters read (conversation starters, knowledge files, actions), in four
    queries. The actions come without their secret columns, which none of them reads (documents
    and exports never carry one), so no secret is loaded or decrypted only to be dropped. The
    workspace comes with its name and slug (its timestamps load if read).

    Each query is SQL written once from the models' fields (`raw()`), not a queryset with
    `select_related`/`prefetch_related`: building and compiling those cost about twice as much as
    running the four reads (benchmarks/export.py, on SQLite). The instances are the same."""
    alias = router.db_for_read(GPT)
    found = list(GPT.objects.db_manager(alias).raw(_gpt_sql(alias), [workspace_slug, gpt_slug]))
    if not found:
        return None
    [gpt] = found  # a slug is unique in its workspace
    values = [gpt.__dict__.pop(f"workspace__{name}") for name in WORKSPACE_READ_FIELDS]
    gpt.workspace = Workspace.from_db(alias, ["id", *WORKSPACE_READ_FIELDS], [gpt.workspace_id, *values])
    _related_rows(gpt, "conversation_starters", order_by=("position",))
    _related_rows(gpt, "knowledge_files", order_by=("name", "id"))
    _related_rows(gpt, "actions", order_by=("position", "id"), without=ACTION_SECRET_FIELDS)
    return gpt


ACTION_SECRET_FIELDS = ("api_key", "oauth_client_secret")
# Text columns only: they need no conversion from the database's values (timestamps would). In
# the model's field order, which `Workspace.from_db` expects the values in.
WORKSPACE_READ_FIELDS = tuple(f.name for f in Workspace._meta.concrete_fields if f.name in ("name", "slug"))


def _columns(model, quote, without: tuple[str, ...] = ()) -> list[str]:
    table = quote(model._meta.db_table)
    return [f"{table}.{quote(f.column)}" for f in model._meta.concrete_fields if f.name not in without]


@functools.cache
def _gpt_sql(alias: str) -> str:
    """The GPT with a given workspace slug and slug, with its workspace's WORKSPACE_READ_FIELDS
    as `workspace__<name>` columns."""
    quote = connections[alias].ops.quote_name
    gpts, workspaces = quote(GPT._meta.db_table), quote(Workspace._meta.db_table)

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    extra = [
        f"{workspaces}.{column(Workspace, name)} AS {quote(f'workspace__{name}')}" for name in WORKSPACE_READ_FIELDS
    ]
    # Identifiers from the models' metadata, quoted; the values are query parameters.
    return (
        f"SELECT {', '.join([*_columns(GPT, quote), *extra])} FROM {gpts} "  # noqa: S608
        f"INNER JOIN {workspaces} ON {gpts}.{column(GPT, 'workspace')} = {workspaces}.{column(Workspace, 'id')} "
        f"WHERE {workspaces}.{column(Workspace, 'slug')} = %s AND {gpts}.{column(GPT, 'slug')} = %s"
    )


@functools.cache
def _related_sql(model, foreign_key: str, order_by: tuple[str, ...], without: tuple[str, ...], alias: str) -> str:
    """SELECT the model's columns (but `without`) of the rows whose `foreign_key` is %s, ordered."""
    quote = connections[alias].ops.quote_name
    meta = model._meta
    order = [quote(meta.get_field(name).column) for name in order_by]
    # Identifiers from the model's metadata, quoted; the one value is a query parameter.
    return (
        f"SELECT {', '.join(_columns(model, quote, without))} FROM {quote(meta.db_table)} "  # noqa: S608
        f"WHERE {quote(meta.get_field(foreign_key).column)} = %s ORDER BY {', '.join(order)}"
    )


def _related_rows(instance, related_name: str, *, order_by: tuple[str, ...], without: tuple[str, ...] = ()) -> None:
    """Read `instance.<related_name>` (a reverse foreign key) into the cache `prefetch_related`
    fills, so `.all()` on it costs no query. Fields in `without` are deferred, as by `defer()`.

    Django has no public way to fill that cache: the queryset built with `_apply_rel_filters` and
    the three assignments are what `prefetch_related_objects` does (django/db/models/query.py,
    prefetch_one_level), and the export-read tests in tests/gpts/test_permissions_selectors.py
    fail if an upgrade changes that."""
    manager = getattr(instance, related_name)
    field = manager.field  # the foreign key on the related model
    alias = instance._state.db
    sql = _related_sql(manager.model, field.name, order_by, without, alias)
    key = getattr(instance, field.target_field.attname)
    rows = list(manager.model._default_manager.db_manager(alias).raw(sql, [key]))
    for row in rows:
        field.set_cached_value(row, instance)  # row.<fk> is the instance, as after a prefetch
    # The queryset a chained call (`.filter()`, `.order_by()`) starts from: the same order and
    # deferred fields as the rows, so no such call loads a secret either.
    base = manager.model._default_manager.db_manager(alias).order_by(*order_by)
    queryset = manager._apply_rel_filters(base.defer(*without) if without else base)
    queryset._result_cache = rows
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[field.remote_field.cache_name] = queryset


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

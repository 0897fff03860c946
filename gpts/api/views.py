"""GPT, workspace, member, knowledge file, revision and job endpoints.

Reads go through gpts.selectors (scoped to the caller's workspaces: anything else is a 404);
writes go through gpts.services in perform_create / perform_update / perform_destroy; role rules
are gpts.permissions' (via gptstudio.api.permissions).
"""

from __future__ import annotations

import hashlib
import json

from django.http import Http404, HttpResponseNotModified
from django.urls import reverse
from django_filters import rest_framework as filters
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from gpts import selectors, services
from gpts.bundle import is_zip
from gpts.chatgpt_import import chatgpt_import, chatgpt_plan, is_chatgpt_json
from gpts.diff import document_diff
from gpts.document.read import DOCUMENT_MAX_BYTES
from gpts.exporters import EXPORTERS, ExportRefused, export_source, gpt_export
from gpts.exporters.migration import migration_report
from gpts.filters import GPTFilterSet
from gpts.importers import DocumentRejected, gpt_restore_revision
from gpts.models import GPT, Job
from gpts.permissions import Access
from gpts.picture_fetch import profile_picture_fetch_start
from gpts.uploads import gpt_import
from gpts.validation import validate_gpt
from gpts.views_export import download_response
from gptstudio.api.concurrency import etag, expected_version, none_match, query_version
from gptstudio.api.errors import (
    Conflict,
    ExportRefusedError,
    ImportRefusedError,
    PayloadTooLarge,
    PreconditionRequired,
)
from gptstudio.api.negotiation import FileDownloadNegotiation
from gptstudio.api.numbers import ID_PATTERN, query_number
from gptstudio.api.parsers import (
    ImportMultiPartParser,
    SizeLimitedMultiPartParser,
    import_max_bytes,
    upload_max_bytes,
)
from gptstudio.api.viewsets import (
    IdFilter,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    VersionedRetrieveMixin,
    WorkspaceScopedViewSet,
    flag,
    save_with_report,
)
from gptstudio.findings import Finding, Severity, make_finding

from . import schema
from . import serializers as s
from .schema import WORKSPACE_SLUG_PATTERN

# --- Workspaces -------------------------------------------------------------------------------


@schema.workspace_docs
class WorkspaceViewSet(
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    WorkspaceScopedViewSet,
):
    lookup_field = "slug"
    lookup_value_regex = WORKSPACE_SLUG_PATTERN
    required_access = {"update": Access.MANAGE, "partial_update": Access.MANAGE}
    saved_serializer_class = s.WorkspaceSerializer
    precondition_actions = ("import_gpt",)  # `version` / If-Match with `gpt`

    def get_queryset(self):
        return selectors.workspaces_for(self.request.user)

    def get_serializer_class(self):
        return {
            "create": s.WorkspaceCreateSerializer,
            "update": s.WorkspaceUpdateSerializer,
            "partial_update": s.WorkspaceUpdateSerializer,
            "import_gpt": s.GPTImportSerializer,
        }.get(self.action, s.WorkspaceSerializer)

    def workspace_of(self, obj):
        return obj

    def _refetch(self, workspace):
        return selectors.workspaces_for(self.request.user).get(pk=workspace.pk)

    def perform_create(self, serializer):
        workspace = services.workspace_create(owner=self.request.user, **serializer.validated_data)
        return self._refetch(workspace), {}

    def perform_update(self, serializer):
        workspace = serializer.instance
        workspace = services.workspace_update(
            workspace=workspace, name=serializer.validated_data.get("name", workspace.name)
        )
        return self._refetch(workspace), {}

    def perform_destroy(self, instance):
        services.workspace_delete(workspace=instance)

    @action(detail=True, methods=["post"], url_path="import", parser_classes=[ImportMultiPartParser])
    def import_gpt(self, request, slug=None):
        workspace = self.get_object()
        serializer = s.GPTImportSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size is not None and upload.size > import_max_bytes():
            raise PayloadTooLarge(f"“{upload.name}” is larger than GPT Studio imports ({import_max_bytes()} bytes).")
        gpt, expected = serializer.validated_data.get("gpt"), None
        head = upload.read(4)
        upload.seek(0)
        if not is_zip(head):
            data = upload.read(DOCUMENT_MAX_BYTES + 1)
            upload.seek(0)
            if is_chatgpt_json(data):
                return self._import_chatgpt(request, workspace, serializer.validated_data, data)
        if gpt is None and (serializer.validated_data.get("version") is not None or "If-Match" in request.headers):
            raise ValidationError(
                {"gpt": ["`version` and If-Match are for a new revision of an existing GPT: name it in `gpt`."]}
            )
        if serializer.validated_data.get("versions") is not None:
            raise ValidationError({"versions": ["`versions` is for ChatGPT's JSON of GPTs; this file is not that."]})
        if gpt is not None:
            if gpt.workspace_id != workspace.pk:
                raise ValidationError({"gpt": [f"This GPT is in workspace “{gpt.workspace.slug}”, not here."]})
            expected = expected_version(request, current=gpt.version, claimed=serializer.validated_data.get("version"))
        try:
            outcome = gpt_import(
                workspace=workspace,
                actor=request.user,
                upload=upload,
                filename=upload.name,
                gpt=gpt,
                expected_version=expected,
            )
        except DocumentRejected as exc:
            raise _import_refused(exc.findings) from None
        gpt = selectors.gpt_detail_queryset(request.user).get(pk=outcome.gpt.pk)
        data = {**outcome.as_dict(), "gpt": s.GPTDetailSerializer(gpt, context=self.get_serializer_context()).data}
        code = status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK
        return Response(data, status=code, headers={"ETag": etag(gpt.version)})

    def _import_chatgpt(self, request, workspace, validated: dict, data: bytes):
        """ChatGPT's JSON: each GPT on its own (gpts.chatgpt_import). 201 when one was created, 200
        when all written were updates; 400 (with `results`) when none was written."""
        if validated.get("gpt") is not None:
            raise ValidationError(
                {"gpt": ["ChatGPT's JSON finds the GPT it updates by its ChatGPT id: leave `gpt` out."]}
            )
        versions = dict(validated.get("versions") or {})
        plan = chatgpt_plan(workspace=workspace, data=data)
        if plan.refused:
            raise _import_refused(
                plan.findings or [make_finding("chatgpt.not_a_gpt", "The list holds no GPT: nothing to import.")]
            )
        single = plan.gizmos[0] if len(plan.gizmos) == 1 else None
        claimed = validated.get("version")
        if claimed is not None or "If-Match" in request.headers:
            if single is None or single.target is None:
                raise ValidationError(
                    {
                        "version": [
                            "`version` and If-Match name the version of the one GPT in the file that was imported "
                            "before; for a list use `versions`, and a new GPT needs none."
                        ]
                    }
                )
            versions[single.chatgpt_id] = expected_version(request, current=single.target.version, claimed=claimed)
        result = chatgpt_import(workspace=workspace, actor=request.user, data=data, expected_versions=versions)
        body = result.as_dict()
        if all(item.outcome is None for item in result.results):
            findings = [f for item in result.results for f in item.plan.findings]
            first = result.results[0]
            if single is not None and first.current_version is not None:
                # No version given: 428; a stale one was refused with 412 before anything ran, so a
                # conflict here is an edit that landed meanwhile (409, as for every write).
                missing = single.chatgpt_id not in versions
                error = PreconditionRequired if missing else Conflict
                raise error(first.error, current_version=first.current_version, results=body["results"])
            raise ImportRefusedError(
                f"The import was refused; nothing was written. {first.error}",
                findings=[f.as_dict() for f in findings],
                results=body["results"],
            )
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


# Findings that refuse an import for its size: 413 rather than 400.
TOO_LARGE_CODES = {"import.zip.too_large", "document.too_large"}


def _import_refused(findings: list[Finding]):
    errors = [f for f in findings if f.severity == Severity.ERROR] or findings
    message = "The import was refused; nothing was written."
    if errors:
        message += f" {errors[0].message}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
    body = [f.as_dict() for f in findings]
    if any(f.code in TOO_LARGE_CODES for f in findings):
        return PayloadTooLarge(message, findings=body)
    return ImportRefusedError(message, findings=body)


@schema.member_docs
class WorkspaceMemberViewSet(
    ServiceUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    WorkspaceScopedViewSet,
):
    lookup_field = "user_id"
    lookup_value_regex = ID_PATTERN
    required_access = {
        "create": Access.MANAGE,
        "update": Access.MANAGE,
        "partial_update": Access.MANAGE,
        "destroy": Access.MANAGE,
    }
    saved_serializer_class = s.MemberSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.workspace = selectors.workspace_get(user=request.user, slug=self.kwargs["workspace_slug"])
        self.check_parent_access()

    def check_parent_access(self):
        if self.action in ("list", "create"):
            self.require(self.workspace)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Membership.objects.none()
        return selectors.members_of(self.workspace)

    def get_serializer_class(self):
        return {
            "create": s.MemberAddSerializer,
            "update": s.MemberRoleSerializer,
            "partial_update": s.MemberRoleSerializer,
        }.get(self.action, s.MemberSerializer)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        named, role = serializer.validated_data["username"], serializer.validated_data["role"]
        services.invitation_create_for_user(
            workspace=self.workspace,
            identifier=named,
            role=role,
            invited_by=request.user,
            accept_url_for=lambda token: request.build_absolute_uri(reverse("gpts:invitation_accept", args=[token])),
        )
        message = (
            f"If “{named}” names an active user with a verified email address, an invitation to join as {role} "
            "was emailed to it; they become a member when they accept it."
        )
        answer = s.MemberInvitedSerializer({"username": named, "role": role, "message": message})
        return Response(answer.data, status=status.HTTP_202_ACCEPTED)

    def perform_update(self, serializer):
        membership = serializer.instance
        role = serializer.validated_data.get("role", membership.role)
        return services.membership_set(workspace=self.workspace, user=membership.user, role=role), {}

    def perform_destroy(self, instance):
        services.membership_remove(workspace=self.workspace, user=instance.user)


# --- GPTs --------------------------------------------------------------------------------------


@schema.gpt_docs
class GPTViewSet(
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.ListModelMixin,
    VersionedRetrieveMixin,
    mixins.DestroyModelMixin,
    WorkspaceScopedViewSet,
):
    lookup_value_regex = ID_PATTERN
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = GPTFilterSet
    saved_serializer_class = s.GPTSavedSerializer
    versioned = True
    strict_save = True
    actions_with_query_errors = ("export", "migration")

    def get_queryset(self):
        if self.action == "list":
            return selectors.gpts_for_list(self.request.user)
        return selectors.gpt_detail_queryset(self.request.user)

    def filter_queryset(self, queryset):
        # The list's filters; a detail URL ignores the query string.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        return {
            "list": s.GPTListItemSerializer,
            "create": s.GPTCreateSerializer,
            "update": s.GPTUpdateSerializer,
            "partial_update": s.GPTUpdateSerializer,
            "validate": s.GPTValidationSerializer,
            "migration": s.GPTMigrationSerializer,
        }.get(self.action, s.GPTDetailSerializer)

    def workspace_of(self, obj):
        return selectors.with_role_on_workspace(obj)

    def _refetch(self, gpt: GPT) -> GPT:
        return selectors.gpt_detail_queryset(self.request.user).get(pk=gpt.pk)

    def _save(self, save):
        gpt, report = save_with_report(lambda: self._refetch(save()), report_of=validate_gpt, strict=self._strict)
        return gpt, {"validation": report}

    def perform_create(self, serializer):
        self._strict = flag(self.request, "strict")
        workspace = serializer.validated_data["workspace"]
        self.require(workspace, Access.EDIT)
        fields = serializer.service_fields()
        mcp_enabled = serializer.validated_data.get("mcp_enabled")
        if mcp_enabled:
            self.require(workspace, Access.MANAGE)

        def create():
            gpt = services.gpt_create(workspace=workspace, actor=self.request.user, **fields)
            return self._switch_mcp(gpt, mcp_enabled)

        return self._save(create)

    def _switch_mcp(self, gpt: GPT, enabled: bool | None) -> GPT:
        if enabled is None or enabled == gpt.mcp_enabled:
            return gpt
        return services.gpt_set_mcp_enabled(gpt=gpt, actor=self.request.user, enabled=enabled)

    def perform_update(self, serializer):
        self._strict = flag(self.request, "strict")
        gpt = serializer.instance
        expected = expected_version(self.request, current=gpt.version, claimed=serializer.validated_data.get("version"))
        fields = serializer.service_fields()
        mcp_enabled = serializer.validated_data.get("mcp_enabled")
        if mcp_enabled is not None and mcp_enabled != gpt.mcp_enabled:
            self.require(gpt.workspace, Access.MANAGE)  # before any change: a refused switch saves nothing

        def update():
            updated = services.gpt_update(gpt=gpt, actor=self.request.user, expected_version=expected, **fields)
            return self._switch_mcp(updated, mcp_enabled)

        return self._save(update)

    def perform_destroy(self, instance):
        expected = expected_version(self.request, current=instance.version, claimed=query_version(self.request))
        services.gpt_delete(gpt=instance, expected_version=expected)

    @action(detail=True, methods=["post"], url_path="fetch-profile-picture")
    def fetch_profile_picture(self, request, pk=None):
        job = profile_picture_fetch_start(gpt=self.get_object(), actor=request.user)
        job = selectors.jobs_for(request.user).get(pk=job.pk)
        return Response(s.JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["post"], url_path="knowledge-pending-clear")
    def knowledge_pending_clear(self, request, pk=None):
        gpt = self.get_object()
        serializer = s.GPTKnowledgePendingClearSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.gpt_knowledge_pending_clear(gpt=gpt, file_ids=serializer.validated_data.get("file_ids"))
        gpt = self._refetch(gpt)
        return Response(s.GPTDetailSerializer(gpt, context=self.get_serializer_context()).data)

    @action(detail=True, methods=["get"])
    def validate(self, request, pk=None):
        gpt = self.get_object()
        return Response(validate_gpt(gpt).as_dict(), headers={"ETag": etag(gpt.version)})

    @action(detail=True, methods=["get"])
    def migration(self, request, pk=None):
        gpt = self.get_object()
        query = s.GPTMigrationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        source = export_source(gpt)
        source.options = EXPORTERS["agent-plugin"].resolved_options(
            gpt, {"mcp_url": query.validated_data.get("mcp_url", "")}
        )
        return Response(migration_report(source).as_dict(), headers={"ETag": etag(gpt.version)})

    @action(detail=True, methods=["get"], content_negotiation_class=FileDownloadNegotiation)
    def export(self, request, pk=None):
        gpt = self.get_object()
        query = s.GPTExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        force = flag(request, "force")
        target = query.validated_data["target"]
        fmt = query.validated_data.get("format") or EXPORTERS[target].formats[0]
        options = {"mcp_url": query.validated_data.get("mcp_url", "")}
        try:
            export = gpt_export(gpt=gpt, target=target, fmt=fmt, force=force, options=options)
        except ValueError as exc:  # A format the target does not write.
            raise ValidationError({"format": [str(exc)]}) from None
        except ExportRefused as exc:
            raise ExportRefusedError(
                f"This GPT has {len(exc.findings)} validation error(s); fix them, or export anyway with force=true "
                "(a bundle's PASTE_GUIDE.md then lists them first).",
                findings=[f.as_dict() for f in exc.findings],
            ) from None
        # The bytes are produced lazily: a 304 builds none of them.
        tag = export_etag(gpt, target=target, fmt=fmt, force=force, options=options)
        response = HttpResponseNotModified() if none_match(request, tag) else download_response(export)
        response["ETag"] = tag
        return response


def export_etag(gpt: GPT, *, target: str, fmt: str, force: bool, options: dict | None = None) -> str:
    """One tag per version, target, format and force: the zip, the YAML and the JSON of a version
    are different representations. Weak (`W/`): the bytes of a version are the same from one
    request to the next, but a new GPT Studio release may word the paste guide differently.
    Options the target reads (an MCP URL) change the bytes, so a digest of them is part of it."""
    read = dict(sorted(EXPORTERS[target].resolved_options(gpt, options).items()))
    digest = "-" + hashlib.sha256(json.dumps(read).encode()).hexdigest()[:12] if read else ""
    return f'W/"{gpt.version}-{target}-{fmt}{"-forced" if force else ""}{digest}"'


class GPTChildMixin:
    """For endpoints under /gpts/{gpt_id}/: the parent GPT (404 outside your workspaces) and a
    role check on it for list and create."""

    parent_access: dict[str, Access] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        try:
            self.gpt = selectors.gpts_for(request.user).get(pk=self.kwargs["gpt_id"])
        except (GPT.DoesNotExist, ValueError):
            raise Http404("No such GPT.") from None
        self.check_parent_access()

    def check_parent_access(self):
        self.require(self.gpt.workspace, self.parent_access.get(self.action))

    def workspace_of(self, obj):
        return self.gpt.workspace


# --- Knowledge files ------------------------------------------------------------------------


@schema.knowledge_file_docs
class KnowledgeFileViewSet(
    GPTChildMixin,
    ServiceCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    WorkspaceScopedViewSet,
):
    lookup_value_regex = ID_PATTERN
    parser_classes = [SizeLimitedMultiPartParser]
    precondition_actions = ("create", "destroy")  # Optional `version` / If-Match on the GPT.
    saved_serializer_class = s.KnowledgeFileSerializer
    required_access = {"destroy": Access.EDIT}
    parent_access = {"destroy": Access.EDIT}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.KnowledgeFile.objects.none()
        return selectors.knowledge_files_of(self.gpt)

    def get_serializer_class(self):
        return s.KnowledgeUploadSerializer if self.action == "create" else s.KnowledgeFileSerializer

    def perform_create(self, serializer):
        upload = serializer.validated_data["file"]
        if upload.size is not None and upload.size > upload_max_bytes():
            raise PayloadTooLarge(f"“{upload.name}” is larger than ChatGPT's limit of {upload_max_bytes()} bytes.")
        claimed = serializer.validated_data.get("version")
        expected = None
        if claimed is not None or "If-Match" in self.request.headers:
            expected = expected_version(self.request, current=self.gpt.version, claimed=claimed)
        knowledge = services.knowledge_file_add(
            gpt=self.gpt,
            actor=self.request.user,
            upload=upload,
            name=serializer.validated_data.get("name"),
            expected_version=expected,
        )
        return selectors.knowledge_files_of(self.gpt).get(pk=knowledge.pk), {}

    def perform_destroy(self, instance):
        expected = expected_version(self.request, current=self.gpt.version, claimed=query_version(self.request))
        services.knowledge_file_delete(knowledge=instance, actor=self.request.user, expected_version=expected)


# --- Revisions -----------------------------------------------------------------------------------


@schema.revision_docs
class RevisionViewSet(GPTChildMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    lookup_field = "number"
    lookup_value_regex = ID_PATTERN
    actions_with_query_errors = ("diff", "retrieve")
    precondition_actions = ("restore",)
    parent_access = {"restore": Access.EDIT}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Revision.objects.none()
        if self.action == "list":
            return selectors.revisions_of(self.gpt)
        return self.gpt.revisions.select_related("author").order_by("-number")

    def get_serializer_class(self):
        return {
            "list": s.RevisionListItemSerializer,
            "diff": s.RevisionDiffSerializer,
            "restore": s.RevisionRestoreSerializer,
        }.get(self.action, s.RevisionDetailSerializer)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "retrieve":
            context["include_schemas"] = self._include_schemas()
        return context

    def _include_schemas(self) -> bool:
        include = self.request.query_params.get("include")
        if include not in (None, "", "schemas"):
            raise ValidationError({"include": [f"Unknown value {include!r}: the one choice is `schemas`."]})
        return include == "schemas"

    @action(detail=True, methods=["get"])
    def diff(self, request, gpt_id=None, number=None):
        revision = self.get_object()
        chosen = query_number(request, "against", what="A revision number")
        against = revision.number - 1 if chosen is None else chosen
        # Revision 1 compared with nothing shows everything as added.
        old = None if chosen is None and against == 0 else selectors.revision_get(gpt=self.gpt, number=against)
        diff = document_diff(*selectors.revision_documents_for_diff(old, revision)).as_dict()
        return Response({"from_number": against, "to_number": revision.number, **diff})

    @action(detail=True, methods=["post"])
    def restore(self, request, gpt_id=None, number=None):
        revision = self.get_object()
        serializer = s.RevisionRestoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        gpt = selectors.gpt_detail_queryset(request.user).get(pk=self.gpt.pk)
        expected = expected_version(request, current=gpt.version, claimed=serializer.validated_data.get("version"))
        gpt_restore_revision(gpt=gpt, revision=revision, actor=request.user, expected_version=expected)
        gpt = selectors.gpt_detail_queryset(request.user).get(pk=gpt.pk)
        data = s.GPTRestoredSerializer(gpt, context={"validation": validate_gpt(gpt)}).data
        return Response(data, headers={"ETag": etag(gpt.version)})


# --- Jobs --------------------------------------------------------------------------------------


class JobFilterSet(filters.FilterSet):
    workspace = filters.CharFilter(field_name="workspace__slug", help_text="Workspace slug.")
    gpt = IdFilter(field_name="gpt_id", help_text="GPT id.")
    status = filters.ChoiceFilter(choices=Job.Status.choices)
    kind = filters.ChoiceFilter(choices=Job.Kind.choices)

    class Meta:
        model = Job
        fields = []


@schema.job_docs
class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.JobSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = JobFilterSet

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        services.jobs_fail_stale()  # A job whose worker died reads as failed, never `running` forever.

    def get_queryset(self):
        return selectors.jobs_for(self.request.user)

    def check_object_permissions(self, request, obj):
        if obj.workspace_id is None:
            return  # A workspace-less job: jobs_for shows it to its creator only, and a read needs no role.
        super().check_object_permissions(request, obj)

"""GPT, workspace, member, knowledge file, revision and job endpoints.

Reads go through gpts.selectors (scoped to the caller's workspaces: anything else is a 404);
writes go through gpts.services in perform_create / perform_update / perform_destroy; role rules
are gpts.permissions' (via gptstudio.api.permissions).
"""

from __future__ import annotations

from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from gpts import selectors, services
from gpts.diff import document_diff
from gpts.filters import GPTFilterSet
from gpts.models import GPT, Job
from gpts.permissions import Access
from gpts.validation import validate_gpt
from gptstudio.api.concurrency import etag, expected_version, query_version
from gptstudio.api.errors import PayloadTooLarge
from gptstudio.api.parsers import SizeLimitedMultiPartParser, upload_max_bytes
from gptstudio.api.viewsets import (
    ID_PATTERN,
    IdFilter,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    VersionedRetrieveMixin,
    WorkspaceScopedViewSet,
    flag,
    save_with_report,
)

from . import serializers as s

GPT_EXAMPLE = {
    "workspace": "acme",
    "name": "Weather Buddy",
    "description": "Answers questions about the weather.",
    "instructions": "Be brief. Use the Weather action for current conditions.",
    "conversation_starters": ["Will it rain today?", "What should I wear?"],
    "capabilities": {"web_search": True, "canvas": False, "image_generation": False, "code_interpreter": False},
    "visibility": "workspace",
}


def path_parameter(name: str, kind=OpenApiTypes.INT, description: str = "") -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.PATH, description=description)


GPT_ID_PARAMETER = path_parameter("gpt_id", description="The GPT's id.")
WORKSPACE_SLUG_PARAMETER = path_parameter("workspace_slug", OpenApiTypes.STR, "The workspace's slug.")


# --- Workspaces -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List your workspaces", tags=["workspaces"]),
    retrieve=extend_schema(summary="Get a workspace", tags=["workspaces"]),
    create=extend_schema(
        summary="Create a workspace (you become its owner)",
        tags=["workspaces"],
        request=s.WorkspaceCreateSerializer,
        responses={201: s.WorkspaceSerializer},
    ),
    update=extend_schema(
        summary="Rename a workspace (owners)",
        tags=["workspaces"],
        request=s.WorkspaceUpdateSerializer,
        responses=s.WorkspaceSerializer,
    ),
    partial_update=extend_schema(
        summary="Rename a workspace (owners)",
        tags=["workspaces"],
        request=s.WorkspaceUpdateSerializer,
        responses=s.WorkspaceSerializer,
    ),
    destroy=extend_schema(summary="Delete a workspace with all its GPTs (owners)", tags=["workspaces"]),
)
class WorkspaceViewSet(
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    WorkspaceScopedViewSet,
):
    lookup_field = "slug"
    required_access = {"update": Access.MANAGE, "partial_update": Access.MANAGE}
    saved_serializer_class = s.WorkspaceSerializer

    def get_queryset(self):
        return selectors.workspaces_for(self.request.user)

    def get_serializer_class(self):
        return {
            "create": s.WorkspaceCreateSerializer,
            "update": s.WorkspaceUpdateSerializer,
            "partial_update": s.WorkspaceUpdateSerializer,
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


@extend_schema_view(
    list=extend_schema(summary="List a workspace's members", tags=["workspaces"]),
    retrieve=extend_schema(summary="Get a member", tags=["workspaces"]),
    create=extend_schema(
        summary="Add a member with a role (owners)",
        tags=["workspaces"],
        request=s.MemberAddSerializer,
        responses={201: s.MemberSerializer},
        examples=[OpenApiExample("Add an editor", value={"username": "sam", "role": "editor"}, request_only=True)],
    ),
    update=extend_schema(
        summary="Change a member's role (owners)",
        tags=["workspaces"],
        request=s.MemberRoleSerializer,
        responses=s.MemberSerializer,
    ),
    partial_update=extend_schema(
        summary="Change a member's role (owners)",
        tags=["workspaces"],
        request=s.MemberRoleSerializer,
        responses=s.MemberSerializer,
    ),
    destroy=extend_schema(summary="Remove a member (owners)", tags=["workspaces"]),
)
@extend_schema(parameters=[WORKSPACE_SLUG_PARAMETER, path_parameter("user_id", description="The member's user id.")])
class WorkspaceMemberViewSet(
    ServiceCreateMixin,
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

    def perform_create(self, serializer):
        user = serializer.validated_data["username"]
        if self.workspace.memberships.filter(user=user).exists():
            raise ValidationError({"username": ["Already a member; change their role instead."]})
        membership = services.membership_set(
            workspace=self.workspace, user=user, role=serializer.validated_data["role"]
        )
        return membership, {}

    def perform_update(self, serializer):
        membership = serializer.instance
        role = serializer.validated_data.get("role", membership.role)
        return services.membership_set(workspace=self.workspace, user=membership.user, role=role), {}

    def perform_destroy(self, instance):
        services.membership_remove(workspace=self.workspace, user=instance.user)


# --- GPTs --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List GPTs in your workspaces",
        description="Filter by workspace, visibility, readiness, errors and capability; search name, "
        "description and instructions; order; 50 per page by default.",
        tags=["gpts"],
    ),
    retrieve=extend_schema(summary="Get a GPT with its starters, actions and knowledge files", tags=["gpts"]),
    create=extend_schema(
        summary="Create a GPT",
        description="Saved even with validation errors (a draft); the response carries the findings. "
        "`?strict=true` refuses to save when there are errors.",
        tags=["gpts"],
        request=s.GPTCreateSerializer,
        responses={201: s.GPTSavedSerializer},
        examples=[OpenApiExample("A weather GPT", value=GPT_EXAMPLE, request_only=True)],
    ),
    update=extend_schema(
        summary="Replace a GPT's fields",
        description="Every field is required. Send the version you started from as If-Match (or `version`).",
        tags=["gpts"],
        request=s.GPTUpdateSerializer,
        responses=s.GPTSavedSerializer,
    ),
    partial_update=extend_schema(
        summary="Change some of a GPT's fields",
        description="Send the version you started from as If-Match (or `version`): 412 if it is stale.",
        tags=["gpts"],
        request=s.GPTUpdateSerializer,
        responses=s.GPTSavedSerializer,
        examples=[
            OpenApiExample(
                "Rename and turn on Code Interpreter",
                value={"name": "Weather Pal", "capabilities": {"code_interpreter": True}, "version": 3},
                request_only=True,
            )
        ],
    ),
    destroy=extend_schema(summary="Delete a GPT (owners)", tags=["gpts"]),
    validate=extend_schema(
        summary="Validate a GPT: every finding of its fields and actions",
        tags=["validation"],
        responses=s.GPTValidationSerializer,
    ),
)
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

    def get_queryset(self):
        if self.action == "list":
            return selectors.gpt_list_rows(self.request.user)
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
        return self._save(lambda: services.gpt_create(workspace=workspace, actor=self.request.user, **fields))

    def perform_update(self, serializer):
        self._strict = flag(self.request, "strict")
        gpt = serializer.instance
        expected = expected_version(self.request, current=gpt.version, claimed=serializer.validated_data.get("version"))
        fields = serializer.service_fields()
        return self._save(
            lambda: services.gpt_update(gpt=gpt, actor=self.request.user, expected_version=expected, **fields)
        )

    def perform_destroy(self, instance):
        expected = expected_version(self.request, current=instance.version, claimed=query_version(self.request))
        services.gpt_delete(gpt=instance, expected_version=expected)

    @action(detail=True, methods=["get"])
    def validate(self, request, pk=None):
        gpt = self.get_object()
        return Response(validate_gpt(gpt).as_dict(), headers={"ETag": etag(gpt.version)})


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
        self.require(self.gpt.workspace, self.parent_access.get(self.action))

    def workspace_of(self, obj):
        return self.gpt.workspace


# --- Knowledge files ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List a GPT's knowledge files", tags=["knowledge"]),
    retrieve=extend_schema(summary="Get a knowledge file's metadata", tags=["knowledge"]),
    create=extend_schema(
        summary="Upload a knowledge file",
        description="multipart/form-data with `file`. ChatGPT's limits apply: at most "
        "20 files per GPT and 512 MB per file (413 when larger).",
        tags=["knowledge"],
        request={"multipart/form-data": s.KnowledgeUploadSerializer},
        responses={201: s.KnowledgeFileSerializer},
    ),
    destroy=extend_schema(summary="Delete a knowledge file", tags=["knowledge"]),
)
@extend_schema(parameters=[GPT_ID_PARAMETER])
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
        expected = None
        claimed = query_version(self.request)
        if claimed is not None or "If-Match" in self.request.headers:
            expected = expected_version(self.request, current=self.gpt.version, claimed=claimed)
        services.knowledge_file_delete(knowledge=instance, actor=self.request.user, expected_version=expected)


# --- Revisions -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List a GPT's revisions, newest first", tags=["revisions"]),
    retrieve=extend_schema(summary="Get a revision with its document", tags=["revisions"]),
    diff=extend_schema(
        summary="Compare a revision with another",
        description="What changed from revision `against` (default: the one before) to this one.",
        tags=["revisions"],
        parameters=[
            OpenApiParameter(
                "against", OpenApiTypes.INT, OpenApiParameter.QUERY, description="The revision number to compare with."
            )
        ],
        responses=s.RevisionDiffSerializer,
    ),
    restore=extend_schema(
        summary="Restore a revision (as a new revision)",
        description="Brings back the revision's fields and conversation starters; the history keeps "
        "everything. Send the GPT version you started from as If-Match (or `version`).",
        tags=["revisions"],
        request=s.RevisionRestoreSerializer,
        responses={200: s.GPTSavedSerializer},
        parameters=[
            OpenApiParameter(
                "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The GPT version you started from."
            )
        ],
    ),
)
@extend_schema(parameters=[GPT_ID_PARAMETER, path_parameter("number", description="The revision number.")])
class RevisionViewSet(GPTChildMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    lookup_field = "number"
    lookup_value_regex = ID_PATTERN
    actions_with_query_errors = ("diff",)
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

    @action(detail=True, methods=["get"])
    def diff(self, request, gpt_id=None, number=None):
        revision = self.get_object()
        raw = request.query_params.get("against")
        if raw is None:
            against = revision.number - 1
        elif raw.isdigit() and len(raw) <= 9:
            against = int(raw)
        else:
            raise ValidationError({"against": ["A revision number."]})
        # Revision 1 compared with nothing shows everything as added.
        old = {} if raw is None and against == 0 else selectors.revision_get(gpt=self.gpt, number=against).document
        diff = document_diff(old, revision.document).as_dict()
        return Response({"from_number": against, "to_number": revision.number, **diff})

    @action(detail=True, methods=["post"])
    def restore(self, request, gpt_id=None, number=None):
        revision = self.get_object()
        serializer = s.RevisionRestoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        gpt = selectors.gpt_detail_queryset(request.user).get(pk=self.gpt.pk)
        expected = expected_version(request, current=gpt.version, claimed=serializer.validated_data.get("version"))
        services.gpt_restore_revision(gpt=gpt, revision=revision, actor=request.user, expected_version=expected)
        gpt = selectors.gpt_detail_queryset(request.user).get(pk=gpt.pk)
        data = s.GPTSavedSerializer(gpt, context={"validation": validate_gpt(gpt)}).data
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


@extend_schema_view(
    list=extend_schema(summary="List jobs (schema imports and other slow work)", tags=["jobs"]),
    retrieve=extend_schema(summary="Get a job's status and result", tags=["jobs"]),
)
class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.JobSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = JobFilterSet

    def get_queryset(self):
        return selectors.jobs_for(self.request.user)

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
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
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
from gpts.importers import DocumentRejected, gpt_import
from gpts.models import GPT, SLUG_MAX_LENGTH, Job
from gpts.permissions import Access
from gpts.picture_fetch import profile_picture_fetch_start
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
from gptstudio.api.numbers import ID_PATTERN, WHOLE_NUMBER_SCHEMA, query_number
from gptstudio.api.parsers import (
    ImportMultiPartParser,
    SizeLimitedMultiPartParser,
    import_max_bytes,
    upload_max_bytes,
)
from gptstudio.api.serializers import SLUG_CHARACTERS, ErrorSerializer
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
# A workspace slug in a URL: the SlugField alphabet. Anything else matches no route (a JSON 404)
# before it reaches the database, which for PostgreSQL would refuse a NUL with a server error.
WORKSPACE_SLUG_PATTERN = f"{SLUG_CHARACTERS}{{1,{SLUG_MAX_LENGTH}}}"
WORKSPACE_SLUG_PARAMETER = path_parameter(
    "workspace_slug", {"type": "string", "pattern": f"^{WORKSPACE_SLUG_PATTERN}$"}, "The workspace's slug."
)
EXPORT_TAG = "export and import"
IMPORT_RESULT = PolymorphicProxySerializer(
    component_name="ImportResult",
    serializers=[s.GPTImportResultSerializer, s.ChatGPTImportResultSerializer],
    resource_type_field_name=None,
)
EXAMPLE_FINDING = {
    "severity": "error",
    "code": "gpt.name.too_long",
    "message": "The name has 61 characters; ChatGPT allows 50.",
    "pointer": "/name",
    "line": None,
    "column": None,
    "hint": "",
    "fix": "Shorten the name to 50 characters or fewer.",
    "builder_reported": False,
}


def etag_header(*statuses: int) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=list(statuses),
        description='The GPT\'s version, quoted: `"3"`. Send it back in If-Match.',
    )


def error_response(description: str, example: dict) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description, examples=[OpenApiExample("Error", value=example)])


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

    @extend_schema(
        summary="Import a bundle, a GPT document or ChatGPT's JSON of GPTs (editors)",
        description="multipart/form-data with `file`: a bundle zip from the `chatgpt` export or a GPT document "
        "(YAML or JSON) from the `document` export. Without `gpt` it creates a GPT (201); with `gpt` it "
        "records one new revision of that GPT (200), refused with 412 when If-Match or `version` is not its "
        "current version. Actions match by name and keep their stored secrets; secrets are never imported, so "
        "`secrets_to_enter` lists the ones to enter. Bundles are checked before anything is read (paths, "
        "symlinks, encryption, duplicates, sizes, zip bombs, unexpected files). All or nothing: a refused "
        "import (400 with `findings`, 413 when too large) writes nothing.\n\n"
        '**ChatGPT\'s own JSON of a GPT** (`{"gizmo": …, "tools": […], "files": […]}` as ChatGPT\'s editor '
        'loads it, a bare gizmo, or a list of them: a JSON array or `{"items": […]}`) is recognised from its '
        "content and answered with `kind: chatgpt` and one result per GPT. Each GPT is written on its own, all or "
        "nothing; one already imported (same ChatGPT id) gets a new revision when its version is given in "
        "`versions` (or If-Match / `version` for a file with one GPT; 412 when stale) and is otherwise not "
        "written. 201 when a GPT was created, 200 when all written were updates, 400 (with `results`) when none "
        "was written.",
        tags=[EXPORT_TAG],
        request={"multipart/form-data": s.GPTImportSerializer},
        responses={
            201: IMPORT_RESULT,
            200: IMPORT_RESULT,
            400: error_response(
                "Invalid input (`errors`), or the upload was refused: an unsafe or malformed bundle, a document "
                "that does not match the GPT document schema, or a value GPT Studio cannot save (`findings` says "
                "why and where). Nothing was written.",
                {
                    "message": "The import was refused; nothing was written. Entry '../evil.txt' has an empty, "
                    "'.' or '..' segment: refused.",
                    "code": "import_refused",
                    "findings": [
                        {
                            **EXAMPLE_FINDING,
                            "code": "import.zip.unsafe_path",
                            "message": "Entry '../evil.txt' has an empty, '.' or '..' segment: refused.",
                            "pointer": "../evil.txt",
                        }
                    ],
                },
            ),
            428: error_response(
                "ChatGPT's JSON of one GPT imported before, without the version you saw (If-Match, `version` or "
                "`versions`): nothing was written; `current_version` is the version to send.",
                {
                    "message": "GPT 'Status Helper' was imported from g-abc123 before and is at version 3: send "
                    "that version to update it (nothing was written).",
                    "code": "precondition_required",
                    "current_version": 3,
                },
            ),
            413: error_response(
                "The upload, an entry of the bundle or the bundle's expanded size is over GPT Studio's caps.",
                {
                    "message": "The import was refused; nothing was written. The bundle expands to …",
                    "code": "too_large",
                },
            ),
        },
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description='With `gpt`: the GPT version you started from (`"3"`). Mismatch: 412.',
            ),
            etag_header(200, 201, 409, 412),
        ],
    )
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


@extend_schema_view(
    list=extend_schema(summary="List a workspace's members", tags=["workspaces"]),
    retrieve=extend_schema(summary="Get a member", tags=["workspaces"]),
    create=extend_schema(
        summary="Invite a member with a role (owners)",
        description="Invites the active user with this username, or with this verified email address, to join "
        "with `role`: an invitation is emailed to their verified address, and they join when they accept it "
        "(signed in, from that address), as with the members page's invitations. Nobody becomes a member "
        "without accepting. The answer (202) is the same whether or not such a user exists, so it reveals "
        "nothing about other accounts; naming someone who is already a member is a 400.",
        tags=["workspaces"],
        request=s.MemberAddSerializer,
        responses={202: s.MemberInvitedSerializer},
        examples=[OpenApiExample("Invite an editor", value={"username": "sam", "role": "editor"}, request_only=True)],
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

    @extend_schema(
        summary="Fetch the profile picture ChatGPT's JSON named (a job; editors)",
        description="For a GPT imported from ChatGPT's JSON with a profile picture address "
        "(`chatgpt_profile_picture_url`): fetches it in the background through the safe fetcher (public "
        "addresses only, size and time capped), checks it as an uploaded picture is checked, and saves it as a "
        "new revision. Answers 202 with the job; poll `GET /api/v1/jobs/{id}/`. 400 when the GPT has no such "
        "address or the fetcher refuses it.",
        tags=["gpts"],
        request=None,
        responses={202: s.JobSerializer},
    )
    @action(detail=True, methods=["post"], url_path="fetch-profile-picture")
    def fetch_profile_picture(self, request, pk=None):
        job = profile_picture_fetch_start(gpt=self.get_object(), actor=request.user)
        job = selectors.jobs_for(request.user).get(pk=job.pk)
        return Response(s.JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Mark knowledge files named by ChatGPT as uploaded (editors)",
        description="A GPT imported from ChatGPT's JSON lists the knowledge files ChatGPT named only by id "
        "(`chatgpt_pending_knowledge`), reported as a warning until done. Clears the given `file_ids`, or all "
        "of them. Not a change of the GPT's document: no revision, no version.",
        tags=["gpts"],
        request=s.GPTKnowledgePendingClearSerializer,
        responses={200: s.GPTDetailSerializer},
    )
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

    @extend_schema(
        summary="Migration report: what carries over to plugins, skills, tools and MCP",
        description="For every bridge target (agent-skill, agent-plugin, openai-tools, mcp-server): what carries "
        "over, the manual steps (keys as environment variables, hosting and registering the MCP server, OAuth "
        "proxy, starters past 3, model choice, knowledge review), what is lost, and each target's export "
        "findings (the plugin directory's limits, the tool conversion). `mcp_url` is read as in the export.",
        tags=[EXPORT_TAG],
        parameters=[
            OpenApiParameter(
                "mcp_url",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description="The MCP server URL the plugin export would name (changes the mcp.json step).",
            )
        ],
        responses={200: s.GPTMigrationSerializer},
    )
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

    @extend_schema(
        summary="Export a GPT (download)",
        description="Streams the export as a file (`Content-Disposition: attachment`): `target=chatgpt` is the "
        "zip to rebuild the GPT in ChatGPT's editor (PASTE_GUIDE.md, gpt.yaml, instructions, starters, each "
        "action's schema and authentication notes, the knowledge files); `target=document` is the GPT document "
        "alone, YAML or JSON, for git. The bridge targets leave ChatGPT: `agent-skill` (a zip with SKILL.md and "
        "the knowledge files), `agent-plugin` (Agent Plugins 1.0: plugin.json, the skill, and mcp.json when the "
        "GPT has actions and `mcp_url` is given), `openai-tools` (tools.json + dispatch.json); each holds "
        "migration.md. Any member may export. A GPT with validation errors is refused with 409 and the findings "
        "unless `force=true` (the guide then lists them first); the `document` and bridge targets never refuse. "
        "Secrets are never exported.",
        tags=[EXPORT_TAG],
        parameters=[
            # The query serializer validates; these document it, with examples generated requests start from.
            OpenApiParameter(
                "target",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                enum=s.EXPORT_TARGETS,
                description=s.GPTExportQuerySerializer().fields["target"].help_text,
                examples=[
                    OpenApiExample("The ChatGPT bundle", value="chatgpt"),
                    OpenApiExample("The GPT document", value="document"),
                ],
            ),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=s.EXPORT_FORMATS,
                description=s.GPTExportQuerySerializer().fields["format"].help_text,
                examples=[OpenApiExample("YAML", value="yaml"), OpenApiExample("JSON", value="json")],
            ),
            OpenApiParameter(
                "mcp_url",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description=s.GPTExportQuerySerializer().fields["mcp_url"].help_text,
            ),
            OpenApiParameter(
                "force",
                OpenApiTypes.BOOL,
                OpenApiParameter.QUERY,
                description="Export even when the GPT has validation errors. Default false: 409 with the findings.",
            ),
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The ETag of an export you already have: 304 (no body) while it is still current.",
            ),
            OpenApiParameter(
                "ETag",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200, 304],
                description="This export: the GPT's version, the target, the format and whether forced, e.g. "
                '`W/"3-chatgpt-zip"`. Send it as If-None-Match to download again only after a change.',
            ),
            OpenApiParameter(
                "Content-Disposition",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                description='`attachment; filename="<gpt-slug>.chatgpt.zip"` (or `.gpt.yaml`, `.gpt.json`).',
            ),
        ],
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The export: a zip (`chatgpt`), or the GPT document (`document`)."
            ),
            (200, "application/yaml"): OpenApiResponse(s.GPTDocumentSerializer),
            (200, "application/json"): OpenApiResponse(s.GPTDocumentSerializer),
            304: OpenApiResponse(description="Not modified: the export named in If-None-Match is still current."),
            400: error_response(
                "An unknown target or format, a format the target does not write, or a `force` that is not "
                "true or false; `errors` lists the allowed values.",
                {
                    "message": "Invalid input: see `errors`.",
                    "code": "invalid",
                    "errors": {"target": ["“zip” is not an export target; choose one of: chatgpt, document."]},
                },
            ),
            409: error_response(
                "The GPT has validation errors (`findings`) and `force` was not true: nothing was exported.",
                {
                    "message": "This GPT has 1 validation error(s); fix them, or export anyway with force=true.",
                    "code": "export_refused",
                    "findings": [EXAMPLE_FINDING],
                },
            ),
        },
    )
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
        expected = expected_version(self.request, current=self.gpt.version, claimed=query_version(self.request))
        services.knowledge_file_delete(knowledge=instance, actor=self.request.user, expected_version=expected)


# --- Revisions -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List a GPT's revisions, newest first", tags=["revisions"]),
    retrieve=extend_schema(
        summary="Get a revision with its document",
        description="An action's schema text is in `document` when it changed in this revision; unchanged ones "
        "are null (see `schemas` for their hash and size) unless `?include=schemas` asks for every text.",
        tags=["revisions"],
        parameters=[
            OpenApiParameter(
                "include",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=["schemas"],
                description="`schemas`: every action's schema text, so `document` is complete.",
            )
        ],
    ),
    diff=extend_schema(
        summary="Compare a revision with another",
        description="What changed from revision `against` (default: the one before) to this one.",
        tags=["revisions"],
        parameters=[
            OpenApiParameter(
                "against",
                WHOLE_NUMBER_SCHEMA,
                OpenApiParameter.QUERY,
                description="The revision number to compare with.",
            )
        ],
        responses=s.RevisionDiffSerializer,
    ),
    restore=extend_schema(
        summary="Restore a revision (as a new revision)",
        description="Makes the whole GPT what it was at that revision, recorded as one new revision (the history "
        "keeps everything): its fields, conversation starters, capabilities, actions and knowledge files. An action "
        "added since is deleted; one deleted since is re-created with the revision's schema and authentication "
        "settings, and with the secret it had when it was removed (kept encrypted for the GPT's lifetime, never in "
        "revisions; an OAuth client secret only for the same client ID). A secret cleared on purpose stays "
        "cleared, so `secrets_to_enter` lists every secret the restored GPT lacks and must be entered again. A "
        "knowledge file comes back when its bytes are still stored. Send the GPT version you started from as "
        "If-Match (or `version`).",
        tags=["revisions"],
        request=s.RevisionRestoreSerializer,
        responses={200: s.GPTRestoredSerializer},
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
        services.gpt_restore_revision(gpt=gpt, revision=revision, actor=request.user, expected_version=expected)
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


@extend_schema_view(
    list=extend_schema(summary="List jobs (schema imports and other slow work)", tags=["jobs"]),
    retrieve=extend_schema(summary="Get a job's status and result", tags=["jobs"]),
)
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

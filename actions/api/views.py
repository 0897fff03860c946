"""Action endpoints and schema validation.

Reads through actions.selectors (scoped to the caller's workspaces), writes through
actions.services. Secrets are accepted on writes and never returned.
"""

from __future__ import annotations

from django.core.cache import cache
from django_filters import rest_framework as filters
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from actions import heavy, selectors, services
from actions.calls import action_call, action_call_start
from actions.imports import schema_import_start
from actions.models import Action
from actions.runner import OperationRefused, action_operations
from actions.schema import validate_schema_text
from actions.schema.report import schema_cache_key
from gpts.api.serializers import JobSerializer
from gpts.permissions import Access
from gpts.selectors import jobs_for, with_role_on_workspace
from gptstudio.api.concurrency import etag, expected_version, query_version
from gptstudio.api.errors import ExtraAPIException
from gptstudio.api.numbers import ID_PATTERN
from gptstudio.api.throttling import ActionCallThrottle
from gptstudio.api.viewsets import (
    IdFilter,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    VersionedRetrieveMixin,
    WorkspaceScopedViewSet,
    flag,
    save_with_report,
)

from . import schema
from . import serializers as s


def accepted(request, job) -> Response:
    """202 with the job (as GET /api/v1/jobs/{id}/ shows it) and its URL in Location."""
    job = jobs_for(request.user).get(pk=job.pk)
    location = reverse("v1:job-detail", kwargs={"pk": job.pk}, request=request)
    return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


def report_or_job(request, text: str, **job_context) -> Response:
    """The schema report of `text` (200), or, over the synchronous cap and not already in the
    report cache, a schema-check job (202)."""
    if not heavy.is_heavy(text):
        return Response(validate_schema_text(text).as_dict())
    cached = cache.get(schema_cache_key(text))
    if cached is not None:
        return Response(cached.as_dict())
    return accepted(request, heavy.schema_check_start(actor=request.user, text=text, **job_context))


class CallRefusedError(ExtraAPIException):
    """The runner refused a test call (`code` runner.*, `pointer` into the arguments)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The call was refused."
    default_code = "runner.refused"


class UpstreamFailedError(CallRefusedError):
    """The request was sent (or tried) and the API could not be reached or read."""

    status_code = status.HTTP_502_BAD_GATEWAY


def _refused(exc: OperationRefused) -> CallRefusedError:
    error = UpstreamFailedError if exc.code in ("runner.fetch_failed", "runner.oauth_failed") else CallRefusedError
    return error(exc.message, code=exc.code, pointer=exc.pointer)


class ActionFilterSet(filters.FilterSet):
    gpt = IdFilter(field_name="gpt_id", help_text="Only the actions of this GPT.")
    workspace = filters.CharFilter(field_name="gpt__workspace__slug", help_text="Workspace slug.")

    class Meta:
        model = Action
        fields = []


@schema.action_docs
class ActionViewSet(
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.ListModelMixin,
    VersionedRetrieveMixin,
    mixins.DestroyModelMixin,
    WorkspaceScopedViewSet,
):
    lookup_value_regex = ID_PATTERN
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = ActionFilterSet
    saved_serializer_class = s.ActionSavedSerializer
    # Removing an action is editing its GPT, not deleting the GPT: editors may.
    required_access = {"destroy": Access.EDIT}
    versioned = True
    strict_save = True
    precondition_actions = ("create",)  # `gpt_version`
    upstream_actions = ("call",)  # may answer 502: the action's API failed

    def get_queryset(self):
        return selectors.actions_for(self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        return {
            "list": s.ActionListItemSerializer,
            "create": s.ActionCreateSerializer,
            "update": s.ActionUpdateSerializer,
            "partial_update": s.ActionUpdateSerializer,
            "validate": s.SchemaReportSerializer,
            "import_schema": s.SchemaImportSerializer,
            "call": s.ActionCallSerializer,
            "operations": s.ActionOperationSerializer,
        }.get(self.action, s.ActionDetailSerializer)

    def workspace_of(self, obj):
        return with_role_on_workspace(obj, obj.gpt.workspace)

    def _save(self, save):
        def saved():
            return selectors.actions_for(self.request.user).get(pk=save().pk)

        action, report = save_with_report(
            saved, report_of=lambda a: validate_schema_text(a.schema_text), strict=flag(self.request, "strict")
        )
        return action, {"validation": report}

    @staticmethod
    def _service_fields(data: dict) -> dict:
        return {k: v for k, v in data.items() if k not in ("gpt", "gpt_version", "version")}

    def perform_create(self, serializer):
        flag(self.request, "strict")  # A bad flag is a 400 before anything is written.
        gpt = serializer.validated_data["gpt"]
        self.require(gpt.workspace, Access.EDIT)
        claimed = serializer.validated_data.get("gpt_version")
        expected = expected_version(self.request, current=gpt.version, claimed=claimed) if claimed is not None else None
        fields = self._service_fields(serializer.validated_data)
        if heavy.is_heavy(fields.get("schema_text")):
            job = heavy.action_save_start(
                actor=self.request.user,
                gpt=gpt,
                expected_gpt_version=expected,
                strict=flag(self.request, "strict"),
                **fields,
            )
            return accepted(self.request, job)
        return self._save(
            lambda: services.action_create(gpt=gpt, actor=self.request.user, expected_gpt_version=expected, **fields)
        )

    def perform_update(self, serializer):
        flag(self.request, "strict")
        action = serializer.instance
        expected = expected_version(
            self.request, current=action.version, claimed=serializer.validated_data.get("version"), what="action"
        )
        fields = self._service_fields(serializer.validated_data)
        # The saved schema is validated for the answer even when the request leaves it unchanged.
        if heavy.is_heavy(fields.get("schema_text", action.schema_text)):
            job = heavy.action_save_start(
                actor=self.request.user,
                gpt=action.gpt,
                action=action,
                expected_version=expected,
                strict=flag(self.request, "strict"),
                **fields,
            )
            return accepted(self.request, job)
        return self._save(
            lambda: services.action_update(action=action, actor=self.request.user, expected_version=expected, **fields)
        )

    def perform_destroy(self, instance):
        expected = expected_version(
            self.request, current=instance.version, claimed=query_version(self.request), what="action"
        )
        services.action_delete(action=instance, actor=self.request.user, expected_version=expected)

    @action(detail=False, methods=["post"], url_path="import", serializer_class=s.SchemaImportSerializer)
    def import_schema(self, request):
        serializer = s.SchemaImportSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        gpt = serializer.validated_data["gpt"]
        self.require(gpt.workspace, Access.EDIT)
        job = schema_import_start(
            gpt=gpt,
            actor=request.user,
            url=serializer.validated_data["url"],
            action=serializer.validated_data.get("action"),
        )
        return accepted(request, job)

    @action(detail=True, methods=["post"], throttle_classes=[ActionCallThrottle])
    def call(self, request, pk=None):
        run_async = flag(self.request, "async")
        action = self.get_object()
        serializer = s.ActionCallSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            if run_async:
                job = action_call_start(
                    action=action, actor=request.user, operation=data["operation"], arguments=data["arguments"]
                )
                job = jobs_for(request.user).get(pk=job.pk)
                return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
            result = action_call(
                action=action, actor=request.user, operation=data["operation"], arguments=data["arguments"]
            )
        except OperationRefused as exc:
            raise _refused(exc) from None
        return Response(s.ActionCallResultSerializer(result.as_dict()).data)

    @action(detail=True, methods=["get"], pagination_class=None)
    def operations(self, request, pk=None):
        action = self.get_object()
        return Response(s.ActionOperationSerializer(action_operations(action), many=True).data)

    @action(detail=True, methods=["get"])
    def validate(self, request, pk=None):
        action = self.get_object()
        response = report_or_job(request, action.schema_text, gpt=action.gpt, action=action)
        if response.status_code == status.HTTP_200_OK:
            response["ETag"] = etag(action.version)
        return response


@schema.schema_validate_docs
class SchemaValidateView(APIView):
    """Validate a schema text without saving anything (any signed-in user)."""

    def post(self, request):
        serializer = s.SchemaTextSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return report_or_job(request, serializer.validated_data["schema_text"])

"""Building blocks for the apps' viewsets: workspace scoping and role checks, writes through
services answered with the read serializer, versions as ETags, and the strict-save rule.

An app's viewset combines `WorkspaceScopedViewSet` with only the mixins it needs. Extending one
(say with an `export` action) needs no change here: a GET `@action` needs VIEW and a POST one
EDIT by default; name another level in `required_access = {"action_name": Access.X}`.
Attributes the OpenAPI generation reads (gptstudio/api/schema.py): `versioned = True` documents
`ETag` and `If-Match` (and 412; 428 on PUT/PATCH/DELETE) on retrieve/update/destroy (without it,
a change refuses If-Match naming a version: 412, see UnversionedIfMatchMixin),
`strict_save = True` the `?strict` flag on writes, `precondition_actions` more actions that may
answer 412 (and 428 when they are a PUT, PATCH or DELETE), and
`actions_with_query_errors` GET actions whose query string may be a 400.
"""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from gpts.permissions import Access, check_access
from gptstudio.errors import StrictSaveRefused
from gptstudio.saving import save_validated

from .concurrency import UnversionedIfMatchMixin, etag
from .errors import HasErrors
from .numbers import WHOLE_NUMBER_SCHEMA, not_a_whole_number, parse_whole_number
from .permissions import WorkspaceRolePermission, access_for

TRUE_VALUES = {"true", "1"}
FALSE_VALUES = {"false", "0"}


class WorkspaceScopedViewSet(UnversionedIfMatchMixin, viewsets.GenericViewSet):
    """`get_queryset` must return only the caller's objects (a selector); `workspace_of(obj)`
    names the workspace whose role rules apply."""

    permission_classes = [IsAuthenticated, WorkspaceRolePermission]
    required_access: dict[str, Access] = {}
    # The serializer a successful write answers with (defaults to the retrieve serializer).
    saved_serializer_class = None

    def workspace_of(self, obj):
        return obj.workspace

    def check_parent_access(self) -> None:
        """Role checks that need no object (a list or create under a parent workspace or GPT).
        `initial` runs them for the request; the OPTIONS probe (gptstudio/api/metadata.py) runs
        them once per write method."""

    def require(self, workspace, needed: Access | None = None) -> str:
        """Check the caller's role in `workspace` (for creates and nested parents)."""
        return check_access(self.request.user, workspace, needed or access_for(self, self.request))

    def get_saved_serializer(self, instance, **context):
        serializer_class = self.saved_serializer_class or self.get_serializer_class()
        return serializer_class(instance, context={**self.get_serializer_context(), **context})


class VersionedRetrieveMixin:
    """GET one object, with `ETag: "<version>"`."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response(self.get_serializer(instance).data, headers={"ETag": etag(instance.version)})


class ServiceCreateMixin:
    """POST: validate with the write serializer; `perform_create(serializer)` calls the service
    and returns `(instance, extra_context)`; answer 201 with the saved serializer. A
    `perform_create` that hands the write to a job returns its own Response (202 + the job)."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = self.perform_create(serializer)
        if isinstance(saved, Response):
            return saved
        instance, context = saved
        return _saved_response(self, instance, context, status.HTTP_201_CREATED)


class ServiceUpdateMixin:
    """PUT/PATCH: like ServiceCreateMixin, through `perform_update(serializer)` (which may also
    answer a Response of its own)."""

    def update(self, request, *args, partial=False, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        saved = self.perform_update(serializer)
        if isinstance(saved, Response):
            return saved
        instance, context = saved
        return _saved_response(self, instance, context, status.HTTP_200_OK)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


def _saved_response(view, instance, context, code):
    headers = {"ETag": etag(instance.version)} if hasattr(instance, "version") else {}
    return Response(view.get_saved_serializer(instance, **context).data, status=code, headers=headers)


def flag(request, name: str) -> bool:
    """A boolean query flag (`?strict=true`); absent is false, anything but true/false/1/0 a 400."""
    raw = request.query_params.get(name)
    if raw is None:
        return False
    raw = raw.strip().lower()
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    raise ValidationError({name: ["Use true or false."]})


def save_with_report(save: Callable, *, report_of: Callable, strict: bool):
    """`gptstudio.saving.save_validated`, with a refused strict save as a 400 with its findings."""
    try:
        return save_validated(save, report_of=report_of, strict=strict)
    except StrictSaveRefused as refused:
        raise HasErrors(str(refused), findings=[f.as_dict() for f in refused.findings]) from None


class IdFormField(forms.Field):
    """An id read by `parse_whole_number`: forms.IntegerField also takes "1.0" and "١" as 1."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_whole_number(str(value))
        if number is None:
            raise forms.ValidationError(not_a_whole_number("An id"), code="invalid")
        return number


@extend_schema_field(WHOLE_NUMBER_SCHEMA)
class IdFilter(django_filters.Filter):
    """An id in the query string: 1 to 18 ASCII digits (gptstudio/api/numbers.py), else a 400
    like any other query number's."""

    field_class = IdFormField

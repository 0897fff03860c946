"""OpenAPI generation: every operation documents the error responses it can give, versioned
resources document `If-Match` and `ETag`, and strict-save views document `?strict`.

`StudioAutoSchema` is DEFAULT_SCHEMA_CLASS, so no endpoint can forget its error responses: they
follow from the view's attributes (gptstudio/api/viewsets.py). What only a person can say (the
summaries, descriptions, examples, explicit requests and responses) is in one schema module per
app (gpts/api/schema.py, actions/api/schema.py, and the tokens' here), each viewset's in one
`api_docs(...)` call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import uritemplate
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance, get_doc, get_lib_doc_excludes
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from .concurrency import CHANGE_METHODS, PRECONDITION_METHODS
from .numbers import ID_PATTERN, WHOLE_NUMBER_SCHEMA
from .serializers import (
    APITokenCreatedSerializer,
    APITokenCreateSerializer,
    ErrorSerializer,
    WriteModelSerializer,
    WriteSerializer,
)

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `errors` names each field, `findings` lists what refused a strict save.",
    "401": "No credentials, or an invalid, expired or revoked token.",
    "403": "Your role in this workspace does not allow this.",
    "404": "Not found, or outside your workspaces.",
    "409": "Conflict: someone else changed it while you were saving; `current_version` is the stored one.",
    "412": "Precondition failed: If-Match or `version` is not the current version (`current_version`).",
    "428": 'Precondition required: send If-Match (`"3"`, or `*` to overwrite whatever is there) or `version`; '
    "`current_version` is the stored one.",
    "413": "The request body (or uploaded file) is too large.",
    "415": "Unsupported media type: send `application/json` (uploads: `multipart/form-data`).",
    "429": "Too many requests from this token's user (retry after `Retry-After` seconds), or already as many "
    "large-schema jobs waiting or running as one user may have.",
    "502": "The upstream API could not be reached or read (`runner.fetch_failed`); nothing is retried.",
}
ERROR_EXAMPLES = {
    "400": {"message": "Invalid input: see `errors`.", "code": "invalid", "errors": {"name": ["Required."]}},
    "404": {"message": "Not found.", "code": "not_found"},
    "409": {"message": "This GPT was changed by someone else …", "code": "conflict", "current_version": 4},
    "412": {
        "message": "You sent version 2, but this GPT is at version 4; …",
        "code": "precondition_failed",
        "current_version": 4,
    },
    "428": {
        "message": 'This GPT is versioned: send If-Match: "4" (the version you started from) or a `version`, …',
        "code": "precondition_required",
        "current_version": 4,
    },
}
# The 412 of a change of something without versions (a workspace, a member, a token).
UNVERSIONED_412_DESCRIPTION = (
    "Precondition failed: this has no versions, so an If-Match naming one matches nothing and nothing was "
    "changed; send `If-Match: *` or no If-Match."
)
UNVERSIONED_412_EXAMPLE = {
    "message": 'This resource has no versions, so If-Match "3" matches nothing and nothing was changed; send '
    "If-Match: * or no If-Match.",
    "code": "precondition_failed",
}

VERSIONED_METHODS = tuple(sorted(PRECONDITION_METHODS))
BODY_METHODS = ("POST", "PUT", "PATCH")


def doc_excludes() -> list[type]:
    """Classes whose docstrings are about the code, never an endpoint's or a component's
    description (SPECTACULAR_SETTINGS GET_LIB_DOC_EXCLUDES): DRF's, and the write serializers' base."""
    return [*get_lib_doc_excludes(), WriteSerializer, WriteModelSerializer]


class StudioAutoSchema(AutoSchema):
    def get_description(self):
        # Only the endpoint's own docstring (or @extend_schema's description): a viewset's
        # inherited class docstrings are about the code, not the endpoint.
        action_or_method = getattr(self.view, getattr(self.view, "action", self.method.lower()), None)
        return get_doc(action_or_method)

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(force_instance(serializer), WriteSerializer):
            schema["additionalProperties"] = False  # WriteSerializer refuses unknown keys (400).
        return schema

    def _get_parameters(self):
        in_path = set(uritemplate.variables(self.path))
        parameters = []
        for parameter in super()._get_parameters():
            if parameter["in"] == "path":
                if parameter["name"] not in in_path:
                    continue  # Declared for the viewset's detail routes, not this one.
                if parameter["schema"] in ({"type": "string", "pattern": f"^{ID_PATTERN}$"}, {"type": "integer"}):
                    parameter["schema"] = dict(WHOLE_NUMBER_SCHEMA)
            parameters.append(parameter)
        return parameters

    def _versioned(self) -> bool:
        return getattr(self.view, "versioned", False) and getattr(self.view, "action", None) in (
            "retrieve",
            "create",
            "update",
            "partial_update",
            "destroy",
        )

    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "404", "429"]
        is_list = self._is_list_view() and self.method == "GET"
        if (
            self.method != "GET"
            or is_list
            or getattr(self.view, "action", None) in getattr(self.view, "actions_with_query_errors", ())
        ):
            codes.append("400")
        if self.method in BODY_METHODS or self.method == "DELETE":
            codes.append("409")
        action = getattr(self.view, "action", None)
        if (
            (self._versioned() and self.method in VERSIONED_METHODS)
            or action in getattr(self.view, "precondition_actions", ())
            or self._refuses_version_if_match()
        ):
            codes.append("412")
        if self._needs_precondition():
            codes.append("428")
        if action in getattr(self.view, "upstream_actions", ()):
            codes.append("502")
        if self.method in BODY_METHODS and self.get_request_serializer() is not None:
            codes += ["413", "415"]
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                description, example = ERROR_DESCRIPTIONS[code], ERROR_EXAMPLES.get(code)
                if code == "412" and self._refuses_version_if_match():
                    description, example = UNVERSIONED_412_DESCRIPTION, UNVERSIONED_412_EXAMPLE
                examples = [OpenApiExample(f"Error {code}", value=example, status_codes=[code])] if example else []
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description, examples=examples),
                    code,
                    direction=direction,
                )
        return responses

    def _refuses_version_if_match(self) -> bool:
        """A change of something without versions: If-Match naming a version is a 412
        (gptstudio/api/concurrency.py, UnversionedIfMatchMixin)."""
        refuses = getattr(self.view, "refuses_version_if_match", None)
        return self.method in CHANGE_METHODS and refuses is not None and refuses()

    def _needs_precondition(self) -> bool:
        """A PUT, PATCH or DELETE that changes a versioned resource (or its GPT): If-Match or
        `version` is required (gptstudio/api/concurrency.py)."""
        action = getattr(self.view, "action", None)
        return self.method in VERSIONED_METHODS and (
            self._versioned() or action in getattr(self.view, "precondition_actions", ())
        )

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._versioned():
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=["200", "201", "409", "412"],
                    description='The version, quoted: `"3"`. Send it back in If-Match.',
                )
            )
        if self._needs_precondition():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description='The version you started from (`"3"`, or `*` to overwrite whatever is '
                    "there). Required unless `version` is sent: 428 without either, 412 on a mismatch, both "
                    "with the current version.",
                )
            )
            if self.method == "DELETE":
                parameters.append(
                    OpenApiParameter(
                        "version",
                        WHOLE_NUMBER_SCHEMA,
                        OpenApiParameter.QUERY,
                        description="The version you started from, for clients that cannot send If-Match.",
                    )
                )
        if getattr(self.view, "strict_save", False) and self.method in BODY_METHODS:
            parameters.append(
                OpenApiParameter(
                    "strict",
                    OpenApiTypes.BOOL,
                    OpenApiParameter.QUERY,
                    description="Refuse to save (400 with the findings) when the result has validation errors. "
                    "Default false: drafts with errors are saved and the response carries the findings.",
                )
            )
        return parameters


def path_parameter(name: str, kind=OpenApiTypes.INT, description: str = "") -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.PATH, description=description)


def error_response(description: str, example: dict) -> OpenApiResponse:
    """An operation's own wording of one error response (the defaults are StudioAutoSchema's)."""
    return OpenApiResponse(ErrorSerializer, description=description, examples=[OpenApiExample("Error", value=example)])


def operation(summary: str, **details: Any) -> dict[str, Any]:
    """One operation's documentation for `api_docs`: its summary and any other `extend_schema`
    argument (description, request, responses, parameters, examples, tags)."""
    return {"summary": summary, **details}


def api_docs(
    tag: str, *, parameters: Sequence[OpenApiParameter] = (), **operations: str | dict[str, Any]
) -> Callable[[type], type]:
    """A view's OpenAPI documentation in one call, as a class decorator.

    `operations` maps each operation (list, retrieve, create, update, partial_update, destroy, an
    @action's name, or an APIView's method) to its summary, or to an `operation(...)`. Each is
    tagged `tag` unless it names its `tags`; `partial_update` is documented as `update` unless given.
    `parameters` are the path parameters every route of the view shares. The error responses,
    ETag, If-Match and `?strict` are not written here: StudioAutoSchema derives them from the view.
    """
    docs = {name: {"summary": doc} if isinstance(doc, str) else dict(doc) for name, doc in operations.items()}
    for doc in docs.values():
        doc.setdefault("tags", [tag])

    def document(view: type) -> type:
        if parameters:
            view = extend_schema(parameters=list(parameters))(view)
        view_docs = dict(docs)
        if "update" in docs and hasattr(view, "partial_update"):
            view_docs.setdefault("partial_update", docs["update"])
        return extend_schema_view(**{name: extend_schema(**doc) for name, doc in view_docs.items()})(view)

    return document


# --- API tokens (gptstudio/api/tokens.py) -----------------------------------------------------

token_docs = api_docs(
    "tokens",
    list="List your API tokens",
    retrieve="Get one of your API tokens",
    create=operation(
        "Create an API token (shown once)",
        description="Only from a signed-in browser session: a token cannot mint more tokens.",
        request=APITokenCreateSerializer,
        responses={201: APITokenCreatedSerializer},
        examples=[OpenApiExample("A CI token", value={"name": "CI sync", "expires_at": "2030-01-01T00:00:00Z"})],
    ),
    destroy="Revoke an API token",
)

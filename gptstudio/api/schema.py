"""OpenAPI generation: every operation documents the error responses it can give, versioned
resources document `If-Match` and `ETag`, and strict-save views document `?strict`.

Set as DEFAULT_SCHEMA_CLASS, so no endpoint can forget its error responses.
"""

from __future__ import annotations

import uritemplate
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance, get_doc, get_lib_doc_excludes
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from .numbers import ID_PATTERN, WHOLE_NUMBER_SCHEMA
from .serializers import ErrorSerializer, WriteModelSerializer, WriteSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `errors` names each field, `findings` lists what refused a strict save.",
    "401": "No credentials, or an invalid, expired or revoked token.",
    "403": "Your role in this workspace does not allow this.",
    "404": "Not found, or outside your workspaces.",
    "409": "Conflict: someone else changed it while you were saving; `current_version` is the stored one.",
    "412": "Precondition failed: If-Match or `version` is not the current version (`current_version`).",
    "413": "The request body (or uploaded file) is too large.",
    "415": "Unsupported media type: send `application/json` (uploads: `multipart/form-data`).",
    "429": "Too many requests from this token's user; retry after `Retry-After` seconds.",
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
}

VERSIONED_METHODS = ("PUT", "PATCH", "DELETE")
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
        if (self._versioned() and self.method in VERSIONED_METHODS) or action in getattr(
            self.view, "precondition_actions", ()
        ):
            codes.append("412")
        if action in getattr(self.view, "upstream_actions", ()):
            codes.append("502")
        if self.method in BODY_METHODS and self.get_request_serializer() is not None:
            codes += ["413", "415"]
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                example = ERROR_EXAMPLES.get(code)
                examples = [OpenApiExample(f"Error {code}", value=example, status_codes=[code])] if example else []
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code], examples=examples),
                    code,
                    direction=direction,
                )
        return responses

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
            if self.method in VERSIONED_METHODS:
                parameters.append(
                    OpenApiParameter(
                        "If-Match",
                        OpenApiTypes.STR,
                        OpenApiParameter.HEADER,
                        description='The version you started from (`"3"`, or `*` for any). '
                        "Mismatch: 412 with the current version.",
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

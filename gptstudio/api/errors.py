"""One JSON error shape for every API failure, and the exceptions the API raises itself.

Body: `{"message": str, "code": str}` plus, where they apply, `errors` (field → messages, nested
fields joined with dots), `findings` (the validation findings that refused a strict save, an
export or an import) and `current_version` (409/412/428: the version now stored). Service errors are
translated here, so views never catch them: Django `ValidationError` → 400, `Http404` → 404, `AccessDenied` → 403,
`EditConflict` → 409,
`TooManyHeavyJobs` → 429, a uniqueness race (`IntegrityError`) → 409, an oversized body → 413.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error

from gpts.permissions import AccessDenied
from gptstudio.errors import EditConflict, TooManyHeavyJobs

API_PREFIX = "/api/"


class ExtraAPIException(exceptions.APIException):
    """An APIException whose body carries extra keys (findings, current_version)."""

    extra: dict = {}

    def __init__(self, detail=None, code=None, **extra):
        super().__init__(detail, code)
        self.extra = extra


class Conflict(ExtraAPIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This change conflicts with another one; reload and try again."
    default_code = "conflict"


class PreconditionFailed(ExtraAPIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The version you sent is not the current one."
    default_code = "precondition_failed"


class PreconditionRequired(ExtraAPIException):
    """A PUT, PATCH or DELETE of a versioned resource without If-Match or `version` (RFC 6585 §3):
    the client must say which version it changes, or `If-Match: *` to overwrite whatever is there."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the version you started from (or `*`), or a `version`."
    default_code = "precondition_required"


class PayloadTooLarge(ExtraAPIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class ExportRefusedError(ExtraAPIException):
    """An export of a GPT with validation errors, not forced: nothing was produced (`findings`)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This GPT has validation errors; fix them, or export anyway with force=true."
    default_code = "export_refused"


class ImportRefusedError(ExtraAPIException):
    """An upload that cannot be imported (unsafe or malformed bundle, invalid document, a value the
    services refuse): nothing was written; `findings` says why and where."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The import was refused; nothing was written."
    default_code = "import_refused"


class HasErrors(ExtraAPIException):
    """`?strict=true` and the result had validation errors: nothing was saved."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Not saved: strict mode refuses a result with validation errors."
    default_code = "has_errors"


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail → {"field.sub.0": ["message", ...]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            key = "non_field_errors" if key == NON_FIELD_ERRORS else key
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def _translate(exc):
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, AccessDenied):
        return exceptions.PermissionDenied(str(exc))
    if isinstance(exc, EditConflict):
        return Conflict(str(exc), current_version=exc.current_version)
    if isinstance(exc, TooManyHeavyJobs):
        return exceptions.Throttled(detail=str(exc))
    if isinstance(exc, IntegrityError):
        # A database constraint caught what full_clean could not see: a concurrent save of the
        # same unique value. Nothing was written; the client can retry.
        return Conflict("Another change saved a conflicting value at the same time; nothing was saved. Try again.")
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge(str(exc) or PayloadTooLarge.default_detail)
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError(str(exc) or "The request could not be parsed.")
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or "Not found.")
    return exc


def error_body(exc: exceptions.APIException) -> dict:
    codes = exc.get_codes()
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        first = next(iter(errors.values()), ["Invalid input."])[0]
        message = first if list(errors) == ["non_field_errors"] else "Invalid input: see `errors`."
        return {"message": message, "code": "invalid", "errors": errors}
    body = {"message": str(exc.detail), "code": codes if isinstance(codes, str) else exc.default_code}
    body.update(getattr(exc, "extra", {}) or {})
    return body


def api_exception_handler(exc, context):
    exc = _translate(exc)
    # Imported here: rest_framework.views reads the parser settings on import, and the parsers
    # import this module (PayloadTooLarge), so a module-level import was circular whenever
    # something imported the parsers before DRF's views.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = error_body(exc)
    current = getattr(exc, "extra", {}).get("current_version")
    if current is not None:
        response["ETag"] = f'"{current}"'
    return response


NOT_FOUND_BODY = {"message": "Not found.", "code": "not_found"}


def not_found(request, exception=None):
    """handler404: JSON under /api/ (URLs no route matches), the normal page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(NOT_FOUND_BODY, status=404)
    return defaults.page_not_found(request, exception)


@csrf_exempt  # It writes nothing; without this a POST to an unknown path was CSRF's HTML 403.
def unrouted(request, *args, **kwargs):
    """The last route under /api/: any path no endpoint matches (an unknown path, an id past its
    converter's range) is a JSON 404 for every method. handler404 alone is not enough: with
    DEBUG on, Django answers an unmatched URL with its HTML debug page before calling it."""
    return JsonResponse(NOT_FOUND_BODY, status=404)


def server_error(request):
    """handler500: JSON under /api/. Reaching it is a bug; bad input never should."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"message": "Server error.", "code": "server_error"}, status=500)
    return defaults.server_error(request)

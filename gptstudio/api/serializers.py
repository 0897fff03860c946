"""Serializers shared by every app's API: the error body and a validation finding, the base of
every write serializer (unknown fields refused), whole numbers and scoped references; and the API
tokens' (gptstudio/api/tokens.py), which the tokens' documentation in gptstudio/api/schema.py names."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from django.core.validators import slug_re
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from gptstudio.findings import Severity
from gptstudio.models import APIToken

from .numbers import ID_MAX, parse_whole_number


class FindingSerializer(serializers.Serializer):
    """One validation finding (gptstudio.findings.Finding)."""

    severity = serializers.ChoiceField(choices=[(s.value, s.value) for s in Severity])
    code = serializers.CharField(help_text="Stable rule code, e.g. `action.server.not_https`.")
    message = serializers.CharField()
    pointer = serializers.CharField(help_text="JSON pointer into the schema or document; empty if none.")
    line = serializers.IntegerField(allow_null=True)
    column = serializers.IntegerField(allow_null=True)
    hint = serializers.CharField(allow_blank=True)
    fix = serializers.CharField(
        help_text="What to do about it, one instruction (the rule's advice, the same for every finding of a code)."
    )
    builder_reported = serializers.BooleanField(
        help_text="What ChatGPT does here is reported by builders, not documented by OpenAI (a *likely* rule)."
    )


class ErrorSerializer(serializers.Serializer):
    """Every error response has this shape."""

    message = serializers.CharField(help_text="What went wrong, for a person.")
    code = serializers.CharField(
        help_text="Machine-readable: invalid, not_found, conflict, precondition_failed, precondition_required, …"
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field → messages (400). Nested fields are dotted: `capabilities.canvas`, `conversation_starters.0`.",
    )
    findings = FindingSerializer(
        many=True,
        required=False,
        help_text="Validation findings: what refused a `?strict=true` save (400), an import (400, 413) "
        "or an export (409).",
    )
    current_version = serializers.IntegerField(
        required=False, help_text="The version stored now (409, 412 and 428): fetch it, re-apply your change."
    )
    results = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="An import of ChatGPT's JSON that wrote no GPT (400, 409, 428): what happened to each one.",
    )
    pointer = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="A refused action call (`runner.*` codes): the JSON pointer of the argument at fault, if any.",
    )


class WriteSerializer(serializers.Serializer):
    """The base of every serializer that reads a request body (nested ones too).

    A key it does not declare is a 400 naming that key: a typo (`nmae`, `visiblity`) would
    otherwise be ignored, answering 200 or 201 with nothing changed or a default used. In a form
    (multipart), a field sent more than once is a 400 too: DRF would silently keep the last value
    (two `file` parts would store only the second). The OpenAPI schema says
    `additionalProperties: false` for these (gptstudio/api/schema.py)."""

    def to_internal_value(self, data):
        errors = self._unknown_or_repeated(data) if isinstance(data, Mapping) else {}
        if isinstance(data, Mapping) and not hasattr(data, "getlist"):
            errors.update(_json_type_errors(self.fields, data))
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if errors and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **errors}) from None
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def _unknown_or_repeated(self, data: Mapping) -> dict[str, list[str]]:
        known = [name for name, field in self.fields.items() if not field.read_only]
        errors = {}
        for key in data:
            if key not in self.fields or self.fields[key].read_only:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f"did you mean “{close[0]}”?" if close else f"this request takes {', '.join(known)}."
                errors[key] = [f"Unknown field: {hint}"]
            elif hasattr(data, "getlist") and len(data.getlist(key)) > 1 and not _takes_many(self.fields[key]):
                errors[key] = [f"Sent {len(data.getlist(key))} times; send it once."]
        return errors


class WriteModelSerializer(WriteSerializer, serializers.ModelSerializer):
    """WriteSerializer for a model's fields."""


# A JSON body says what type each value is, so a value of the wrong type is a mistake to report, not
# to convert: DRF's CharField turns 123 into "123", BooleanField "yes" into True, and a ListField of
# text [1, 2] into ["1", "2"]. A form (multipart) sends only text, which DRF reads as it always has.
def _json_type_problem(field, value) -> str | None:
    if value is None or field.read_only:
        return None  # allow_null decides.
    if isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
        return f"Must be true or false, not {_json_type(value)}."
    if isinstance(field, serializers.CharField | serializers.ChoiceField) and not isinstance(value, str):
        return f"Must be text, not {_json_type(value)}."
    return None


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return {dict: "an object", list: "a list", str: "text"}.get(type(value), type(value).__name__)


def _json_type_errors(fields: Mapping, data: Mapping) -> dict[str, list[str]]:
    """Values of a JSON body whose type is not the field's (text, boolean, or a list of text):
    field (dotted with the item index for a list) → message. Nested serializers check their own."""
    errors = {}
    for key, value in data.items():
        field = fields.get(key)
        if field is None:
            continue
        if isinstance(field, serializers.ListField) and isinstance(value, list):
            for index, item in enumerate(value):
                problem = _json_type_problem(field.child, item)
                if problem:
                    errors[f"{key}.{index}"] = [problem]
        elif problem := _json_type_problem(field, value):
            errors[key] = [problem]
    return errors


def _takes_many(field) -> bool:
    return isinstance(field, serializers.ListField | serializers.ManyRelatedField | serializers.ListSerializer)


class LongTextField(serializers.CharField):
    """A CharField for texts of megabytes (schemas). DRF's CharField refuses lone surrogates with a
    validator that walks the text character by character in Python (seconds for a 13 MB schema,
    inside the request); encoding to UTF-8 finds the same characters in C."""

    default_error_messages = {"surrogate_characters_not_allowed": "Surrogate characters are not allowed."}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitSurrogateCharactersValidator)]

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("surrogate_characters_not_allowed")
        return value


class WholeNumberField(serializers.IntegerField):
    """A whole number in a body: a JSON integer, or a string of 1 to 18 ASCII digits (a form sends
    nothing else), from 0 to ID_MAX. Refused, where DRF's IntegerField takes them: `1.0` (`1.5`
    as an id used to be truncated to 1), `true`, digits of other scripts ("١" was 1)."""

    default_error_messages = {"invalid": "A whole number (0 or more) is required, such as 3."}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = parse_whole_number(data)
        # bool is an int subclass. The range is checked here as well as by the validators,
        # because a related field's pk_field runs only this method.
        if not isinstance(data, int) or isinstance(data, bool) or data < 0:
            self.fail("invalid")
        if data > ID_MAX:
            self.fail("max_value", max_value=ID_MAX)
        return data


class _ScopedReference:
    """A reference to one of the caller's objects (the queryset is a selector): one that is
    missing or outside the caller's workspaces is a 404, as the same object in a URL would be."""

    def fail(self, key, **kwargs):
        if key == "does_not_exist":
            raise NotFound(f"No such {self.field_name}.")
        super().fail(key, **kwargs)


# Django's slug alphabet (django.core.validators.slug_re), for route regexes and the schema.
SLUG_CHARACTERS = "[-a-zA-Z0-9_]"


@extend_schema_field({"type": "string", "pattern": f"^{SLUG_CHARACTERS}+$"})
class ScopedSlugRelatedField(_ScopedReference, serializers.SlugRelatedField):
    """A slug outside the SlugField alphabet is a 400 before any query (PostgreSQL would refuse a
    NUL in it with a server error)."""

    default_error_messages = {"invalid_slug": "A slug is made of letters, digits, hyphens and underscores."}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not slug_re.match(data):
            self.fail("invalid_slug")
        return super().to_internal_value(data)


class ScopedPrimaryKeyRelatedField(_ScopedReference, serializers.PrimaryKeyRelatedField):
    """An id, read as a WholeNumberField (Django would truncate 1.5 to 1 and read true as 1)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("pk_field", WholeNumberField())
        super().__init__(**kwargs)


# --- API tokens ---------------------------------------------------------------------------------


class APITokenSerializer(serializers.ModelSerializer):
    active = serializers.SerializerMethodField(help_text="Neither revoked nor expired.")

    class Meta:
        model = APIToken
        fields = ("id", "name", "prefix", "active", "created_at", "expires_at", "last_used_at", "revoked_at")
        read_only_fields = fields

    def get_active(self, token) -> bool:
        return token.is_active()


class APITokenCreateSerializer(WriteSerializer):
    name = serializers.CharField(max_length=100, help_text="What the token is for, e.g. “CI sync”.")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Leave out: never expires.")


class APITokenCreatedSerializer(APITokenSerializer):
    token = serializers.CharField(
        source="plaintext", help_text="The token itself. Shown once: store it now, it cannot be shown again."
    )

    class Meta(APITokenSerializer.Meta):
        fields = (*APITokenSerializer.Meta.fields, "token")
        read_only_fields = fields

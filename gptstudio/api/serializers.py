"""Serializers shared by every app's API: the error body and a validation finding."""

from django.core.validators import slug_re
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from gptstudio.findings import Severity


class FindingSerializer(serializers.Serializer):
    """One validation finding (gptstudio.findings.Finding)."""

    severity = serializers.ChoiceField(choices=[(s.value, s.value) for s in Severity])
    code = serializers.CharField(help_text="Stable rule code, e.g. `action.server.not_https`.")
    message = serializers.CharField()
    pointer = serializers.CharField(help_text="JSON pointer into the schema or document; empty if none.")
    line = serializers.IntegerField(allow_null=True)
    column = serializers.IntegerField(allow_null=True)
    hint = serializers.CharField(allow_blank=True)


class ErrorSerializer(serializers.Serializer):
    """Every error response has this shape."""

    message = serializers.CharField(help_text="What went wrong, for a person.")
    code = serializers.CharField(help_text="Machine-readable: invalid, not_found, conflict, precondition_failed, …")
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
        required=False, help_text="The version stored now (409 and 412): fetch it, re-apply your change."
    )


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
    pass

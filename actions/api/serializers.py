"""Action API serializers: per use (list row, detail, create, update, saved result, schema report).

Secrets are write-only: `api_key` and `oauth_client_secret` are accepted on writes (a string sets,
"" clears, leaving them out keeps the stored one) and never returned; reads say `has_api_key` and
`has_client_secret` instead.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actions.models import Action
from gpts.models import GPT
from gptstudio import limits
from gptstudio.api.serializers import (
    FindingSerializer,
    LongTextField,
    ScopedPrimaryKeyRelatedField,
    WholeNumberField,
    WriteModelSerializer,
    WriteSerializer,
)


class SchemaOperationSerializer(serializers.Serializer):
    method = serializers.CharField()
    path = serializers.CharField()
    operation_id = serializers.CharField(allow_blank=True)
    summary = serializers.CharField(allow_blank=True)
    consequential = serializers.BooleanField()
    consequential_explicit = serializers.BooleanField()


class SchemaLimitSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    max = serializers.IntegerField()
    over = serializers.BooleanField()
    confidence = serializers.CharField(help_text="How sure GPT Studio is of ChatGPT's number.")


class SchemaReportSerializer(serializers.Serializer):
    """What the schema engine says about one schema text (actions.schema.SchemaReport.as_dict)."""

    valid = serializers.BooleanField(help_text="No error-severity findings.")
    format = serializers.ChoiceField(choices=Action.SchemaFormat.choices)
    openapi_version = serializers.CharField(allow_blank=True)
    domain = serializers.CharField(allow_blank=True, help_text="Host of the first server URL.")
    server_url = serializers.CharField(allow_blank=True)
    auth_scheme = serializers.CharField(allow_blank=True)
    size_bytes = serializers.IntegerField()
    operations = SchemaOperationSerializer(many=True)
    limits = serializers.DictField(
        child=SchemaLimitSerializer(), help_text="The schema's numbers against ChatGPT's limits (operations, size)."
    )
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Findings per severity.")
    findings = FindingSerializer(many=True)


class SchemaTextSerializer(WriteSerializer):
    """A schema to validate without saving anything."""

    schema_text = LongTextField(
        allow_blank=True,
        trim_whitespace=False,
        max_length=limits.STUDIO_SCHEMA_HARD_MAX_BYTES,
        help_text="The OpenAPI schema, JSON or YAML, exactly as you would paste it into ChatGPT.",
    )


READ_FIELDS = (
    "id",
    "gpt",
    "name",
    "slug",
    "position",
    "domain",
    "schema_format",
    "auth_type",
    "has_api_key",
    "has_client_secret",
    "version",
    "created_at",
    "updated_at",
)
AUTH_FIELDS = ("privacy_policy_url", *Action.AUTH_CONFIG_FIELDS)
WRITE_FIELDS = (
    "name",
    "slug",
    "position",
    "schema_text",
    "schema_format",
    "auth_type",
    *AUTH_FIELDS,
    "changes_public_state",
    "base_url_override",
)


class ActionListItemSerializer(serializers.ModelSerializer):
    """An action in a list: everything but the schema text and the auth details."""

    gpt = serializers.PrimaryKeyRelatedField(read_only=True)
    # Annotated by the selector from the ciphertext column, so a list decrypts nothing.
    has_api_key = serializers.BooleanField(source="api_key_set", read_only=True)
    has_client_secret = serializers.BooleanField(source="client_secret_set", read_only=True)

    class Meta:
        model = Action
        fields = READ_FIELDS
        read_only_fields = READ_FIELDS


def _url_or_empty(help_text: str = ""):
    # Stored URLs may be empty ("not set"), which `format: uri` would not allow.
    return serializers.CharField(read_only=True, help_text=help_text or "A URL, or empty when not set.")


class ActionDetailSerializer(ActionListItemSerializer):
    schema_text = serializers.CharField(read_only=True)  # the model's property over its SchemaText
    privacy_policy_url = _url_or_empty()
    oauth_authorization_url = _url_or_empty()
    oauth_token_url = _url_or_empty()
    api_key_auth_type = serializers.CharField(
        read_only=True, help_text="basic, bearer or custom when auth_type is api_key; empty otherwise."
    )
    base_url_override = _url_or_empty(
        "Test calls and the hosted MCP endpoint use this base URL instead of the schema's server; empty: the schema's."
    )

    class Meta:
        model = Action
        fields = (*READ_FIELDS, "schema_text", *AUTH_FIELDS, "changes_public_state", "base_url_override")
        read_only_fields = fields


class ActionSavedSerializer(ActionDetailSerializer):
    """The action after a create or update, with its schema report."""

    validation = serializers.SerializerMethodField()

    class Meta(ActionDetailSerializer.Meta):
        fields = (*ActionDetailSerializer.Meta.fields, "validation")
        read_only_fields = fields

    @extend_schema_field(SchemaReportSerializer)
    def get_validation(self, action) -> dict:
        return self.context["validation"].as_dict()


def _write_only_secret(what: str) -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=4000,
        help_text=f'Write-only. A value sets the {what}, "" clears it, leaving it out keeps the stored one.',
    )


class _ActionWriteSerializer(WriteModelSerializer):
    api_key = _write_only_secret("key")
    oauth_client_secret = _write_only_secret("secret")
    name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Shown in GPT Studio only. Left out or blank: on create, the schema's title (or its domain); "
        "on update, the current name is kept.",
    )
    slug = serializers.SlugField(max_length=60, required=False, help_text="Derived from the name when left out.")
    position = WholeNumberField(min_value=0, max_value=limits.GPT_ACTIONS_MAX.value - 1, required=False)
    schema_text = LongTextField(allow_blank=True, trim_whitespace=False, max_length=limits.STUDIO_SCHEMA_HARD_MAX_BYTES)
    schema_format = serializers.ChoiceField(
        choices=Action.SchemaFormat.choices, required=False, help_text="Detected from the text when left out."
    )

    class Meta:
        model = Action
        fields = (*WRITE_FIELDS, "api_key", "oauth_client_secret")
        validators = []  # Uniqueness is the service's (full_clean under the GPT lock).


class ActionCreateSerializer(_ActionWriteSerializer):
    gpt = ScopedPrimaryKeyRelatedField(queryset=GPT.objects.none(), help_text="The GPT to add the action to.")
    gpt_version = WholeNumberField(
        min_value=1, required=False, help_text="The GPT version you started from (412 when it moved on)."
    )

    class Meta(_ActionWriteSerializer.Meta):
        fields = ("gpt", "gpt_version", *_ActionWriteSerializer.Meta.fields)

    def get_fields(self):
        from gpts.selectors import gpts_for

        fields = super().get_fields()
        fields["gpt"].queryset = gpts_for(self.context["request"].user).select_related("workspace")
        fields["schema_text"].required = False
        return fields


class ActionUpdateSerializer(_ActionWriteSerializer):
    """PUT replaces every field (secrets stay unless sent); PATCH changes the fields sent."""

    version = WholeNumberField(
        min_value=1, required=False, write_only=True, help_text="The version you started from (like If-Match)."
    )

    class Meta(_ActionWriteSerializer.Meta):
        fields = (*_ActionWriteSerializer.Meta.fields, "version")
        extra_kwargs = {name: {"required": True} for name in ("schema_text", "auth_type", *AUTH_FIELDS)}


class SchemaImportSerializer(WriteSerializer):
    """Import a schema from a URL as a job: a new action, or over an existing one's schema."""

    gpt = ScopedPrimaryKeyRelatedField(queryset=GPT.objects.none(), help_text="The GPT to import into.")
    url = serializers.CharField(max_length=2000, help_text="An https (or http) URL of the OpenAPI schema.")
    action = ScopedPrimaryKeyRelatedField(
        queryset=Action.objects.none(),
        required=False,
        allow_null=True,
        help_text="Replace this action's schema (if it is still at its current version when the job runs); "
        "leave out to create a new action named after the schema's title.",
    )

    def get_fields(self):
        from actions.selectors import actions_for
        from gpts.selectors import gpts_for

        fields = super().get_fields()
        user = self.context["request"].user
        fields["gpt"].queryset = gpts_for(user)
        fields["action"].queryset = actions_for(user)
        return fields


class ActionCallSerializer(WriteSerializer):
    """One test call of an action's operation."""

    operation = serializers.CharField(
        max_length=200, help_text="The operation's tool name (as the MCP export names it) or its operationId."
    )
    # Free-form on purpose: its schema is the operation's own (the runner validates it, 400 with a pointer).
    arguments = serializers.JSONField(
        required=False,
        default=dict,
        help_text="An object: path, query and header parameters by name, the JSON request body under `body` "
        "(the operation's input schema; `GET /api/v1/actions/{id}/operations/` lists them).",
    )


class ActionCallResultSerializer(serializers.Serializer):
    """What the API answered (a safe subset of its headers; the body cut at 100,000 characters)."""

    status = serializers.IntegerField(help_text="The upstream API's HTTP status.")
    headers = serializers.DictField(child=serializers.CharField())
    body = serializers.CharField(allow_blank=True)
    content_type = serializers.CharField(allow_blank=True)
    duration_ms = serializers.IntegerField()
    truncated = serializers.BooleanField(help_text="The body was longer than 100,000 characters and was cut.")


class ActionOperationSerializer(serializers.Serializer):
    """An operation as a tool: the same name, input schema and hints as the MCP export and endpoint."""

    name = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    method = serializers.CharField()
    path = serializers.CharField()
    operation_id = serializers.CharField(allow_blank=True)
    input_schema = serializers.JSONField()
    annotations = serializers.DictField(child=serializers.BooleanField())
    problem = serializers.CharField(
        allow_blank=True, help_text="Empty when the operation can be called; else why it cannot."
    )

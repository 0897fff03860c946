"""GPT, workspace, member, knowledge file, revision and job serializers, one per use.

Read serializers render what the selectors loaded; write serializers only validate and shape input
for the services (gpts.services), which do the writing. Names are unique across the API because
drf-spectacular names schema components after them.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from actions.api.serializers import SchemaReportSerializer
from actions.models import Action
from gpts import selectors
from gpts.document_schema import SCHEMA_URL_PATH, build_openapi_document_schema
from gpts.exporters import EXPORTERS
from gpts.exporters.agent_plugin import mcp_url_problem
from gpts.importers import secrets_to_enter
from gpts.models import GPT, SLUG_MAX_LENGTH, Job, KnowledgeFile, Membership, Revision, Workspace
from gpts.services import GPT_EDITABLE_FIELDS
from gptstudio import limits
from gptstudio.api.parsers import import_max_bytes
from gptstudio.api.serializers import (
    FindingSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    WholeNumberField,
    WriteModelSerializer,
    WriteSerializer,
)

# --- Workspaces and members -------------------------------------------------------------------


class WorkspaceSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(
        source="user_role", choices=Membership.Role.choices, read_only=True, help_text="Your role here."
    )
    member_count = serializers.IntegerField(read_only=True)
    gpt_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Workspace
        fields = ("slug", "name", "role", "member_count", "gpt_count", "created_at", "updated_at")
        read_only_fields = fields


class WorkspaceCreateSerializer(WriteSerializer):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(
        max_length=SLUG_MAX_LENGTH, required=False, help_text="Derived from the name when left out."
    )


class WorkspaceUpdateSerializer(WriteSerializer):
    name = serializers.CharField(max_length=100)


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ("user_id", "username", "email", "role", "created_at")
        read_only_fields = fields


class MemberAddSerializer(WriteSerializer):
    username = serializers.CharField(
        max_length=254,
        help_text='The person\'s username, or an email address they have verified (any value with "@" is '
        "looked up only as a verified email address, never as a username).",
    )
    role = serializers.ChoiceField(choices=Membership.Role.choices)

    def validate_username(self, value):
        user = selectors.user_for_membership(value)
        if user is None:
            if "@" in value:
                raise serializers.ValidationError("No active user has verified this email address.")
            raise serializers.ValidationError("No active user with this username.")
        return user


class MemberRoleSerializer(WriteSerializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


# --- GPTs --------------------------------------------------------------------------------------


class GPTCapabilitiesSerializer(WriteSerializer):
    web_search = serializers.BooleanField()
    canvas = serializers.BooleanField()
    image_generation = serializers.BooleanField()
    code_interpreter = serializers.BooleanField(help_text="Code Interpreter & Data Analysis.")


class GPTActionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = ("id", "name", "slug", "position", "domain", "auth_type", "version")
        read_only_fields = fields


class KnowledgeFileSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = KnowledgeFile
        fields = ("id", "name", "size", "sha256", "media_type", "uploaded_by", "created_at")
        read_only_fields = fields


class GPTListRowsSerializer(serializers.ListSerializer):
    """The GPT list's hot path: renders `selectors.GPTListRows` (plain rows) into exactly what
    the child's declared fields give for a GPT (a test checks they are equal), without model
    instances or DRF's per-field machinery, which cost more than the query on a 50-row page
    (benchmarks/api.py)."""

    timestamp = serializers.DateTimeField()  # Renders like the child's created_at/updated_at.

    def _time_renderer(self):
        """DateTimeField's ISO 8601 rendering of an aware datetime (the current time zone, "Z" for
        UTC) without its per-value dispatch, a third of this method's time on 50 rows; any other
        value goes through the field itself."""
        zone = timezone.get_current_timezone()
        fallback = self.timestamp.to_representation
        iso = api_settings.DATETIME_FORMAT is not None and api_settings.DATETIME_FORMAT.lower() == ISO_8601
        iso = iso and settings.USE_TZ  # without USE_TZ, DRF renders aware values naive in UTC

        def render(value):
            if not iso or not isinstance(value, datetime.datetime) or value.tzinfo is None:
                return fallback(value)
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return render

    def to_representation(self, data):
        render_time = self._time_renderer()
        capabilities = GPT.CAPABILITY_FIELDS
        return [
            {
                "id": row["id"],
                "workspace": row["workspace__slug"],
                "name": row["name"],
                "slug": row["slug"],
                "description": row["description"],
                "visibility": row["visibility"],
                "capabilities": {name: row[name] for name in capabilities},
                "readiness": row["readiness"],
                "error_count": row["error_count"],
                "warning_count": row["warning_count"],
                "action_count": row["action_count"],
                "version": row["version"],
                "created_at": render_time(row["created_at"]),
                "updated_at": render_time(row["updated_at"]),
                "updated_by": row["updated_by__username"],
            }
            for row in data
        ]


class GPTListItemSerializer(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    capabilities = GPTCapabilitiesSerializer(source="*", read_only=True)
    action_count = serializers.IntegerField(read_only=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = GPT
        fields = (
            "id",
            "workspace",
            "name",
            "slug",
            "description",
            "visibility",
            "capabilities",
            "readiness",
            "error_count",
            "warning_count",
            "action_count",
            "version",
            "created_at",
            "updated_at",
            "updated_by",
        )
        read_only_fields = fields
        list_serializer_class = GPTListRowsSerializer


class GPTDetailSerializer(GPTListItemSerializer):
    conversation_starters = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)
    actions = GPTActionSummarySerializer(many=True, read_only=True)
    knowledge_files = KnowledgeFileSerializer(many=True, read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta(GPTListItemSerializer.Meta):
        list_serializer_class = serializers.ListSerializer
        fields = (
            *GPTListItemSerializer.Meta.fields,
            "instructions",
            "conversation_starters",
            "recommended_model",
            "category",
            "use_conversation_data",
            "actions",
            "knowledge_files",
            "created_by",
            "mcp_enabled",
        )
        read_only_fields = fields


class GPTValidationSerializer(serializers.Serializer):
    """Everything the validation says about a GPT (gpts.validation.GPTReport.as_dict)."""

    valid = serializers.BooleanField(help_text="No error-severity finding anywhere.")
    readiness = serializers.ChoiceField(choices=GPT.Readiness.choices)
    findings = FindingSerializer(many=True, help_text="GPT-level findings (fields, cross-action rules).")
    actions = serializers.DictField(child=SchemaReportSerializer(), help_text="Action id → its schema report.")


class MigrationItemSerializer(serializers.Serializer):
    topic = serializers.CharField()
    text = serializers.CharField()


class GPTMigrationSerializer(serializers.Serializer):
    """The migration report (gpts.exporters.migration.MigrationReport.as_dict)."""

    gpt = serializers.CharField(help_text="The GPT's name.")
    target = serializers.CharField(allow_null=True, help_text="Always null here: the report covers every target.")
    carries_over = MigrationItemSerializer(many=True, help_text="What the bridge exports carry over.")
    manual_steps = MigrationItemSerializer(many=True, help_text="What you still do by hand (keys, hosting, …).")
    lost = MigrationItemSerializer(many=True, help_text="What does not survive the move.")
    findings = FindingSerializer(many=True, help_text="The exports' checks (directory limits, tool conversion).")
    stricter_readings = serializers.ListField(
        child=serializers.CharField(), help_text="Where the sources are unconfirmed: the stricter rule chosen."
    )


class GPTSavedSerializer(GPTDetailSerializer):
    """The GPT after a save, with its validation (drafts with errors are saved; see `?strict`)."""

    validation = serializers.SerializerMethodField()

    class Meta(GPTDetailSerializer.Meta):
        fields = (*GPTDetailSerializer.Meta.fields, "validation")
        read_only_fields = fields

    @extend_schema_field(GPTValidationSerializer)
    def get_validation(self, gpt) -> dict:
        return self.context["validation"].as_dict()


class SecretToEnterSerializer(serializers.Serializer):
    """A secret GPT Studio does not hold (secrets are never in documents, revisions or exports)."""

    action = serializers.CharField(help_text="The action's name.")
    field = serializers.CharField(help_text="ChatGPT's label of the secret: “API Key” or “Client Secret”.")


class _GPTWriteSerializer(WriteModelSerializer):
    slug = serializers.SlugField(max_length=SLUG_MAX_LENGTH, required=False, help_text="Derived from the name.")
    conversation_starters = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=1000),
        max_length=limits.GPT_CONVERSATION_STARTERS_MAX.value,
        help_text="In order; empty entries are dropped, like ChatGPT's editor does.",
    )
    capabilities = GPTCapabilitiesSerializer()
    mcp_enabled = serializers.BooleanField(
        required=False,
        help_text="Serve the GPT's actions as an MCP server at /mcp/<workspace>/<gpt>/. Owners only (403 otherwise).",
    )

    class Meta:
        model = GPT
        fields = (
            "name",
            "slug",
            "description",
            "instructions",
            "conversation_starters",
            "capabilities",
            "recommended_model",
            "visibility",
            "category",
            "use_conversation_data",
            "mcp_enabled",
        )
        validators = []  # Uniqueness is the service's (full_clean in the same transaction).

    def service_fields(self) -> dict:
        """validated_data as keyword arguments of gpt_create / gpt_update."""
        data = dict(self.validated_data)
        data.pop("version", None)
        data.pop("workspace", None)
        data.pop("mcp_enabled", None)  # its own owner-only service (gpt_set_mcp_enabled)
        assert set(data) <= GPT_EDITABLE_FIELDS | {"conversation_starters", "capabilities"}
        return data


class GPTCreateSerializer(_GPTWriteSerializer):
    workspace = ScopedSlugRelatedField(
        slug_field="slug", queryset=Workspace.objects.none(), help_text="Slug of the workspace to create it in."
    )

    class Meta(_GPTWriteSerializer.Meta):
        fields = ("workspace", *_GPTWriteSerializer.Meta.fields)

    def get_fields(self):
        from gpts.selectors import workspaces_for

        fields = super().get_fields()
        fields["workspace"].queryset = workspaces_for(self.context["request"].user)
        fields["conversation_starters"].required = False
        fields["capabilities"].required = False
        return fields


class GPTUpdateSerializer(_GPTWriteSerializer):
    """PUT replaces every field (all required); PATCH changes only the fields sent."""

    version = WholeNumberField(
        min_value=1, required=False, write_only=True, help_text="The version you started from (like If-Match)."
    )

    class Meta(_GPTWriteSerializer.Meta):
        fields = (*_GPTWriteSerializer.Meta.fields, "version")
        extra_kwargs = {
            name: {"required": True}
            for name in _GPTWriteSerializer.Meta.fields
            if name not in ("slug", "conversation_starters", "capabilities", "mcp_enabled")
        }


# --- Knowledge files ------------------------------------------------------------------------


class KnowledgeUploadSerializer(WriteSerializer):
    file = serializers.FileField(
        allow_empty_file=True, help_text=f"At most {limits.GPT_KNOWLEDGE_FILE_MAX_BYTES.value} bytes (ChatGPT's limit)."
    )
    name = serializers.CharField(max_length=255, required=False, help_text="Defaults to the uploaded file's name.")
    version = WholeNumberField(min_value=1, required=False, help_text="The GPT version you started from.")


# --- Revisions -----------------------------------------------------------------------------------


class RevisionListItemSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Revision
        fields = ("number", "summary", "author", "created_at")
        read_only_fields = fields


class RevisionDetailSerializer(RevisionListItemSerializer):
    document = serializers.JSONField(read_only=True, help_text="The GPT document (`gptstudio/gpt@1`) at this revision.")

    class Meta(RevisionListItemSerializer.Meta):
        fields = (*RevisionListItemSerializer.Meta.fields, "document")
        read_only_fields = fields


class GPTRestoredSerializer(GPTSavedSerializer):
    """The GPT after a restore, with its validation and the secrets to enter again."""

    secrets_to_enter = serializers.SerializerMethodField(
        help_text="Revisions hold no secrets: an action the restore re-created has none. Enter these in the "
        "action settings (PATCH the action); actions that still existed keep theirs."
    )

    class Meta(GPTSavedSerializer.Meta):
        fields = (*GPTSavedSerializer.Meta.fields, "secrets_to_enter")
        read_only_fields = fields

    @extend_schema_field(SecretToEnterSerializer(many=True))
    def get_secrets_to_enter(self, gpt) -> list[dict]:
        # The import's own list (gpts.importers), so restore and import name the same secrets.
        return SecretToEnterSerializer(secrets_to_enter(gpt), many=True).data


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class ActionDiffSerializer(serializers.Serializer):
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=[(s, s) for s in ("added", "removed", "changed", "unchanged")])
    fields = FieldChangeSerializer(many=True)
    operations_added = serializers.ListField(child=serializers.DictField())
    operations_removed = serializers.ListField(child=serializers.DictField())
    operations_changed = serializers.ListField(child=serializers.DictField())
    schema_diff = serializers.ListField(child=serializers.CharField(), help_text="Unified diff lines.")


class RevisionDiffSerializer(serializers.Serializer):
    from_number = serializers.IntegerField(help_text="The older revision.")
    to_number = serializers.IntegerField(help_text="The newer revision.")
    fields = FieldChangeSerializer(many=True)
    text_diffs = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    actions = ActionDiffSerializer(many=True)


class RevisionRestoreSerializer(WriteSerializer):
    version = WholeNumberField(
        min_value=1, required=False, help_text="The GPT version you started from (like If-Match)."
    )


# --- Export and import ----------------------------------------------------------------------

EXPORT_TARGETS = list(EXPORTERS)
EXPORT_FORMATS = list(dict.fromkeys(fmt for exporter in EXPORTERS.values() for fmt in exporter.formats))


def _one_of(values) -> str:
    return ", ".join(values)


class MCPURLQuerySerializer(serializers.Serializer):
    """The MCP server URL the `agent-plugin` export names (its `mcp_url` option)."""

    mcp_url = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2048,
        help_text="`agent-plugin` only: the URL of the GPT's hosted MCP server (https, or http on loopback; no "
        "user name, password or fragment). With one, and actions, the plugin holds an `mcp.json`.",
    )

    def validate_mcp_url(self, value: str) -> str:
        if value and (problem := mcp_url_problem(value)):
            raise serializers.ValidationError(problem)
        return value


class GPTExportQuerySerializer(MCPURLQuerySerializer):
    """The query string of an export (gpts.exporters.gpt_export's arguments; `force` is a flag)."""

    target = serializers.ChoiceField(
        choices=EXPORT_TARGETS,
        help_text="; ".join(f"`{name}`: {exporter.label}" for name, exporter in EXPORTERS.items()) + ".",
        error_messages={
            "required": f"Choose an export target: {_one_of(EXPORT_TARGETS)}.",
            "invalid_choice": f"“{{input}}” is not an export target; choose one of: {_one_of(EXPORT_TARGETS)}.",
        },
    )
    format = serializers.ChoiceField(
        choices=EXPORT_FORMATS,
        required=False,
        help_text="; ".join(
            f"`{name}`: {' or '.join(exporter.formats)}" + (" (default)" if len(exporter.formats) > 1 else "")
            for name, exporter in EXPORTERS.items()
        )
        + ". Default: the target's first.",
        error_messages={
            "invalid_choice": f"“{{input}}” is not an export format; choose one of: {_one_of(EXPORT_FORMATS)}.",
        },
    )


class GPTMigrationQuerySerializer(MCPURLQuerySerializer):
    """The query string of the migration report."""


class GPTDocumentSerializer(serializers.Serializer):
    """The GPT document (`gptstudio/gpt@1`). Only documents the schema (GPTDocumentSchema below):
    the export writes the document's bytes itself, exactly as the `document` target renders them."""


class GPTDocumentSchema(OpenApiSerializerExtension):
    target_class = GPTDocumentSerializer

    def map_serializer(self, auto_schema, direction):
        return build_openapi_document_schema()


class GPTImportSerializer(WriteSerializer):
    file = serializers.FileField(
        help_text="A bundle zip (the `chatgpt` export) or a GPT document in YAML or JSON (the `document` "
        f"export; JSON Schema at {SCHEMA_URL_PATH}). At most {import_max_bytes()} bytes (413 when larger)."
    )
    gpt = ScopedPrimaryKeyRelatedField(
        queryset=GPT.objects.none(),
        required=False,
        allow_null=True,
        help_text="Import as a new revision of this GPT (one of this workspace's); leave out for a new GPT.",
    )
    version = WholeNumberField(
        min_value=1,
        required=False,
        help_text="With `gpt`: the version you started from (like If-Match); 412 when the GPT moved on.",
    )

    def get_fields(self):
        from gpts.selectors import gpts_for

        fields = super().get_fields()
        fields["gpt"].queryset = gpts_for(self.context["request"].user)
        return fields

    def validate(self, data):
        if data.get("gpt") is None and (
            data.get("version") is not None or "If-Match" in self.context["request"].headers
        ):
            raise serializers.ValidationError(
                {"gpt": ["`version` and If-Match are for a new revision of an existing GPT: name it in `gpt`."]}
            )
        return data


class GPTImportResultSerializer(serializers.Serializer):
    """What an import did, with the GPT as it is now."""

    created = serializers.BooleanField(help_text="A new GPT (201); false: a new revision of `gpt` (200).")
    revision = serializers.IntegerField(
        allow_null=True, help_text="The revision the import recorded; null when the upload changed nothing."
    )
    valid = serializers.BooleanField(help_text="No error-severity finding.")
    gpt = GPTDetailSerializer()
    secrets_to_enter = SecretToEnterSerializer(
        many=True, help_text="Secrets are never imported: enter these in the action settings (PATCH the action)."
    )
    findings = FindingSerializer(many=True, help_text="Import notices and the GPT's validation findings.")


# --- Jobs --------------------------------------------------------------------------------------


class JobSerializer(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    result = serializers.JSONField(read_only=True)

    class Meta:
        model = Job
        fields = (
            "id",
            "kind",
            "status",
            "workspace",
            "gpt",
            "action",
            "result",
            "error",
            "attempts",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        )
        read_only_fields = fields

"""GPT, workspace, member, knowledge file, revision and job serializers, one per use.

Read serializers render what the selectors loaded; write serializers only validate and shape input
for the services (gpts.services), which do the writing. Names are unique across the API because
drf-spectacular names schema components after them.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actions.api.serializers import SchemaReportSerializer
from actions.models import Action
from gpts import fields as gpt_fields
from gpts import selectors
from gpts.document_schema import SCHEMA_URL_PATH, build_openapi_document_schema
from gpts.exporters import EXPORTERS
from gpts.exporters.agent_plugin import mcp_url_problem
from gpts.fields import gpt_field
from gpts.importers import secrets_to_enter
from gpts.models import GPT, SLUG_MAX_LENGTH, Job, KnowledgeFile, Membership, Revision, Workspace
from gpts.services import CHATGPT_IDENTITY_FIELDS, GPT_EDITABLE_FIELDS
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


class MemberInvitedSerializer(serializers.Serializer):
    """The answer to "add a member": the same whether or not the name belongs to anyone."""

    username = serializers.CharField(help_text="The username or email address as sent.")
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    message = serializers.CharField()


class MemberRoleSerializer(WriteSerializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


# --- GPTs --------------------------------------------------------------------------------------


class GPTCapabilitiesSerializer(WriteSerializer):
    # One boolean per capability of gpts/fields.py. (No docstring: it would become the schema's description.)
    def get_fields(self):
        return {
            name: serializers.BooleanField(help_text=gpt_field(name).api_help_text or None)
            for name in gpt_fields.capability_names()
        }


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


class GPTDetailSerializer(GPTListItemSerializer):
    # Text, not `format: uri`: empty when the GPT has none.
    chatgpt_profile_picture_url = serializers.CharField(
        read_only=True,
        help_text="The profile picture address ChatGPT's JSON gave (POST fetch-profile-picture/), or empty.",
    )
    chatgpt_pending_knowledge = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="ChatGPT's ids of knowledge files still to upload (POST knowledge-pending-clear/ when done).",
    )
    conversation_starters = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)
    actions = GPTActionSummarySerializer(many=True, read_only=True)
    knowledge_files = KnowledgeFileSerializer(many=True, read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta(GPTListItemSerializer.Meta):
        fields = (
            *GPTListItemSerializer.Meta.fields,
            *(name for name in gpt_fields.api_names() if name not in GPTListItemSerializer.Meta.fields),
            "actions",
            "knowledge_files",
            "created_by",
            *CHATGPT_IDENTITY_FIELDS,
            "mcp_enabled",
        )
        read_only_fields = fields
        extra_kwargs = {
            "chatgpt_id": {"help_text": "The ChatGPT GPT (g-…) this GPT was imported from; empty when none."},
            "chatgpt_imported_at": {"help_text": "When it was last imported from ChatGPT."},
        }


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
        child=serializers.CharField(allow_blank=True, max_length=gpt_field("conversation_starters").max_length),
        max_length=gpt_field("conversation_starters").max_items.value,
        help_text="In order; empty entries are dropped, like ChatGPT's editor does.",
    )
    capabilities = GPTCapabilitiesSerializer()
    mcp_enabled = serializers.BooleanField(
        required=False,
        help_text="Serve the GPT's actions as an MCP server at /mcp/<workspace>/<gpt>/. Owners only (403 otherwise).",
    )

    class Meta:
        model = GPT
        fields = (*gpt_fields.api_names(), "mcp_enabled")
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


class RevisionSchemaSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="The action's name.")
    sha256 = serializers.CharField(help_text="SHA-256 (hex) of the schema text's UTF-8 bytes.")
    size = serializers.IntegerField(help_text="The schema text's size in bytes.")
    changed = serializers.BooleanField(help_text="New or different from the revision before.")
    included = serializers.BooleanField(help_text="Whether `document` holds the text (else its `schema` is null).")


class RevisionDetailSerializer(RevisionListItemSerializer):
    """A revision with its document. Schema texts can be megabytes and rarely change, so an
    action's `schema` holds its text only when it changed in this revision or the read asks for
    every one with `?include=schemas` (then `document` is the complete `gptstudio/gpt@1` document)."""

    document = serializers.JSONField(
        read_only=True,
        help_text="The GPT document (`gptstudio/gpt@1`) at this revision; an action's `schema` is null when it "
        "is unchanged since the revision before, unless `?include=schemas`.",
    )
    schemas = RevisionSchemaSerializer(many=True, read_only=True, help_text="One line per action, in order.")

    class Meta(RevisionListItemSerializer.Meta):
        fields = (*RevisionListItemSerializer.Meta.fields, "document", "schemas")
        read_only_fields = fields

    def to_representation(self, revision):
        # The document comes from the selector (only the schema texts it needs), not the model's
        # `document`, which would read every text.
        listed = RevisionListItemSerializer(revision, context=self.context).data
        read = selectors.revision_read(revision=revision, include_schemas=self.context.get("include_schemas", False))
        return {**listed, **read}


class GPTRestoredSerializer(GPTSavedSerializer):
    """The GPT after a restore, with its validation and the secrets to enter again."""

    secrets_to_enter = serializers.SerializerMethodField(
        help_text="The secrets the restored GPT lacks, to enter in the action settings (PATCH the action). "
        "Revisions hold no secrets, but an action keeps its own, and one the restore re-creates gets back the "
        "secret it had when it was removed; what is listed was cleared on purpose or never entered."
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

    versions = serializers.JSONField(
        required=False,
        help_text="ChatGPT's JSON only: a JSON object of ChatGPT GPT ids and the versions you saw, "
        '`{"g-abc123": 3}`, for GPTs imported before (they get a new revision; without their version they '
        "are not written). A file with one GPT may give it as If-Match or `version` instead.",
    )

    def validate_versions(self, value):
        if not isinstance(value, dict) or not all(
            isinstance(key, str) and isinstance(number, int) and not isinstance(number, bool) and number >= 1
            for key, number in value.items()
        ):
            raise serializers.ValidationError('A JSON object of ChatGPT ids and versions, e.g. {"g-abc123": 3}.')
        return value

    def validate(self, data):
        # `version` / If-Match without `gpt` are checked by the view, once it knows whether the
        # file is ChatGPT's JSON (where they name the version of the one GPT the file holds).
        return data
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


class GPTKnowledgePendingClearSerializer(WriteSerializer):
    file_ids = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=1000,
        help_text="The ChatGPT file ids now uploaded; leave out to clear them all.",
    )


class ChatGPTGizmoResultSerializer(serializers.Serializer):
    """What the import did with one GPT of ChatGPT's JSON."""

    index = serializers.IntegerField(help_text="Its position in the file (0 for a single GPT).")
    chatgpt_id = serializers.CharField(help_text="Its ChatGPT id (g-…); empty when the JSON has none.")
    name = serializers.CharField()
    written = serializers.BooleanField(help_text="Created or updated; false: nothing of it was written.")
    created = serializers.BooleanField()
    error = serializers.CharField(help_text="Why it was not written (refused, version missing or stale); empty.")
    current_version = serializers.IntegerField(
        allow_null=True, help_text="When refused for its version: the version to send in `versions`."
    )
    gpt = serializers.DictField(allow_null=True, help_text="`id`, `slug` and `version` of the GPT written.")
    revision = serializers.IntegerField(allow_null=True, help_text="The revision recorded; null when none.")
    knowledge_file_ids = serializers.ListField(child=serializers.CharField(), help_text="Files to upload again.")
    profile_picture_url = serializers.CharField(help_text="Kept; fetch it with POST fetch-profile-picture/.")
    secrets_to_enter = SecretToEnterSerializer(many=True)
    findings = FindingSerializer(many=True, help_text="The import report (unknown keys, values with no field, …).")


class ChatGPTImportResultSerializer(serializers.Serializer):
    """The result of importing ChatGPT's own JSON of a GPT, or of a list of them: one entry per GPT."""

    kind = serializers.ChoiceField(choices=["chatgpt"])
    valid = serializers.BooleanField(help_text="Every GPT was written.")
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = ChatGPTGizmoResultSerializer(many=True)
    findings = FindingSerializer(many=True)


# --- Jobs --------------------------------------------------------------------------------------


class JobSerializer(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Null for a validate-endpoint check."
    )
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

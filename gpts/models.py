"""Workspaces and the GPTs they keep.

Write through `gpts.services` only: the services validate, check the edit version and record a
revision in the same transaction. Field limits that ChatGPT enforces on *saving* a GPT (name 50,
description 300) are hard limits here too; limits a draft may exceed while being worked on
(instructions over 8,000 characters) are reported as findings instead, so no work is lost.
"""

import functools
import hashlib

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.db.models.functions import Lower

from gptstudio import limits
from gptstudio.models import TimeStampedModel

SLUG_MAX_LENGTH = 60


class Workspace(TimeStampedModel):
    """A team's space: it owns GPTs, and its members have roles (see Membership)."""

    name = models.CharField(max_length=100, validators=[MinLengthValidator(1)])
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="workspaces")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Membership(TimeStampedModel):
    """A user's role in a workspace. Owners manage members and delete; editors edit and export;
    viewers read and export."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        EDITOR = "editor", "Editor"
        VIEWER = "viewer", "Viewer"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        ordering = ["workspace_id", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user"],
                name="membership_unique_user_per_workspace",
                violation_error_message="This user is already a member of the workspace.",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "editor", "viewer"]),
                name="membership_role_valid",
                violation_error_message="Role must be owner, editor or viewer.",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.workspace}"


class GPT(TimeStampedModel):
    """One custom GPT definition: every field of ChatGPT's Configure tab (GPT_EDITOR.md §1).

    `version` is the optimistic-locking counter: it goes up with every change to the GPT's
    document (its own fields, starters, knowledge files or actions), and every update names the
    version it started from.
    """

    class Visibility(models.TextChoices):
        # How the GPT is shared *in ChatGPT* (GPT_EDITOR.md §2); not GPT Studio's access control.
        INVITE_ONLY = "invite_only", "Invite-only"
        WORKSPACE_LINK = "workspace_link", "Anyone at your workspace with the link"
        WORKSPACE = "workspace", "Your workspace"
        LINK = "link", "Anyone with the link"
        GPT_STORE = "gpt_store", "GPT Store"

    class Readiness(models.TextChoices):
        ERRORS = "errors", "Has errors"
        WARNINGS = "warnings", "Has warnings"
        READY = "ready", "Ready"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="gpts")
    name = models.CharField(max_length=limits.STUDIO_NAME_HARD_MAX_LENGTH, validators=[MinLengthValidator(1)])
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH)
    description = models.CharField(max_length=limits.STUDIO_DESCRIPTION_HARD_MAX_LENGTH, blank=True)
    instructions = models.TextField(
        max_length=limits.STUDIO_INSTRUCTIONS_HARD_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(limits.STUDIO_INSTRUCTIONS_HARD_MAX_LENGTH)],
    )
    web_search = models.BooleanField("Web Search", default=True)
    canvas = models.BooleanField("Canvas", default=True)
    image_generation = models.BooleanField("Image Generation", default=True)
    code_interpreter = models.BooleanField("Code Interpreter & Data Analysis", default=False)
    recommended_model = models.CharField(
        max_length=100, blank=True, help_text="Free text: ChatGPT's model list changes with retirements."
    )
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.INVITE_ONLY)
    category = models.CharField(
        max_length=100, blank=True, help_text="Required by ChatGPT for the GPT Store; the list is server-driven."
    )
    use_conversation_data = models.BooleanField("Use conversation data in your GPT to improve our models", default=True)
    profile_picture = models.ImageField(upload_to="profile_pictures/%Y/%m/", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Validation outcome, stored by the service on every change so lists can show and filter it
    # without re-validating each row (`manage.py revalidate_gpts` refreshes it after rule changes).
    readiness = models.CharField(max_length=10, choices=Readiness.choices, default=Readiness.READY, db_index=True)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    # Stored with the validation outcome (`store_validation`, on every document change), so a list
    # page reads it from the row instead of counting each GPT's actions (benchmarks/api.py).
    action_count = models.PositiveIntegerField(default=0, editable=False)
    # Where the GPT came from in ChatGPT (its `g-…` id), set by the rescue import
    # (gpts.chatgpt_import). Not part of the GPT document: it says where a GPT came from, not what
    # it is, so exports and revisions stay as they were. A re-import matches on it.
    chatgpt_id = models.CharField("ChatGPT GPT id", max_length=100, blank=True, db_index=True, editable=False)
    chatgpt_imported_at = models.DateTimeField("Last imported from ChatGPT", null=True, blank=True, editable=False)
    chatgpt_profile_picture_url = models.URLField(max_length=2000, blank=True, editable=False)
    # ChatGPT's ids of knowledge files its JSON names but never carries (no name, no bytes): a
    # warning until the user has uploaded them (gpt_knowledge_pending_clear).
    chatgpt_pending_knowledge = models.JSONField(default=list, blank=True, editable=False)
    # Every knowledge file id the last import named, so a re-import keeps ids marked uploaded as done.
    chatgpt_knowledge_ids = models.JSONField(default=list, blank=True, editable=False)
    # Whether /mcp/<workspace>/<gpt>/ serves this GPT's actions as MCP tools; owners switch it on.
    # Off by default: an endpoint that calls APIs with stored keys is opted into, not discovered.
    mcp_enabled = models.BooleanField(
        "Serve as an MCP server",
        default=False,
        help_text="Serve this GPT's actions as an MCP server at /mcp/<workspace>/<gpt>/ (owners only).",
    )

    CAPABILITY_FIELDS = ("web_search", "canvas", "image_generation", "code_interpreter")

    class Meta:
        verbose_name = "GPT"
        verbose_name_plural = "GPTs"
        ordering = [Lower("name"), "id"]
        # The lists' default order: PostgreSQL pages through this index instead of sorting every
        # GPT the user can see (benchmarks/api.py: the page query 2.5 ms -> 0.7 ms on 1,000 GPTs).
        indexes = [models.Index(Lower("name"), "id", name="gpt_name_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "slug"],
                name="gpt_unique_slug_per_workspace",
                violation_error_message="Another GPT in this workspace already uses this slug.",
            ),
            models.UniqueConstraint(
                fields=["workspace", "chatgpt_id"],
                condition=~models.Q(chatgpt_id=""),
                name="gpt_unique_chatgpt_id_per_workspace",
                violation_error_message="Another GPT in this workspace was imported from this ChatGPT GPT.",
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=["invite_only", "workspace_link", "workspace", "link", "gpt_store"]),
                name="gpt_visibility_valid",
                violation_error_message="Visibility must be one of ChatGPT's five sharing levels.",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1),
                name="gpt_version_positive",
                violation_error_message="Version starts at 1.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def capabilities(self) -> dict[str, bool]:
        return {name: getattr(self, name) for name in self.CAPABILITY_FIELDS}


class ConversationStarter(models.Model):
    """One of a GPT's conversation starters; `position` keeps the editor's order (0 first)."""

    gpt = models.ForeignKey(GPT, on_delete=models.CASCADE, related_name="conversation_starters")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(
        max_length=limits.STUDIO_STARTER_MAX_LENGTH,
        validators=[MinLengthValidator(1), MaxLengthValidator(limits.STUDIO_STARTER_MAX_LENGTH)],
    )

    class Meta:
        ordering = ["gpt_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["gpt", "position"],
                name="starter_unique_position",
                violation_error_message="Two conversation starters cannot share a position.",
            ),
            models.CheckConstraint(
                condition=models.Q(position__lt=limits.GPT_CONVERSATION_STARTERS_MAX.value),
                name="starter_position_within_limit",
                violation_error_message=(
                    f"ChatGPT's editor holds at most {limits.GPT_CONVERSATION_STARTERS_MAX.value} "
                    "conversation starters."
                ),
            ),
        ]

    def __str__(self):
        return self.text


def knowledge_upload_to(instance, filename):
    # Content-addressed, so the stored name never depends on user input.
    return f"knowledge/{instance.sha256[:2]}/{instance.sha256}"


class KnowledgeFile(TimeStampedModel):
    """A file uploaded to the GPT's Knowledge; metadata is what the GPT document records."""

    gpt = models.ForeignKey(GPT, on_delete=models.CASCADE, related_name="knowledge_files")
    name = models.CharField(max_length=255, validators=[MinLengthValidator(1)])
    file = models.FileField(upload_to=knowledge_upload_to, max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    media_type = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["gpt_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["gpt", "name"],
                name="knowledge_unique_name_per_gpt",
                violation_error_message="This GPT already has a knowledge file with this name.",
            ),
            models.CheckConstraint(
                condition=models.Q(size__lte=limits.GPT_KNOWLEDGE_FILE_MAX_BYTES.value),
                name="knowledge_size_within_limit",
                violation_error_message=(
                    f"ChatGPT accepts knowledge files up to {limits.GPT_KNOWLEDGE_FILE_MAX_BYTES.value // 2**20} MB."
                ),
            ),
        ]

    def __str__(self):
        return self.name


def schema_sha256(text: str) -> str:
    """The key a schema text is stored under in SchemaText (hex SHA-256 of its UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class SchemaText(models.Model):
    """An action schema's text, stored once by content however many revisions hold it.

    Actions reference their text here (`Action.schema`), and revisions keep a schema's hash in
    their snapshot and reference the text here, so a save that leaves a 15 MB schema alone adds a
    few bytes, not another copy, and actions with the same schema share one row. Rows no action
    and no revision references are pruned (`gpts.services.schema_texts_prune`)."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    text = models.TextField()
    size = models.PositiveBigIntegerField(help_text="The text's length in UTF-8 bytes.")

    class Meta:
        ordering = ["sha256"]

    def __str__(self):
        return f"Schema {self.sha256[:12]} ({self.size} bytes)"

    @classmethod
    def of(cls, text: str) -> "SchemaText":
        """The row for `text` (unsaved): its hash and UTF-8 size computed once, here."""
        return cls(sha256=schema_sha256(text), text=text, size=len(text.encode("utf-8", "surrogatepass")))


class Revision(models.Model):
    """A snapshot of a GPT's document after one change, written by the service that made it.

    `snapshot` is the document with each action's `schema` replaced by the SHA-256 of its text,
    which lives once in SchemaText (`schemas`); `document` rebuilds the document exactly. Secrets
    are never part of the document, so never part of a revision.
    """

    gpt = models.ForeignKey(GPT, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(help_text="The GPT's version after this change.")
    snapshot = models.JSONField(help_text="The GPT document with each action's schema replaced by its SHA-256.")
    schemas = models.ManyToManyField(SchemaText, related_name="revisions", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["gpt_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["gpt", "number"],
                name="revision_unique_number_per_gpt",
                violation_error_message="This GPT already has a revision with this number.",
            ),
        ]

    def __str__(self):
        return f"{self.gpt} v{self.number}"

    @staticmethod
    def split_document(document: dict) -> tuple[dict, dict[str, str]]:
        """A document as (snapshot, {sha256: schema text}): what a revision stores."""
        texts = {}
        actions = []
        for entry in document.get("actions", []):
            digest = schema_sha256(entry["schema"])
            texts[digest] = entry["schema"]
            actions.append({**entry, "schema": digest})
        return {**document, "actions": actions}, texts

    @functools.cached_property
    def document(self) -> dict:
        """The GPT document at this revision, exactly as recorded (the schema texts read from
        SchemaText; prefetch `schemas` when reading it for many revisions)."""
        if not self.snapshot.get("actions"):
            return dict(self.snapshot)
        texts = {schema.sha256: schema.text for schema in self.schemas.all()}
        return {
            **self.snapshot,
            "actions": [{**entry, "schema": texts[entry["schema"]]} for entry in self.snapshot["actions"]],
        }


class Job(TimeStampedModel):
    """Slow work run by Celery (schema import from a URL, action test, big export), recorded so
    the UI and API can show its progress and outcome."""

    class Kind(models.TextChoices):
        SCHEMA_IMPORT = "schema_import", "Import schema from URL"
        ACTION_TEST = "action_test", "Test an action"
        EXPORT = "export", "Build an export"
        DOMAIN_REFRESH = "domain_refresh", "Recompute an action's domain"
        PROFILE_PICTURE_FETCH = "profile_picture_fetch", "Fetch the profile picture from ChatGPT"
        SCHEMA_CHECK = "schema_check", "Check a large schema"
        ACTION_SAVE = "action_save", "Save an action with a large schema"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    # Empty only for a large-schema check started from the workspace-less validate endpoint: such
    # a job is visible to its creator alone (gpts.selectors.jobs_for).
    workspace = models.ForeignKey(Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    gpt = models.ForeignKey(GPT, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    action = models.ForeignKey("actions.Action", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"


class Invitation(TimeStampedModel):
    """An invitation to join a workspace with a role, sent by email.

    Only a SHA-256 of the link's token is stored (like a password-reset token, the link is the
    credential). It is accepted by a signed-in user whose email address matches, at most once,
    before `expires_at`.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["workspace_id", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "workspace",
                condition=models.Q(accepted_at__isnull=True),
                name="invitation_one_open_per_email",
                violation_error_message="This address already has an open invitation to the workspace.",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "editor", "viewer"]),
                name="invitation_role_valid",
                violation_error_message="Role must be owner, editor or viewer.",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.workspace} ({self.role})"

    @property
    def is_open(self) -> bool:
        from django.utils import timezone

        return self.accepted_at is None and self.expires_at > timezone.now()

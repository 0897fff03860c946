"""A GPT's Actions (GPT_EDITOR.md §3-§5).

The schema text is kept exactly as given (JSON or YAML): exports paste it back byte for byte. It is
stored once by content in `gpts.models.SchemaText`, like the schemas of revisions.
Secrets (API key, OAuth client secret) are encrypted at rest and never part of a document,
revision or export. Write through `actions.services` only.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator
from django.db import models

from gpts.models import GPT, SLUG_MAX_LENGTH, SchemaText
from gptstudio import limits
from gptstudio.encryption import EncryptedTextField
from gptstudio.models import TimeStampedModel


class Action(TimeStampedModel):
    """One action set: an OpenAPI schema on one domain, its authentication and privacy URL."""

    class SchemaFormat(models.TextChoices):
        JSON = "json", "JSON"
        YAML = "yaml", "YAML"

    class AuthType(models.TextChoices):
        NONE = "none", "None"
        API_KEY = "api_key", "API Key"
        OAUTH = "oauth", "OAuth"

    class ApiKeyAuthType(models.TextChoices):
        BASIC = "basic", "Basic"
        BEARER = "bearer", "Bearer"
        CUSTOM = "custom", "Custom"

    class TokenExchangeMethod(models.TextChoices):
        DEFAULT_POST = "default_post", "Default (POST request)"
        BASIC_AUTH_HEADER = "basic_auth_header", "Basic authorization header"

    gpt = models.ForeignKey(GPT, on_delete=models.CASCADE, related_name="actions")
    name = models.CharField(max_length=100, validators=[MinLengthValidator(1)])
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(default=0)
    # The text lives once in SchemaText, shared with revisions and with other actions holding the
    # same schema; read it as `schema_text`, set it through `actions.services` only.
    schema = models.ForeignKey(SchemaText, on_delete=models.PROTECT, related_name="actions")
    schema_format = models.CharField(max_length=4, choices=SchemaFormat.choices, default=SchemaFormat.JSON)
    domain = models.CharField(
        max_length=253, blank=True, db_index=True, help_text="Derived from the schema's first server URL."
    )
    privacy_policy_url = models.URLField(max_length=2000, blank=True)

    auth_type = models.CharField(max_length=10, choices=AuthType.choices, default=AuthType.NONE)
    api_key_auth_type = models.CharField(max_length=10, choices=ApiKeyAuthType.choices, blank=True)
    api_key_custom_header = models.CharField(max_length=200, blank=True)
    api_key = EncryptedTextField(blank=True, default="")
    oauth_client_id = models.CharField(max_length=500, blank=True)
    oauth_client_secret = EncryptedTextField(blank=True, default="")
    oauth_authorization_url = models.URLField(max_length=2000, blank=True)
    oauth_token_url = models.URLField(max_length=2000, blank=True)
    oauth_scope = models.CharField(max_length=limits.STUDIO_OAUTH_SCOPE_MAX_LENGTH, blank=True)
    oauth_token_exchange_method = models.CharField(
        max_length=20, choices=TokenExchangeMethod.choices, default=TokenExchangeMethod.DEFAULT_POST
    )
    # MCP's openWorldHint as ChatGPT's review reads it (MIGRATION.md §3.3): whether the API changes
    # public or third-party state. Only the user knows; on by default, the cautious answer.
    changes_public_state = models.BooleanField(
        default=True,
        help_text="The API changes third-party or public state (sends, posts, publishes); "
        "off for the team's own private system. Gives the MCP export's openWorldHint.",
    )
    # Where test calls and the hosted MCP endpoint send requests instead of the schema's first
    # server (a staging or local API). Studio-only: not part of the GPT document or any export.
    base_url_override = models.URLField(
        max_length=2000,
        blank=True,
        help_text="Test calls and the hosted MCP endpoint call this base URL instead of the schema's server "
        "(e.g. a staging API). Empty: the schema's first server. The schema is not changed.",
    )
    version = models.PositiveIntegerField(default=1)

    # The non-secret authentication settings, in the order of ChatGPT's auth panel. Forms, the API,
    # the admin and the services all take their field lists from here.
    AUTH_CONFIG_FIELDS = (
        "api_key_auth_type",
        "api_key_custom_header",
        "oauth_client_id",
        "oauth_authorization_url",
        "oauth_token_url",
        "oauth_scope",
        "oauth_token_exchange_method",
    )

    class Meta:
        ordering = ["gpt_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["gpt", "slug"],
                name="action_unique_slug_per_gpt",
                violation_error_message="Another action of this GPT already uses this slug.",
            ),
            models.CheckConstraint(
                condition=models.Q(auth_type__in=["none", "api_key", "oauth"]),
                name="action_auth_type_valid",
                violation_error_message="Authentication must be none, api_key or oauth.",
            ),
            models.CheckConstraint(
                condition=~models.Q(auth_type="api_key")
                | models.Q(api_key_auth_type__in=["basic", "bearer", "custom"]),
                name="action_api_key_needs_auth_type",
                violation_error_message="API key authentication needs an auth type: basic, bearer or custom.",
            ),
            models.CheckConstraint(
                condition=~models.Q(auth_type="api_key", api_key_auth_type="custom")
                | ~models.Q(api_key_custom_header=""),
                name="action_custom_auth_needs_header",
                violation_error_message="Custom API key authentication needs a custom header name.",
            ),
            models.CheckConstraint(
                condition=~models.Q(auth_type="oauth")
                | (~models.Q(oauth_authorization_url="") & ~models.Q(oauth_token_url="")),
                name="action_oauth_needs_urls",
                violation_error_message="OAuth needs an authorization URL and a token URL.",
            ),
            models.CheckConstraint(
                condition=models.Q(oauth_token_exchange_method__in=["default_post", "basic_auth_header"]),
                name="action_token_exchange_method_valid",
                violation_error_message="Token exchange method must be default_post or basic_auth_header.",
            ),
            models.CheckConstraint(
                condition=models.Q(schema_format__in=["json", "yaml"]),
                name="action_schema_format_valid",
                violation_error_message="Schema format must be json or yaml.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """Field-specific messages for the auth combinations the check constraints also guard."""
        errors = {}
        if self.auth_type == self.AuthType.API_KEY:
            if not self.api_key_auth_type:
                errors["api_key_auth_type"] = "API key authentication needs an auth type: Basic, Bearer or Custom."
            elif self.api_key_auth_type == self.ApiKeyAuthType.CUSTOM and not self.api_key_custom_header.strip():
                errors["api_key_custom_header"] = "Custom API key authentication needs a header name, e.g. X-Api-Key."
        if self.auth_type == self.AuthType.OAUTH:
            # No client ID is allowed here: ChatGPT's own JSON of a GPT never carries it, so a rescued
            # action waits for it, reported by validation (`action.auth.secret_missing`) until entered.
            for field, label in (
                ("oauth_authorization_url", "an authorization URL"),
                ("oauth_token_url", "a token URL"),
            ):
                if not getattr(self, field).strip():
                    errors[field] = f"OAuth authentication needs {label}."
        if errors:
            raise ValidationError(errors)

    @property
    def schema_text(self) -> str:
        """The schema exactly as given. Reads the SchemaText row: `select_related("schema")` when
        reading it for many actions, and leave it out (or defer `schema__text`) where not needed."""
        return self.schema.text

    @property
    def has_api_key(self) -> bool:
        return bool(self.api_key)

    @property
    def has_client_secret(self) -> bool:
        return bool(self.oauth_client_secret)


class RetiredActionSecret(TimeStampedModel):
    """The secrets an action of this GPT lost without anyone asking: the action was deleted (by a
    user or a restore) or its authentication type changed. A restore or import that brings an
    action of that name back with the same kind of authentication gets its secret back.

    The identity is the action's name within the GPT: documents (and so revisions and exports)
    must stay free of anything else, and restores match actions by name. A secret cleared on
    purpose (an empty value given to the services) is dropped from here too, so no restore
    undoes it; the rows go with the GPT. An OAuth client secret comes back only to an action with
    the same client ID, since it belongs to that client.
    """

    gpt = models.ForeignKey(GPT, on_delete=models.CASCADE, related_name="retired_action_secrets")
    action_name = models.CharField(max_length=100)
    api_key = EncryptedTextField(blank=True, default="")
    oauth_client_id = models.CharField(max_length=500, blank=True)
    oauth_client_secret = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ["gpt_id", "action_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["gpt", "action_name"],
                name="retired_secret_unique_action_name_per_gpt",
                violation_error_message="This GPT already keeps retired secrets for an action of this name.",
            ),
        ]

    def __str__(self):
        return f"Retired secrets of {self.action_name}"


class CallRecord(models.Model):
    """The audit trail of the operation runner: one row per call of an action's operation, by a
    test call or the hosted MCP endpoint. Who, what, how it went and how big, never a secret,
    an argument or a body (they may hold personal data; the row is for accountability and limits)."""

    class Via(models.TextChoices):
        TEST_CALL = "test_call", "Test call"
        MCP = "mcp", "Hosted MCP endpoint"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_calls"
    )
    gpt = models.ForeignKey(GPT, on_delete=models.CASCADE, related_name="action_calls")
    # Kept when the action is deleted: the record names it in `action_name`.
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    action_name = models.CharField(max_length=100)
    operation = models.CharField(max_length=128, help_text="The tool name of the operation called.")
    method = models.CharField(max_length=10, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices)
    status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The upstream HTTP status, if any.")
    error_code = models.CharField(max_length=60, blank=True, help_text="The runner's refusal code, if refused.")
    duration_ms = models.PositiveIntegerField(default=0)
    bytes_out = models.PositiveIntegerField(default=0, help_text="Request body bytes sent.")
    bytes_in = models.PositiveIntegerField(default=0, help_text="Response body bytes received.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["gpt", "-created_at"], name="callrecord_gpt_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(via__in=["test_call", "mcp"]),
                name="callrecord_via_valid",
                violation_error_message="A call comes from a test call or the MCP endpoint.",
            ),
        ]

    def __str__(self):
        return f"{self.action_name}.{self.operation} ({self.via}) -> {self.status or self.error_code}"


class UpstreamConnection(TimeStampedModel):
    """One user's tokens for the API behind an OAuth action (the upstream), from the authorization
    code flow run by actions/upstream.py. Test calls and the hosted MCP endpoint send the calling
    user's access token, never anyone else's. Tokens are encrypted at rest and appear in no API
    output, revision or export; the row goes with the action, the user, or a disconnect."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="upstream_connections")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="upstream_connections")
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField(blank=True, default="")
    # When the access token expires (None: the upstream did not say, it is used until refused).
    expires_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(max_length=limits.STUDIO_OAUTH_SCOPE_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["action_id", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "action"],
                name="upstream_connection_one_per_user_and_action",
                violation_error_message="This user is already connected to this action's API.",
            ),
        ]

    def __str__(self):
        return f"Upstream connection of user {self.user_id} to action {self.action_id}"

"""Operator admin for actions. Secrets are write-only: the form never renders them, shows only
whether one is set, and replaces or clears one on request. Writes go through actions.services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from gpts.admin import GPTChoiceMixin, ServiceErrorsMixin, VersionedModelForm
from gptstudio import limits

from . import fields as action_fields
from . import services
from .models import Action, CallRecord

EDITABLE = ("gpt", *action_fields.admin_names())


class ActionAdminForm(VersionedModelForm):
    # Not a model field (the text lives in SchemaText): the service stores what is typed here.
    schema_text = forms.CharField(
        label="Schema text",
        required=False,
        strip=False,
        max_length=limits.STUDIO_SCHEMA_HARD_MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 24, "style": "font-family: monospace; width: 90%"}),
    )
    new_api_key = forms.CharField(
        label="Replace API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to keep the stored key. The stored key is never shown.",
    )
    clear_api_key = forms.BooleanField(label="Remove the stored API key", required=False)
    new_oauth_client_secret = forms.CharField(
        label="Replace OAuth client secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to keep the stored secret. The stored secret is never shown.",
    )
    clear_oauth_client_secret = forms.BooleanField(label="Remove the stored client secret", required=False)

    class Meta:
        model = Action
        fields = EDITABLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("schema_text", self.instance.schema_text)
        # The one rule of every interface: blank names the action after its schema (see action_create).
        self.fields["name"].required = False
        self.fields["name"].help_text = "Left empty, the schema's title (or its domain) is used."
        if self.instance.pk:
            self.fields["gpt"].disabled = True

    def _post_clean(self):
        # Model validation (auth combinations, URLs) runs in the service, which sees the secrets
        # too; its errors come back onto these fields through ServiceErrorsMixin.
        pass

    @staticmethod
    def secret_value(new: str, clear: bool) -> str | None:
        if clear:
            return ""
        return new or None


@admin.register(Action)
class ActionAdmin(GPTChoiceMixin, ServiceErrorsMixin, admin.ModelAdmin):
    form = ActionAdminForm
    list_display = ("name", "gpt", "domain", "auth_type", "has_api_key", "has_client_secret", "version", "updated_at")
    list_filter = ("auth_type", "api_key_auth_type", "schema_format", "changes_public_state")
    search_fields = ("name", "domain", "gpt__name", "privacy_policy_url")
    list_select_related = ("gpt",)
    readonly_fields = ("domain", "schema_format", "version", "secret_status", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("gpt", "name", "domain", "schema_format", "schema_text", "privacy_policy_url")}),
        ("MCP export and test calls", {"fields": ("changes_public_state", "base_url_override")}),
        (
            "Authentication",
            {
                "fields": (
                    "auth_type",
                    "api_key_auth_type",
                    "api_key_custom_header",
                    "oauth_client_id",
                    "oauth_authorization_url",
                    "oauth_token_url",
                    "oauth_scope",
                    "oauth_token_exchange_method",
                    "secret_status",
                    "new_api_key",
                    "clear_api_key",
                    "new_oauth_client_secret",
                    "clear_oauth_client_secret",
                )
            },
        ),
        ("Record", {"fields": ("version", "expected_version", "created_at", "updated_at")}),
    )

    @admin.display(boolean=True, description="API key")
    def has_api_key(self, obj):
        return obj.has_api_key

    @admin.display(boolean=True, description="Client secret")
    def has_client_secret(self, obj):
        return obj.has_client_secret

    @admin.display(description="Stored secrets")
    def secret_status(self, obj):
        parts = [
            f"API key: {'set' if obj.has_api_key else 'not set'}",
            f"OAuth client secret: {'set' if obj.has_client_secret else 'not set'}",
        ]
        return "; ".join(parts)

    @method_decorator(sensitive_post_parameters("new_api_key", "new_oauth_client_secret"))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Error reports must never carry a typed secret.
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in EDITABLE if name != "gpt"}
        secrets = {
            "api_key": ActionAdminForm.secret_value(data["new_api_key"], data["clear_api_key"]),
            "oauth_client_secret": ActionAdminForm.secret_value(
                data["new_oauth_client_secret"], data["clear_oauth_client_secret"]
            ),
        }
        if change:
            original = Action.objects.select_related("gpt").get(pk=obj.pk)
            saved = services.action_update(
                action=original,
                actor=request.user,
                expected_version=data["expected_version"],
                **secrets,
                **fields,
            )
        else:
            saved = services.action_create(gpt=data["gpt"], actor=request.user, **secrets, **fields)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.action_delete(action=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for action in queryset.select_related("gpt"):
            services.action_delete(action=action, actor=request.user)


@admin.register(CallRecord)
class CallRecordAdmin(admin.ModelAdmin):
    """The runner's audit trail: read-only (written by the runner only)."""

    list_display = ("created_at", "gpt", "action_name", "operation", "via", "status", "error_code", "duration_ms")
    list_filter = ("via", "error_code")
    search_fields = ("action_name", "operation", "gpt__name", "actor__email")
    list_select_related = ("gpt", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

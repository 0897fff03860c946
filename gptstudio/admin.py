"""Operator admin for personal API tokens: read-only, with a revoke action.

Tokens are created by their owner (the tokens page or the API), because the plaintext is shown
once, to them. The stored digest is never displayed: it identifies a credential and tells an
operator nothing. Revoking goes through `gptstudio.services.token_revoke`, like the owner's own.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone

from . import services
from .models import APIToken


class TokenStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked"))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at__isnull=True)
        if self.value() == "expired":
            return queryset.filter(expires_at__lte=now, revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix_shown", "status", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = (TokenStatusFilter, "created_at")
    search_fields = ("name", "prefix", "user__username", "user__email")
    list_select_related = ("user",)
    fields = ("name", "user", "prefix_shown", "status", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)

    @admin.display(description="Starts with")
    def prefix_shown(self, obj):
        return f"{obj.prefix}…"

    @admin.display(description="Status")
    def status(self, obj):
        if obj.revoked_at is not None:
            return "revoked"
        return "active" if obj.is_active() else "expired"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # Revoke instead: the record of a token and its last use stays.

    def has_revoke_permission(self, request):
        return request.user.has_perm("gptstudio.change_apitoken")

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke(self, request, queryset):
        to_revoke = list(queryset.filter(revoked_at__isnull=True))
        already = queryset.count() - len(to_revoke)
        for token in to_revoke:
            services.token_revoke(token=token)
        revoked = len(to_revoke)
        message = f"Revoked {revoked} token{'s' if revoked != 1 else ''}."
        if already:
            message += f" {already} already revoked, left as they were."
        self.message_user(request, message, level=messages.SUCCESS if revoked else messages.WARNING)

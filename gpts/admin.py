"""Operator admin for workspaces, GPTs, knowledge files, invitations, revisions and jobs.

Every write goes through `gpts.services`: the admin only translates forms into service calls.
Edit forms carry the version they were opened at, so an operator cannot silently overwrite a
user's edit; a service's refusal shows the form again, as typed, with the errors on their fields.
Revisions and jobs are read-only; invitations can only be revoked.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import construct_change_message
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html

from actions.models import Action
from gptstudio.errors import EditConflict
from gptstudio.forms import NormalizedNewlinesMixin

from . import fields as gpt_fields
from . import services
from .models import GPT, ConversationStarter, Invitation, Job, KnowledgeFile, Membership, Revision, Workspace

MISSING_VERSION_MESSAGE = (
    "This form did not say which version it was opened at (its hidden version field is missing or "
    "not a number), so saving it could overwrite someone else's change. Reload the page and make "
    "your change again."
)


class VersionedModelForm(NormalizedNewlinesMixin, forms.ModelForm):
    """An edit form carrying, in a hidden field, the version of the object when it was opened.
    Its text arrives with "\n" line ends, as from the studio's forms (a browser sends CRLF, which
    would otherwise record a phantom change of every multi-line field).

    The service compares it under a row lock; a form without one is refused here rather than
    assuming the current version, which would turn a stale form into a silent overwrite."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        # A non-field error: the admin hides the rows of hidden fields, errors included.
        if self.instance.pk is not None and cleaned.get("expected_version") is None:
            raise forms.ValidationError(MISSING_VERSION_MESSAGE, code="version_missing")
        return cleaned


class ServiceErrorsForm(forms.BaseForm):
    """Mixed into an admin form class to put a service's refusal (`service_error`) on the form."""

    service_error: ValidationError | EditConflict

    def full_clean(self):
        from .views import apply_errors

        super().full_clean()
        if not self.is_bound:
            return
        if isinstance(self.service_error, EditConflict):
            self.add_error(None, str(self.service_error))
        else:
            apply_errors(self, self.service_error)


class GPTChoiceField(forms.ModelChoiceField):
    """GPT names repeat across workspaces: the dropdown says whose each one is."""

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.workspace.name})"


class GPTChoiceMixin:
    """For admins of models with a `gpt` foreign key: label the choices "Name (workspace)"."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "gpt":
            kwargs.setdefault("queryset", GPT.objects.select_related("workspace").order_by("name", "workspace__name"))
            kwargs.setdefault("form_class", GPTChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ServiceErrorsMixin:
    """Turn a service's EditConflict or ValidationError raised during a save into form errors.

    The admin saves inside one transaction, which the exception rolls back, so nothing was
    written. The same POST is then validated once more with the service's errors attached
    (`get_form`), so the admin renders the bound form: what the operator typed stays, and each
    error sits on its field (or at the top when the form has no such field)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (EditConflict, ValidationError) as exc:
            if request.method != "POST":
                raise
            request._service_error = exc
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            finally:
                del request._service_error

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        error = getattr(request, "_service_error", None)
        if error is None:
            return form_class
        return type(form_class.__name__, (ServiceErrorsForm, form_class), {"service_error": error})

    def get_deleted_objects(self, objs, request):
        # Revisions and jobs are read-only in the admin, but they go with the GPT or workspace
        # they belong to; the service deletes them, so they must not block the deletion.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed -= {Revision._meta.verbose_name, Job._meta.verbose_name}
        return deleted, counts, perms_needed, protected

    def construct_change_message(self, request, form, formsets, add=False):
        # Inline formsets are applied by the services, not saved by the admin, so they have no
        # new/changed/deleted object lists; the revision records the detail instead.
        return construct_change_message(form, [], add)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except (EditConflict, ValidationError) as exc:
            self._report_refusal(request, exc)
            return HttpResponseRedirect(request.get_full_path())

    def response_action(self, request, queryset, *args, **kwargs):
        # An action ("delete selected") runs outside a transaction: one object refused by its
        # service must not leave the objects before it deleted (nor their log entries written).
        try:
            with transaction.atomic():
                return super().response_action(request, queryset, *args, **kwargs)
        except (EditConflict, ValidationError) as exc:
            self._report_refusal(request, exc)
            return HttpResponseRedirect(request.get_full_path())

    def _report_refusal(self, request, exc):
        self.message_user(request, "; ".join(getattr(exc, "messages", [str(exc)])), level=messages.ERROR)


# --- Workspaces ---------------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role")
    autocomplete_fields = ("user",)


@admin.register(Workspace)
class WorkspaceAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "member_count", "gpt_count", "created_at")
    search_fields = ("name", "slug")
    readonly_fields = ("created_at", "updated_at")
    inlines = [MembershipInline]

    def get_queryset(self, request):
        from django.db.models import Count

        return (
            super()
            .get_queryset(request)
            .annotate(_members=Count("memberships", distinct=True), _gpts=Count("gpts", distinct=True))
        )

    @admin.display(description="Members", ordering="_members")
    def member_count(self, obj):
        return obj._members

    @admin.display(description="GPTs", ordering="_gpts")
    def gpt_count(self, obj):
        return obj._gpts

    def get_fields(self, request, obj=None):
        return ("name",) if obj is None else ("name", "slug", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else (*self.readonly_fields, "slug")

    def save_model(self, request, obj, form, change):
        if change:
            services.workspace_update(workspace=obj, name=form.cleaned_data["name"])
        else:
            created = services.workspace_create(name=form.cleaned_data["name"], owner=request.user)
            obj.pk = created.pk
            obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        workspace = form.instance
        # Who each existing row belonged to before this POST: form validation has already put
        # the typed user on the row's instance.
        original_users = {
            m.pk: m.user
            for m in Membership.objects.filter(pk__in=[f.instance.pk for f in formset.forms if f.instance.pk])
        }
        for inline_form in formset.forms:
            membership = inline_form.instance
            original = original_users.get(membership.pk)
            if inline_form in formset.deleted_forms:
                if original is not None:
                    services.membership_remove(workspace=workspace, user=original)
                continue
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            user = inline_form.cleaned_data["user"]
            services.membership_set(workspace=workspace, user=user, role=inline_form.cleaned_data["role"])
            if original is not None and original != user:
                # The row now names someone else: the person it named leaves (after the new
                # member is in, so an owner can hand the workspace over in one save).
                services.membership_remove(workspace=workspace, user=original)

    def delete_model(self, request, obj):
        services.workspace_delete(workspace=obj)

    def delete_queryset(self, request, queryset):
        for workspace in queryset:
            services.workspace_delete(workspace=workspace)


@admin.register(Membership)
class MembershipAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    list_display = ("user", "workspace", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "workspace__name")
    list_select_related = ("user", "workspace")

    def has_add_permission(self, request):
        return False  # Members are managed on the workspace page, through the services.

    def has_change_permission(self, request, obj=None):
        return False

    # Deletes go through the service, which refuses to remove a workspace's last owner.
    def delete_model(self, request, obj):
        services.membership_remove(workspace=obj.workspace, user=obj.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("workspace", "user"):
            services.membership_remove(workspace=membership.workspace, user=membership.user)


# --- GPTs ------------------------------------------------------------------------------------


class GPTAdminForm(VersionedModelForm):
    class Meta:
        model = GPT
        fields = ("workspace", *gpt_fields.admin_names())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        if self.instance.pk:
            self.fields["workspace"].disabled = True

    def validate_unique(self):
        # The service assigns a unique slug; uniqueness errors come from it with its own message.
        pass


class StarterInlineForm(NormalizedNewlinesMixin, forms.ModelForm):
    """Positions may be swapped freely: the service rewrites the list, so no per-row checks."""

    class Meta:
        model = ConversationStarter
        fields = ("position", "text")

    def _post_clean(self):
        pass


class ConversationStarterInline(admin.TabularInline):
    model = ConversationStarter
    form = StarterInlineForm
    extra = 1
    fields = ("position", "text")
    ordering = ("position",)


class ActionInline(admin.TabularInline):
    """Listed here, edited on the action's own page (secrets and versioning live there)."""

    model = Action
    extra = 0
    fields = ("name", "domain", "auth_type", "privacy_policy_url")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class KnowledgeFileInline(admin.TabularInline):
    model = KnowledgeFile
    extra = 0
    fields = ("name", "size", "media_type", "sha256", "created_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GPT)
class GPTAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    form = GPTAdminForm
    list_display = ("name", "workspace", "visibility", "version", "action_count", "updated_by", "updated_at")
    list_filter = ("visibility", "workspace", *gpt_fields.capability_names())
    search_fields = ("name", "slug", "description", "instructions")
    list_select_related = ("workspace", "updated_by")
    readonly_fields = ("version", "created_by", "created_at", "updated_by", "updated_at")
    inlines = [ConversationStarterInline, ActionInline, KnowledgeFileInline]

    def save_model(self, request, obj, form, change):
        # Saved in save_related, once the starters are known, so one admin save is one revision.
        pass

    def save_related(self, request, form, formsets, change):
        fields = {name: form.cleaned_data[name] for name in GPTAdminForm.Meta.fields if name != "workspace"}
        if not fields["slug"]:
            fields.pop("slug")
        if fields.get("profile_picture") is False:  # "Clear" ticked.
            fields["profile_picture"] = ""
        starters = self._starters(formsets)
        if change:
            expected = form.cleaned_data["expected_version"]
            original = GPT.objects.get(pk=form.instance.pk)
            if original.profile_picture == fields.get("profile_picture"):
                fields.pop("profile_picture", None)
            gpt = services.gpt_update(
                gpt=original, actor=request.user, expected_version=expected, conversation_starters=starters, **fields
            )
        else:
            gpt = services.gpt_create(
                workspace=form.cleaned_data["workspace"], actor=request.user, conversation_starters=starters, **fields
            )
        form.instance.pk = gpt.pk
        form.instance.refresh_from_db()

    @staticmethod
    def _starters(formsets) -> list[str]:
        for formset in formsets:
            if formset.model is ConversationStarter:
                kept = [
                    f.cleaned_data
                    for f in formset.forms
                    if f.cleaned_data and f not in formset.deleted_forms and f.cleaned_data.get("text")
                ]
                kept.sort(key=lambda data: data.get("position") or 0)
                return [data["text"] for data in kept]
        return []

    def delete_model(self, request, obj):
        services.gpt_delete(gpt=obj)

    def delete_queryset(self, request, queryset):
        for gpt in queryset:
            services.gpt_delete(gpt=gpt)


# --- Knowledge files --------------------------------------------------------------------------


class KnowledgeFileAddForm(forms.ModelForm):
    class Meta:
        model = KnowledgeFile
        fields = ("gpt", "file")


@admin.register(KnowledgeFile)
class KnowledgeFileAdmin(GPTChoiceMixin, ServiceErrorsMixin, admin.ModelAdmin):
    list_display = ("name", "gpt", "size", "media_type", "uploaded_by", "created_at")
    search_fields = ("name", "sha256", "gpt__name")
    list_filter = ("media_type",)
    list_select_related = ("gpt", "uploaded_by")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = KnowledgeFileAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ("gpt", "file") if obj is None else ("gpt", "name", "size", "sha256", "media_type", "uploaded_by")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("gpt", "name", "size", "sha256", "media_type", "uploaded_by")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def save_model(self, request, obj, form, change):
        created = services.knowledge_file_add(
            gpt=form.cleaned_data["gpt"], actor=request.user, upload=form.cleaned_data["file"]
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.knowledge_file_delete(knowledge=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for knowledge in queryset.select_related("gpt"):
            services.knowledge_file_delete(knowledge=knowledge, actor=request.user)


# --- Read-only records ---------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ("gpt", "number", "author", "summary", "created_at")
    list_filter = ("gpt__workspace",)
    search_fields = ("gpt__name", "summary")
    list_select_related = ("gpt", "author")
    fields = ("gpt", "number", "author", "created_at", "summary", "document_pretty")
    readonly_fields = fields

    @admin.display(description="Document")
    def document_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.document, indent=2, ensure_ascii=False))


class InvitationStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("open", "Open"), ("accepted", "Accepted"), ("expired", "Expired"))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "open":
            return queryset.filter(accepted_at__isnull=True, expires_at__gt=now)
        if self.value() == "accepted":
            return queryset.filter(accepted_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(accepted_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations are sent from the members page; here an operator can find and revoke them.
    The token's digest is left out on purpose: it is useless to read and a credential's hash."""

    list_display = ("email", "workspace", "role", "status", "invited_by", "created_at", "expires_at", "accepted_by")
    list_filter = (InvitationStatusFilter, "role", "workspace")
    search_fields = ("email", "workspace__name", "workspace__slug", "invited_by__username")
    list_select_related = ("workspace", "invited_by", "accepted_by")
    fields = (
        "workspace",
        "email",
        "role",
        "status",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    )
    readonly_fields = fields
    actions = ("revoke",)

    @admin.display(description="Status")
    def status(self, obj):
        if obj.accepted_at is not None:
            return "accepted"
        return "open" if obj.is_open else "expired"

    def has_revoke_permission(self, request):
        # Revoking deletes the invitation (`invitation_revoke`), so it needs the delete permission.
        return request.user.has_perm("gpts.delete_invitation")

    @admin.action(description="Revoke selected invitations", permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = kept = 0
        for invitation in queryset:
            if invitation.accepted_at is not None:
                kept += 1  # Used already: revoking would only erase the record of who joined.
                continue
            services.invitation_revoke(invitation=invitation)
            revoked += 1
        message = f"Revoked {revoked} invitation{'s' if revoked != 1 else ''}."
        if kept:
            message += f" {kept} already accepted, kept as a record."
        self.message_user(request, message, level=messages.SUCCESS if revoked else messages.WARNING)


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "status", "workspace", "gpt", "attempts", "created_at", "finished_at")
    list_filter = ("kind", "status")
    search_fields = ("error",)
    list_select_related = ("workspace", "gpt")

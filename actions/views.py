"""The action editor: schema with line numbers and live findings (debounced htmx validation
against `validate_schema_text`), Format, file upload, import from URL as a job, the operations
table, ChatGPT's authentication panel (secrets write-only) and the privacy policy URL."""

from __future__ import annotations

import json

import yaml
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gpts import selectors
from gpts.access import role_context, workspace_view
from gpts.diff import unified
from gpts.models import Job
from gpts.permissions import Access
from gpts.views import apply_errors
from gptstudio import limits
from gptstudio.errors import EditConflict

from . import services
from .domain import detect_schema_format
from .forms import ActionForm
from .models import Action
from .schema import parse_schema, validate_schema_text

# Live validation answers while the user types; anything bigger is validated on save only.
LIVE_VALIDATION_MAX_BYTES = 2 * 1024 * 1024


def _gpt(request, workspace, gpt_slug: str):
    return selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt_slug)


def _gpt_only(workspace, gpt_slug: str):
    """Just the GPT row, for the endpoints the editor calls while the user types or waits (live
    validation on every pause, Format, the import job polled every second): they need no starters,
    files or actions, so none are prefetched. The decorator has already checked the workspace."""
    return get_object_or_404(workspace.gpts.only("id", "workspace_id", "slug", "name"), slug=gpt_slug)


def _action(gpt, action_slug: str) -> Action:
    for action in gpt.actions.all():  # prefetched by gpt_get
        if action.slug == action_slug:
            return action
    raise Http404("No such action.")


def report_context(schema_text: str) -> dict:
    """The findings, operations and gutter marks for a schema text."""
    if len(schema_text.encode()) > LIVE_VALIDATION_MAX_BYTES:
        return {"schema_report": None, "too_big_for_live": True}
    schema_report = validate_schema_text(schema_text) if schema_text.strip() else None
    error_lines, warning_lines = set(), set()
    for finding in schema_report.findings if schema_report else []:
        if finding.line:
            (error_lines if finding.severity == "error" else warning_lines).add(finding.line)
    return {
        "schema_report": schema_report,
        "error_lines": " ".join(str(n) for n in sorted(error_lines)),
        "warning_lines": " ".join(str(n) for n in sorted(warning_lines - error_lines)),
        "limits": limits,
    }


def _editor(request, workspace, gpt, action, form, *, status=200, conflict=None):
    schema_text = form["schema_text"].value() or ""
    context = {
        "workspace": workspace,
        "gpt": gpt,
        "action": action,
        "form": form,
        "schema_lines": range(1, schema_text.count("\n") + 2),
        "conflict": conflict,
        **report_context(schema_text),
        **role_context(request.role),
    }
    return render(request, "actions/action_editor.html", context, status=status)


@workspace_view(Access.EDIT)
@require_http_methods(["GET", "POST"])
def action_new(request, workspace, gpt):
    gpt = _gpt(request, workspace, gpt)
    form = ActionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            action = services.action_create(gpt=gpt, actor=request.user, **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Action “{action.name}” added to {gpt.name}.")
            return redirect("actions:action_edit", workspace.slug, gpt.slug, action.slug)
    return _editor(request, workspace, gpt, None, form, status=400 if form.errors else 200)


@workspace_view(Access.VIEW, write_needs=Access.EDIT)
@require_http_methods(["GET", "POST"])
def action_edit(request, workspace, gpt, action):
    gpt = _gpt(request, workspace, gpt)
    action = _action(gpt, action)
    if request.method == "GET":
        return _editor(
            request, workspace, gpt, action, ActionForm(initial=ActionForm.initial_for(action), action=action)
        )
    form = ActionForm(request.POST, request.FILES, action=action)
    if form.is_valid():
        version = form.cleaned_data["version"]
        try:
            saved = services.action_update(
                action=action, actor=request.user, expected_version=version, **form.service_fields()
            )
        except EditConflict as conflict:
            return _action_conflict(request, workspace, gpt, action, form, conflict)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if saved.version == version:
                messages.info(request, "Nothing changed.")
            else:
                messages.success(request, f"Action “{saved.name}” saved.")
            return redirect("actions:action_edit", workspace.slug, gpt.slug, saved.slug)
    return _editor(request, workspace, gpt, action, form, status=400)


def _action_conflict(request, workspace, gpt, action, form, conflict: EditConflict):
    """Someone saved the action since this page was opened: keep the user's text in the form,
    show what the other save contains, and let a second, informed save replace it."""
    current = Action.objects.get(pk=action.pk)
    data = request.POST.copy()
    data["version"] = str(current.version)
    rebound = ActionForm(data, action=current)
    rebound.is_valid()
    theirs = {field: getattr(current, field) for field in ActionForm.SERVICE_FIELDS}
    mine = {field: form.cleaned_data[field] for field in ActionForm.SERVICE_FIELDS}
    changed = [field for field in ActionForm.SERVICE_FIELDS if theirs[field] != mine[field]]
    info = {
        "current_version": current.version,
        "changed": [ActionForm.base_fields[field].label or field for field in changed],
        "schema_diff": unified(current.schema_text, mine["schema_text"], label="schema (theirs → yours)"),
        "secrets_dropped": bool(form.cleaned_data.get("api_key") or form.cleaned_data.get("oauth_client_secret")),
    }
    return _editor(request, workspace, gpt, current, rebound, status=409, conflict=info)


@workspace_view(Access.EDIT)
@require_POST
def action_delete(request, workspace, gpt, action):
    gpt = _gpt(request, workspace, gpt)
    action = _action(gpt, action)
    services.action_delete(action=action, actor=request.user)
    messages.success(request, f"Action “{action.name}” removed from {gpt.name}.")
    return redirect("gpts:gpt_edit", workspace.slug, gpt.slug)


@workspace_view(Access.VIEW)
@require_POST
def schema_validate(request, workspace, gpt):
    """htmx: the findings and operations of the schema being typed (no write)."""
    _gpt_only(workspace, gpt)
    schema_text = request.POST.get("schema_text", "")
    return render(request, "actions/action_editor.html#schema-report", report_context(schema_text))


@workspace_view(Access.VIEW)
@require_POST
def schema_format(request, workspace, gpt):
    """Pretty-print JSON (2-space indent) or YAML (block style, key order kept). JSON answer:
    {"text", "format"} or, when the text does not parse, {"error"} with status 400."""
    _gpt_only(workspace, gpt)
    text = request.POST.get("schema_text", "")
    parsed = parse_schema(text)
    if parsed.data is None or not text.strip():
        return JsonResponse(
            {"error": "The schema does not parse as JSON or YAML; fix the first finding, then format."}, status=400
        )
    if detect_schema_format(text) == "json":
        formatted = json.dumps(parsed.data, indent=2, ensure_ascii=False) + "\n"
    else:
        formatted = yaml.dump(parsed.data, Dumper=yaml.SafeDumper, sort_keys=False, allow_unicode=True, width=100)
    return JsonResponse({"text": formatted, "format": detect_schema_format(text)})


# --- Import from URL (a job) ---------------------------------------------------------------


def _import_service():
    """The schema-import job service, when the schema engine's import is installed."""
    try:
        from .imports import schema_import_start
    except ImportError:
        return None
    return schema_import_start


@workspace_view(Access.EDIT)
@require_POST
def schema_import(request, workspace, gpt):
    gpt = _gpt(request, workspace, gpt)
    url = request.POST.get("url", "").strip()
    start = _import_service()
    context = {"workspace": workspace, "gpt": gpt}
    if start is None:
        context["import_error"] = "Import from URL is not available on this installation yet."
    elif not url:
        context["import_error"] = "Enter the URL of an OpenAPI schema (https://… or http://…)."
    else:
        action = None
        if request.POST.get("action"):
            action = get_object_or_404(Action, gpt=gpt, slug=request.POST["action"])
        try:
            context["job"] = start(gpt=gpt, url=url, actor=request.user, action=action)
        except ValidationError as error:
            context["import_error"] = " ".join(error.messages)
    return render(request, "actions/partials/import_job.html", context)


@workspace_view(Access.VIEW)
@require_GET
def schema_import_job(request, workspace, gpt, job_id):
    job = get_object_or_404(
        Job.objects.select_related("action", "gpt"),
        pk=job_id,
        gpt__workspace=workspace,
        gpt__slug=gpt,
        kind=Job.Kind.SCHEMA_IMPORT,
    )
    return render(request, "actions/partials/import_job.html", {"workspace": workspace, "gpt": job.gpt, "job": job})

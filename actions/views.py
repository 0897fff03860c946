"""The action editor: schema with line numbers and live findings (debounced htmx validation
against `validate_schema_text`), Format, file upload, import from URL as a job, the operations
table, ChatGPT's authentication panel (secrets write-only) and the privacy policy URL.

A schema over the synchronous cap (actions.heavy) is checked and saved by a job: the page shows
"Checking a large schema…" or "Saving…" and polls the job with htmx."""

from __future__ import annotations

import json
import re

import yaml
from django.contrib import messages
from django.core.cache import cache
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
from gptstudio.api.throttling import ActionCallThrottle
from gptstudio.errors import EditConflict, TooManyHeavyJobs

from . import heavy, services
from .calls import action_call, action_call_start
from .domain import detect_schema_format
from .forms import ActionForm
from .models import Action
from .runner import OperationRefused, action_operations, find_operation
from .schema import parse_schema, validate_schema_text
from .schema.report import schema_cache_key
from .upstream import callback_url, upstream_connected


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
    """The findings, operations and gutter marks for a schema text. Over the synchronous cap, the
    cached report if there is one, else `heavy_schema` (the page then starts a check job)."""
    if heavy.is_heavy(schema_text):
        cached = cache.get(schema_cache_key(schema_text))
        if cached is not None:
            return _report_marks(cached)
        return {"schema_report": None, "heavy_schema": True, "sync_max_bytes": heavy.sync_max_bytes()}
    return _report_marks(validate_schema_text(schema_text) if schema_text.strip() else None)


def _report_marks(schema_report) -> dict:
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


def _editor(request, workspace, gpt, action, form, *, status=200, conflict=None, save_job=None):
    schema_text = form["schema_text"].value() or ""
    roles = role_context(request.role)
    context = {
        "workspace": workspace,
        "gpt": gpt,
        "action": action,
        "form": form,
        "schema_lines": range(1, schema_text.count("\n") + 2),
        "conflict": conflict,
        "save_job": save_job,
        # The saved action's operations (what a test call runs), not the text being edited.
        "try_operations": try_operations(action, gpt.actions.all()) if action and roles["can_edit"] else [],
        **upstream_context(action, request.user),
        "limits": limits,
        **report_context(schema_text),
        **roles,
    }
    return render(request, "actions/action_editor.html", context, status=status)


def upstream_context(action: Action | None, user) -> dict:
    """The Connect / Disconnect panel of a saved OAuth action: the current user's connection."""
    if action is None or action.auth_type != Action.AuthType.OAUTH:
        return {}
    return {
        "upstream_oauth": True,
        "upstream_connection": upstream_connected(action=action, user=user),
        "upstream_callback_url": callback_url(),
    }


@workspace_view(Access.EDIT)
@require_http_methods(["GET", "POST"])
def action_new(request, workspace, gpt):
    gpt = _gpt(request, workspace, gpt)
    form = ActionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if heavy.is_heavy(fields["schema_text"]):
            return _save_job(request, workspace, gpt, None, form, lambda: fields)  # the job names it
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
        if heavy.is_heavy(form.cleaned_data["schema_text"]):
            return _save_job(request, workspace, gpt, action, form, form.service_fields, expected_version=version)
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


def _save_job(request, workspace, gpt, action, form, service_fields, **expected):
    """Hand a save with a schema over the synchronous cap to a job; the page shows its progress."""
    try:
        job = heavy.action_save_start(actor=request.user, gpt=gpt, action=action, **expected, **service_fields())
    except TooManyHeavyJobs as refused:
        form.add_error("schema_text", str(refused))
        return _editor(request, workspace, gpt, action, form, status=429)
    except ValidationError as error:
        apply_errors(form, error)
        return _editor(request, workspace, gpt, action, form, status=400)
    return _editor(request, workspace, gpt, action, form, status=202, save_job=job)


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
    gpt = _gpt_only(workspace, gpt)
    schema_text = request.POST.get("schema_text", "")
    context = report_context(schema_text)
    if context.get("heavy_schema"):
        try:
            job = heavy.schema_check_start(actor=request.user, text=schema_text, gpt=gpt)
        except TooManyHeavyJobs as refused:
            context = {"heavy_error": str(refused)}
        else:
            context.update(heavy_schema=False, heavy_job=job)
    context.update(workspace=workspace, gpt=gpt)
    return render(request, "actions/action_editor.html#schema-report", context)


@workspace_view(Access.VIEW)
@require_GET
def heavy_job(request, workspace, gpt, job_id):
    """htmx: a large-schema job's progress. A check answers the findings panel (its report once
    done), a save a status line with a link to the saved action."""
    job = get_object_or_404(
        Job.objects.select_related("action", "gpt").defer("params"),  # the stored input: megabytes
        pk=job_id,
        gpt__workspace=workspace,
        gpt__slug=gpt,
        kind__in=heavy.HEAVY_KINDS,
    )
    context = {"workspace": workspace, "gpt": job.gpt}
    if job.kind == Job.Kind.ACTION_SAVE:
        return render(request, "actions/partials/save_job.html", {**context, "save_job": job})
    if job.status == Job.Status.SUCCEEDED:
        context.update(_report_marks(heavy.report_from_dict(job.result)))
    elif job.status == Job.Status.FAILED:
        context["heavy_error"] = job.error or "The check failed."
    else:
        context.update(heavy_job=job, sync_max_bytes=heavy.sync_max_bytes())
    return render(request, "actions/action_editor.html#schema-report", context)


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


# --- Try it (test calls) ------------------------------------------------------------------------


def _primary_type(schema) -> str:
    """The JSON type an input stands for: the schema's type, the first non-null one of a union."""
    kind = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind if isinstance(kind, str) else "string"


def _form_value(raw: str, schema: dict):
    """A typed value from a text input, as the operation's schema wants it (the runner validates)."""
    kind = _primary_type(schema)
    if kind == "integer" and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", raw):
        return float(raw)
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    if kind == "array":
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        return [_form_value(part.strip(), items) for part in raw.split(",") if part.strip()]
    if kind == "object":
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def try_arguments(operation, post) -> dict:
    """The Try-it form's inputs as the runner's one argument object (empty inputs left out). A body
    that is not valid JSON is refused here, with the pointer the runner would give."""
    properties = operation.input_schema.get("properties", {})
    arguments = {}
    for argument in operation.tool.arguments:
        raw = post.get(f"arg-{argument.argument}", "").strip()
        if raw:
            arguments[argument.argument] = _form_value(raw, properties.get(argument.argument, {}))
    body = operation.tool.body
    raw_body = post.get("body", "")
    if body is not None and raw_body.strip():
        if "json" in body.content_type.lower():
            try:
                arguments[body.argument] = json.loads(raw_body)
            except ValueError as exc:
                raise OperationRefused("runner.bad_arguments", f"The body is not valid JSON: {exc}.", "/body") from None
        else:
            arguments[body.argument] = raw_body
    return arguments


def try_operations(action: Action, siblings) -> list[dict]:
    """The operations for the Try-it panel, each with its form's inputs."""
    operations = []
    for operation in action_operations(action, siblings):
        properties = operation.input_schema.get("properties", {})
        required = set(operation.input_schema.get("required", []))
        inputs = []
        for argument in operation.tool.arguments:
            schema = properties.get(argument.argument, {})
            inputs.append(
                {
                    "name": argument.argument,
                    "location": argument.location,
                    "kind": _primary_type(schema),
                    "required": argument.argument in required,
                    "enum": [v for v in schema.get("enum", []) if v is not None] if isinstance(schema, dict) else [],
                    "description": schema.get("description", "") if isinstance(schema, dict) else "",
                }
            )
        body = operation.tool.body
        operations.append(
            {
                "operation": operation,
                "inputs": inputs,
                "body": body,
                "body_example": json.dumps(_example(properties.get(body.argument, {})), indent=2) if body else "",
            }
        )
    return operations


def _example(schema, depth: int = 0):
    """A starting body for the textarea: required properties with placeholder values."""
    if not isinstance(schema, dict) or depth > 4:
        return None
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {
            name: _example(properties[name], depth + 1) for name in schema.get("required", []) if name in properties
        }
    if kind == "array":
        return []
    return {"integer": 0, "number": 0, "boolean": False, "string": ""}.get(kind)


@workspace_view(Access.EDIT)
@require_POST
def action_try(request, workspace, gpt, action, operation):
    """htmx: run one test call from the Try-it panel; answers the result fragment."""
    gpt = _gpt(request, workspace, gpt)
    action = _action(gpt, action)
    context = {"workspace": workspace, "gpt": gpt, "action": action, "response": None, "refused": None, "job": None}
    throttle = ActionCallThrottle()  # the API's limit, shared: one count per user
    if not throttle.allow_request(request, None):
        wait = throttle.wait()
        context["refused"] = OperationRefused(
            "runner.throttled", f"Too many test calls; try again in {int(wait or 1)} s.", ""
        )
        # 200 like every refusal fragment: htmx swaps in only successful answers.
        return render(request, "actions/partials/try_result.html", context)
    try:
        found = find_operation(action, operation)
        arguments = try_arguments(found, request.POST)
        if request.POST.get("as_job"):
            context["job"] = action_call_start(
                action=action, actor=request.user, operation=found.name, arguments=arguments
            )
        else:
            context["response"] = action_call(
                action=action, actor=request.user, operation=found.name, arguments=arguments
            ).as_dict()
    except OperationRefused as refused:
        context["refused"] = refused
    return render(request, "actions/partials/try_result.html", context)


@workspace_view(Access.EDIT)
@require_GET
def action_try_job(request, workspace, gpt, action, job_id):
    job = get_object_or_404(
        Job.objects.select_related("action", "gpt"),
        pk=job_id,
        gpt__workspace=workspace,
        gpt__slug=gpt,
        action__slug=action,
        kind=Job.Kind.ACTION_TEST,
    )
    return render(
        request,
        "actions/partials/try_result.html",
        {
            "workspace": workspace,
            "gpt": job.gpt,
            "action": job.action,
            "job": job,
            "refused": None,
            "response": job.result if job.status == Job.Status.SUCCEEDED else None,
        },
    )

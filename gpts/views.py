"""Pages of the browser studio for workspaces and GPTs: dashboard, GPT editor (with the conflict
and merge page), knowledge files, history. Views translate; the services decide and the selectors
read. htmx requests get template partials (`{% partialdef %}`) instead of whole pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gpts.document.build import gpt_document
from gptstudio import limits
from gptstudio.errors import EditConflict

from . import fields as gpt_fields
from . import selectors, services
from .access import role_context, workspace_view
from .diff import document_diff
from .filters import DASHBOARD_SORTS, GPTDashboardFilterSet
from .forms import (
    CATEGORY_SUGGESTIONS,
    GPTEditForm,
    GPTForm,
    KnowledgeUploadForm,
    MergeChoiceForm,
    RestoreForm,
    WorkspaceForm,
)
from .importers import gpt_restore_revision, restore_secrets_check
from .models import GPT, Job, Revision
from .permissions import Access
from .picture_fetch import profile_picture_fetch_start
from .validation import validate_gpt
from .views_mcp import mcp_context

REVISIONS_PER_PAGE = 50


def apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Home, workspaces, dashboard ------------------------------------------------------------


@login_required
@require_GET
def home(request):
    """The signed-in user's first workspace, or the page to create one."""
    workspace = selectors.workspaces_for(request.user).first()
    if workspace is None:
        return redirect("gpts:workspace_new")
    return redirect("gpts:dashboard", workspace.slug)


@login_required
@require_http_methods(["GET", "POST"])
def workspace_new(request):
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_create(name=form.cleaned_data["name"], owner=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Workspace “{workspace.name}” created.")
            return redirect("gpts:dashboard", workspace.slug)
    return render(request, "gpts/workspace_new.html", {"form": form})


@workspace_view(Access.VIEW)
@require_GET
def dashboard(request, workspace):
    filterset = GPTDashboardFilterSet(
        request.GET, queryset=selectors.gpts_for_list(request.user).filter(workspace=workspace)
    )
    gpts = filterset.qs
    filters = {"search": "", "visibility": "", "readiness": "", "capability": "", "ordering": "name"}
    filters.update(filterset.chosen())
    context = {
        "workspace": workspace,
        "gpts": gpts,
        "filters": filters,
        "filtered": any(filters[k] for k in ("search", "visibility", "readiness", "capability")),
        "visibility_choices": GPT.Visibility.choices,
        "readiness_choices": GPT.Readiness.choices,
        "capability_choices": [(name, GPT._meta.get_field(name).verbose_name) for name in GPT.CAPABILITY_FIELDS],
        "sort_choices": DASHBOARD_SORTS,
        **role_context(request.role),
    }
    template = "gpts/dashboard.html#gpt-list" if request.htmx else "gpts/dashboard.html"
    return render(request, template, context)


# --- GPT editor -------------------------------------------------------------------------------


def _editor_context(request, workspace, gpt: GPT | None, form: GPTForm) -> dict:
    report = validate_gpt(gpt) if gpt is not None else None
    action_findings = []
    if report is not None:
        # Schema findings carry lines of their action's schema: list them under their action.
        action_findings = [
            (action, report.actions[action.pk].findings)
            for action in gpt.actions.all()
            if action.pk in report.actions and report.actions[action.pk].findings
        ]
    return {
        "workspace": workspace,
        "gpt": gpt,
        "form": form,
        "starters": form.starters(),
        "report": report,
        "findings": report.findings if report else [],
        "action_findings": action_findings,
        # The checks panel says once, above its lists, that these findings rest on builders' reports.
        "builder_reported_count": sum(
            finding.builder_reported
            for findings in [report.findings if report else [], *(found for _action, found in action_findings)]
            for finding in findings
        ),
        "knowledge_form": KnowledgeUploadForm(),
        "picture_job": _last_picture_job(gpt),
        "limits": limits,
        "category_suggestions": CATEGORY_SUGGESTIONS,
        **role_context(request.role),
    }


def _last_picture_job(gpt: GPT | None) -> Job | None:
    if gpt is None or not gpt.chatgpt_profile_picture_url:
        return None
    jobs = gpt.jobs.filter(kind=Job.Kind.PROFILE_PICTURE_FETCH).only("status", "error")
    return jobs.order_by("-created_at", "-id").first()


@workspace_view(Access.EDIT)
@require_http_methods(["GET", "POST"])
def gpt_new(request, workspace):
    form = GPTForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            gpt = services.gpt_create(workspace=workspace, actor=request.user, **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"“{gpt.name}” created.")
            return redirect("gpts:gpt_edit", workspace.slug, gpt.slug)
    return render(
        request, "gpts/gpt_editor.html", _editor_context(request, workspace, None, form), status=_status(form)
    )


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@workspace_view(Access.VIEW, write_needs=Access.EDIT)
@require_http_methods(["GET", "POST"])
def gpt_edit(request, workspace, gpt):
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    if request.method == "GET":
        form = GPTEditForm(initial=GPTForm.initial_for(gpt))
        context = {**_editor_context(request, workspace, gpt, form), **mcp_context(request, workspace, gpt)}
        return render(request, "gpts/gpt_editor.html", context)
    form = GPTEditForm(request.POST, request.FILES)
    if form.is_valid():
        version = form.cleaned_data["version"]
        try:
            saved = services.gpt_update(gpt=gpt, actor=request.user, expected_version=version, **form.service_fields())
        except EditConflict:
            return conflict_response(request, workspace, gpt, form, base_version=version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if saved.version == version:
                messages.info(request, "Nothing changed, so no new revision was recorded.")
            else:
                messages.success(request, f"Saved as version {saved.version}.")
            return redirect("gpts:gpt_edit", workspace.slug, saved.slug)
    return render(request, "gpts/gpt_editor.html", _editor_context(request, workspace, gpt, form), status=400)


@workspace_view(Access.MANAGE)
@require_POST
def gpt_delete(request, workspace, gpt):
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    name = gpt.name
    services.gpt_delete(gpt=gpt)
    messages.success(request, f"“{name}” deleted.")
    return redirect("gpts:dashboard", workspace.slug)


# --- Conflicts and merging --------------------------------------------------------------------

MERGE_FIELD_LABELS = gpt_fields.merge_labels()


def _document_values(document: dict) -> dict:
    """A GPT document's values keyed like the editor form's fields."""
    return {
        **{key: document.get(key) for key in MERGE_FIELD_LABELS if key in document},
        **document.get("capabilities", {}),
    }


def _display(field: str, value) -> str:
    if isinstance(value, bool):
        return "On" if value else "Off"
    if isinstance(value, list):
        return "\n".join(f"{i}. {text}" for i, text in enumerate(value, 1)) or "(none)"
    if field == "visibility":
        return dict(GPT.Visibility.choices).get(value, value)
    return value if value not in ("", None) else "(empty)"


def _hidden_mine(form: GPTForm) -> list[tuple[str, object]]:
    """Your submitted values as hidden inputs named like a GPTForm with prefix "mine"."""
    pairs = []
    for field in GPTForm.EDIT_FIELDS:
        value = form.cleaned_data[field]
        if isinstance(value, list):
            pairs += [(f"mine-{field}", text) for text in value]
        elif isinstance(value, bool):
            if value:
                pairs.append((f"mine-{field}", "on"))
        else:
            pairs.append((f"mine-{field}", value))
    return pairs


def conflict_response(request, workspace, gpt: GPT, form: GPTForm, *, base_version: int) -> HttpResponse:
    """409: someone saved since this form was opened. Show yours and theirs field by field, each
    pre-set to the side that changed (yours when both did), to merge and save against the new
    version. Nothing was written."""
    current = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt.slug)
    theirs = _document_values(gpt_document(current))
    base_revision = current.revisions.filter(number=base_version).only("snapshot").first()
    base = _document_values(base_revision.snapshot) if base_revision else {}
    mine = {field: form.cleaned_data[field] for field in GPTForm.EDIT_FIELDS}
    rows = []
    for field in GPTForm.EDIT_FIELDS:
        if mine[field] == theirs.get(field):
            continue
        you_changed = field not in base or mine[field] != base[field]
        they_changed = field not in base or theirs.get(field) != base[field]
        rows.append(
            {
                "field": field,
                "label": MERGE_FIELD_LABELS[field],
                "mine": _display(field, mine[field]),
                "theirs": _display(field, theirs.get(field)),
                "both_changed": you_changed and they_changed,
                "pick": "mine" if you_changed else "theirs",
                "diff": _text_diff(field, theirs.get(field), mine[field]),
            }
        )
    merge_form = MergeChoiceForm(
        initial={"version": current.version, **{f"pick_{row['field']}": row["pick"] for row in rows}},
        fields=[row["field"] for row in rows],
    )
    revisions = list(
        selectors.revisions_of(current).filter(number__gt=base_version).order_by("number")[:REVISIONS_PER_PAGE]
    )
    context = {
        "workspace": workspace,
        "gpt": current,
        "rows": rows,
        "merge_form": merge_form,
        "hidden_mine": _hidden_mine(form),
        "base_version": base_version,
        "their_revisions": revisions,
        "dropped_picture": bool(form.cleaned_data.get("profile_picture")),
        **role_context(request.role),
    }
    return render(request, "gpts/conflict.html", context, status=409)


def _text_diff(field: str, theirs, mine) -> list[str]:
    from .diff import unified

    if field == "instructions":
        return unified(theirs or "", mine or "", label="instructions")
    return []


@workspace_view(Access.EDIT)
@require_POST
def gpt_merge(request, workspace, gpt):
    """Save the merge chosen on the conflict page, against the version shown there."""
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    mine_form = GPTForm(request.POST, prefix="mine")
    picked = [key.removeprefix("pick_") for key in request.POST if key.startswith("pick_")]
    picked = [field for field in picked if field in GPTForm.EDIT_FIELDS]
    choice_form = MergeChoiceForm(request.POST, fields=picked)
    if not (mine_form.is_valid() and choice_form.is_valid()):
        messages.error(request, "The merge could not be read; your values are below, please save them again.")
        return redirect("gpts:gpt_edit", workspace.slug, gpt.slug)
    theirs = {**GPTForm.initial_for(gpt)}
    fields = {
        field: mine_form.cleaned_data[field] if choice_form.cleaned_data[f"pick_{field}"] == "mine" else theirs[field]
        for field in picked
    }
    starters = fields.pop("conversation_starters", None)
    extra = {} if starters is None else {"conversation_starters": starters}
    try:
        saved = services.gpt_update(
            gpt=gpt,
            actor=request.user,
            expected_version=choice_form.cleaned_data["version"],
            summary="Merged after an edit conflict",
            **fields,
            **extra,
        )
    except EditConflict:
        # Someone saved again while this page was open: compare once more.
        mine_form.cleaned_data["profile_picture"] = None
        return conflict_response(request, workspace, gpt, mine_form, base_version=choice_form.cleaned_data["version"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("gpts:gpt_edit", workspace.slug, gpt.slug)
    if saved.version == choice_form.cleaned_data["version"]:
        messages.info(request, "You kept their version of every field, so there was nothing new to save.")
    else:
        messages.success(request, f"Merged and saved as version {saved.version}.")
    return redirect("gpts:gpt_edit", workspace.slug, saved.slug)


# --- Knowledge files --------------------------------------------------------------------------


def _knowledge_response(request, workspace, gpt_slug: str, *, version_bumped_to: int | None, error: str = ""):
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt_slug)
    context = {
        "workspace": workspace,
        "gpt": gpt,
        "knowledge_error": error,
        "version_bumped_to": version_bumped_to,
        "knowledge_form": KnowledgeUploadForm(),
        "picture_job": _last_picture_job(gpt),
        "limits": limits,
        **role_context(request.role),
    }
    return render(request, "gpts/gpt_editor.html#knowledge", context)


def _form_version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _safe_to_bump(gpt: GPT, form_version: int | None, change) -> int | None:
    """Run an additive change (file added or removed). When the page was current, the change
    itself is checked against the page's version and the page may move to the new version;
    when someone else saved meanwhile, the change still happens but the page keeps its version,
    so its next save shows the conflict instead of overwriting their edit."""
    if form_version is not None:
        try:
            change(form_version)
        except EditConflict:
            pass
        else:
            return GPT.objects.values_list("version", flat=True).get(pk=gpt.pk)
    change(None)
    return None


@workspace_view(Access.EDIT)
@require_POST
def knowledge_upload(request, workspace, gpt):
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    form = KnowledgeUploadForm(request.POST, request.FILES)
    error, bumped = "", None
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
    else:
        upload = form.cleaned_data["file"]
        try:
            bumped = _safe_to_bump(
                gpt,
                _form_version(request),
                lambda version: services.knowledge_file_add(
                    gpt=gpt, actor=request.user, upload=upload, expected_version=version
                ),
            )
        except ValidationError as failure:
            error = " ".join(failure.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, "File added to Knowledge.")
        return redirect("gpts:gpt_edit", workspace.slug, gpt.slug)
    return _knowledge_response(request, workspace, gpt.slug, version_bumped_to=bumped, error=error)


@workspace_view(Access.EDIT)
@require_POST
def knowledge_delete(request, workspace, gpt, file_id):
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    knowledge = get_object_or_404(gpt.knowledge_files.all(), pk=file_id)
    bumped = _safe_to_bump(
        gpt,
        _form_version(request),
        lambda version: services.knowledge_file_delete(
            knowledge=knowledge, actor=request.user, expected_version=version
        ),
    )
    if not request.htmx:
        messages.success(request, f"Removed “{knowledge.name}”.")
        return redirect("gpts:gpt_edit", workspace.slug, gpt.slug)
    return _knowledge_response(request, workspace, gpt.slug, version_bumped_to=bumped)


# --- What a ChatGPT import leaves to do by hand ------------------------------------------------


@workspace_view(Access.EDIT)
@require_POST
def knowledge_pending_clear(request, workspace, gpt):
    """The knowledge files ChatGPT named by id are uploaded (or not wanted): stop reporting them.
    Not a change of the GPT's document, so no version is needed."""
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    services.gpt_knowledge_pending_clear(gpt=gpt)
    messages.success(request, "The knowledge files from ChatGPT are marked as uploaded.")
    return redirect("gpts:gpt_edit", workspace.slug, gpt.slug)


@workspace_view(Access.EDIT)
@require_POST
def profile_picture_fetch(request, workspace, gpt):
    """Start the job that fetches the profile picture ChatGPT's JSON pointed to (gpts.picture_fetch)."""
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    try:
        job = profile_picture_fetch_start(gpt=gpt, actor=request.user)
    except ValidationError as error:
        messages.error(request, f"The profile picture cannot be fetched: {' '.join(error.messages)}")
        return redirect("gpts:gpt_edit", workspace.slug, gpt.slug)
    job.refresh_from_db()  # without a broker the job has run already
    if job.status == Job.Status.SUCCEEDED:
        messages.success(request, "The profile picture was fetched from ChatGPT and saved as a new version.")
    elif job.status == Job.Status.FAILED:
        messages.error(request, f"The profile picture could not be fetched: {job.error}")
    else:
        messages.info(request, "Fetching the profile picture from ChatGPT; reload this page in a moment to see it.")
    return redirect("gpts:gpt_edit", workspace.slug, gpt.slug)


# --- History --------------------------------------------------------------------------------


@workspace_view(Access.VIEW)
@require_GET
def history(request, workspace, gpt):
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    return _history_page(request, workspace, gpt)


def _history_page(request, workspace, gpt: GPT, *, status: int = 200):
    page = Paginator(selectors.revisions_of(gpt), REVISIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"workspace": workspace, "gpt": gpt, "page": page, **role_context(request.role)}
    if context["can_edit"]:
        context["restore_confirmations"] = _restore_confirmations(gpt, [r.number for r in page])
    return render(request, "gpts/history.html", context, status=status)


def _restore_confirmations(gpt: GPT, numbers: list[int]) -> dict[int, str]:
    """Each listed revision's restore question, naming the secrets to type again after it (the
    ones neither kept nor brought back: see `restore_secrets_check`). Three queries per page."""
    to_enter = restore_secrets_check(gpt)
    actions_of = gpt.revisions.filter(number__in=numbers).values_list("number", "snapshot__actions")
    return {number: _restore_question(number, to_enter(actions or [])) for number, actions in actions_of}


def _restore_question(number: int, missing) -> str:
    question = f"Restore version {number}? It becomes a new version; the current one stays in the history."
    if missing:
        listed = "; ".join(f"the {s.field} of action “{s.action}”" for s in missing)
        question += f" Secrets are never in the history, so enter these again afterwards: {listed}."
    return question


def _revision(gpt: GPT, number) -> Revision:
    try:
        return gpt.revisions.select_related("author").get(number=int(number))
    except (TypeError, ValueError, Revision.DoesNotExist):
        raise Http404("No such revision.") from None


@workspace_view(Access.VIEW)
@require_GET
def history_diff(request, workspace, gpt):
    """A readable diff between any two revisions (?from=N&to=M; `to` defaults to the latest)."""
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    new = _revision(gpt, request.GET.get("to", gpt.version))
    old_number = request.GET.get("from") or max(new.number - 1, 1)
    old = _revision(gpt, old_number)
    if old.number > new.number:
        old, new = new, old
    context = {
        "workspace": workspace,
        "gpt": gpt,
        "old": old,
        "new": new,
        "diff": document_diff(*selectors.revision_documents_for_diff(old, new)),
        **role_context(request.role),
    }
    if context["can_edit"]:
        missing = restore_secrets_check(gpt)(old.snapshot.get("actions", []))
        context["restore_question"] = _restore_question(old.number, missing)
    return render(request, "gpts/diff.html", context)


@workspace_view(Access.EDIT)
@require_POST
def history_restore(request, workspace, gpt, number):
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    revision = _revision(gpt, number)
    form = RestoreForm(request.POST)
    if not form.is_valid():
        for error in form.errors["version"]:
            messages.error(request, error)
        return _history_page(request, workspace, gpt, status=400)
    try:
        restored = gpt_restore_revision(
            gpt=gpt, revision=revision, actor=request.user, expected_version=form.cleaned_data["version"]
        )
    except EditConflict:
        messages.error(
            request, "The GPT changed since you opened the history; check the newest revision, then restore."
        )
        return redirect("gpts:history", workspace.slug, gpt.slug)
    except ValidationError as error:
        messages.error(request, f"Could not restore revision {revision.number}: {' '.join(error.messages)}")
        return redirect("gpts:history", workspace.slug, gpt.slug)
    if restored.version == gpt.version:
        messages.info(request, f"Revision {revision.number} matches the current GPT; nothing to restore.")
    else:
        messages.success(
            request, f"Restored revision {revision.number} as version {restored.version} (older versions are kept)."
        )
    return redirect(reverse("gpts:history", args=[workspace.slug, restored.slug]))

"""Pages for getting a GPT out of GPT Studio and back in: the published document schema, the
paste page, export downloads and the import upload. (The rest of the UI lives in gpts/views.py.)

Access (gpts.permissions, applied by gpts.access.workspace_view like every studio page): any
member may view the paste page and export; importing needs edit rights; outside one's workspaces
everything is 404. Every page gets the workspace and the role, so the layout shows the workspace
switcher as on the other studio pages.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import BinaryIO

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from actions.models import Action
from gpts.document.build import gpt_document
from gpts.document.read import DOCUMENT_MAX_BYTES
from gptstudio.errors import EditConflict

from . import selectors
from .access import role_context, workspace_view
from .bundle import is_zip
from .chatgpt_import import ChatGPTImportResult, GizmoPlan, chatgpt_import, chatgpt_plan, is_chatgpt_json
from .diff import DocumentDiff, document_diff
from .document_schema import SCHEMA_PATH
from .exporters import EXPORTERS, Export, ExportRefused, export_source, gpt_export
from .exporters.agent_plugin import mcp_url_problem
from .exporters.migration import BRIDGE_TARGETS, migration_report
from .exporters.paste_plan import build_paste_plan
from .importers import DocumentRejected
from .models import GPT
from .permissions import Access
from .uploads import gpt_import


@require_GET
@cache_control(public=True, max_age=3600)
def document_schema(request):
    """The JSON Schema of the GPT document, at a stable URL that editors and CI can point to."""
    return HttpResponse(SCHEMA_PATH.read_bytes(), content_type="application/schema+json; charset=utf-8")


def _export_links(gpt) -> list[dict]:
    links = []
    for name, exporter in EXPORTERS.items():
        for fmt in exporter.formats:
            url = reverse("gpts_export:export", args=[gpt.workspace.slug, gpt.slug, name])
            if len(exporter.formats) > 1:
                url += f"?format={fmt}"
            label = f"Download {exporter.label}" + (f" · {fmt.upper()}" if len(exporter.formats) > 1 else "")
            links.append({"url": url, "label": label, "target": name})
    return links


def _page_context(request, workspace, **context) -> dict:
    """What the layout and the studio pages read: the workspace (the switcher) and the role."""
    return {"workspace": workspace, **role_context(request.role), **context}


@workspace_view(Access.VIEW)
@require_GET
def gpt_paste(request, workspace, gpt: str):
    """Every ChatGPT field of the GPT in the editor's order, each with a copy button and its
    character count, and the findings that block publishing where they apply."""
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    source = export_source(gpt)
    plan = build_paste_plan(source.document, source.findings)
    context = _page_context(request, workspace, gpt=gpt, plan=plan, export_links=_export_links(gpt))
    return render(request, "gpts/paste.html", context)


@workspace_view(Access.VIEW)
@require_GET
def gpt_migrate(request, workspace, gpt: str):
    """The migration report: what carries over to plugins, skills, tools and MCP, what needs a
    manual step, what is lost, and each bridge target's export findings, with their downloads."""
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    source = export_source(gpt)
    source.options = EXPORTERS["agent-plugin"].resolved_options(gpt, {})  # the hosted MCP URL, if on
    report = migration_report(source)
    bridge_links = [link for link in _export_links(gpt) if link["target"] in BRIDGE_TARGETS]
    context = _page_context(request, workspace, gpt=gpt, report=report, bridge_links=bridge_links)
    return render(request, "gpts/migrate.html", context)


@workspace_view(Access.VIEW)
@require_GET
def gpt_export_download(request, workspace, gpt: str, target: str):
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    if target not in EXPORTERS:
        raise Http404("No such export target.")
    fmt = request.GET.get("format") or None
    force = request.GET.get("force") == "1"
    mcp_url = request.GET.get("mcp_url", "").strip()
    if mcp_url and (problem := mcp_url_problem(mcp_url)):
        return HttpResponse(f"mcp_url: {problem}", status=400, content_type="text/plain; charset=utf-8")
    try:
        export = gpt_export(gpt=gpt, target=target, fmt=fmt, force=force, options={"mcp_url": mcp_url})
    except ValueError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    except ExportRefused as exc:
        query = request.GET.copy()
        query["force"] = "1"
        context = _page_context(
            request,
            workspace,
            gpt=gpt,
            findings=exc.findings,
            force_url=f"{request.path}?{query.urlencode()}",
            paste_url=reverse("gpts_export:paste", args=[workspace.slug, gpt.slug]),
        )
        return render(request, "gpts/export_refused.html", context, status=409)
    return download_response(export)


def download_response(export: Export) -> StreamingHttpResponse:
    """An export as a download, streamed while the exporter produces it (the page and the API)."""
    response = StreamingHttpResponse(export.chunks, content_type=export.media_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=export.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


CHATGPT_TARGET_CHOSEN = (
    "This is ChatGPT's JSON of a GPT: it finds the GPT it updates by its ChatGPT id, so leave “Import as” at "
    "“A new GPT”; the preview then says which GPT it updates."
)


class ImportForm(forms.Form):
    """A file or pasted text (people copy ChatGPT's JSON from the browser's developer tools).

    Each GPT offered as a target carries the version the page showed (`slug@version`), so
    whichever one the user picks, a change saved to it since then is a conflict, not overwritten."""

    upload = forms.FileField(label="Upload a file", required=False)
    text = forms.CharField(
        label="Or paste it here",
        required=False,
        strip=False,  # the text is imported as given: a YAML document's indentation counts
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
    )
    gpt = forms.CharField(
        label="Import as",
        required=False,
        help_text="For a bundle or a GPT document. ChatGPT's JSON finds its GPT by its ChatGPT id.",
    )

    def __init__(self, *args, gpts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {gpt.slug: gpt for gpt in gpts}
        choices = [("", "A new GPT")] + [(target_choice(gpt), f"A new version of “{gpt.name}”") for gpt in gpts]
        self.fields["gpt"].widget = forms.Select(choices=choices)

    def clean_gpt(self) -> tuple[GPT | None, int | None]:
        """The target GPT and the version the page showed for it, or (None, None) for a new GPT."""
        value = self.cleaned_data["gpt"]
        if not value:
            return None, None
        slug, _, version = value.rpartition("@")
        target = self.targets.get(slug)
        if target is None or not (version.isascii() and version.isdigit()):
            raise forms.ValidationError("Choose the GPT to import into again: it is not one of this workspace's.")
        return target, int(version)

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("upload"), cleaned.get("text") or ""
        if upload and text.strip():
            raise forms.ValidationError("Upload a file or paste text, not both.")
        if not upload and not text.strip():
            raise forms.ValidationError("Choose a file to upload or paste the text to import.")
        return cleaned

    def content(self) -> tuple[BinaryIO, str]:
        """What to import, as a seekable binary file, and its name ("" for pasted text)."""
        upload = self.cleaned_data["upload"]
        if upload:
            return upload, upload.name
        return io.BytesIO(self.cleaned_data["text"].encode()), ""


def target_choice(gpt: GPT) -> str:
    return f"{gpt.slug}@{gpt.version}"


class ImportUploadCap(FileUploadHandler):
    """The API's import cap (`import_max_bytes()`) for the page: a body whose declared length is
    over it is not read at all, and an upload stops the moment its bytes pass it (a body without
    a length), so an oversized file never lands on disk."""

    def __init__(self, request=None):
        # Imported here: gptstudio.api's modules import DRF's views, whose settings import them
        # back, so they load after the URL configuration, not while it loads this module.
        from gptstudio.api import parsers

        super().__init__(request)
        self.cap = parsers.import_max_bytes()
        self.declared_cap = self.cap + parsers.MULTIPART_OVERHEAD_BYTES  # room for the form around the file
        self.refused: str = ""  # why the upload was refused, for the page

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.declared_cap:
            self.refused = f"The upload is {content_length:,} bytes"
            return QueryDict(), MultiValueDict()  # parse nothing
        return None

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.cap:
            self.refused = f"The upload is over {self.cap:,} bytes"
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) keeps the bytes


def _import_targets(workspace) -> list:
    return list(workspace.gpts.only("slug", "name", "version").order_by("name", "id"))


def _import_page(request, workspace, *, status: int = 200, form: ImportForm | None = None, **context):
    form = form or ImportForm(gpts=_import_targets(workspace))  # after an import: with the new GPT
    return render(request, "gpts/import.html", _page_context(request, workspace, form=form, **context), status=status)


@workspace_view(Access.VIEW)
@require_GET
def bring_your_gpts(request, workspace):
    """Step by step: how to save a GPT's JSON (and the My GPTs list) from ChatGPT's editor before
    "Migrate to plugin" makes it read-only, and what needs a manual step after the import."""
    return render(request, "gpts/bring_your_gpts.html", _page_context(request, workspace))


# Upload handlers can only change before the body is read, and the CSRF check reads it: so the
# check is made here, after the cap (Django's documented pattern for per-view upload handlers).
@csrf_exempt
@workspace_view(Access.EDIT)
@require_http_methods(["GET", "POST"])
def workspace_import(request, workspace):
    if request.method == "POST":
        cap = ImportUploadCap(request)
        request.upload_handlers.insert(0, cap)
        try:
            request.POST  # noqa: B018 (read the body now, through the cap)
        except RequestDataTooBig:
            message = (
                f"The pasted text is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes, the most a form may send; "
                "save it to a file and upload that. Nothing was imported."
            )
            return _import_page(request, workspace, status=413, message=message)
        if cap.refused:
            message = (
                f"{cap.refused}; GPT Studio imports bundles and documents of up to {cap.cap:,} bytes. "
                "Nothing was imported."
            )
            return _import_page(request, workspace, status=413, message=message)
    return _workspace_import(request, workspace)


@csrf_protect
def _workspace_import(request, workspace):
    gpts = _import_targets(workspace)
    if request.method == "GET":
        chosen = next((g for g in gpts if g.slug == request.GET.get("gpt")), None)
        initial = {"gpt": target_choice(chosen)} if chosen else {}
        return _import_page(request, workspace, form=ImportForm(gpts=gpts, initial=initial))
    if "preview" in request.POST:
        return _chatgpt_confirmed(request, workspace)

    form = ImportForm(request.POST, request.FILES, gpts=gpts)
    if not form.is_valid():
        return _import_page(request, workspace, status=400, form=form)
    content, filename = form.content()
    target, expected_version = form.cleaned_data["gpt"]
    head = content.read(4)
    content.seek(0)
    if not is_zip(head):
        data = content.read(DOCUMENT_MAX_BYTES + 1)  # as much as a document may be, never a whole bundle
        content.seek(0)
        if is_chatgpt_json(data):
            if target is not None:
                form.add_error("gpt", CHATGPT_TARGET_CHOSEN)
                return _import_page(request, workspace, status=400, form=form)
            return _chatgpt_preview(request, workspace, data)
    try:
        outcome = gpt_import(
            workspace=workspace,
            actor=request.user,
            upload=content,
            filename=filename,
            gpt=target,
            expected_version=expected_version,
        )
    except DocumentRejected as exc:
        message = "The import was refused; nothing was written."
        return _import_page(request, workspace, status=400, form=form, message=message, refused_findings=exc.findings)
    except EditConflict as exc:
        # The target as it is now, so a second try goes to the same GPT at its new version (the
        # posted slug@version matches no option any more, and the list would fall back to "new").
        targets = _import_targets(workspace)
        current = next(g for g in targets if g.pk == target.pk)
        form = ImportForm(gpts=targets, initial={"gpt": target_choice(current)})
        return _import_page(request, workspace, status=409, form=form, message=str(exc))
    paste_url = reverse("gpts_export:paste", args=[workspace.slug, outcome.gpt.slug])
    status = 201 if outcome.created else 200
    return _import_page(request, workspace, status=status, outcome=outcome, paste_url=paste_url)


# --- ChatGPT's JSON: a preview first, then the import ------------------------------------------------
#
# The preview page carries what it showed in one signed field: the JSON itself and, per GPT it will
# update, the version it showed. Confirming imports exactly that content against those versions, so
# a GPT saved in the meantime is a conflict on the page rather than an overwrite, and an edited or
# expired field is refused before anything is read from it.

PREVIEW_SALT = "gpts.views_export.chatgpt-preview"
PREVIEW_MAX_AGE = 6 * 60 * 60  # seconds a preview can be confirmed after it was shown


@dataclass
class GizmoPreview:
    plan: GizmoPlan
    diff: DocumentDiff | None  # the target's current document → the planned one (updates only)
    # Knowledge files the target has that the import removes (ChatGPT's JSON carries none).
    knowledge_removed: list[str] = field(default_factory=list)

    @property
    def next_version(self) -> int | None:
        return self.plan.target.version + 1 if self.plan.target is not None else None

    @property
    def facts(self) -> list[str]:
        """What a new GPT will be, in the editor's words (an update shows its diff instead)."""
        document = self.plan.document
        if document is None:
            return []
        visibility = dict(GPT.Visibility.choices).get(document["visibility"], document["visibility"])
        capabilities = [
            str(GPT._meta.get_field(name).verbose_name)
            for name in GPT.CAPABILITY_FIELDS
            if document["capabilities"].get(name)
        ]
        facts = [
            f"Visibility: {visibility}" + (f" · category: {document['category']}" if document["category"] else ""),
            f"Capabilities: {', '.join(capabilities) or 'none'}",
        ]
        auth_labels = dict(Action.AuthType.choices)
        for action in document["actions"]:
            auth = action["authentication"]["type"]
            facts.append(f"Action “{action['name']}”: authentication {auth_labels.get(auth, auth)}")
        return facts


def _preview_token(request, workspace, data: bytes, previews: list[GizmoPreview]) -> str:
    versions = {p.plan.chatgpt_id: p.plan.target.version for p in previews if p.plan.target is not None}
    payload = {
        "workspace": workspace.pk,
        "user": request.user.pk,
        # surrogateescape: any bytes survive the round trip, even ones that are not UTF-8.
        "content": data.decode("utf-8", "surrogateescape"),
        "versions": versions,
    }
    return signing.dumps(payload, salt=PREVIEW_SALT, compress=True)


def _preview_read(request, workspace) -> tuple[bytes, dict[str, int]]:
    """The content and versions a preview showed; raises signing.BadSignature (which
    SignatureExpired is) for a field that was changed, is too old, or belongs to someone else."""
    payload = signing.loads(request.POST["preview"], salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
    if payload["workspace"] != workspace.pk or payload["user"] != request.user.pk:
        raise signing.BadSignature("The preview was made for another workspace or person.")
    return payload["content"].encode("utf-8", "surrogateescape"), payload["versions"]


def _gizmo_previews(request, plan) -> list[GizmoPreview]:
    # The GPTs to update, read with what their documents need in a few queries, however many.
    updated = [gizmo.target.pk for gizmo in plan.gizmos if gizmo.target is not None and gizmo.document is not None]
    targets = selectors.gpt_detail_queryset(request.user).filter(pk__in=updated)
    documents = {gpt.pk: gpt_document(gpt) for gpt in targets}
    previews = []
    for gizmo in plan.gizmos:
        preview = GizmoPreview(plan=gizmo, diff=None)
        current = documents.get(gizmo.target.pk) if gizmo.target is not None else None
        if current is not None and gizmo.document is not None:
            preview.diff = document_diff(current, gizmo.document)
            kept = {entry["name"] for entry in gizmo.document["knowledge"]}
            preview.knowledge_removed = [entry["name"] for entry in current["knowledge"] if entry["name"] not in kept]
        previews.append(preview)
    return previews


def _chatgpt_page(request, workspace, *, status: int = 200, **context):
    context = _page_context(request, workspace, **context)
    return render(request, "gpts/import_chatgpt.html", context, status=status)


def _chatgpt_preview(request, workspace, data: bytes):
    """What importing ChatGPT's JSON would do, per GPT found; nothing is written."""
    plan = chatgpt_plan(workspace=workspace, data=data)
    previews = _gizmo_previews(request, plan)
    if plan.refused or all(gizmo.refused for gizmo in plan.gizmos):
        message = "This cannot be imported; nothing was written."
        return _chatgpt_page(request, workspace, status=400, plan=plan, previews=previews, message=message)
    token = _preview_token(request, workspace, data, previews)
    if len(token) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        message = (
            f"This JSON is too large to confirm from the page (over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes "
            "once carried to the confirmation); import it with `manage.py import_gpt` or the API. Nothing was written."
        )
        return _chatgpt_page(request, workspace, status=413, plan=plan, previews=previews, message=message)
    return _chatgpt_page(request, workspace, plan=plan, previews=previews, preview_token=token)


def _chatgpt_confirmed(request, workspace):
    try:
        data, versions = _preview_read(request, workspace)
    except signing.BadSignature:
        message = (
            "This preview has expired or was changed, so nothing was imported. "
            "Paste or upload the JSON again to see a new preview."
        )
        return _import_page(request, workspace, status=400, message=message)
    if request.POST.get("step") == "preview":
        return _chatgpt_preview(request, workspace, data)  # again, against the GPTs as they are now
    try:
        result = chatgpt_import(workspace=workspace, actor=request.user, data=data, expected_versions=versions)
    except DocumentRejected as exc:  # the preview accepted it, so only if the rules changed in between
        message = "The import was refused; nothing was written."
        return _import_page(request, workspace, status=400, message=message, refused_findings=exc.findings)
    return _chatgpt_page(
        request,
        workspace,
        status=_result_status(result),
        result=result,
        # A GPT saved (or imported) by someone else since the preview: offer a fresh preview.
        result_has_conflicts=any(item.outcome is None and item.current_version is not None for item in result.results),
        preview_token=_preview_token(request, workspace, data, []),
    )


def _result_status(result: ChatGPTImportResult) -> int:
    """201 when something was created, 200 when GPTs were updated (or unchanged), 409 when no GPT
    could be imported (a conflict or a refusal for each)."""
    outcomes = [r.outcome for r in result.results if r.outcome is not None]
    if not outcomes:
        return 409
    return 201 if any(outcome.created for outcome in outcomes) else 200

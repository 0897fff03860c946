"""Pages for getting a GPT out of GPT Studio and back in: the published document schema, the
paste page, export downloads and the import upload. (The rest of the UI lives in gpts/views.py.)

Access (gpts.permissions, applied by gpts.access.workspace_view like every studio page): any
member may view the paste page and export; importing needs edit rights; outside one's workspaces
everything is 404. Every page gets the workspace and the role, so the layout shows the workspace
switcher as on the other studio pages.
"""

from __future__ import annotations

import io
from typing import BinaryIO

from django import forms
from django.conf import settings
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

from gptstudio.errors import EditConflict

from . import selectors
from .access import role_context, workspace_view
from .chatgpt_import import ChatGPTImportResult
from .document_schema import SCHEMA_PATH
from .exporters import EXPORTERS, Export, ExportRefused, export_source, gpt_export
from .exporters.paste_plan import build_paste_plan
from .importers import DocumentRejected, gpt_import
from .models import GPT
from .permissions import Access


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
            links.append({"url": url, "label": label})
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
def gpt_export_download(request, workspace, gpt: str, target: str):
    gpt = selectors.gpt_get(user=request.user, workspace_slug=workspace.slug, gpt_slug=gpt)
    if target not in EXPORTERS:
        raise Http404("No such export target.")
    fmt = request.GET.get("format") or None
    force = request.GET.get("force") == "1"
    try:
        export = gpt_export(gpt=gpt, target=target, fmt=fmt, force=force)
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

    form = ImportForm(request.POST, request.FILES, gpts=gpts)
    if not form.is_valid():
        return _import_page(request, workspace, status=400, form=form)
    target, expected_version = form.cleaned_data["gpt"]
    content, filename = form.content()
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
    if isinstance(outcome, ChatGPTImportResult):
        # ChatGPT's JSON (gpts.chatgpt_import): one line per GPT until the page shows a full report.
        lines = [
            f"{r.plan.name or r.plan.chatgpt_id or f'GPT {r.plan.index + 1}'}: "
            + (("created" if r.outcome.created else "updated") if r.outcome else r.error)
            for r in outcome.results
        ]
        status = 201 if outcome.created else 200
        return _import_page(request, workspace, status=status, form=form, message=" · ".join(lines))
    paste_url = reverse("gpts_export:paste", args=[workspace.slug, outcome.gpt.slug])
    status = 201 if outcome.created else 200
    return _import_page(request, workspace, status=status, outcome=outcome, paste_url=paste_url)

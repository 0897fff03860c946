"""Pages for getting a GPT out of GPT Studio and back in: the published document schema, the
paste page, export downloads and the import upload. (The rest of the UI lives in gpts/views.py.)"""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .document_schema import SCHEMA_PATH


@require_GET
@cache_control(public=True, max_age=3600)
def document_schema(request):
    """The JSON Schema of the GPT document, at a stable URL that editors and CI can point to."""
    return HttpResponse(SCHEMA_PATH.read_bytes(), content_type="application/schema+json; charset=utf-8")

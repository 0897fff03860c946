"""Uploaded files (profile pictures, knowledge files) for the members of their workspace only.

MEDIA_ROOT is never served as a folder, DEBUG or not: a stored name is served only to a signed-in
member of a workspace with a GPT that uses it, and anyone else gets the same 404 as for a name
that does not exist. Knowledge files are downloads (never rendered by the browser); profile
pictures, checked as images on upload, are shown inline. Answers are `Cache-Control: private`:
a shared cache must never hand a member's file to someone else.
"""

from __future__ import annotations

import mimetypes

from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, Http404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import selectors
from .models import KnowledgeFile


@require_safe
@cache_control(private=True)
def media_file(request, name: str):
    if not request.user.is_authenticated or not name:
        raise Http404("No such file.")
    visible = selectors.gpts_for(request.user)
    knowledge = KnowledgeFile.objects.filter(gpt__in=visible.values("pk"), file=name).first()
    if knowledge is None and not visible.filter(Q(profile_picture=name)).exists():
        raise Http404("No such file.")
    try:
        handle = default_storage.open(name)
    except FileNotFoundError:
        raise Http404("No such file.") from None
    if knowledge is not None:
        return FileResponse(
            handle, as_attachment=True, filename=knowledge.name, content_type=knowledge.media_type or None
        )
    return FileResponse(handle, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")

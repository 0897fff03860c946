"""The personal API tokens page (/settings/tokens/): create (the token is shown once), list,
revoke. The token model and its services belong to the REST API; until they are installed the
page says so instead of failing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET


@login_required
@require_GET
def tokens(request):
    return render(request, "gpts/tokens.html", {"available": False})

"""The personal API tokens page (/settings/tokens/): create (the token is shown once), list,
revoke. The token model, services and selector belong to the REST API (gptstudio.services,
gptstudio.selectors); until they are installed the page says so instead of failing."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

EXPIRY_CHOICES = (("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "Never"))


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name", help_text="What the token is for, e.g. “CI export job”.")
    expires_in = forms.ChoiceField(choices=EXPIRY_CHOICES, initial="90", required=False, label="Expires")

    def expires_at(self):
        days = self.cleaned_data.get("expires_in")
        return timezone.now() + datetime.timedelta(days=int(days)) if days else None


def _token_api():
    try:
        from gptstudio import selectors, services
        from gptstudio.models import APIToken
    except ImportError:
        return None
    if not hasattr(services, "token_create"):
        return None
    return APIToken, services, selectors


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    api = _token_api()
    if api is None:
        return render(request, "gpts/tokens.html", {"available": False})
    _, services, selectors = api
    form = TokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.token_create(
                    user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at()
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
                status = 400
            else:
                form = TokenForm()
        else:
            status = 400
    context = {
        "available": True,
        "form": form,
        "created": created,
        "tokens": selectors.tokens_of(request.user),
        "now": timezone.now(),
    }
    # The new token is rendered in this response only; nothing stores or redirects with it.
    response = render(request, "gpts/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, token_id):
    api = _token_api()
    if api is None:
        return redirect("gpts:tokens")
    APIToken, services, _ = api
    token = get_object_or_404(APIToken, pk=token_id, user=request.user)
    services.token_revoke(token=token)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("gpts:tokens")

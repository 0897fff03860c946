"""Pages of the shared infrastructure."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_safe

from gptstudio.rules_doc import INTRO, limit_rows, rule_areas
from gptstudio.templatetags.icons import sprite_icons


@require_safe
def rules_page(request):
    """Every rule GPT Studio checks, generated from the registry (public: it is documentation)."""
    return render(request, "rules.html", {"areas": rule_areas(), "limits": limit_rows(), "intro": INTRO})


@require_safe
@login_required
def styleguide_page(request):
    """Every part of the design system on one page (docs/DESIGN_SYSTEM.md), for staff only: it is a
    tool for the people changing the look, not part of the product."""
    if not request.user.is_staff:
        raise PermissionDenied("The style guide is for staff.")
    return render(request, "styleguide.html", {"icons": sorted(sprite_icons())})

"""Pages of the shared infrastructure."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from gptstudio.rules_doc import INTRO, limit_rows, rule_areas


@require_safe
def rules_page(request):
    """Every rule GPT Studio checks, generated from the registry (public: it is documentation)."""
    return render(request, "rules.html", {"areas": rule_areas(), "limits": limit_rows(), "intro": INTRO})

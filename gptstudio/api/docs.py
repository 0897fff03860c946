"""The API's documentation pages, Swagger UI (/api/docs/) and Redoc (/api/redoc/), under the
site's Content-Security-Policy: assets and init scripts from our own origin, no inline script,
no web fonts or other third-party loads (the templates are in templates/drf_spectacular/).

Swagger UI is drf-spectacular's SpectacularSwaggerSplitView: the page loads its init script
from the same URL with `?script`. Redoc gets the same treatment here. Redoc styles itself with
styled-components, which inserts <style> elements at run time; that cannot be avoided, so the
Redoc page (and only it) allows styles carrying that response's nonce, which Redoc reads from its
script tag, and the two its bundle inserts before it knows the nonce (by hash). Scripts stay
`'self'` on both pages.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.csp import get_nonce
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.views.decorators.csp import csp_override
from drf_spectacular.plumbing import set_query_parameters
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView
from rest_framework.response import Response

# While its bundle loads, before Redoc.init can hand the nonce to webpack, Redoc 2.5.4 (from
# drf-spectacular-sidecar) inserts two <style> elements of its own: perfect-scrollbar's CSS and an
# empty one. These are the SHA-256 hashes of their texts; a sidecar upgrade that changes them
# fails tests/browser/test_api_docs.py, which prints the new hashes in the CSP error.
REDOC_BUNDLE_STYLE_HASHES = [
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
]
REDOC_CSP = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.NONCE, *REDOC_BUNDLE_STYLE_HASHES]}


@method_decorator(csp_override(REDOC_CSP), name="get")
class RedocView(SpectacularRedocView):
    """Redoc with its init script served from this view (`?script`) and a style nonce."""

    template_name_js = "drf_spectacular/redoc.js"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if request.GET.get("script") is not None:
            return Response(
                data={
                    "schema_url": self._get_schema_url(request),
                    "settings": self._dump(spectacular_settings.REDOC_UI_SETTINGS) or "{}",
                },
                template_name=self.template_name_js,
                content_type="application/javascript",
            )
        return Response(
            data={
                "title": self.title,
                "redoc_standalone": self._redoc_standalone(),
                "script_url": set_query_parameters(url=request.get_full_path(), script=""),
                "csp_nonce": get_nonce(request),
            },
            template_name=self.template_name,
        )

"""URL map: UI under /, API under /api/v1/, docs, admin, accounts, OAuth (/o/, /.well-known/), health.
The hosted MCP endpoints (/mcp/) are not here: gptstudio/asgi.py routes them to the MCP app."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from oauth2_provider import urls as oauth2_urls
from oauth2_provider import views as oauth2_views

from gpts.mcp.oauth import MCPAuthorizationView
from gpts.views_media import media_file

from .health import healthz
from .views import rules_page, styleguide_page

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("rules/", rules_page, name="rules"),
    path("styleguide/", styleguide_page, name="styleguide"),
    path("admin/", admin.site.urls),
    # Uploads, for members only (never the MEDIA_ROOT folder as is, DEBUG or not).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", media_file, name="media"),
    path("api/", include("gptstudio.api_urls")),
    path("accounts/", include("allauth.urls")),
    # OAuth 2.1 for MCP clients: RFC 8414 / RFC 9728 metadata at the root, endpoints under /o/
    # (one namespace: the library's metadata views reverse its own endpoint names).
    path(
        "",
        include(
            (
                [
                    *oauth2_urls.metadata_urlpatterns,
                    path("o/authorize/", MCPAuthorizationView.as_view(), name="authorize"),
                    path("o/token/", oauth2_views.TokenView.as_view(), name="token"),
                    path("o/revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="revoke-token"),
                ],
                "oauth2_provider",
            )
        ),
    ),
    path("", include("gpts.urls_export")),
    path("", include("actions.urls")),
    path("", include("gpts.urls")),
]

handler404 = "gptstudio.api.errors.not_found"
handler500 = "gptstudio.api.errors.server_error"

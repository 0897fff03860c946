"""URL map: UI under /, API under /api/v1/, docs, admin, accounts, health."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from gpts.views_media import media_file

from .health import healthz
from .views import rules_page

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("rules/", rules_page, name="rules"),
    path("admin/", admin.site.urls),
    # Uploads, for members only (never the MEDIA_ROOT folder as is, DEBUG or not).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", media_file, name="media"),
    path("api/", include("gptstudio.api_urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("gpts.urls_export")),
    path("", include("actions.urls")),
    path("", include("gpts.urls")),
]

handler404 = "gptstudio.api.errors.not_found"
handler500 = "gptstudio.api.errors.server_error"

"""The API's one router (/api/v1/), including each app's endpoints, and the schema and docs.

Apps add endpoints in their `<app>/api/urls.py` (`register(router)` + `urlpatterns`), so an
extension (export/import, schema import jobs) plugs in without touching this file's structure.
"""

from django.conf import settings
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from actions.api import urls as actions_urls
from gpts.api import urls as gpts_urls

from .api.docs import RedocView
from .api.errors import unrouted
from .api.tokens import APITokenViewSet

router = SimpleRouter()
router.register("tokens", APITokenViewSet, basename="token")
gpts_urls.register(router)
actions_urls.register(router)

v1_patterns = [*router.urls, *gpts_urls.urlpatterns, *actions_urls.urlpatterns]
if settings.BENCHMARK_ENDPOINTS:
    from .api.bench import TrivialView

    v1_patterns.append(path("bench/trivial/", TrivialView.as_view(), name="bench-trivial"))

urlpatterns = [
    path("v1/", include((v1_patterns, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # Last: every other /api/ path is a JSON 404 (see gptstudio/api/errors.py `unrouted`).
    re_path(r"^", unrouted),
]

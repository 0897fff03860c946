"""A trivial JSON endpoint for benchmarks/api.py: the same stack as the real endpoints (token auth,
permissions, throttling, renderer) with no work of its own. Routed only when the
BENCHMARK_ENDPOINTS setting is on, never in a normal deployment."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView


class TrivialView(APIView):
    @extend_schema(exclude=True)
    def get(self, request):
        return Response({"ok": True})

"""Content negotiation for endpoints that answer with a file (exports).

The file's media type (a zip, a YAML or JSON document) is not a DRF renderer, so an `Accept` header
asking for it must not turn into a 406, and `?format=` is the endpoint's own parameter there, not
DRF's renderer override (which would answer 404 for `format=yaml`). Errors stay JSON.
"""

from rest_framework.negotiation import DefaultContentNegotiation


class FileDownloadNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type

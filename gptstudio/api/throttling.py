"""Rate limits for token clients (automation), and for action test calls (everyone).

The rate comes from settings.API_TOKEN_THROTTLE_RATE (env `API_TOKEN_THROTTLE_RATE`, e.g.
`600/minute`; empty disables) and is read per request, so tests and deployments can change it
without re-importing DRF (whose own `THROTTLE_RATES` is frozen at import time).
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from gptstudio.models import APIToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self):
        return getattr(settings, "API_TOKEN_THROTTLE_RATE", "") or None

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, APIToken):
            return None
        # Per user, not per token: more tokens do not buy a higher rate.
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class ActionCallThrottle(SimpleRateThrottle):
    """Test calls of actions reach third-party APIs: limited per user for browser sessions and
    tokens alike (settings.ACTION_CALL_THROTTLE_RATE, env `ACTION_CALL_THROTTLE_RATE`, default
    `30/minute`; empty disables)."""

    scope = "action_call"

    def get_rate(self):
        return getattr(settings, "ACTION_CALL_THROTTLE_RATE", "") or None

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}

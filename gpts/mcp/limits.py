"""Rate limits of the hosted MCP endpoint, on DRF's cache-based throttle (the same cache as the
API's): per credential (`MCP_TOKEN_THROTTLE_RATE`) and per GPT across all callers
(`MCP_GPT_THROTTLE_RATE`). Rates look like `600/minute`; empty disables one."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class _KeyedThrottle(SimpleRateThrottle):
    """A throttle keyed by a string the caller gives (no DRF request or view involved)."""

    def __init__(self, setting: str, scope: str):
        self.setting = setting
        self.scope = scope
        super().__init__()

    def get_rate(self):
        return getattr(settings, self.setting, "") or None

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request}


def rate_limited(*, caller, gpt_id: int) -> int | None:
    """None when the call may go ahead, else the seconds to wait (for Retry-After)."""
    for throttle, ident in (
        (_KeyedThrottle("MCP_TOKEN_THROTTLE_RATE", "mcp_token"), caller.token_key),
        (_KeyedThrottle("MCP_GPT_THROTTLE_RATE", "mcp_gpt"), str(gpt_id)),
    ):
        if not throttle.allow_request(ident, None):
            return max(1, int(throttle.wait() or 1))
    return None

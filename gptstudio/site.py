"""The sites framework's Site 1 follows SITE_DOMAIN / SITE_NAME from the settings.

allauth names the site in every account email ("[GPT Studio] Please confirm your email address")
and falls back to the Site's domain for links built without a request. django.contrib.sites creates
Site 1 as "example.com"; this post_migrate hook sets it from the settings on every `migrate`, so a
deployment changes its name by changing the environment, with no admin edit to remember.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings


def site_sync_from_settings(*, using: str = "default", **kwargs) -> None:
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME}
    )
    Site.objects.clear_cache()


def is_loopback_host(host: str) -> bool:
    """`localhost` or a loopback IP address (development: plain http is fine there)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def site_url(path: str) -> str:
    """An absolute URL on SITE_DOMAIN for links that leave the request (an MCP tool's answer, a
    job's result, an OAuth redirect URI, an exported plugin's MCP URL): https, but http for a
    loopback host (development)."""
    host = settings.SITE_DOMAIN
    scheme = "http" if is_loopback_host(urlsplit(f"//{host}").hostname or "") else "https"
    return f"{scheme}://{host}{path}"

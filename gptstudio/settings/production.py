"""Production: no insecure defaults. Refuses to start without its secrets."""

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import FIELD_ENCRYPTION_KEYS, REDIS_URL, SECRET_KEY, env

DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS must be set in production (comma-separated Fernet keys; "
        'generate one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").'
    )
for _position, _key in enumerate(FIELD_ENCRYPTION_KEYS, start=1):
    # Refuse now rather than on the first secret read or write, hours after a deploy.
    try:
        Fernet(_key.strip().encode())
    except ValueError:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS: key {_position} is not a Fernet key (32 url-safe base64-encoded bytes)."
        ) from None

if not REDIS_URL:
    # Without a broker every Celery task runs eagerly inside the web request that starts it: a schema
    # import (up to 4 fetches with backoff) would hold a web worker for minutes, and a worker killed
    # at its timeout would leave the job `running` until the stale-job sweep fails it.
    raise ImproperlyConfigured(
        "REDIS_URL must be set in production: it is the Celery broker, so imports and other jobs run in a "
        "worker (`make worker`) instead of inside web requests. For a local, single-process setup use "
        "DJANGO_SETTINGS_MODULE=gptstudio.settings.local."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers probe /healthz over plain http inside the network; a redirect to https would
# read as "down" (or as "up" without checking anything). Matched against the path without its
# leading slash; the URL has no trailing slash (gptstudio/urls.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# A year, the floor of browsers' HSTS preload lists; set it lower only while trying HTTPS out.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
SECURE_CONTENT_TYPE_NOSNIFF = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

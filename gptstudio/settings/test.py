"""pytest: fast hashing, in-memory email, the database from DATABASE_URL (SQLite by default)."""

import tempfile

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="django-insecure-test-key")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# A fresh folder per test run, so uploaded test files never mix with real media.
MEDIA_ROOT = env("MEDIA_ROOT", default="") or tempfile.mkdtemp(prefix="gptstudio-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = tempfile.mkdtemp(prefix="gptstudio-test-static-")
WHITENOISE_AUTOREFRESH = True
# Only for a test's own Celery worker process (tests/conftest.py): lets the fetcher reach the test's
# HTTP server on 127.0.0.1. Loopback only; defined nowhere else. See gptstudio/fetcher.py.
FETCHER_ALLOW_LOOPBACK_FOR_TESTS = env.bool("GPTSTUDIO_TEST_FETCHER_ALLOW_LOOPBACK", default=False)

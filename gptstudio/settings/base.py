"""Settings shared by every environment. Values that differ per deployment come from the
environment; see the configuration table in docs/REFERENCE.md and `.env.example`."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from gptstudio.limits import STUDIO_HEAVY_JOBS_PER_USER, STUDIO_SCHEMA_HARD_MAX_BYTES, STUDIO_SCHEMA_SYNC_MAX_BYTES

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local `.env` is optional; real deployments set variables in the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core ----------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "oauth2_provider",
    "gptstudio",
    "gpts",
    "actions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "gptstudio.urls"
WSGI_APPLICATION = "gptstudio.wsgi.application"
ASGI_APPLICATION = "gptstudio.asgi.application"
SITE_ID = 1
# Account emails name the site and link to it (gptstudio/site.py sets Site 1 from these on migrate).
SITE_DOMAIN = env("SITE_DOMAIN", default="127.0.0.1:8000")
SITE_NAME = env("SITE_NAME", default="GPT Studio")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gpts.context_processors.workspaces",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
# Embedded default: a SQLite file next to manage.py. Set DATABASE_URL for PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves concurrent ASGI requests (the hosted MCP endpoint writes an audit
    # row per call): WAL lets readers and one writer proceed together and commits without an fsync
    # of the whole file; IMMEDIATE takes the write lock up front instead of failing an upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
# Seconds a worker keeps its database connection (0: a new one per request). Opening a PostgreSQL
# connection costs more than serving a small API request; deployments should set e.g. 60.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL under ASGI (the production entry point, and every request to the hosted MCP endpoint):
# Django's docs advise a connection pool there instead of persistent connections, so that no
# request pays for opening a connection. DATABASE_POOL=true opens psycopg's pool per process.
if env.bool("DATABASE_POOL", default=False):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_POOL=true needs PostgreSQL (DATABASE_URL=postgres://…).")
    if DATABASES["default"]["CONN_MAX_AGE"]:
        raise ImproperlyConfigured(
            "DATABASE_POOL=true keeps the connections itself: leave CONN_MAX_AGE unset (or 0) with it."
        )
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
    }
# PostgreSQL: bind parameters on the server and prepare statements a connection runs repeatedly,
# which saves the planner's work on every API list and detail (benchmarks/api.py: about 25%).
# Off by default: it does not work through a transaction-pooling PgBouncer.
if "postgresql" in DATABASES["default"]["ENGINE"] and env.bool("DATABASE_PREPARED_STATEMENTS", default=False):
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 2})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
# Django's username rule without "@": a username never looks like an email address.
ACCOUNT_USERNAME_VALIDATORS = "gptstudio.usernames.USERNAME_VALIDATORS"
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"
# Sign-up creates the user's personal workspace (gpts/signals.py) and then follows ?next= (an
# invitation link) or lands on the dashboard.
ACCOUNT_SIGNUP_REDIRECT_URL = "/"
# Optional two-factor authentication with allauth's own MFA: authenticator apps (TOTP) and
# recovery codes. WebAuthn is left out: its templates need inline script data and a JS bundle.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="GPT Studio")

# --- Email (Django 6.1 MAILERS) ----------------------------------------------------------------
# Console by default; set EMAIL_URL (e.g. smtp+tls://user:pass@smtp.example.com:587) for real mail.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
}
# The console backend prints decoded bodies, so links stay whole (gptstudio/mail.py).
_CONSOLE_BACKENDS = {"django.core.mail.backends.console.EmailBackend": "gptstudio.mail.EmailBackend"}
MAILERS = {
    "default": {
        "BACKEND": _CONSOLE_BACKENDS.get(_email["EMAIL_BACKEND"], _email["EMAIL_BACKEND"]),
        "OPTIONS": {k: v for k, v in _smtp_options.items() if v not in (None, "")}
        if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="GPT Studio <noreply@localhost>")

# --- Content-Security-Policy (https://docs.djangoproject.com/en/6.1/ref/csp/) -------------------
# Only our own files: no inline scripts, no inline styles, no third-party hosts. Every asset is
# vendored (scripts/vendor.sh). `data:` images are the TOTP QR code of allauth's MFA setup page.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Knowledge files can be large (ChatGPT allows 512 MB); uploads stream to disk above this size.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=25 * 1024 * 1024)

# --- Schema engine ---------------------------------------------------------------------------------
# Largest schema text GPT Studio parses (bytes); larger input gets a `schema.too_large` finding.
# Big enough for real specs (GitHub's is 13 MB); ChatGPT's own (reported) cap is separate.
SCHEMA_MAX_BYTES = env.int("SCHEMA_MAX_BYTES", default=STUDIO_SCHEMA_HARD_MAX_BYTES)
# Schemas up to this size are checked and saved inside the request; larger ones run as a Celery job
# (actions/heavy.py), at most HEAVY_JOBS_PER_USER of them per user at a time.
SCHEMA_SYNC_MAX_BYTES = env.int("SCHEMA_SYNC_MAX_BYTES", default=STUDIO_SCHEMA_SYNC_MAX_BYTES)
HEAVY_JOBS_PER_USER = env.int("HEAVY_JOBS_PER_USER", default=STUDIO_HEAVY_JOBS_PER_USER)

# --- Outbound HTTP (gptstudio/fetcher.py) ------------------------------------------------------
# Private hosts the safe fetcher may reach anyway, as exact `host:port` entries (a local API for
# test calls in development, e.g. `127.0.0.1:9000`). Empty by default: public addresses only.
OUTBOUND_ALLOW_HOSTS = env.list("OUTBOUND_ALLOW_HOSTS", default=[])

# --- Secrets at rest -----------------------------------------------------------------------
# Comma-separated Fernet keys: the first encrypts, all decrypt (rotation). See gptstudio/encryption.py.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# --- Redis: broker and cache -----------------------------------------------------------------
# Unset REDIS_URL means the embedded mode: Celery tasks run eagerly in-process, cache is local memory.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery (https://docs.celeryq.dev/en/stable/userguide/configuration.html) ---------------------
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A prefork worker child is replaced after a task that took it over this resident size (KiB): a job
# over a multi-megabyte schema leaves the memory it grew by with Python's allocator (README,
# "Limits"). 0 disables the limit.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=256_000) or None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- REST framework (https://www.django-rest-framework.org/api-guide/settings/) ----------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "gptstudio.api.schema.StudioAutoSchema",
    # Bearer first: an unauthenticated request then gets 401 + `WWW-Authenticate: Bearer`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gptstudio.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["gptstudio.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["gptstudio.api.renderers.FastJSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "gptstudio.api.pagination.StudioPagination",
    "DEFAULT_THROTTLE_CLASSES": ["gptstudio.api.throttling.TokenRateThrottle"],
    "EXCEPTION_HANDLER": "gptstudio.api.errors.api_exception_handler",
    # OPTIONS lists only the writes the caller's role allows.
    "DEFAULT_METADATA_CLASS": "gptstudio.api.metadata.RoleAwareMetadata",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# benchmarks/api.py only: adds a trivial JSON endpoint to compare the real ones with.
BENCHMARK_ENDPOINTS = env.bool("BENCHMARK_ENDPOINTS", default=False)
# Requests per user of token clients (`N/second|minute|hour|day`); empty: no limit.
API_TOKEN_THROTTLE_RATE = env("API_TOKEN_THROTTLE_RATE", default="600/minute")
# Test calls of actions (`POST /api/v1/actions/{id}/call/`) per user, browser sessions included:
# each one reaches a third-party API. Empty: no limit.
ACTION_CALL_THROTTLE_RATE = env("ACTION_CALL_THROTTLE_RATE", default="30/minute")
# Hosted MCP endpoint (/mcp/<workspace>/<gpt>/): calls per credential and per GPT (all callers);
# `N/second|minute|hour|day`, empty: no limit. Browser Origins allowed to call it (none by default).
MCP_TOKEN_THROTTLE_RATE = env("MCP_TOKEN_THROTTLE_RATE", default="600/minute")
MCP_GPT_THROTTLE_RATE = env("MCP_GPT_THROTTLE_RATE", default="3000/minute")
MCP_ALLOWED_ORIGINS = env.list("MCP_ALLOWED_ORIGINS", default=[])
# GPT Studio as the OAuth 2.1 authorization server of the hosted MCP endpoints (gpts/mcp/oauth.py;
# https://django-oauth-toolkit.readthedocs.io/en/latest/settings.html): authorization code with
# PKCE S256 only, tokens bound to one endpoint by RFC 8707 `resource`. oauthlib's
# WebApplicationServer implements only the authorization_code and refresh_token grants (implicit,
# password and client_credentials are refused whatever an application row says), and the metadata
# advertises those alone. RFC 9700 token storage: access and refresh tokens are kept as SHA-256
# checksums only (the `token` column stays empty), so a database copy holds no usable token.
# With these, `manage.py check --deploy` reports no RFC 9700 warning from the library.
OAUTH2_PROVIDER = {
    "OAUTH2_SERVER_CLASS": "oauthlib.oauth2.WebApplicationServer",
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,  # RFC 9207 `iss` on the redirect (mix-up defence)
    "REFRESH_TOKEN_REUSE_PROTECTION": True,  # a replayed refresh token revokes its whole family
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "SCOPES": {"mcp": "Call this GPT's actions as MCP tools"},
    "DEFAULT_SCOPES": ["mcp"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("MCP_ACCESS_TOKEN_SECONDS", default=3600),
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if DEBUG else ["https"],
    "OAUTH2_PROTECTED_RESOURCE_NAME": "GPT Studio MCP endpoint",
}
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
SPECTACULAR_SETTINGS = {
    "TITLE": "GPT Studio API",
    "DESCRIPTION": (
        "Keep, review, validate and export ChatGPT custom GPT definitions and their Actions.\n\n"
        "**Auth:** a personal API token as `Authorization: Bearer gps_…` (create one at "
        "`POST /api/v1/tokens/` from a browser session; it is shown once), or the browser session.\n\n"
        "**Errors** share one shape: `{message, code, errors?, findings?, current_version?}`.\n\n"
        "**Concurrency:** GPTs and actions carry an `ETag` (their version). Send it back as `If-Match` "
        "(or a `version` field) on PUT/PATCH/DELETE: 412 when it is stale, 409 when someone saved in "
        "between."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SeverityEnum": "gptstudio.findings.Severity",
        "SchemaFormatEnum": "actions.models.Action.SchemaFormat",
        # The GPT model's and the GPT document's (same values; the document has no labels).
        "VisibilityEnum": "gpts.models.GPT.Visibility",
    },
    "GET_LIB_DOC_EXCLUDES": "gptstudio.api.schema.doc_excludes",
    # No badge from validator.swagger.io: the docs pages load nothing from other hosts.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Redoc's search runs in a Web Worker made from a blob: URL, which the CSP's script-src 'self'
    # refuses; the sidebar lists every operation anyway.
    "REDOC_UI_SETTINGS": {"disableSearch": True},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging ---------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # httpx logs the pinned IP URL of each request; gptstudio.fetcher logs the host name and IP.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

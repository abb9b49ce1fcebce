"""Django settings for Lapor, read from the environment through :mod:`lapor.core.env`.

Every variable is documented in README.md ("Configuration"). Defaults give the embedded
single-machine setup: SQLite in WAL mode under ``$LAPOR_DATA_DIR`` (default ``./var``).
"""

from __future__ import annotations

import ipaddress
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP, build_policy

from lapor.core.dbpool import check_idle_connection
from lapor.core.env import (
    env_bool,
    env_ceilings,
    env_int,
    env_list,
    env_optional,
    env_path,
    env_str,
    site_url,
)
from lapor.core.maps import tiles_origin

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env_path("LAPOR_DATA_DIR", Path.cwd() / "var")

DEBUG = env_bool("LAPOR_DEBUG", default=False)
# A production start must fail fast without a real secret; the embedded demo (`make run`)
# passes LAPOR_DEMO_MODE=1 and gets a key stored under DATA_DIR instead.
_secret = env_optional("LAPOR_SECRET_KEY")
if _secret is None:
    if not env_bool("LAPOR_DEMO_MODE", default=DEBUG):
        raise ImproperlyConfigured(
            "LAPOR_SECRET_KEY is required (set LAPOR_DEMO_MODE=1 for a local demo)"
        )
    from lapor.core.secretfile import demo_secret_key

    _secret = demo_secret_key(DATA_DIR)
SECRET_KEY = _secret

# The identity vault (lapor.privacy): Fernet keys (first encrypts, all decrypt) and the
# never-rotating blind-index key. Same fail-fast / demo-file rule as the secret key.
from lapor.privacy.keyfile import blind_index_key, encryption_keys  # noqa: E402

LAPOR_ENCRYPTION_KEYS = encryption_keys(
    env_optional("LAPOR_ENCRYPTION_KEYS"),
    demo=env_bool("LAPOR_DEMO_MODE", default=DEBUG), data_dir=DATA_DIR,
)
LAPOR_BLIND_INDEX_KEY = blind_index_key(
    env_optional("LAPOR_BLIND_INDEX_KEY"),
    demo=env_bool("LAPOR_DEMO_MODE", default=DEBUG), data_dir=DATA_DIR,
)

ALLOWED_HOSTS = env_list("LAPOR_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("LAPOR_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "lapor.core",
    "lapor.accounts",
    "lapor.regions",
    "lapor.categories",
    "lapor.orgs",
    "lapor.reports",
    "lapor.attachments",
    "lapor.sla",
    "lapor.audit",
    "lapor.privacy",
    "lapor.demo",
    "lapor.web",
    "lapor.portal",
    "lapor.workspace",
]

MIDDLEWARE = [
    # WhiteNoise answers static files before the security and CSP middleware: a policy, the
    # referrer and opener policies only act on a document, so scripts, styles and images go
    # without them (WHITENOISE_ADD_HEADERS_FUNCTION below gives every static file nosniff, and
    # the document headers to the files a browser can open as a document, SVG first).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lapor.web.middleware.LanguageMiddleware",
    "lapor.config.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it only marks the request in process_view, after every other middleware's.
    "lapor.core.dbrouting.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "lapor.config.urls"
WSGI_APPLICATION = "lapor.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lapor.web.context.ui",
            ],
        },
    },
]


POSTGRESQL_ENGINE = "lapor.core.postgresql"


def _database() -> dict[str, Any]:
    url = env_optional("DATABASE_URL")
    if url is None:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'lapor.sqlite3'}"
    max_age = env_int("LAPOR_DB_CONN_MAX_AGE", 60)
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=max_age))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while the worker writes; IMMEDIATE takes the write lock
        # at BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    else:
        if config["ENGINE"] == "django.db.backends.postgresql":
            # Django's backend, whose health check looks at the socket before it sends a query.
            config["ENGINE"] = POSTGRESQL_ENGINE
        config["CONN_HEALTH_CHECKS"] = True
        if not env_bool("LAPOR_DB_PGBOUNCER", default=False):
            # No JIT: it compiled for 10-15 ms on short queries whose cost estimate passed
            # jit_above_cost (a staff search's scope took 25 ms instead of 11). Behind PgBouncer
            # startup options don't pass: `ALTER DATABASE … SET jit = off` (docs/deploy.md).
            config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
        if (pool := _pool_options()) is not None:
            _use_pool(config, pool)
    return config


def _pool_options() -> dict[str, Any] | None:
    """psycopg_pool options for a PostgreSQL database (issue #21), or None for no pool.

    Opt-in (``LAPOR_DB_POOL=1``; off by default: after a PostgreSQL restart psycopg_pool
    reconnects 1 s, 2 s, 4 s… apart, and the fault test of ten restarts under load timed
    out waiting for a connection, docs/deploy.md), never behind PgBouncer in transaction
    mode (the bouncer is the pool). Per process: ``LAPOR_DB_POOL_SIZE`` connections at most
    (``lapor serve`` sets it to ``--threads`` for the web workers: one per thread),
    ``LAPOR_DB_POOL_MIN_SIZE`` kept open, ``LAPOR_DB_POOL_TIMEOUT`` seconds to wait for one
    before the request fails as the database being unavailable (a clean 503).
    """
    if env_bool("LAPOR_DB_PGBOUNCER", default=False) or not env_bool("LAPOR_DB_POOL",
                                                                      default=False):
        return None
    max_size = env_int("LAPOR_DB_POOL_SIZE", 4)
    min_size = env_int("LAPOR_DB_POOL_MIN_SIZE", 1)
    timeout = env_int("LAPOR_DB_POOL_TIMEOUT", 3)
    if max_size < 1 or not 0 <= min_size <= max_size or timeout < 1:
        raise ImproperlyConfigured(
            "LAPOR_DB_POOL_SIZE must be ≥ 1, LAPOR_DB_POOL_MIN_SIZE between 0 and it, "
            "LAPOR_DB_POOL_TIMEOUT ≥ 1 (seconds)")
    return {"min_size": min_size, "max_size": max_size, "timeout": timeout,
            # Django asks for a connection per request and gives it back at the end. The check
            # before handing one out costs no round trip unless the server closed it (a
            # restart): lapor.core.dbpool. A dead one is dropped and replaced; a request waits
            # at most `timeout` for a connection, then fails as the database being away (503).
            "check": check_idle_connection,
            "name": "lapor"}


def _use_pool(config: dict[str, Any], pool: dict[str, Any]) -> None:
    # Django refuses a pool with persistent connections; its health check would add the
    # round trip the pool saves (the pool only hands out connections it holds healthy).
    config["CONN_MAX_AGE"] = 0
    config["CONN_HEALTH_CHECKS"] = False
    config.setdefault("OPTIONS", {})["pool"] = pool


DATABASES = {"default": _database()}
# Scale-out (docs/deploy.md). Behind PgBouncer in transaction pooling, a connection may change
# server between transactions: no server-side cursors.
if env_bool("LAPOR_DB_PGBOUNCER", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# A streaming replica for the reads of public pages and dashboards (lapor.core.dbrouting): only
# requests whose URL name is in LAPOR_REPLICA_ROUTES read there; a visitor who just wrote is
# pinned to the primary for LAPOR_REPLICA_PIN_SECONDS.
if (_replica_url := env_optional("DATABASE_REPLICA_URL")) is not None:
    DATABASES["replica"] = {
        **dict(dj_database_url.parse(_replica_url,
                                     conn_max_age=env_int("LAPOR_DB_CONN_MAX_AGE", 60))),
        "CONN_HEALTH_CHECKS": True,
        "DISABLE_SERVER_SIDE_CURSORS": env_bool("LAPOR_DB_PGBOUNCER", default=False),
        "OPTIONS": {k: v for k, v in DATABASES["default"].get("OPTIONS", {}).items()
                    if k != "pool"},
        "TEST": {"MIRROR": "default"},
    }
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["ENGINE"] = POSTGRESQL_ENGINE
    if (DATABASES["replica"]["ENGINE"] == POSTGRESQL_ENGINE
            and (_replica_pool := _pool_options()) is not None):
        _use_pool(DATABASES["replica"], _replica_pool)
DATABASE_ROUTERS = ["lapor.core.dbrouting.ReplicaRouter"]
LAPOR_REPLICA_ROUTES = env_list("LAPOR_REPLICA_ROUTES", [
    "portal:home", "portal:feed", "portal:report", "portal:sop", "open311:discovery",
    "open311:services", "open311:service", "open311:requests", "open311:request",
    "stats:*", "stats-public:*",
])
LAPOR_REPLICA_PIN_SECONDS = env_int("LAPOR_REPLICA_PIN_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "id"
# UI strings are written in English in the code and translated to Indonesian (the default) in
# each app's locale/id; the language switch stores the choice in this cookie (lapor.web).
LANGUAGE_COOKIE_NAME = "lapor_lang"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# `lapor serve` collects the static files here before it starts (hashed names, gzip copies):
# WhiteNoise then serves them compressed with a one-year immutable cache, so a phone on a slow
# link downloads the CSS and htmx once.
STATIC_ROOT = env_path("LAPOR_STATIC_ROOT", DATA_DIR / "static")
# Source maps (the API docs' bundles ship 5 MB of them) are fetched by developer tools only:
# compressing them with Brotli was most of `lapor serve`'s first-start time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "swf",
    "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg",
    "webm", "wmv", "map",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Attachments are never served directly (no URL, outside any web root): a view checks
    # permission and streams them (lapor/attachments). Another backend (S3-compatible, through
    # django-storages) is chosen by LAPOR_ATTACHMENT_STORAGE_BACKEND + _OPTIONS (JSON).
    "attachments": {
        "BACKEND": env_str("LAPOR_ATTACHMENT_STORAGE_BACKEND",
                           "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(env_str("LAPOR_ATTACHMENT_STORAGE_OPTIONS", "null")) or {
            "location": env_path("LAPOR_ATTACHMENT_ROOT", DATA_DIR / "attachments"),
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    },
}
# Request bodies other than file parts stay small; uploaded files above this size spool to a
# temporary file instead of memory. The per-file limit below is checked by the attachments app;
# a reverse proxy should cap the whole body a little above it (client_max_body_size).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Staff pages (lapor.workspace) need a session signed in with the second factor.
LOGIN_URL = "workspace:login"
SESSION_COOKIE_AGE = env_int("LAPOR_SESSION_HOURS", 12) * 3600

# Two queues: `default` (deadline sweep, outbox dispatch, channel replies: the interactive
# worker) and `routing` (the nightly retraining: only a routing worker, never the interactive
# one; docs/operations.md "Task workers").
TASK_QUEUES = ["default", "routing"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}

# Lapor's own settings.
LAPOR_API_TOKEN_HOURS = env_int("LAPOR_API_TOKEN_HOURS", 12)
LAPOR_WORKER_HEARTBEAT_SECONDS = env_int("LAPOR_WORKER_HEARTBEAT_SECONDS", 10)
LAPOR_WORKER_STALE_SECONDS = env_int("LAPOR_WORKER_STALE_SECONDS", 60)
# Dashboards (lapor.stats): how long a node's figures are kept in the process cache, keyed
# by the counters' version (a refresh or rebuild makes a new key at once). 0: no cache.
LAPOR_STATS_CACHE_SECONDS = env_int("LAPOR_STATS_CACHE_SECONDS", 60)
LAPOR_DEFAULT_TIMEZONE = env_str("LAPOR_DEFAULT_TIMEZONE", "Asia/Jakarta")
# Attachments (docs/security.md "Attachments").
LAPOR_ATTACHMENT_MAX_BYTES = env_int("LAPOR_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
LAPOR_ATTACHMENTS_PER_REPORT = env_int("LAPOR_ATTACHMENTS_PER_REPORT", 5)
LAPOR_ATTACHMENT_REPORT_MAX_BYTES = env_int("LAPOR_ATTACHMENT_REPORT_MAX_BYTES", 25 * 1024 * 1024)
LAPOR_CLAMAV_SOCKET = env_optional("LAPOR_CLAMAV_SOCKET")
LAPOR_CLAMAV_TIMEOUT_SECONDS = env_int("LAPOR_CLAMAV_TIMEOUT_SECONDS", 30)

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Staff access (docs/security.md, "Staff access"): lockout, 2FA, rate limits, headers.
# django-axes: the first backend refuses a locked-out (username, client address) pair before
# the password is even checked; failed OTP codes are counted too (lapor.accounts.signin).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LAPOR_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LAPOR_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "lapor.core.ratelimit.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# No AxesMiddleware: it would replace the API's JSON 429 (code too_many_attempts, Retry-After)
# with its own page; lapor.accounts.signin turns a lockout into that answer itself.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
LAPOR_PROXY_COUNT = env_int("LAPOR_PROXY_COUNT", 0)
LAPOR_OTP_ENROLLMENT_MINUTES = env_int("LAPOR_OTP_ENROLLMENT_MINUTES", 10)
OTP_TOTP_ISSUER = env_str("LAPOR_OTP_ISSUER", "Lapor")
# Reporter lookups (lapor.core.ratelimit): fixed windows counted in the database.
LAPOR_RATE_LOOKUPS_PER_MINUTE = env_int("LAPOR_RATE_LOOKUPS_PER_MINUTE", 30)
LAPOR_RATE_CODE_FAILURES_PER_HOUR = env_int("LAPOR_RATE_CODE_FAILURES_PER_HOUR", 10)
LAPOR_RATE_CODE_FAILURES_PER_IP_HOUR = env_int("LAPOR_RATE_CODE_FAILURES_PER_IP_HOUR", 50)
# New reports (lapor.core.ratelimit.throttle_submission; docs/security.md "Submission limits").
# 0 turns a limit off.
LAPOR_RATE_REPORTS_PER_SENDER_HOUR = env_int("LAPOR_RATE_REPORTS_PER_SENDER_HOUR", 10)
LAPOR_RATE_REPORTS_PER_SENDER_DAY = env_int("LAPOR_RATE_REPORTS_PER_SENDER_DAY", 30)
LAPOR_RATE_REPORTS_PER_ADDRESS_HOUR = env_int("LAPOR_RATE_REPORTS_PER_ADDRESS_HOUR", 60)
LAPOR_RATE_REPORTS_PER_APPLICATION_MINUTE = env_int(
    "LAPOR_RATE_REPORTS_PER_APPLICATION_MINUTE", 600)
# Whole-channel ceilings per minute, e.g. "sms=300,whatsapp=600"; unset channels have none.
LAPOR_RATE_REPORTS_PER_CHANNEL_MINUTE = env_ceilings("LAPOR_RATE_REPORTS_PER_CHANNEL_MINUTE")
# UU PDP retention (lapor.privacy.pdp.retention_sweep; docs/security.md "Personal data"):
# days after closing/archiving, per report type, then anonymise (default) or purge.
LAPOR_RETENTION_DAYS_COMPLAINT = env_int("LAPOR_RETENTION_DAYS_COMPLAINT", 1826)
LAPOR_RETENTION_DAYS_ASPIRATION = env_int("LAPOR_RETENTION_DAYS_ASPIRATION", 730)
LAPOR_RETENTION_DAYS_INFORMATION_REQUEST = env_int("LAPOR_RETENTION_DAYS_INFORMATION_REQUEST", 730)
LAPOR_RETENTION_MODE = env_str("LAPOR_RETENTION_MODE", "anonymise")
if LAPOR_RETENTION_MODE not in ("anonymise", "purge"):
    raise ImproperlyConfigured("LAPOR_RETENTION_MODE must be 'anonymise' or 'purge'")

# The citizen app's map (docs/portal.md "The app's report form"): a Leaflet tile URL template
# such as https://tile.openstreetmap.org/{z}/{x}/{y}.png ("" = no tiles: the map draws the home
# regency's kecamatan boundaries as shapes, which works on an intranet) and the attribution the
# tile provider requires. The tiles' origin, and only it, is added to the CSP's img-src.
LAPOR_MAP_TILES_URL = env_str("LAPOR_MAP_TILES_URL", "")
LAPOR_MAP_TILES_ATTRIBUTION = env_str("LAPOR_MAP_TILES_ATTRIBUTION", "")

# Django's own Content-Security-Policy: nothing inline runs unless it carries the per-request
# nonce. /api/v1/docs (Swagger UI) loads only same-origin files; see lapor.config.api.
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", *filter(None, [tiles_origin(LAPOR_MAP_TILES_URL)])],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    # The citizen app (lapor.portal.pwa): its service worker and manifest, same origin only.
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
}
STATIC_DOCUMENT_EXTENSIONS = (".svg", ".html", ".htm", ".xml", ".xhtml")


def _static_document_policy(headers: Any, path: str, url: str) -> None:
    """Security headers on static files, which WhiteNoise answers before the middleware that
    adds them to pages: ``nosniff`` on every file (a script or style sheet of the wrong type
    is refused); the page policy (without a nonce), the referrer and the opener policies on a
    file a browser renders as a document; the referrer policy on a style sheet too (it governs
    the requests the sheet's ``url()`` makes).

    The other headers act only on a document, so the other files go without them (~110 bytes
    each on HTTP/1.1, where headers are not compressed, with the CSP's ~250 bytes: the citizen
    app's first load is ~20 such files; docs/performance.md)."""
    headers["X-Content-Type-Options"] = "nosniff"
    lowered = url.lower()
    if lowered.endswith(STATIC_DOCUMENT_EXTENSIONS):
        headers["Content-Security-Policy"] = build_policy(SECURE_CSP)
        headers["Cross-Origin-Opener-Policy"] = SECURE_CROSS_ORIGIN_OPENER_POLICY
    if lowered.endswith((*STATIC_DOCUMENT_EXTENSIONS, ".css")):
        headers["Referrer-Policy"] = SECURE_REFERRER_POLICY


SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
WHITENOISE_ADD_HEADERS_FUNCTION = _static_document_policy
# Static files are read by this site's own pages only: no Access-Control-Allow-Origin: * on
# each answer (34 bytes).
WHITENOISE_ALLOW_ALL_ORIGINS = False
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if env_bool("LAPOR_HTTPS", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("LAPOR_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False

# Logs (lapor.core.logging; docs/operations.md "Logs"): LAPOR_LOG_FORMAT=plain (default, for a
# terminal) or json (one object per line with a request id; recommended in production).
from lapor.core.logging import logging_config  # noqa: E402

LOGGING = logging_config(env_str("LAPOR_LOG_FORMAT", "plain"),
                         env_str("LAPOR_LOG_LEVEL", "INFO"))

# Portal (citizen pages, lapor.portal; README "Configuration")
# Who runs this site, shown in the footer of every citizen page (for example
# "Pemerintah Kabupaten Kutai Timur · Diskominfo Staper").
LAPOR_SITE_OPERATOR = env_str("LAPOR_SITE_OPERATOR", "Pengelola LAPOR! daerah")
# The installed citizen app's name (Web App Manifest, lapor.portal.pwa), for example
# "LAPOR! Kutim"; at most 12 characters is also its label under the home-screen icon.
LAPOR_APP_NAME = env_str("LAPOR_APP_NAME", "LAPOR!")

# Notifications (lapor.notifications, lapor.sla.notices; docs/notifications.md, README
# "Configuration")
INSTALLED_APPS += ["lapor.notifications", "django_rq"]
# Task engine: "db" (django-tasks-db; SQLite or PostgreSQL, the default) or "rq" (RQ on
# Redis through django-tasks-rq, for several worker machines). `lapor worker` runs the right one.
LAPOR_TASKS_BACKEND = env_str("LAPOR_TASKS_BACKEND", "db")
LAPOR_REDIS_URL = env_str("LAPOR_REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {queue: {"URL": LAPOR_REDIS_URL, "DEFAULT_TIMEOUT": 600} for queue in TASK_QUEUES}
if LAPOR_TASKS_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
elif LAPOR_TASKS_BACKEND != "db":
    raise ImproperlyConfigured("LAPOR_TASKS_BACKEND must be 'db' or 'rq'")
# Outgoing mail: Django 6.1 MAILERS; the outbox sends through LAPOR_NOTIFY_MAILER.
# LAPOR_EMAIL_BACKEND is a short name or a dotted path; each backend gets only its own options
# (a backend given another's options cannot be built). `lapor serve` and `lapor worker` build
# it at start and refuse to start, in one line, when it cannot be built.
_MAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}


def _mailer() -> dict[str, Any]:
    # The local demo (LAPOR_DEMO_MODE) writes each message to a file under the data dir, where
    # a newcomer can read it (`make run` prints the directory).
    demo = env_bool("LAPOR_DEMO_MODE", default=DEBUG)
    backend = env_str("LAPOR_EMAIL_BACKEND", "file" if demo else "smtp")
    backend = _MAIL_BACKENDS.get(backend, backend)
    options: dict[str, Any] = {}
    if (raw := env_optional("LAPOR_EMAIL_OPTIONS")) is not None:
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise ImproperlyConfigured("LAPOR_EMAIL_OPTIONS must be a JSON object")
        options = parsed
    elif backend == _MAIL_BACKENDS["smtp"]:
        options = {
            "host": env_str("LAPOR_EMAIL_HOST", "localhost"),
            "port": env_int("LAPOR_EMAIL_PORT", 25),
            "username": env_str("LAPOR_EMAIL_USER", ""),
            "password": env_str("LAPOR_EMAIL_PASSWORD", ""),
            "use_tls": env_bool("LAPOR_EMAIL_STARTTLS", default=False),
            "timeout": env_int("LAPOR_EMAIL_TIMEOUT_SECONDS", 20),
        }
    elif backend == _MAIL_BACKENDS["file"]:
        options = {"file_path": str(env_path("LAPOR_EMAIL_FILE_PATH", DATA_DIR / "mail"))}
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": _mailer()}
DEFAULT_FROM_EMAIL = env_str("LAPOR_EMAIL_FROM", "LAPOR! <noreply@localhost>")
LAPOR_NOTIFY_MAILER = "default"
LAPOR_EMAIL_MESSAGE_ID_DOMAIN = env_str("LAPOR_EMAIL_MESSAGE_ID_DOMAIN", "lapor.invalid")
# Links in messages (tracking page, staff page): unless set, the address `lapor serve` serves
# (it passes --host/--port to its children as LAPOR_HOST and PORT; `make run` writes PORT in
# the env file, so a command run beside it links to the same place).
LAPOR_SITE_URL = site_url()
LAPOR_NOTIFY_LANGUAGE = env_str("LAPOR_NOTIFY_LANGUAGE", "id")
# Outbox delivery: retries with exponential backoff and jitter, then the dead-letter state.
LAPOR_OUTBOX_MAX_ATTEMPTS = env_int("LAPOR_OUTBOX_MAX_ATTEMPTS", 8)
LAPOR_OUTBOX_BACKOFF_BASE_SECONDS = env_int("LAPOR_OUTBOX_BACKOFF_BASE_SECONDS", 30)
LAPOR_OUTBOX_BACKOFF_MAX_SECONDS = env_int("LAPOR_OUTBOX_BACKOFF_MAX_SECONDS", 6 * 3600)
LAPOR_OUTBOX_LEASE_SECONDS = env_int("LAPOR_OUTBOX_LEASE_SECONDS", 300)
LAPOR_OUTBOX_BATCH = env_int("LAPOR_OUTBOX_BATCH", 100)
LAPOR_OUTBOX_DRAIN_LIMIT = env_int("LAPOR_OUTBOX_DRAIN_LIMIT", 5000)
LAPOR_WEBHOOK_TIMEOUT_SECONDS = env_int("LAPOR_WEBHOOK_TIMEOUT_SECONDS", 10)
# Web Push to citizens who opted in (lapor.notifications.push, docs/notifications.md "Web
# Push"): the VAPID private key (url-safe base64 scalar, PEM text or file:/path.pem; the public
# key is derived); unset in demo mode: one kept under DATA_DIR; unset otherwise or empty: off.
from lapor.notifications.vapid import vapid_private_key  # noqa: E402

LAPOR_VAPID_PRIVATE_KEY = vapid_private_key(
    env_optional("LAPOR_VAPID_PRIVATE_KEY"),
    demo=env_bool("LAPOR_DEMO_MODE", default=DEBUG), data_dir=DATA_DIR,
)
# The operator's contact for push services (RFC 8292 "sub"): mailto: or https: URL.
LAPOR_VAPID_SUBJECT = env_str("LAPOR_VAPID_SUBJECT", "mailto:admin@localhost")
if LAPOR_VAPID_PRIVATE_KEY and not LAPOR_VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured("LAPOR_VAPID_SUBJECT must be a mailto: or https:// URL")
# How long a push service keeps an undelivered message (the phone is off or offline).
LAPOR_PUSH_TTL_SECONDS = env_int("LAPOR_PUSH_TTL_SECONDS", 4 * 24 * 3600)
LAPOR_PUSH_TIMEOUT_SECONDS = env_int("LAPOR_PUSH_TIMEOUT_SECONDS", 10)
# Accept http://127.0.0.1 / http://localhost push endpoints (a local push-service fake in tests
# or a demo); real push services are always https.
LAPOR_PUSH_ALLOW_LOCAL_HTTP = env_bool("LAPOR_PUSH_ALLOW_LOCAL_HTTP", default=False)
# The push services a subscription's endpoint may name (host or parent domain): the server
# POSTs there, so a citizen cannot point it at an address on the operator's own network.
LAPOR_PUSH_SERVICE_HOSTS = env_list("LAPOR_PUSH_SERVICE_HOSTS", [
    "fcm.googleapis.com", "push.services.mozilla.com", "notify.windows.com",
    "push.apple.com",
])
# Quiet hours for SMS/WhatsApp to reporters (local time of each agency; QuietHours overrides).
LAPOR_QUIET_HOURS_START = env_str("LAPOR_QUIET_HOURS_START", "21:00")
LAPOR_QUIET_HOURS_END = env_str("LAPOR_QUIET_HOURS_END", "07:00")
# `lapor serve` restarts a child process that exits (a task worker, the web server) at most
# this many times per child within a minute, then stops (docs/operations.md).
LAPOR_SERVE_MAX_RESTARTS = env_int("LAPOR_SERVE_MAX_RESTARTS", 5)
# A task worker that loses the database retries with exponential backoff up to this delay.
LAPOR_WORKER_RETRY_MAX_SECONDS = env_int("LAPOR_WORKER_RETRY_MAX_SECONDS", 30)
# Sent outbox rows are deleted after this many days (dead letters are kept).
LAPOR_OUTBOX_KEEP_DAYS = env_int("LAPOR_OUTBOX_KEEP_DAYS", 30)

# Open311 (lapor.open311: GeoReport v2 under /open311/v2/; docs/open311.md, README
# "Configuration")
INSTALLED_APPS += ["lapor.open311"]
# The jurisdiction_id this endpoint answers to (a client sending another one gets a 404).
LAPOR_OPEN311_JURISDICTION = env_str("LAPOR_OPEN311_JURISDICTION", "lapor.go.id")
# Kemendagri region of requests that send no attribute[region_code] ("" = clients must send
# one), for example "64.08" for a Kutai Timur deployment.
LAPOR_OPEN311_DEFAULT_REGION = env_str("LAPOR_OPEN311_DEFAULT_REGION", "")
# Code of the hub agency whose verifiers receive Open311 requests ("" = the national pool).
LAPOR_OPEN311_AGENCY = env_str("LAPOR_OPEN311_AGENCY", "")
# Contact shown in discovery.{json,xml} (an email address or URL of the operator).
LAPOR_OPEN311_CONTACT = env_str("LAPOR_OPEN311_CONTACT", "")

# Reliability (issue #11; docs/operations.md "Health: liveness and readiness", "Logs",
# "Metrics", "Backup and restore")
# Every request gets an id (X-Request-ID, in each log line) and is counted for /metrics.
MIDDLEWARE = [
    "lapor.core.middleware.RequestIdMiddleware",
    "lapor.config.metrics.MetricsMiddleware",
    *MIDDLEWARE,
]
# /readyz answers 503 when this many outbox rows or more are due and undelivered.
LAPOR_READY_MAX_QUEUE = env_int("LAPOR_READY_MAX_QUEUE", 10_000)
# /metrics answers only these client addresses/networks, or a bearer token; else 404.
LAPOR_METRICS_ALLOW = env_list("LAPOR_METRICS_ALLOW", ["127.0.0.1", "::1"])
LAPOR_METRICS_TOKEN = env_optional("LAPOR_METRICS_TOKEN")
# Seconds the scrape-time database gauges (outbox, overdue, heartbeat) are remembered.
LAPOR_METRICS_CACHE_SECONDS = env_int("LAPOR_METRICS_CACHE_SECONDS", 30)


def _check_networks(entries: list[str]) -> None:
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"LAPOR_METRICS_ALLOW: {entry!r} is not an address or network") from exc


_check_networks(LAPOR_METRICS_ALLOW)
if LAPOR_METRICS_TOKEN is not None and len(LAPOR_METRICS_TOKEN) < 24:
    raise ImproperlyConfigured("LAPOR_METRICS_TOKEN must be at least 24 characters")

# SOP documents
INSTALLED_APPS += ["lapor.sopdoc"]
# Approved SOP PDFs (lapor.sopdoc): served only through a view, never from a web root.
SOP_STORAGE_ROOT = env_path("LAPOR_SOP_ROOT", DATA_DIR / "sop")

# Training sandbox (Bimtek, #12): practice spaces, accounts and reports apart from real data
INSTALLED_APPS += ["lapor.training"]
# A region's programme for running SP4N-LAPOR! (issue #23, lapor.renaksi, docs/renaksi.md).
INSTALLED_APPS += ["lapor.renaksi"]
# Federation between a national and regional instances (issue #22, lapor.federation,
# docs/federation.md).
INSTALLED_APPS += ["lapor.federation"]
# A signed request between instances whose timestamp is further than this from the receiver's
# clock is refused (stale_request); accepted signatures are remembered twice as long to
# refuse replays (lapor.federation.signing).
LAPOR_FEDERATION_SKEW_SECONDS = env_int("LAPOR_FEDERATION_SKEW_SECONDS", 300)
# Seconds to wait for the other instance's answer (handshake, journal push).
LAPOR_FEDERATION_TIMEOUT_SECONDS = env_int("LAPOR_FEDERATION_TIMEOUT_SECONDS", 10)
# Journal entries per request (lapor.federation.transport).
LAPOR_FEDERATION_BATCH = env_int("LAPOR_FEDERATION_BATCH", 100)
# Reminders: an open activity is "due soon" from this many working days before its planned end
# (the agency's calendar), "overdue" after it; one reminder a day (lapor.renaksi.reminders).
LAPOR_RENAKSI_REMINDER_DAYS = env_int("LAPOR_RENAKSI_REMINDER_DAYS", 3)
# Evidence files of its activities (lapor.renaksi.evidence): served only through a view that
# checks who reads the plan, never from a web root.
RENAKSI_EVIDENCE_ROOT = env_path("LAPOR_RENAKSI_EVIDENCE_ROOT", DATA_DIR / "renaksi")

# Search, duplicates, routing and spam suggestions (issue #7, lapor.search, docs/search.md)
INSTALLED_APPS += ["lapor.search"]
# A search matching more reports than this (within its scope and filters) is refused as too
# broad: ranking scores every match.
LAPOR_SEARCH_MAX_MATCHES = env_int("LAPOR_SEARCH_MAX_MATCHES", 1_000)
# Duplicate candidates: same category and district, submitted within this many days.
LAPOR_DUPLICATE_WINDOW_DAYS = env_int("LAPOR_DUPLICATE_WINDOW_DAYS", 30)
# The daily retraining of the routing classifiers is enqueued at the first worker tick at or
# after this UTC hour (18 = 01:00 WIB, 02:00 WITA, 03:00 WIT), on the `routing` queue that
# only a routing worker takes (`lapor worker --queue-name routing`; docs/search.md).
LAPOR_ROUTING_TRAIN_HOUR_UTC = env_int("LAPOR_ROUTING_TRAIN_HOUR_UTC", 18)
# A night's run retrains an agency once the examples its model has not learned reach this
# percentage of the model's examples, or any once the model is this many days old.
LAPOR_ROUTING_RETRAIN_PERCENT = env_int("LAPOR_ROUTING_RETRAIN_PERCENT", 2)
LAPOR_ROUTING_RETRAIN_DAYS = env_int("LAPOR_ROUTING_RETRAIN_DAYS", 30)
# The routing worker lowers its CPU priority by this much (nice): web requests and the
# interactive worker come first on a shared machine.
LAPOR_ROUTING_WORKER_NICE = env_int("LAPOR_ROUTING_WORKER_NICE", 10)

# Intake: integrated regional applications, inbound e-mail, walk-in and phone (issue #5;
# docs/intake.md)
INSTALLED_APPS += ["lapor.intake"]
# How long an Idempotency-Key's answer is kept and replayed (hours).
LAPOR_INTEGRATION_REPLAY_HOURS = env_int("LAPOR_INTEGRATION_REPLAY_HOURS", 24)
# How long POST /api/v1/reports replays the answer to an Idempotency-Key (the citizen app's
# offline queue): a phone whose answer was lost may only be back online days later.
LAPOR_REPORTS_REPLAY_HOURS = env_int("LAPOR_REPORTS_REPLAY_HOURS", 168)
# `lapor smtpd`: where the listener binds, the domains it accepts mail for (RCPT TO to any
# other domain is refused with 550; empty: any), the largest message (bytes).
LAPOR_SMTPD_HOST = env_str("LAPOR_SMTPD_HOST", "127.0.0.1")
LAPOR_SMTPD_PORT = env_int("LAPOR_SMTPD_PORT", 2525)
LAPOR_EMAIL_INTAKE_DOMAINS = env_list("LAPOR_EMAIL_INTAKE_DOMAINS", [])
LAPOR_EMAIL_MAX_BYTES = env_int("LAPOR_EMAIL_MAX_BYTES", 25 * 1024 * 1024)
# The region of an e-mailed report sent to an address that names no agency with a region.
LAPOR_EMAIL_DEFAULT_REGION = env_str("LAPOR_EMAIL_DEFAULT_REGION", "")
# `lapor imap-poll`: the mailbox to read (no password: the poller refuses to start).
LAPOR_IMAP_HOST = env_str("LAPOR_IMAP_HOST", "")
LAPOR_IMAP_PORT = env_int("LAPOR_IMAP_PORT", 993)
LAPOR_IMAP_SSL = env_bool("LAPOR_IMAP_SSL", default=True)
LAPOR_IMAP_USER = env_str("LAPOR_IMAP_USER", "")
LAPOR_IMAP_PASSWORD = env_optional("LAPOR_IMAP_PASSWORD")
LAPOR_IMAP_MAILBOX = env_str("LAPOR_IMAP_MAILBOX", "INBOX")
LAPOR_IMAP_INTERVAL_SECONDS = env_int("LAPOR_IMAP_INTERVAL_SECONDS", 60)

# Channels: SMS (Twilio, Kannel), WhatsApp, Telegram, X (lapor.channels, docs/channels.md).
# A channel whose secret is unset is disabled: its endpoint answers 503 channel_disabled.
INSTALLED_APPS += ["lapor.channels"]
LAPOR_TWILIO_AUTH_TOKEN = env_str("LAPOR_TWILIO_AUTH_TOKEN", "")
LAPOR_TWILIO_ACCOUNT_SID = env_str("LAPOR_TWILIO_ACCOUNT_SID", "")
LAPOR_TWILIO_FROM = env_str("LAPOR_TWILIO_FROM", "")
# The public URL Twilio calls, when a proxy makes the request's own URL differ from it.
LAPOR_TWILIO_WEBHOOK_URL = env_str("LAPOR_TWILIO_WEBHOOK_URL", "")
LAPOR_TWILIO_API_BASE = env_str("LAPOR_TWILIO_API_BASE", "https://api.twilio.com")
LAPOR_KANNEL_SECRET = env_str("LAPOR_KANNEL_SECRET", "")
LAPOR_KANNEL_SENDSMS_URL = env_str("LAPOR_KANNEL_SENDSMS_URL", "")
LAPOR_KANNEL_USERNAME = env_str("LAPOR_KANNEL_USERNAME", "")
LAPOR_KANNEL_PASSWORD = env_str("LAPOR_KANNEL_PASSWORD", "")
LAPOR_KANNEL_FROM = env_str("LAPOR_KANNEL_FROM", "1708")
LAPOR_WHATSAPP_VERIFY_TOKEN = env_str("LAPOR_WHATSAPP_VERIFY_TOKEN", "")
LAPOR_WHATSAPP_APP_SECRET = env_str("LAPOR_WHATSAPP_APP_SECRET", "")
LAPOR_WHATSAPP_ACCESS_TOKEN = env_str("LAPOR_WHATSAPP_ACCESS_TOKEN", "")
LAPOR_WHATSAPP_PHONE_NUMBER_ID = env_str("LAPOR_WHATSAPP_PHONE_NUMBER_ID", "")
LAPOR_WHATSAPP_GRAPH_BASE = env_str("LAPOR_WHATSAPP_GRAPH_BASE",
                                    "https://graph.facebook.com/v21.0")
LAPOR_TELEGRAM_SECRET_TOKEN = env_str("LAPOR_TELEGRAM_SECRET_TOKEN", "")
LAPOR_TELEGRAM_BOT_TOKEN = env_str("LAPOR_TELEGRAM_BOT_TOKEN", "")
LAPOR_TELEGRAM_API_BASE = env_str("LAPOR_TELEGRAM_API_BASE", "https://api.telegram.org")
LAPOR_X_CONSUMER_SECRET = env_str("LAPOR_X_CONSUMER_SECRET", "")
LAPOR_X_ACCESS_TOKEN = env_str("LAPOR_X_ACCESS_TOKEN", "")
LAPOR_X_API_BASE = env_str("LAPOR_X_API_BASE", "https://api.x.com")
# Region of channel reports that name no agency keyword and no district ("" = such a message
# is answered with the keyword format and nothing is stored), e.g. "64.08".
LAPOR_CHANNELS_DEFAULT_REGION = env_str("LAPOR_CHANNELS_DEFAULT_REGION", "")
LAPOR_SMS_JOIN_SECONDS = env_int("LAPOR_SMS_JOIN_SECONDS", 300)
LAPOR_CHANNELS_CONVERSATION_HOURS = env_int("LAPOR_CHANNELS_CONVERSATION_HOURS", 24)
LAPOR_CHANNELS_HTTP_TIMEOUT_SECONDS = env_int("LAPOR_CHANNELS_HTTP_TIMEOUT_SECONDS", 10)
# Days the encrypted raw payload of a handled inbound message is kept (then blanked).
LAPOR_CHANNELS_RAW_KEEP_DAYS = env_int("LAPOR_CHANNELS_RAW_KEEP_DAYS", 30)

# Statistics and dashboards (issue #8; docs/statistics.md)
INSTALLED_APPS += ["lapor.stats"]

# The top tier (lapor.config) as an app, last: its commands `lapor serve`, `lapor worker`,
# `lapor backup` and `lapor restore` wire every other app together.
INSTALLED_APPS += ["lapor.config"]

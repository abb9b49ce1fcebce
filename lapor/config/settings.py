"""Django settings for Lapor, read from the environment through :mod:`lapor.core.env`.

Every variable is documented in README.md ("Configuration"). Defaults give the embedded
single-machine setup: SQLite in WAL mode under ``$LAPOR_DATA_DIR`` (default ``./var``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from lapor.core.env import env_bool, env_int, env_list, env_optional, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env_path("LAPOR_DATA_DIR", Path.cwd() / "var")

DEBUG = env_bool("LAPOR_DEBUG", default=False)
# A production start must fail fast without a real secret; the embedded demo (`make run`)
# passes LAPOR_DEMO_MODE=1 and gets a key stored under DATA_DIR instead.
_secret = env_optional("LAPOR_SECRET_KEY")
if _secret is None:
    if not env_bool("LAPOR_DEMO_MODE", default=DEBUG):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "LAPOR_SECRET_KEY is required (set LAPOR_DEMO_MODE=1 for a local demo)"
        )
    from lapor.core.secretfile import demo_secret_key

    _secret = demo_secret_key(DATA_DIR)
SECRET_KEY = _secret

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
    "lapor.core",
    "lapor.accounts",
    "lapor.regions",
    "lapor.categories",
    "lapor.orgs",
    "lapor.reports",
    "lapor.sla",
    "lapor.audit",
    "lapor.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "lapor.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


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
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database()}
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
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Static files are served by WhiteNoise from the apps (finders); `collectstatic` is optional.
_static_root = env_optional("LAPOR_STATIC_ROOT")
STATIC_ROOT = Path(_static_root) if _static_root else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Lapor's own settings.
LAPOR_API_TOKEN_HOURS = env_int("LAPOR_API_TOKEN_HOURS", 12)
LAPOR_WORKER_HEARTBEAT_SECONDS = env_int("LAPOR_WORKER_HEARTBEAT_SECONDS", 10)
LAPOR_WORKER_STALE_SECONDS = env_int("LAPOR_WORKER_STALE_SECONDS", 60)
LAPOR_DEFAULT_TIMEZONE = env_str("LAPOR_DEFAULT_TIMEZONE", "Asia/Jakarta")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("LAPOR_HTTPS", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LAPOR_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

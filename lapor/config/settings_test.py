"""Test settings: the real database named by DATABASE_URL (SQLite when unset), fast hashing."""

import os

os.environ.setdefault("LAPOR_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
# Fixed vault keys for tests only (lapor.privacy); never use these anywhere else.
os.environ.setdefault("LAPOR_ENCRYPTION_KEYS", "stMYBNkSARhCjDp3h4FnU6hVcaX43MAfSz34yuuh3MQ=")
os.environ.setdefault("LAPOR_BLIND_INDEX_KEY", "test-only-blind-index-key-0123456789abcdef")

from lapor.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; tests
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
                     "QUEUES": TASK_QUEUES}}  # noqa: F405
# Tests serve static files from the apps (no collectstatic, no manifest of hashed names).
STORAGES = {**STORAGES, "staticfiles": {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
LAPOR_STATS_CACHE_SECONDS = 0  # tests write counters directly; lapor.stats tests turn it on
STATIC_ROOT = None  # type: ignore[assignment]  # nothing is collected in tests

"""Test settings: the real database named by DATABASE_URL (SQLite when unset), fast hashing."""

import os

os.environ.setdefault("LAPOR_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from lapor.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; tests
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

"""Encryption and blind-index keys from the environment, or kept under the data directory for
the embedded demo (like :mod:`lapor.core.secretfile`).

Imported by the settings module: no Django models here, only ``cryptography``.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from lapor.core.secretfile import demo_file

BLIND_INDEX_KEY_MIN_LENGTH = 32


def parse_encryption_keys(raw: str) -> list[str]:
    """A comma-separated list of Fernet keys; the first encrypts, all decrypt."""
    keys = [item.strip() for item in raw.split(",") if item.strip()]
    if not keys:
        raise ImproperlyConfigured("LAPOR_ENCRYPTION_KEYS holds no key")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError as exc:
            # Never echo the key itself.
            raise ImproperlyConfigured(
                f"LAPOR_ENCRYPTION_KEYS: key {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from exc
    return keys


def encryption_keys(raw: str | None, *, demo: bool, data_dir: Path) -> list[str]:
    """The configured keys; in demo mode without configuration, one kept in ``data_dir``.

    Outside demo mode a missing key stops the start (the vault can't work without it)."""
    if raw is None:
        if not demo:
            raise ImproperlyConfigured(
                "LAPOR_ENCRYPTION_KEYS is required (set LAPOR_DEMO_MODE=1 for a local demo)"
            )
        raw = demo_file(data_dir / "encryption_keys", lambda: Fernet.generate_key().decode())
    return parse_encryption_keys(raw)


def blind_index_key(raw: str | None, *, demo: bool, data_dir: Path) -> str:
    """The blind-index HMAC key. It never rotates: changing it orphans every index value."""
    if raw is None:
        if not demo:
            raise ImproperlyConfigured(
                "LAPOR_BLIND_INDEX_KEY is required (set LAPOR_DEMO_MODE=1 for a local demo)"
            )
        raw = demo_file(data_dir / "blind_index_key", lambda: secrets.token_urlsafe(32))
    if len(raw) < BLIND_INDEX_KEY_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"LAPOR_BLIND_INDEX_KEY must be at least {BLIND_INDEX_KEY_MIN_LENGTH} characters"
        )
    return raw

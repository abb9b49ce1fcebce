"""VAPID keys for Web Push (RFC 8292): read from the environment, or kept under the data
directory for the embedded demo (like :mod:`lapor.privacy.keyfile`).

``LAPOR_VAPID_PRIVATE_KEY`` is the P-256 private key as the 32-byte scalar in url-safe base64
without padding (what ``npx web-push generate-vapid-keys`` and ``vapid --gen`` print), or a PEM
text (``-----BEGIN PRIVATE KEY-----`` ...), or ``file:/path/to/key.pem``. The public key is
derived from it (never configured separately, so the two cannot disagree). Empty: Web Push is
off and the portal does not offer it.

Imported by the settings module: no Django models here, only ``cryptography``.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured

from lapor.core.secretfile import demo_file

DEMO_FILE = "vapid_private_key"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_private_key() -> str:
    """A new key as its 32-byte scalar in url-safe base64 (the stored form)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


@lru_cache(maxsize=4)
def load_private_key(raw: str) -> ec.EllipticCurvePrivateKey:
    """The key from any accepted spelling (see the module docstring); ImproperlyConfigured
    otherwise. Never echoes the value."""
    text = raw.strip()
    try:
        if text.startswith("file:"):
            text = Path(text[5:]).read_text().strip()
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            scalar = b64url_decode(text)
            if len(scalar) != 32:
                raise ValueError("not 32 bytes")
            key = ec.derive_private_key(int.from_bytes(scalar, "big"), ec.SECP256R1())
    except (OSError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "LAPOR_VAPID_PRIVATE_KEY is not a P-256 private key (url-safe base64 of 32 bytes, "
            "a PEM text or file:/path.pem)") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(
            key.curve, ec.SECP256R1):
        raise ImproperlyConfigured("LAPOR_VAPID_PRIVATE_KEY must be a P-256 (prime256v1) key")
    return key


def public_key_b64(raw: str) -> str:
    """The public key as the browser's ``applicationServerKey`` wants it: the uncompressed
    point (65 bytes), url-safe base64 without padding."""
    point = load_private_key(raw).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(point)


def private_key_b64(raw: str) -> str:
    """The stored form (32-byte scalar, url-safe base64) of any accepted spelling."""
    value = load_private_key(raw).private_numbers().private_value
    return b64url(value.to_bytes(32, "big"))


def vapid_private_key(raw: str | None, *, demo: bool, data_dir: Path) -> str:
    """The configured key in its stored form; in demo mode without configuration, one kept in
    ``data_dir`` (mode 0600, created once); "" (push off) otherwise."""
    if raw is None:
        if not demo:
            return ""
        raw = demo_file(data_dir / DEMO_FILE, generate_private_key)
    if not raw.strip():
        return ""
    return private_key_b64(raw)

"""The access-code key the federated instances share (:class:`SharedKey`, one row, pk 1).

Made by the national instance at its first ``peer add`` (:func:`shared_key_ensure`), handed to
a region in the signed handshake and stored there (:func:`shared_key_store`). New reports'
access codes are digested with it (lapor.reports.submission via lapor.reports.replication),
so one access code works on every instance holding the report; codes digested with the local
key before keep working.
"""

from __future__ import annotations

import base64
import secrets

from lapor.core import clock
from lapor.federation.models import SharedKey
from lapor.privacy import vault

_KEY_BYTES = 32


def shared_access_code_key() -> bytes | None:
    """The shared key, or None when this instance has none (not federated)."""
    row = SharedKey.objects.filter(pk=1).only("key_encrypted").first()
    if row is None:
        return None
    return base64.b64decode(vault.decrypt(row.key_encrypted))


def shared_key_ensure() -> bytes:
    """The shared key, made now if there is none (the national instance's first peering).
    Call inside the peering's transaction."""
    existing = shared_access_code_key()
    if existing is not None:
        return existing
    key = secrets.token_bytes(_KEY_BYTES)
    SharedKey.objects.create(pk=1, key_encrypted=vault.encrypt(base64.b64encode(key).decode()),
                             created_at=clock.now())
    return key


def shared_key_store(key: bytes) -> None:
    """Keep the national instance's shared key (a region, at ``upstream set``)."""
    if len(key) != _KEY_BYTES:
        raise ValueError("shared access-code key must be 32 bytes")
    SharedKey.objects.update_or_create(pk=1, defaults={
        "key_encrypted": vault.encrypt(base64.b64encode(key).decode()),
        "created_at": clock.now()})

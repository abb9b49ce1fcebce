"""Open311 API keys: created and revoked by an operator (``lapor open311 key …``), audited.

A key is shown once, at creation; only its SHA-256 is stored (the same scheme as
:class:`lapor.accounts.models.ApiToken`: 256 random bits need no slow hash).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.core.errors import NotFound
from lapor.core.text import clean_text
from lapor.open311.models import ApiKey

KEY_PREFIX = "l311_"
_SHOWN_PREFIX = 8
NAME_MAX = 100


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    raw: str


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def open311_key_create(*, name: str) -> CreatedKey:
    """A new key for the client application ``name``; the raw key is returned only here."""
    name = clean_text(name, field="name", max_length=NAME_MAX, min_length=1)
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name, key_hash=_digest(raw), prefix=raw[len(KEY_PREFIX):][:_SHOWN_PREFIX],
        created_at=clock.now(),
    )
    audit_record(action="open311.key_created", target_type="open311_key", target_id=key.pk,
                 payload={"name": name, "prefix": key.prefix})
    return CreatedKey(key=key, raw=raw)


@transaction.atomic
def open311_key_revoke(*, key_id: int) -> ApiKey:
    """Revoke a key for good (idempotent: revoking a revoked key changes nothing)."""
    key = ApiKey.objects.select_for_update().filter(pk=key_id).first()
    if key is None:
        raise NotFound("not_found")
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
        audit_record(action="open311.key_revoked", target_type="open311_key",
                     target_id=key.pk, payload={"name": key.name, "prefix": key.prefix})
    return key


def open311_key_authenticate(raw: str) -> ApiKey | None:
    """The active key matching ``raw``, or ``None``."""
    if not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    return ApiKey.objects.filter(key_hash=_digest(raw), revoked_at__isnull=True).first()


def open311_keys() -> QuerySet[ApiKey]:
    return ApiKey.objects.order_by("created_at", "id")

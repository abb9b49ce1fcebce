"""Exactly once per ``Idempotency-Key``: the generic part shared by every idempotent endpoint.

Used by the integration API (lapor.intake.integration, one scope per application) and the
citizen API's ``POST /api/v1/reports`` (lapor.reports.submission_once, the citizen app's
offline queue). Contract, following the IETF "Idempotency-Key" HTTP header draft:

* the first request with a key is processed; its 201 answer is stored;
* the same key with the same body (canonical JSON: key order and spacing do not matter)
  gets the stored answer again, the same fields, marked ``Idempotent-Replayed``;
* the same key with another body is refused, 422 ``idempotency_key_reused``; nothing is stored;
* concurrent requests with one key: the key's row is inserted first in the transaction that
  does the work, so the second request waits on the unique index until the first commits,
  then replays its answer (tested on PostgreSQL);
* a refused request (4xx, 429) stores nothing, so a corrected or later retry may reuse its key.

The stored answer holds a one-time access code, which the platform otherwise keeps only as a
hash. So it is stored encrypted with a key derived from the Idempotency-Key (which itself is
stored only as a keyed hash): the database alone cannot give the code back, only a client
presenting the key can.

The rows live in each caller's own model (so each app keeps its own table and purge); the
model needs the fields ``key_digest``, ``request_digest``, ``status_code``, ``response`` and
``created_at``, and a unique constraint over the scope fields plus ``key_digest``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction

from lapor.core import clock
from lapor.core.errors import ApplicationError, Conflict, ValidationFailed

# Visible ASCII without spaces: what the draft's examples and common clients send (UUIDs).
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
# The advisory lock class of idempotency keys ("IDMP"; two-int locks are apart from the
# one-bigint lock of lapor.audit).
_LOCK_CLASS = 0x49444D50


@dataclass(frozen=True)
class IdempotentResult:
    status: int
    body: dict[str, Any]
    replayed: bool


def request_digest(data: Any) -> str:
    """SHA-256 of the canonical JSON of the parsed body."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str | None) -> str:
    """The key as sent; a required key that is missing is 400 ``idempotency_key_missing``."""
    if key is None or not key:
        # 400, as the IETF draft says for a required key that is missing.
        raise ApplicationError("idempotency_key_missing", field="Idempotency-Key")
    if not _KEY.match(key):
        raise ValidationFailed("validation_error", field="Idempotency-Key")
    return key


def optional_key(key: str | None) -> str | None:
    """The key as sent, or None for an endpoint where it is optional."""
    return None if key is None or not key else check_key(key)


@dataclass(frozen=True)
class IdempotencyScope:
    """Where one family of keys lives: ``model`` rows filtered by ``filters``.

    ``namespace`` and ``scope`` feed the key derivations (keep them stable: changing them
    makes stored answers unreadable); ``window_hours`` is how long an answer is replayed.
    """

    model: type[models.Model]
    namespace: str
    scope: str
    filters: Mapping[str, Any]
    window_hours: int

    def _derived(self, purpose: str) -> bytes:
        return hashlib.sha256(
            f"{self.namespace}.{purpose}:{settings.SECRET_KEY}".encode()).digest()

    def key_digest(self, key: str) -> str:
        return hmac.new(self._derived("idempotency-key"), f"{self.scope}:{key}".encode(),
                        hashlib.sha256).hexdigest()

    def _box(self, key: str) -> Fernet:
        raw = hmac.new(self._derived("idempotency-box"), f"{self.scope}:{key}".encode(),
                       hashlib.sha256).digest()
        return Fernet(base64.urlsafe_b64encode(raw))

    def _rows(self) -> models.QuerySet[Any]:
        return self.model._default_manager.filter(**self.filters)

    def stored(self, key: str, digest: str) -> IdempotentResult | None:
        """The stored answer for ``key``, or None (never seen, or expired and dropped)."""
        record: Any = self._rows().filter(key_digest=self.key_digest(key)).first()
        if record is None:
            return None
        if record.created_at < clock.now() - timedelta(hours=self.window_hours):
            self.model._default_manager.filter(pk=record.pk).delete()
            return None
        if not hmac.compare_digest(record.request_digest, digest):
            raise ValidationFailed("idempotency_key_reused", field="Idempotency-Key")
        try:
            body = json.loads(self._box(key).decrypt(record.response.encode()))
        except InvalidToken:  # SECRET_KEY rotated since: the answer can't be read back
            raise Conflict("idempotency_key_reused", field="Idempotency-Key") from None
        return IdempotentResult(status=record.status_code, body=body, replayed=True)

    def run(self, *, key: str, request_data: Any,
            produce: Callable[[], dict[str, Any]] | None = None,
            prepare: Callable[[], Callable[[], dict[str, Any]]] | None = None,
            ) -> IdempotentResult:
        """Replay the stored answer for ``key``, or call ``produce`` (in the transaction that
        holds the key's row) and store its answer as the 201 for this key.

        ``prepare`` instead of ``produce``: called first, outside that transaction (checks
        and rate limits, whose counters commit on their own and are never held locked by the
        key's transaction; a refusal raises and stores nothing), it returns ``produce``. Not
        called for a replay, so a replayed answer is never counted again."""
        if prepare is None:
            return self._run(key, request_data, produce)
        # Retries of one key queue here, before anything is counted: the first one's answer
        # is then stored, and the others replay it without touching the rate limits.
        with self._key_lock(key):
            return self._run(key, request_data, produce, prepare)

    @contextmanager
    def _key_lock(self, key: str) -> Iterator[None]:
        """PostgreSQL: a session-level advisory lock on the key (not a transaction's, so the
        checks and rate limits that ``prepare`` runs are in no transaction of ours). SQLite
        writes one at a time anyway."""
        if connection.vendor != "postgresql":
            yield
            return
        objid = int.from_bytes(bytes.fromhex(self.key_digest(key))[:4], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [_LOCK_CLASS, objid])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_CLASS, objid])

    def _run(self, key: str, request_data: Any,
             produce: Callable[[], dict[str, Any]] | None,
             prepare: Callable[[], Callable[[], dict[str, Any]]] | None = None,
             ) -> IdempotentResult:
        digest = request_digest(request_data)
        stored = self.stored(key, digest)
        if stored is not None:
            return stored
        if prepare is not None:
            produce = prepare()
        if produce is None:
            raise TypeError("run() needs produce or prepare")
        try:
            with transaction.atomic():
                # First write of the transaction: a concurrent request with this key waits
                # here until this one commits (then replays) or rolls back (then proceeds).
                record: Any = self.model._default_manager.create(
                    **self.filters, key_digest=self.key_digest(key), request_digest=digest,
                    status_code=0, response="", created_at=clock.now())
                answer = produce()
                record.status_code = 201
                record.response = self._box(key).encrypt(
                    json.dumps(answer, separators=(",", ":")).encode()).decode()
                record.save(update_fields=["status_code", "response"])
        except IntegrityError:
            stored = self.stored(key, digest)
            if stored is None:
                raise
            return stored
        return IdempotentResult(status=201, body=answer, replayed=False)


def purge(model: type[models.Model], *, window_hours: int) -> int:
    """Delete the answers of ``model`` older than the replay window."""
    cutoff = clock.now() - timedelta(hours=window_hours)
    deleted, _ = model._default_manager.filter(created_at__lt=cutoff).delete()
    return deleted

"""Writing and verifying the hash-chained audit log.

Writers serialise on the chain head: PostgreSQL takes a transaction-level advisory lock, SQLite
already holds the database write lock (``BEGIN IMMEDIATE``). The ``seq`` unique constraint is the
last line of defence: two writers can never both append entry N.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from lapor.audit.models import AuditEntry
from lapor.core import clock
from lapor.orgs.actors import Actor, ActorKind

GENESIS = "0" * 64
_LOCK_KEY = 0x4C41504F52  # "LAPOR": the advisory lock id of the chain head


def _canonical(entry: AuditEntry) -> bytes:
    content = {
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(),
        "action": entry.action,
        "actor_id": entry.actor_id,
        "actor_role": entry.actor_role,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "payload": entry.payload,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"),
                      cls=DjangoJSONEncoder).encode()


def _digest(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def audit_record(
    *,
    action: str,
    actor: Actor | None = None,
    actor_id: int | None = None,
    target_type: str = "",
    target_id: str | int = "",
    payload: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction when there is one, so the entry
    commits or rolls back with the change it records. Never put personal data in ``payload``."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        head = AuditEntry.objects.order_by("-seq").only("seq", "entry_hash").first()
        user_id = actor_id
        role = ""
        if actor is not None:
            user_id = actor.user.pk if actor.user is not None else actor_id
            role = actor.role_label if actor.kind == ActorKind.STAFF else str(actor.kind)
        entry = AuditEntry(
            seq=(head.seq + 1) if head else 1,
            created_at=clock.now(),
            action=action,
            actor_id=user_id,
            actor_role=role,
            target_type=target_type,
            target_id=str(target_id),
            payload=json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder)),
            prev_hash=head.entry_hash if head else GENESIS,
        )
        entry.entry_hash = _digest(entry)
        entry.save(force_insert=True)
        return entry


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_bad_seq: int | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def audit_verify(batch: int = 5_000) -> VerifyResult:
    """Walk the chain in order; report the first entry that was edited, inserted or removed."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch):
        if entry.seq != expected_seq:
            return VerifyResult(checked, expected_seq, "missing entry")
        if entry.prev_hash != expected_prev:
            return VerifyResult(checked, entry.seq, "chain broken (previous entry changed)")
        if _digest(entry) != entry.entry_hash:
            return VerifyResult(checked, entry.seq, "entry content changed")
        expected_prev = entry.entry_hash
        expected_seq += 1
        checked += 1
    return VerifyResult(checked, None, "")

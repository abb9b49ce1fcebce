"""Delivering outbox rows: claim with a lease, send, then mark sent, retry later or dead.

Several workers (threads, processes, machines) can run :func:`dispatch` at once. Claiming takes
rows that are due and not leased, with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite has one
writer at a time), and stamps a lease (``claimed_until``) and the attempt in the same short
transaction. The delivery itself runs outside any transaction. A worker killed mid-delivery
leaves its lease behind: once it has passed, another worker delivers the row again, with the
same delivery key (at least once; the consumers deduplicate).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q

from lapor.core import clock
from lapor.notifications.models import OutboxMessage, OutboxStatus
from lapor.notifications.quiet import not_before
from lapor.notifications.senders import DeliveryError, sender_for

logger = logging.getLogger(__name__)
_random = random.SystemRandom()


@dataclass(frozen=True)
class DispatchResult:
    sent: int = 0
    retried: int = 0
    dead: int = 0


def backoff_seconds(attempt: int, *, jitter: float | None = None) -> float:
    """Delay after failed attempt number ``attempt`` (1-based): exponential, capped, with
    "equal jitter" (half fixed, half random) so failed rows don't retry in lockstep."""
    base = settings.LAPOR_OUTBOX_BACKOFF_BASE_SECONDS
    cap = settings.LAPOR_OUTBOX_BACKOFF_MAX_SECONDS
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    share = _random.random() if jitter is None else jitter
    return delay / 2 + delay / 2 * share


def _due(now: datetime) -> Q:
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim(*, worker: str, limit: int, ids: list[int] | None = None) -> list[OutboxMessage]:
    """Lease up to ``limit`` due rows for ``worker`` and count the attempt."""
    now = clock.now()
    lease = now + timedelta(seconds=settings.LAPOR_OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        qs = OutboxMessage.objects.filter(_due(now))
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True)
        picked = list(qs.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
        if not picked:
            return []
        OutboxMessage.objects.filter(pk__in=picked).update(
            claimed_until=lease, claimed_by=worker[:120], attempts=F("attempts") + 1)
    return list(OutboxMessage.objects.filter(pk__in=picked)
                .select_related("recipient_user", "endpoint").order_by("next_attempt_at", "id"))


def _finish(message: OutboxMessage, worker: str, **fields: object) -> None:
    """Update the row if this worker still holds it (a lease taken over by another worker
    after expiry is theirs to finish)."""
    OutboxMessage.objects.filter(pk=message.pk, claimed_by=worker[:120],
                                 status=OutboxStatus.PENDING).update(claimed_until=None,
                                                                      **fields)


def deliver(message: OutboxMessage, *, worker: str) -> str:
    """Send one claimed row; returns the new status ("sent", "pending" for a retry, "dead")."""
    try:
        try:
            sender_for(message.channel).send(message)
        except DeliveryError:
            raise
        except Exception as exc:  # a sender bug must not stop the queue: retry, then dead
            logger.exception("outbox %s: unexpected sender error", message.pk)
            raise DeliveryError(f"error_{type(exc).__name__}") from exc
    except DeliveryError as exc:
        now = clock.now()
        if exc.permanent or message.attempts >= settings.LAPOR_OUTBOX_MAX_ATTEMPTS:
            _finish(message, worker, status=OutboxStatus.DEAD, last_error=exc.reason)
            logger.warning("outbox %s dead after %d attempts: %s", message.pk,
                           message.attempts, exc.reason)
            return OutboxStatus.DEAD
        retry_at = now + timedelta(seconds=backoff_seconds(message.attempts))
        retry_at = not_before(agency=message.agency, audience=message.audience,
                              channel=message.channel, moment=retry_at)
        _finish(message, worker, next_attempt_at=retry_at, last_error=exc.reason)
        return OutboxStatus.PENDING
    _finish(message, worker, status=OutboxStatus.SENT, sent_at=clock.now(), last_error="")
    return OutboxStatus.SENT


def dispatch(*, worker: str = "", limit: int | None = None,
             ids: list[int] | None = None) -> DispatchResult:
    """Claim and deliver due rows until none are left or ``limit`` rows were handled."""
    worker = worker or f"dispatch-{_random.getrandbits(48):x}"
    batch = settings.LAPOR_OUTBOX_BATCH
    budget = limit if limit is not None else settings.LAPOR_OUTBOX_DRAIN_LIMIT
    counts: dict[str, int] = {OutboxStatus.SENT: 0, OutboxStatus.PENDING: 0,
                              OutboxStatus.DEAD: 0}
    while budget > 0:
        rows = claim(worker=worker, limit=min(batch, budget), ids=ids)
        if not rows:
            break
        for row in rows:
            counts[deliver(row, worker=worker)] += 1
        budget -= len(rows)
    return DispatchResult(sent=counts[OutboxStatus.SENT], retried=counts[OutboxStatus.PENDING],
                          dead=counts[OutboxStatus.DEAD])


def outbox_counts() -> dict[str, int]:
    """Rows by status, plus how many pending rows are due now (the queue to watch)."""
    counts = dict.fromkeys(OutboxStatus.values, 0)
    for row in OutboxMessage.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    counts["due"] = OutboxMessage.objects.filter(_due(clock.now())).count()
    return counts


def outbox_purge() -> int:
    """Delete sent rows older than ``LAPOR_OUTBOX_KEEP_DAYS`` (they hold message text about
    reports; dead letters stay until replayed or handled). Run once a day by the scheduler."""
    cutoff = clock.now() - timedelta(days=settings.LAPOR_OUTBOX_KEEP_DAYS)
    deleted, _ = OutboxMessage.objects.filter(status=OutboxStatus.SENT,
                                              sent_at__lt=cutoff).delete()
    return deleted

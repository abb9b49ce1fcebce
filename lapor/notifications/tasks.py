"""Background tasks of the notifications app (run by ``lapor worker``, either engine)."""

from __future__ import annotations

from django.tasks import task

from lapor.notifications.digest import send_digests
from lapor.notifications.dispatcher import dispatch


@task()
def dispatch_outbox_task() -> dict[str, int]:
    """Drain due outbox rows. Takes no ids: it re-reads the queue, and returns at once when
    another worker already took everything."""
    result = dispatch()
    return {"sent": result.sent, "retried": result.retried, "dead": result.dead}


@task()
def daily_digest_task() -> int:
    return send_digests()

"""The outbox dispatch task, in a module of its own: :mod:`lapor.notifications.outbox` enqueues
it after each commit that wrote rows, and this module imports only the dispatcher (never the
outbox writers), so neither imports the other's importers. ``lapor.notifications.tasks``
re-exports it (queued rows written under that path still run)."""

from __future__ import annotations

from django.tasks import task

from lapor.notifications.dispatcher import dispatch


@task()
def dispatch_outbox_task() -> dict[str, int]:
    """Drain due outbox rows. Takes no ids: it re-reads the queue, and returns at once when
    another worker already took everything."""
    result = dispatch()
    return {"sent": result.sent, "retried": result.retried, "dead": result.dead}

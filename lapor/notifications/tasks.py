"""Background tasks of the notifications app (run by ``lapor worker``, either engine)."""

from __future__ import annotations

from django.tasks import task

from lapor.notifications.digest import send_digests

# Defined beside the dispatcher (the outbox enqueues it); kept importable here, where rows
# queued by earlier releases name it.
from lapor.notifications.dispatch_task import dispatch_outbox_task

__all__ = ["daily_digest_task", "dispatch_outbox_task"]


@task()
def daily_digest_task() -> int:
    return send_digests()

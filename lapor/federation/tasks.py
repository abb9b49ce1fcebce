"""Background work of federation (run by ``lapor worker``; lapor.config.scheduler enqueues)."""

from __future__ import annotations

import logging

from django.db.models import F
from django.tasks import task

from lapor.core import clock
from lapor.federation.models import Link
from lapor.federation.selectors import links
from lapor.federation.transport import PeerFailed, backlog, push

logger = logging.getLogger(__name__)


def any_backlog() -> bool:
    """Whether an active link has entries the other side has not acknowledged (one query)."""
    return Link.objects.filter(is_active=True, sent_through__lt=F("next_seq") - 1).exists()


def push_backlogs() -> dict[str, int]:
    """Push every active link with unacknowledged entries (the safety net under the outbox:
    rows that died, or were never written because a push covered them)."""
    pushed = failed = sent = 0
    for link in links():
        if backlog(link) == 0:
            continue
        try:
            sent += push(link).sent
            pushed += 1
        except PeerFailed as exc:  # recorded on the link; the next minute tries again
            logger.warning("federation push to %s failed: %s", link.agency.code, exc.reason)
            failed += 1
        except Exception as exc:  # a bug in one link's push must not stop the others
            logger.exception("federation push to %s failed", link.agency.code)
            Link.objects.filter(pk=link.pk).update(
                last_error=f"error_{type(exc).__name__}", last_error_at=clock.now())
            failed += 1
    return {"links": pushed, "failed": failed, "sent": sent}


@task()
def federation_push_task() -> dict[str, int]:
    """Push each active link's backlog to the other instance (every minute)."""
    return push_backlogs()

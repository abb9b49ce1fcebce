"""The periodic deadline sweep: automatic transitions whose clock ran out.

- on hold past its deadline (10 HK by default) → archived as incomplete, and the tier's
  verifiers told (the hold deadline's own notice, lapor.sla.notices.hold_expired);
- responded and the reporter's reply window (10 HK) passed → closed.

Each report is handled by its own idempotent service call in its own transaction, so a sweep
that runs twice, or on two workers at once, changes nothing the second time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

from lapor.core import clock
from lapor.notifications.outbox import wake_dispatcher
from lapor.reports import replication
from lapor.reports.models import Report
from lapor.reports.services import report_auto_archive, report_auto_close
from lapor.reports.states import Status
from lapor.sla.notices import hold_expired

logger = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    archived: int
    closed: int


def sweep_deadlines(*, limit: int = BATCH) -> SweepResult:
    now = clock.now()
    archived = closed = 0
    # Reports another instance holds are swept there (lapor.reports.replication).
    elsewhere = replication.held_elsewhere_q()
    local = Report.objects.exclude(elsewhere) if elsewhere is not None else Report.objects.all()
    held = list(
        local.filter(status=Status.ON_HOLD, hold_due_at__lt=now)
        .order_by("hold_due_at").values_list("pk", "hold_due_at")[:limit]
    )
    for report_id, due in held:
        # The archive and the verifiers' notice commit together: the notice exists once.
        with transaction.atomic():
            if due is not None and report_auto_archive(report_id=report_id):
                archived += 1
                hold_expired(report_id=report_id, due=due)
    reply_ids = list(
        local.filter(status=Status.RESPONDED, reply_due_at__lt=now)
        .order_by("reply_due_at").values_list("pk", flat=True)[:limit]
    )
    for report_id in reply_ids:
        closed += report_auto_close(report_id=report_id)
    if archived:
        wake_dispatcher()
    if archived or closed:
        logger.info("deadline sweep: archived=%d closed=%d", archived, closed)
    return SweepResult(archived=archived, closed=closed)

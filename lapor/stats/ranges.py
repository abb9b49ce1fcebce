"""The fact rows of a range of report ids: computed by :mod:`lapor.stats.maintenance` in
process, or by the spawned :mod:`lapor.stats.workers` of ``lapor stats rebuild --workers N``."""

from __future__ import annotations

import operator
from datetime import datetime
from typing import Any

from lapor.reports.models import Report, ReportEvent
from lapor.reports.states import Action
from lapor.stats.facts import FACT_FIELDS, REPORT_FIELDS, Calendars, compute_fact


def fact_rows(low: int, high: int, *, now: datetime,
              calendars: Calendars) -> list[tuple[Any, ...]]:
    """The fact rows (``report_id`` then :data:`FACT_FIELDS`) of the reports whose id is in
    ``(low, high]``, in id order."""
    fact_values = operator.itemgetter(*FACT_FIELDS)
    rows = list(Report.objects.filter(pk__gt=low, pk__lte=high, is_training=False)
                .order_by("pk").values(*REPORT_FIELDS))
    reopened = set(ReportEvent.objects.filter(
        report_id__gt=low, report_id__lte=high, kind=Action.REOPEN,
    ).values_list("report_id", flat=True))
    return [(r["id"], *fact_values(compute_fact(r, reopened=r["id"] in reopened, now=now,
                                                calendars=calendars)))
            for r in rows]

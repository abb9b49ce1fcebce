"""Background tasks of the SLA app (run by ``lapor worker``)."""

from __future__ import annotations

from django.tasks import task

from lapor.sla.notices import sweep_notices
from lapor.sla.sweep import sweep_deadlines


@task()
def sweep_deadlines_task() -> dict[str, int]:
    """The minute's sweep: automatic transitions first (they end clocks), then the notices."""
    result = sweep_deadlines()
    notices = sweep_notices()
    return {"archived": result.archived, "closed": result.closed,
            "reminders": notices.reminders, "overdue": notices.overdue,
            "escalations": notices.escalations}

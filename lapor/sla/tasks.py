"""Background tasks of the SLA app (run by ``lapor worker``)."""

from __future__ import annotations

from django.tasks import task

from lapor.sla.sweep import sweep_deadlines


@task()
def sweep_deadlines_task() -> dict[str, int]:
    result = sweep_deadlines()
    return {"archived": result.archived, "closed": result.closed}

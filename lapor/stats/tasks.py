"""Background task of the stats app (enqueued every minute by lapor.config.scheduler)."""

from __future__ import annotations

from django.tasks import task

from lapor.stats.maintenance import stats_refresh


@task()
def stats_refresh_task() -> dict[str, int]:
    result = stats_refresh()
    return {"events": result.events, "due": result.due, "changed": result.changed}

"""Background tasks of the Renaksi (run by ``lapor worker``; lapor.config.scheduler enqueues)."""

from __future__ import annotations

from django.tasks import task

from lapor.renaksi.reminders import send_reminders


@task()
def renaksi_reminders_task() -> dict[str, int]:
    """The day's reminders about activities due soon and overdue (docs/renaksi.md)."""
    result = send_reminders()
    return {"due_soon": result.due_soon, "overdue": result.overdue}

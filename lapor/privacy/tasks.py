"""Background tasks of the privacy app (run by ``lapor worker``)."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from lapor.privacy.pdp import retention_sweep


@task()
def retention_sweep_task() -> dict[str, Any]:
    """The daily UU PDP retention sweep (enqueued by lapor.config.scheduler)."""
    return retention_sweep().as_dict()

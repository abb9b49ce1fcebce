"""Health checks: liveness (``/healthz``: the database is reachable and migrated, and a task
worker is alive) and readiness (``/readyz``: the same, plus the outbox queue is not backed up)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from lapor.core import clock
from lapor.core.models import WorkerHeartbeat

_migrated = False


def _migrations_applied() -> bool:
    """Loading the migration graph costs ~0.1 s; once this process has seen every migration
    applied it remembers (code and schema only move forward while it runs)."""
    global _migrated  # noqa: PLW0603  (a per-process memo)
    if not _migrated:
        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


def health_problems() -> list[str]:
    problems: list[str] = []
    try:
        if not _migrations_applied():
            problems.append("migrations_pending")
            return problems
        stale_before = clock.now() - timedelta(seconds=settings.LAPOR_WORKER_STALE_SECONDS)
        if not WorkerHeartbeat.objects.filter(last_seen__gte=stale_before).exists():
            problems.append("worker_not_alive")
    except DatabaseError:
        problems.append("database_unavailable")
    return problems


def heartbeat(name: str) -> None:
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"last_seen": clock.now()})


@dataclass(frozen=True)
class Readiness:
    problems: list[str]
    outbox: dict[str, int] | None
    heartbeat_age_seconds: float | None


def readiness() -> Readiness:
    """Ready to take traffic: the liveness checks (database reachable and migrated, a worker
    heartbeat within ``LAPOR_WORKER_STALE_SECONDS``) and the outbox queue (pending rows due
    now) below ``LAPOR_READY_MAX_QUEUE``."""
    from lapor.core.metrics import heartbeat_age  # noqa: PLC0415  (no cycle at import)
    from lapor.notifications.dispatcher import outbox_counts  # noqa: PLC0415

    problems = health_problems()
    if "database_unavailable" in problems or "migrations_pending" in problems:
        return Readiness(problems=problems, outbox=None, heartbeat_age_seconds=None)
    try:
        counts = outbox_counts()
        age = heartbeat_age()
    except DatabaseError:
        return Readiness(problems=[*problems, "database_unavailable"], outbox=None,
                         heartbeat_age_seconds=None)
    if counts["due"] >= settings.LAPOR_READY_MAX_QUEUE:
        problems.append("queue_too_deep")
    return Readiness(problems=problems, outbox=counts,
                     heartbeat_age_seconds=None if age is None else round(age, 1))

"""Readiness: the database is reachable and migrated, and a task worker is alive."""

from __future__ import annotations

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

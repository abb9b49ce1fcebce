"""Health checks: liveness (``/healthz``: the database is reachable and migrated, and a task
worker is alive) and readiness (``/readyz``: the same, plus the outbox queue is not backed up)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from lapor.config import metrics
from lapor.core import clock
from lapor.core.models import WorkerHeartbeat
from lapor.notifications import dispatcher

_migrated = False


def _migrations_applied() -> bool:
    """Loading the migration graph costs ~0.1 s; once this process has seen every migration
    applied it remembers (code and schema only move forward while it runs)."""
    global _migrated  # noqa: PLW0603  (a per-process memo)
    if not _migrated:
        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


@dataclass(frozen=True)
class Health:
    """Liveness: the problem codes, one sentence per problem saying what is wrong (for the
    operator reading ``/healthz`` during an outage), the newest heartbeat's age."""

    problems: list[str]
    detail: dict[str, str]
    heartbeat_age_seconds: float | None


def health() -> Health:
    try:
        if not _migrations_applied():
            return Health(["migrations_pending"], {
                "migrations_pending": "the database schema is older than the code: run "
                                      "`lapor migrate`"}, None)
        age = metrics.heartbeat_age()
    except DatabaseError as exc:
        return Health(["database_unavailable"], {
            "database_unavailable": f"the database does not answer ({type(exc).__name__}): "
                                    "requests that need it get 503 and the task workers "
                                    "reconnect by themselves when it is back"}, None)
    age = None if age is None else round(age, 1)
    stale = settings.LAPOR_WORKER_STALE_SECONDS
    if age is None or age > stale:
        since = "ever" if age is None else f"for {age:.0f} s"
        return Health(["worker_not_alive"], {
            "worker_not_alive": f"no task worker heartbeat {since} (limit {stale} s): "
                                "notifications and deadline transitions wait; `lapor serve` "
                                "restarts a worker that exits, see its log"}, age)
    return Health([], {}, age)


def health_problems() -> list[str]:
    return health().problems


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
    problems = health_problems()
    if "database_unavailable" in problems or "migrations_pending" in problems:
        return Readiness(problems=problems, outbox=None, heartbeat_age_seconds=None)
    try:
        counts = dispatcher.outbox_counts()
        age = metrics.heartbeat_age()
    except DatabaseError:
        return Readiness(problems=[*problems, "database_unavailable"], outbox=None,
                         heartbeat_age_seconds=None)
    if counts["due"] >= settings.LAPOR_READY_MAX_QUEUE:
        problems.append("queue_too_deep")
    return Readiness(problems=problems, outbox=counts,
                     heartbeat_age_seconds=None if age is None else round(age, 1))

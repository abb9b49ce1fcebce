"""Periodic work for the task worker: a heartbeat and one enqueue per minute slot.

Every worker runs this loop; the unique ``(task, slot)`` row makes exactly one of them enqueue
each slot's sweep, however many workers run.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    models,
    transaction,
)
from django_tasks_db.models import DBTaskResult

from lapor.attachments.staging import staged_sweep
from lapor.channels.tasks import channels_sweep_task
from lapor.config.health import heartbeat
from lapor.core import clock, ratelimit
from lapor.core.models import PeriodicRun
from lapor.federation.tasks import any_backlog, federation_push_task
from lapor.intake.integration import idempotency_purge
from lapor.notifications.dispatcher import outbox_counts, outbox_purge
from lapor.notifications.tasks import daily_digest_task, dispatch_outbox_task
from lapor.privacy.tasks import retention_sweep_task
from lapor.renaksi.tasks import renaksi_reminders_task
from lapor.reports.submission_once import submission_replay_purge
from lapor.search.tasks import routing_train_task
from lapor.sla.tasks import sweep_deadlines_task
from lapor.stats.tasks import stats_refresh_task

logger = logging.getLogger(__name__)


def claim_slot(task_name: str, slot: datetime) -> bool:
    """True for the one caller that claims ``slot`` for ``task_name``."""
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(task=task_name, slot=slot)
    except IntegrityError:
        return False
    return True


def minute_slot(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def hour_slot(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def day_slot(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


# The scheduler's own bookkeeping kept this long: a slot row only guards its own minute, a
# finished task row is kept for an operator reading what ran (docs/operations.md).
BOOKKEEPING_DAYS = 7
_PRUNE_BATCH = 5000


def _delete_in_batches(queryset: models.QuerySet[Any]) -> int:
    """Delete in batches of primary keys so a backlog never holds a long lock."""
    deleted = 0
    while ids := list(queryset.values_list("pk", flat=True)[:_PRUNE_BATCH]):
        deleted += queryset.model.objects.filter(pk__in=ids).delete()[0]
    return deleted


def bookkeeping_prune(now: datetime) -> int:
    """Delete slot claims and finished background-task rows (``django-tasks-db``) older than
    ``BOOKKEEPING_DAYS``: about 6,000 of each a day otherwise, forever. Unfinished task rows
    (ready or running) are never touched."""
    cutoff = now - timedelta(days=BOOKKEEPING_DAYS)
    deleted = _delete_in_batches(PeriodicRun.objects.filter(slot__lt=cutoff))
    return deleted + _delete_in_batches(
        DBTaskResult.objects.finished().filter(finished_at__lt=cutoff))


def _clear_expired_sessions() -> None:
    """Delete expired sessions (the portal's staged-file tokens and names live there)."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


# At most this many dispatch tasks per minute: a backlog is drained by several workers at once.
MAX_DISPATCH_TASKS = 8


def _enqueue_dispatch() -> int:
    """Enqueue enough dispatch tasks for the rows due now (at least one: the safety net for an
    enqueue lost after a commit, a broker outage or a worker killed mid-delivery)."""
    due = outbox_counts()["due"]
    tasks = min(MAX_DISPATCH_TASKS, max(1, -(-due // settings.LAPOR_OUTBOX_DRAIN_LIMIT)))
    for _ in range(tasks):
        dispatch_outbox_task.enqueue()
    return tasks


def tick(worker_name: str) -> bool:
    """One scheduler step: heartbeat, then enqueue this minute's sweep (deadline transitions
    and notices) and outbox dispatch if nobody did yet; the staged-file sweep once an hour;
    the daily digest, the Renaksi reminders, the expired-session purge and the bookkeeping
    prune once a day."""
    heartbeat(worker_name)
    now = clock.now()
    slot = minute_slot(now)
    # The UU PDP retention sweep: once a day, by whichever worker claims the day first.
    if claim_slot("privacy.retention", day_slot(now)):
        retention_sweep_task.enqueue()
    if claim_slot("sessions.clear_expired", day_slot(now)):
        _clear_expired_sessions()
        bookkeeping_prune(now)
        # Stored Idempotency-Key answers past their replay window: they hold access codes.
        idempotency_purge()
        submission_replay_purge()
    # Files staged for a report nobody sent (lapor.attachments.staging), possibly ID photos:
    # gone within an hour of expiring even on an instance where nobody stages anything new.
    if claim_slot("attachments.staged_sweep", hour_slot(now)):
        staged_sweep()
    # The officers' daily digest: the UTC day slot starts at 07:00 WIB / 08:00 WITA.
    # Routing classifiers learn from the day's dispositions (lapor.search.routing), at night,
    # on the routing queue: a routing worker trains them, never this (interactive) one.
    if (now.hour >= settings.LAPOR_ROUTING_TRAIN_HOUR_UTC
            and claim_slot("search.routing_train", day_slot(now))):
        routing_train_task.enqueue()
    if claim_slot("notifications.digest", day_slot(now)):
        daily_digest_task.enqueue()
        outbox_purge()
    # Renaksi activities due soon and overdue (lapor.renaksi.reminders): the same morning
    # slot; each agency's local date and working days decide, once per activity and day.
    if claim_slot("renaksi.reminders", day_slot(now)):
        renaksi_reminders_task.enqueue()
    # Federation links with a backlog (lapor.federation.transport): the safety net under the
    # outbox rows that push them, once a minute (no task at all on an unfederated instance).
    if any_backlog() and claim_slot("federation.push", slot):
        federation_push_task.enqueue()
    if claim_slot("sla.sweep_deadlines", slot):
        # Autocommit here (no open transaction): the slot row is committed before enqueueing.
        sweep_deadlines_task.enqueue()
        _enqueue_dispatch()
        # Held SMS parts past their window, inbound messages whose enqueue was lost.
        channels_sweep_task.enqueue()
        # Dashboard counters follow the minute's report events (lapor.stats).
        stats_refresh_task.enqueue()
        # Expired rate-limit windows: once a minute, by whichever worker claimed the slot.
        ratelimit.prune()
        return True
    return False


def run_scheduler(worker_name: str, stop: threading.Event) -> None:
    interval = settings.LAPOR_WORKER_HEARTBEAT_SECONDS
    while not stop.is_set():
        try:
            tick(worker_name)
        except (OperationalError, InterfaceError) as exc:
            # The database is away (a restart, a failover): one line, not a traceback per
            # tick; a stale heartbeat makes /healthz report it if it lasts, the next slot
            # catches up.
            logger.warning("scheduler tick skipped: database unavailable (%s)",
                           type(exc).__name__)
        except Exception:
            # Outlive a broker blip (a Redis connection error) or a bug in one step.
            logger.exception("scheduler tick failed")
        finally:
            try:
                connection.close()
            except (OperationalError, InterfaceError):
                connection.connection = None
        stop.wait(interval)

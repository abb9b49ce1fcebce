"""``lapor worker``: the task worker plus the heartbeat/scheduler thread.

The engine follows ``LAPOR_TASKS_BACKEND``: django-tasks-db's ``db_worker`` (default), or RQ's
``rqworker`` with django-tasks-rq's job class (``rq``). The scheduler thread is the same.

A worker outlives its database: when the database goes away (a restart, a failover, a network
blip), ``db_worker`` stops on the connection error; this command logs one line and starts it
again after a pause that doubles each time (with jitter, up to
``LAPOR_WORKER_RETRY_MAX_SECONDS``), until the database answers. The scheduler thread does
the same on its own (a stale heartbeat makes ``/healthz`` report ``worker_not_alive`` if it
lasts).

Queues: ``default`` (the deadline sweep, outbox dispatch, channel replies) and ``routing`` (the
nightly retraining of the routing classifiers). ``lapor worker`` takes ``default`` and runs the
scheduler thread; ``lapor worker --queue-name routing`` is a routing worker: no scheduler and
no heartbeat (it is not the interactive worker ``/healthz`` asks about), its CPU priority
lowered by ``LAPOR_ROUTING_WORKER_NICE``, so a night's training never delays the sweep or a
reply, and competes with web requests only for what they leave.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from argparse import SUPPRESS, ArgumentParser
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, connections

from lapor.channels.config import log_disabled
from lapor.config.scheduler import run_scheduler
from lapor.notifications.mailer import MailerUnusable, check_mailer, describe_mailer
from lapor.search.tasks import ROUTING_QUEUE

logger = logging.getLogger("lapor.worker")
_random = random.SystemRandom()
INTERACTIVE_QUEUE = "default"
# A run that lasted this long was healthy: the next failure starts the backoff afresh.
HEALTHY_RUN_SECONDS = 30.0


def retry_delay(failures: int, *, cap: float, jitter: float | None = None) -> float:
    """Pause after ``failures`` consecutive failures (1-based): 0.5 s doubling, capped, half
    of it random so that many workers don't reconnect in lockstep."""
    delay = min(cap, 0.5 * 2 ** max(0, failures - 1))
    share = _random.random() if jitter is None else jitter
    return delay / 2 + delay / 2 * share


def close_connections() -> None:
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except (OperationalError, InterfaceError):
            conn.connection = None  # already broken: drop it, the next query reconnects


def run_outliving_the_database(run: Callable[[], object], *, cap: float,
                               sleep: Callable[[float], None] = time.sleep) -> None:
    """Call ``run`` until it returns; a database connection error in it is logged in one line
    and ``run`` is called again after :func:`retry_delay`."""
    failures = 0
    while True:
        started = time.monotonic()
        try:
            run()
            return
        except (OperationalError, InterfaceError) as exc:
            failures = 1 if time.monotonic() - started >= HEALTHY_RUN_SECONDS else failures + 1
            delay = retry_delay(failures, cap=cap)
            reason = (str(exc).strip().splitlines() or [""])[0][:200]
            logger.warning("task worker: database unavailable (%s: %s); retrying in %.1f s "
                           "(attempt %d)", type(exc).__name__, reason, delay, failures)
            close_connections()
            sleep(delay)


class Command(BaseCommand):
    help = "Run a background task worker with the periodic deadline sweep."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--queue-name", default=INTERACTIVE_QUEUE,
                            help="Queues to take, comma-separated: default (the interactive "
                                 f"worker, with the scheduler) or {ROUTING_QUEUE} (a routing "
                                 "worker)")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds to wait when the queue is empty (db engine)")
        parser.add_argument("--burst", action="store_true",
                            help="Drain the queue, then exit (tests, one-off runs)")
        # `lapor serve` already printed the start-up lines (mail, disabled channels).
        parser.add_argument("--from-serve", action="store_true", help=SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            check_mailer()
        except MailerUnusable as exc:
            raise CommandError(str(exc)) from exc
        if not options["from_serve"]:
            log_disabled()
            logger.info("%s", describe_mailer())
        queues = [q.strip() for q in options["queue_name"].split(",") if q.strip()]
        unknown = set(queues) - set(settings.TASK_QUEUES)
        if unknown:
            raise CommandError(f"unknown queue {sorted(unknown)[0]!r}: the queues are "
                               f"{', '.join(settings.TASK_QUEUES)}")
        name = f"{socket.gethostname()}:{os.getpid()}"
        stop = threading.Event()
        scheduler = threading.Thread(target=run_scheduler, args=(name, stop),
                                     name="lapor-scheduler", daemon=True)
        if INTERACTIVE_QUEUE in queues:
            scheduler.start()
        else:
            os.nice(settings.LAPOR_ROUTING_WORKER_NICE)
            logger.info("routing worker: queues %s, nice %d", ",".join(queues),
                        settings.LAPOR_ROUTING_WORKER_NICE)
        try:
            if settings.LAPOR_TASKS_BACKEND == "rq":
                # A lost Redis ends rqworker: `lapor serve` (or the service manager) restarts it.
                call_command("rqworker", *queues,
                             job_class="django_tasks_rq.Job", burst=options["burst"],
                             with_scheduler=False, verbosity=options["verbosity"])
            else:
                run_outliving_the_database(
                    lambda: call_command("db_worker", queue_name=",".join(queues),
                                         interval=options["interval"], reload=False,
                                         batch=options["burst"],
                                         verbosity=options["verbosity"]),
                    cap=settings.LAPOR_WORKER_RETRY_MAX_SECONDS)
        finally:
            stop.set()
            if scheduler.is_alive():
                scheduler.join(timeout=5)

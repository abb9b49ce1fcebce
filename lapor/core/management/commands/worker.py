"""``lapor worker``: the task worker plus the heartbeat/scheduler thread.

The engine follows ``LAPOR_TASKS_BACKEND``: django-tasks-db's ``db_worker`` (default), or RQ's
``rqworker`` with django-tasks-rq's job class (``rq``). The scheduler thread is the same.
"""

from __future__ import annotations

import os
import socket
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from lapor.core.scheduler import run_scheduler


class Command(BaseCommand):
    help = "Run a background task worker with the periodic deadline sweep."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--queue-name", default="default")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds to wait when the queue is empty (db engine)")
        parser.add_argument("--burst", action="store_true",
                            help="Drain the queue, then exit (tests, one-off runs)")

    def handle(self, *args: Any, **options: Any) -> None:
        name = f"{socket.gethostname()}:{os.getpid()}"
        stop = threading.Event()
        scheduler = threading.Thread(target=run_scheduler, args=(name, stop),
                                     name="lapor-scheduler", daemon=True)
        scheduler.start()
        try:
            if settings.LAPOR_TASKS_BACKEND == "rq":
                call_command("rqworker", options["queue_name"],
                             job_class="django_tasks_rq.Job", burst=options["burst"],
                             with_scheduler=False, verbosity=options["verbosity"])
            else:
                call_command("db_worker", queue_name=options["queue_name"],
                             interval=options["interval"], reload=False,
                             batch=options["burst"], verbosity=options["verbosity"])
        finally:
            stop.set()
            scheduler.join(timeout=5)

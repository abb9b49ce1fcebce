"""``lapor worker``: the task worker (django-tasks-db) plus the heartbeat/scheduler thread."""

from __future__ import annotations

import os
import socket
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from lapor.core.scheduler import run_scheduler


class Command(BaseCommand):
    help = "Run a background task worker with the periodic deadline sweep."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--queue-name", default="default")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds to wait when the queue is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        name = f"{socket.gethostname()}:{os.getpid()}"
        stop = threading.Event()
        scheduler = threading.Thread(target=run_scheduler, args=(name, stop),
                                     name="lapor-scheduler", daemon=True)
        scheduler.start()
        try:
            call_command("db_worker", queue_name=options["queue_name"],
                         interval=options["interval"], reload=False,
                         verbosity=options["verbosity"])
        finally:
            stop.set()
            scheduler.join(timeout=5)

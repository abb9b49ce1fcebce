"""``lapor outbox``: watch and drive the notification outbox from a shell.

* ``lapor outbox stats``: rows by status and how many are due now;
* ``lapor outbox dispatch [--loop] [--worker NAME]``: deliver due rows (once, or forever);
* ``lapor outbox replay --all-dead | --id N …``: queue dead letters again (audited as the
  system; the API does the same for a signed-in administrator).
"""

from __future__ import annotations

import json
import os
import socket
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.notifications.dispatcher import dispatch, outbox_counts
from lapor.notifications.models import OutboxMessage, OutboxStatus


class Command(BaseCommand):
    help = "Outbox: stats, dispatch, replay."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["stats", "dispatch", "replay"])
        parser.add_argument("--loop", action="store_true", help="dispatch: never stop")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--worker", default="")
        parser.add_argument("--all-dead", action="store_true")
        parser.add_argument("--id", type=int, action="append", dest="ids")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "stats":
            self.stdout.write(json.dumps(outbox_counts()))
        elif action == "dispatch":
            worker = options["worker"] or f"{socket.gethostname()}:{os.getpid()}"
            while True:
                result = dispatch(worker=worker)
                if options["verbosity"] > 1 or not options["loop"]:
                    self.stdout.write(json.dumps(result.__dict__))
                if not options["loop"]:
                    return
                connection.close()
                time.sleep(options["interval"])
        else:
            self._replay(options)

    def _replay(self, options: dict[str, Any]) -> None:
        if not options["all_dead"] and not options["ids"]:
            raise CommandError("give --all-dead or --id")
        qs = OutboxMessage.objects.exclude(status=OutboxStatus.SENT)
        qs = qs.filter(status=OutboxStatus.DEAD) if options["all_dead"] else qs.filter(
            pk__in=options["ids"])
        with transaction.atomic():
            count = qs.update(status=OutboxStatus.PENDING, attempts=0,
                              next_attempt_at=clock.now(), claimed_until=None, claimed_by="",
                              last_error="")
            audit_record(action="outbox.replay", target_type="outbox",
                         target_id="all_dead" if options["all_dead"] else "cli",
                         payload={"count": count, "all_dead": bool(options["all_dead"])})
        self.stdout.write(json.dumps({"replayed": count}))

"""``lapor imap-poll [--once]``: read the intake mailbox every LAPOR_IMAP_INTERVAL_SECONDS."""

from __future__ import annotations

import imaplib
import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lapor.intake.imap import ImapNotConfigured, imap_poll_once


class Command(BaseCommand):
    help = "Poll the intake mailbox over IMAP and turn new mail into reports (docs/intake.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if not options["once"]:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
        while True:
            try:
                result = imap_poll_once()
                self.stdout.write(f"imap-poll: {result.seen} unseen, {result.recorded} new, "
                                  f"{result.repeats} already received")
            except ImapNotConfigured as exc:
                # A missing secret disables the channel with a clear line (issue #5).
                raise CommandError(f"imap-poll disabled: {exc}") from exc
            except (imaplib.IMAP4.error, OSError) as exc:
                if options["once"]:
                    raise CommandError(f"imap-poll failed: {type(exc).__name__}") from exc
                self.stderr.write(f"imap-poll: {type(exc).__name__}; retrying next round")
            if options["once"] or stop.wait(settings.LAPOR_IMAP_INTERVAL_SECONDS):
                return

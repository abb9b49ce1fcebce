"""``lapor smtpd``: run the inbound SMTP listener until stopped (SIGINT/SIGTERM)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from lapor.intake.smtpd import listener


class Command(BaseCommand):
    help = "Receive citizens' e-mail over SMTP and turn it into reports (docs/intake.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=None, help="default: LAPOR_SMTPD_HOST")
        parser.add_argument("--port", type=int, default=None, help="default: LAPOR_SMTPD_PORT")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.LAPOR_EMAIL_DEFAULT_REGION:
            self.stderr.write("LAPOR_EMAIL_DEFAULT_REGION is not set: mail to an address that "
                              "names no agency is recorded but makes no report.")
        controller = listener(host=options["host"], port=options["port"])
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        controller.start()
        domains = ", ".join(settings.LAPOR_EMAIL_INTAKE_DOMAINS) or "any domain"
        self.stdout.write(f"smtpd listening on {controller.hostname}:{controller.port} "
                          f"for {domains}", ending="\n")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            controller.stop()

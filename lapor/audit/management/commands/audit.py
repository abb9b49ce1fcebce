"""``lapor audit verify``: check the audit log's hash chain; exit 1 on the first broken entry."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lapor.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit log tools."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Verify the hash chain of the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"Audit log broken at entry #{result.first_bad_seq}: {result.problem} "
                f"({result.checked} entries verified before it)"
            )
        self.stdout.write(f"Audit log intact: {result.checked} entries verified.")

"""``lapor keys rotate``: re-encrypt every encrypted column under the first key."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lapor.privacy.services import keys_rotate


class Command(BaseCommand):
    help = "Identity-vault key tools (see docs/security.md)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rotate = sub.add_parser(
            "rotate",
            help="Re-encrypt every encrypted value with the first key of LAPOR_ENCRYPTION_KEYS",
        )
        rotate.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        for count in keys_rotate(batch_size=batch_size):
            self.stdout.write(
                f"{count.table}: {count.rows} rows, {count.values} values re-encrypted"
            )
        self.stdout.write("Done. Older keys may be removed once every server runs with the "
                          "new key list and backups under the old key have expired.")

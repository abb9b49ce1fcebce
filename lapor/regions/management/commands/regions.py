"""``lapor regions import-villages villages.csv``: import the village level of the regions."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lapor.regions.loader import import_villages


class Command(BaseCommand):
    help = "Manage Kemendagri administrative regions (provinces to villages)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{import-villages}", title="actions"
        )
        villages: ArgumentParser = actions.add_parser(
            "import-villages",
            help="Import villages from a code,district_code,name CSV (idempotent, atomic).",
            description=(
                "Import villages (desa/kelurahan) from a UTF-8 CSV with header "
                "code,district_code,name. Existing villages keep their rows (names are "
                "updated when changed); one invalid row aborts the import and stores nothing."
            ),
        )
        villages.add_argument("csv", metavar="CSV", help="path to villages.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import-villages":
            self._import_villages(options["csv"])
        else:  # argparse only lets known actions through
            raise CommandError(f"unknown action {action!r}")

    def _import_villages(self, path: str) -> None:
        started = time.monotonic()
        try:
            added = import_villages(path)
        except FileNotFoundError as exc:
            raise CommandError(f"CSV file not found: {path}") from exc
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        except ValueError as exc:
            raise CommandError(f"invalid villages CSV, nothing imported: {exc}") from exc
        elapsed = time.monotonic() - started
        noun = "village" if added == 1 else "villages"
        self.stdout.write(self.style.SUCCESS(f"Added {added} {noun} ({elapsed:.1f} s)."))

"""``lapor regions import-villages villages.csv``: import the village level of the regions;
``lapor regions import-points points.csv``: load reference points (for nearest district)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lapor.regions.loader import import_villages
from lapor.regions.points import import_points


class Command(BaseCommand):
    help = "Manage Kemendagri administrative regions (provinces to villages)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{import-villages,import-points}", title="actions"
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
        points: ArgumentParser = actions.add_parser(
            "import-points",
            help="Load region reference points from a code,latitude,longitude CSV (atomic).",
            description=(
                "Set the reference point (WGS84) of regions from a UTF-8 CSV with header "
                "code,latitude,longitude, so Open311 coordinates map to the nearest district. "
                "Codes of any level are accepted; unknown codes are counted, not fatal. A "
                "malformed row or a point outside Indonesia aborts the import and stores "
                "nothing. Lapor ships no points: use a set you are licensed to use (e.g. "
                "district centroids computed from BIG/BPS boundaries)."
            ),
        )
        points.add_argument("csv", metavar="CSV", help="path to points.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import-villages":
            self._import_villages(options["csv"])
        elif action == "import-points":
            self._import_points(options["csv"])
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

    def _import_points(self, path: str) -> None:
        try:
            result = import_points(path)
        except FileNotFoundError as exc:
            raise CommandError(f"CSV file not found: {path}") from exc
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        except ValueError as exc:
            raise CommandError(f"invalid points CSV, nothing imported: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Points: {result.updated} set or changed, {result.unchanged} unchanged, "
                f"{result.unknown} unknown codes."
            )
        )
        if result.unknown:
            more = ", …" if result.unknown > len(result.unknown_codes) else ""
            self.stdout.write(
                self.style.WARNING(
                    "Unknown region codes (skipped): " + ", ".join(result.unknown_codes) + more
                )
            )

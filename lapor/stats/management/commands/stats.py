"""``lapor stats rebuild`` (recompute every summary row) and ``lapor stats refresh``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lapor.stats.maintenance import stats_rebuild, stats_refresh


class Command(BaseCommand):
    help = "Maintain the statistics summary tables: rebuild (full) or refresh (incremental)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "refresh"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            def progress(done: int) -> None:
                if done % 100_000 == 0:
                    self.stdout.write(f"  {done:,} facts")

            result = stats_rebuild(progress=progress)
            self.stdout.write(f"rebuilt: {result.facts:,} facts, {result.cells:,} cells")
            return
        total = 0
        while True:
            step = stats_refresh()
            total += step.changed
            if step.events < 5_000 and step.due < 2_000:
                break
        self.stdout.write(f"refreshed: {total:,} facts changed")

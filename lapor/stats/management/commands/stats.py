"""``lapor stats rebuild`` (recompute every summary row) and ``lapor stats refresh``."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lapor.stats.maintenance import stats_rebuild, stats_refresh

PROGRESS_EVERY = 100_000  # facts


class Command(BaseCommand):
    help = "Maintain the statistics summary tables: rebuild (full) or refresh (incremental)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "refresh"])
        parser.add_argument(
            "--workers", type=int, default=1,
            help="rebuild: processes computing the facts (PostgreSQL; default 1, in process)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            started = time.monotonic()
            shown = [0]

            def progress(done: int) -> None:
                if done // PROGRESS_EVERY > shown[0] // PROGRESS_EVERY:
                    seconds = time.monotonic() - started
                    self.stdout.write(f"  {done:,} facts, {done / max(seconds, 1e-9):,.0f}/s")
                shown[0] = done

            result = stats_rebuild(workers=max(1, options["workers"]), progress=progress)
            phases = ", ".join(f"{name} {s:.1f} s" for name, s in result.seconds.items())
            self.stdout.write(f"rebuilt: {result.facts:,} facts, {result.cells:,} cells "
                              f"in {time.monotonic() - started:.1f} s ({phases})")
            return
        total = 0
        while True:
            step = stats_refresh()
            total += step.changed
            if step.events < 5_000 and step.due < 2_000:
                break
        self.stdout.write(f"refreshed: {total:,} facts changed")

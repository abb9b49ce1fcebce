"""``lapor seed``: national-scale report data on PostgreSQL (see lapor.demo.seed)."""

from __future__ import annotations

import json
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lapor.demo.seed import SeedOptions, SeedRefused, seed
from lapor.demo.texts import TEXT_KINDS


def add_seed_arguments(parser: Any) -> None:
    """The options of ``lapor seed`` (also used by bench/load_reports.py)."""
    parser.add_argument("--reports", type=int, default=100_000, metavar="N",
                        help="reports to add (default 100,000; 0: only the tree and accounts)")
    parser.add_argument("--agencies", type=int, default=None, metavar="K",
                        help="seed K regencies/cities only: Kutai Timur, then others "
                             "spread evenly in code order (default: all ~514)")
    parser.add_argument("--agency", default=None, metavar="CODE",
                        help="put every report in this one existing agency (e.g. kutim), "
                             "without building the national tree")
    parser.add_argument("--no-provinces", dest="provinces", action="store_false",
                        help="do not seed the provinces of the regencies as agencies")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="P",
                        help="generating/COPY processes (default: CPU count)")
    parser.add_argument("--batch", type=int, default=5_000, help="reports per COPY batch")
    parser.add_argument("--seed", type=int, default=2026,
                        help="random seed (same seed and workers, same data)")
    parser.add_argument("--reset", action="store_true", help="truncate the report tables first")
    parser.add_argument("--force", action="store_true",
                        help="allow --reset on a database whose name lacks 'bench'")
    parser.add_argument("--defer-indexes", choices=["auto", "yes", "no"], default="auto",
                        help="drop the secondary indexes of the report tables during the load "
                             "and rebuild them after (auto: when adding ≥ 100,000 reports and "
                             "at least as many as there are)")
    parser.add_argument("--maintenance-work-mem", default="1GB",
                        help="maintenance_work_mem of the index rebuilds (default 1GB)")
    parser.add_argument("--hub-user", default="kominfo")
    parser.add_argument("--liaison-user", default="pupr")
    parser.add_argument("--progress-seconds", type=float, default=5.0,
                        help="seconds between progress lines")
    parser.add_argument("--texts", choices=list(TEXT_KINDS), default="templated",
                        help="report texts: templated (~25 templates per topic, every phrase "
                             "matches a large share: the worst case for search) or realistic "
                             "(Zipf-distributed vocabulary of the demo's reports and Indonesian "
                             "complaint words, lapor.demo.texts)")
    parser.add_argument("--stats", choices=["auto", "yes", "no"], default="auto",
                        help="rebuild the statistics summary tables at the end (lapor stats "
                             "rebuild, --workers processes), so the per-minute refresh does not "
                             "spend hours on the seed's events (auto: when it is more than one "
                             "turn of 5,000 events behind)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary as the last line")


def options_from(values: dict[str, Any]) -> SeedOptions:
    keys = ("reports", "agencies", "agency", "provinces", "workers", "batch", "seed", "reset",
            "force", "defer_indexes", "maintenance_work_mem", "hub_user", "liaison_user",
            "progress_seconds", "texts", "stats")
    return SeedOptions(**{k: values[k] for k in keys if k in values})


class Command(BaseCommand):
    help = (
        "Seed PostgreSQL with realistic reports over the agencies of every regency/city and "
        "province (COPY, parallel workers): lapor seed --reports 1000000."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_seed_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = seed(options_from(options))
        except SeedRefused as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary))

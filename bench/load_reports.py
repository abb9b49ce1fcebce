"""Load N realistic reports (default 100,000) into the PostgreSQL database of DATABASE_URL.

A benchmark fixture, not a test: a thin wrapper around ``lapor seed`` (lapor/demo/seed.py,
where the generator and its decisions are documented) that keeps this script's options and,
by default, its single-regency shape: every report goes to ``--agency kutim`` (Kutai Timur, a
hub agency that verifies its own reports), which the benchmark accounts ``kominfo`` and ``pupr``
sign in to. ``--national`` spreads the reports over every regency/city and province instead.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench \\
        .venv/bin/python bench/load_reports.py --reports 100000 --reset

Steps: ``lapor migrate``; ``lapor demo --reports 0`` unless the Kutai Timur tree and the demo
users already exist; the reports, contacts, timelines and disposition hops with COPY from
``--workers`` processes; then VACUUM ANALYZE; then the deadline notices the worker's sweep
would have issued by now, recorded as issued (``lapor.sla.notices.notices_settle``; also with
``--reports 0``), so the sweep has no backlog during a measurement. Contacts are encrypted
under the keys of LAPOR_DATA_DIR (default ``$TMPDIR/lapor-bench-data``; share it with the
server).

``--reset`` truncates the report tables first and refuses to run on a database whose name does
not contain "bench" unless ``--force`` is given. ``--json`` prints a summary as the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    sys.path.insert(0, str(REPO))
    # The seed command's module imports the models: Django is set up first, on the database
    # the arguments name (the rest of them are parsed below).
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    url = early.parse_known_args(argv)[0].database_url
    if url and url.startswith(("postgres://", "postgresql://")):
        setup_django(url)
    from lapor.demo.management.commands.seed import add_seed_arguments  # noqa: PLC0415

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_seed_arguments(p)
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                   help="PostgreSQL URL (default: $DATABASE_URL)")
    p.add_argument("--national", action="store_true",
                   help="every regency/city and province instead of --agency")
    p.set_defaults(agency="kutim")
    args = p.parse_args(argv)
    if args.national:
        args.agency = None
    if not args.database_url or not args.database_url.startswith(("postgres://",
                                                                  "postgresql://")):
        p.error("a PostgreSQL DATABASE_URL (or --database-url) is required")
    return args


def setup_django(database_url: str) -> None:
    import django  # noqa: PLC0415

    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.config.settings")
    if not os.environ.get("LAPOR_SECRET_KEY"):
        os.environ["LAPOR_DEMO_MODE"] = "1"
    if not os.environ.get("LAPOR_DATA_DIR"):
        os.environ["LAPOR_DATA_DIR"] = str(Path(tempfile.gettempdir()) / "lapor-bench-data")
    django.setup()


def load(args: argparse.Namespace) -> dict[str, Any]:
    setup_django(args.database_url)
    import time  # noqa: PLC0415

    from lapor.demo.management.commands.seed import options_from  # noqa: PLC0415
    from lapor.demo.seed import SeedRefused, seed  # noqa: PLC0415

    options = options_from(vars(args))
    options.log = lambda msg: print(f"[load {time.strftime('%H:%M:%S')}] {msg}", flush=True)
    try:
        return seed(options)
    except SeedRefused as exc:
        sys.exit(f"load_reports.py: {exc}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    summary = load(args)
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()

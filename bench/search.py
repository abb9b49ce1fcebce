"""Search and duplicate-check latency on PostgreSQL (issue #7), called the way the
application calls them. A measurement script, not a test: it asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench_search \\
        .venv/bin/python bench/load_reports.py --reports 1000000 --reset
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench_search \\
        .venv/bin/python bench/search.py [--rounds 5] [--json]

Search: a fixed list of queries shaped like bench/load_reports.py's texts (topic words, place
and district names, the inflected forms people type), each as public search
(:func:`lapor.search.selectors.search_public`, the portal feed and ``/search/reports``) and as
staff search of the Kutai Timur hub verifier (``--user``, :func:`search_staff`), first page of
20 with snippets; some with a district or status filter. ``--query Q`` (repeatable) times
these queries instead, without filters (e.g. a narrow and a broad two-word query). A query
refused as too broad (``query_too_broad``, the ranked engine: no RUM index) is an answer too
and is timed as one; the share is printed.

Duplicate check: for ``--samples`` reports submitted in the last 30 days (the duplicate
window), the verifier's check (:func:`lapor.search.duplicates.similar_for_staff`, shown on the
report page) and the submission-time check of the same text
(:func:`similar_public`, portal form and ``/duplicates/check``).

Timing is wall-clock around the Python call (SQL, row loading, snippets, scoring), on one
connection, after one warm-up round; p50/p95/max in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

QUERIES = [
    # (query, filters) — filters: region (district code suffix index) / status
    ("sampah menumpuk Teluk Lingga", {}),
    ("lampu penerangan jalan mati Bengalon", {}),
    ("blangko KTP-el kosong", {}),
    ("izin usaha OSS verifikasi", {}),
    ("atap kelas bocor", {}),
    ("pungutan liar pengurusan izin", {}),
    ("air PDAM keruh", {"region": 0}),
    ("perbaikan jalan mangkrak", {"region": 1}),
    ("truk sampah tidak datang", {"region": 2}),
    ("antrean puskesmas", {"region": 3, "status": "in_progress"}),
    ("obat kosong", {"status": "disposed"}),
    ("bantuan sosial dipotong pendamping", {}),
    ("akta kelahiran belum selesai", {}),
    ("drainase tersumbat", {"region": 4}),
    ("pembakaran sampah liar", {}),
    ("diperbaiki", {"region": 5}),
    ("jalan", {}),          # broad: expected query_too_broad at this size
    ("puskesmas", {}),      # broad
    ("Sangatta Utara", {}),
    ("dermaga Kenyamukan jalan berlubang", {}),
]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.config.settings")
    if not os.environ.get("LAPOR_SECRET_KEY"):
        os.environ["LAPOR_DEMO_MODE"] = "1"
    os.environ.setdefault("LAPOR_DATA_DIR", str(Path(tempfile.gettempdir()) / "lapor-bench-data"))
    sys.path.insert(0, str(REPO))
    import django  # noqa: PLC0415

    django.setup()


def timed(fn: Callable[[], Any]) -> tuple[float, str]:
    from lapor.core.errors import ValidationFailed  # noqa: PLC0415

    start = time.perf_counter()
    try:
        fn()
        outcome = "ok"
    except ValidationFailed as exc:
        outcome = exc.code
    return (time.perf_counter() - start) * 1000, outcome


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = statistics.quantiles(ordered, n=20, method="inclusive")[18] if len(ordered) > 1 \
        else ordered[0]
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(p95, 1), "max_ms": round(ordered[-1], 1)}


def measure_search(actor: Any, districts: list[str], rounds: int,
                   queries: list[tuple[str, dict[str, Any]]]) -> tuple[
    dict[str, list[float]], dict[str, int]
]:
    from lapor.search import selectors  # noqa: PLC0415

    def filters(spec: dict[str, Any]) -> selectors.SearchFilters:
        region = districts[spec["region"] % len(districts)] if "region" in spec else ""
        return selectors.SearchFilters(region=region, status=spec.get("status", ""))

    runs: dict[str, list[float]] = {"search_public": [], "search_staff": []}
    outcomes: dict[str, int] = {}
    for round_no in range(rounds + 1):
        for text, spec in queries:
            for kind in ("search_public", "search_staff"):
                if kind == "search_public":
                    fn = lambda t=text, s=spec: selectors.search_public(t, filters(s))  # noqa: E731
                else:
                    fn = lambda t=text, s=spec: selectors.search_staff(actor, t, filters(s))  # noqa: E731
                ms, outcome = timed(fn)
                if round_no > 0:  # round 0 warms caches
                    runs[kind].append(ms)
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return runs, outcomes


def measure_duplicates(actor: Any, samples: int, seed: int) -> tuple[
    dict[str, list[float]], int
]:
    from datetime import timedelta  # noqa: PLC0415

    from django.conf import settings  # noqa: PLC0415

    from lapor.core import clock  # noqa: PLC0415
    from lapor.reports.models import Report  # noqa: PLC0415
    from lapor.search import duplicates  # noqa: PLC0415

    since = clock.now() - timedelta(days=settings.LAPOR_DUPLICATE_WINDOW_DAYS)
    recent = list(Report.objects.filter(submitted_at__gte=since, status="submitted")
                  .values_list("pk", flat=True)[:20_000])
    random.Random(seed).shuffle(recent)
    reports = list(Report.objects.select_related("category").filter(pk__in=recent[:samples]))
    dup: dict[str, list[float]] = {"duplicates_staff": [], "duplicates_public": []}
    found = 0
    for i, report in enumerate([*reports[:10], *reports]):  # the first ten warm up
        ms_staff, _ = timed(lambda r=report: duplicates.similar_for_staff(actor, r))
        ms_public, _ = timed(lambda r=report: duplicates.similar_public(
            title=r.title, body=r.body, region_code=r.region_id, category_id=r.category_id))
        if i >= 10:
            dup["duplicates_staff"].append(ms_staff)
            dup["duplicates_public"].append(ms_public)
            found += bool(duplicates.similar_for_staff(actor, report))
    return dup, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds of all queries")
    parser.add_argument("--samples", type=int, default=200, help="reports duplicate-checked")
    parser.add_argument("--user", default="kominfo", help="staff user of the staff search")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--query", action="append", default=[], metavar="Q",
                        help="search these queries (repeatable, no filters) instead of the "
                             "built-in list, e.g. a narrow and a broad two-word query")
    parser.add_argument("--json", action="store_true", help="print one JSON summary line")
    args = parser.parse_args()
    setup_django()
    from django.db import connection  # noqa: PLC0415

    from lapor.accounts.models import User  # noqa: PLC0415
    from lapor.orgs.actors import actor_for_user  # noqa: PLC0415
    from lapor.regions.models import Region  # noqa: PLC0415
    from lapor.reports.models import Report  # noqa: PLC0415
    from lapor.search import selectors  # noqa: PLC0415

    if connection.vendor != "postgresql":
        sys.exit("bench/search.py measures PostgreSQL: set DATABASE_URL")
    actor = actor_for_user(User.objects.get(username=args.user))
    total = Report.objects.count()
    districts = list(Region.objects.filter(code__startswith="64.08.", level=3)
                     .order_by("code").values_list("code", flat=True))

    queries = [(q, {}) for q in args.query] or QUERIES
    runs, outcomes = measure_search(actor, districts, args.rounds, queries)
    dup, found = measure_duplicates(actor, args.samples, args.seed)
    result = {
        "reports": total,
        "max_matches": selectors.max_matches(),
        **{k: summary(v) for k, v in {**runs, **dup}.items() if v},
        "search_outcomes": outcomes,
        "duplicate_samples_with_candidates": found,
    }
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()

"""Federation between two instances on this machine (issue #22): how long until a report
filed regionally is visible nationally, and how fast a backlog drains after an outage.
A measurement, not a test.

    .venv/bin/python bench/federation.py                       # 50 submissions, 200 queued
    .venv/bin/python bench/federation.py --submissions 10 --backlog 40   # a quick look

1. Two instances as ``tests/federation/harness.py`` builds them: a national one on a fresh
   PostgreSQL database (``lapor_bench_federation`` on ``--server-url``, dropped at the end)
   and a regional one of Kutai Timur on SQLite, each ``lapor serve --workers 1`` with one task
   worker, linked with ``lapor federation peer add`` / ``upstream set``.
2. **Delay**: ``--submissions`` reports filed one after another on the region
   (``POST /api/v1/reports``); for each, the time from sending the submission to the first
   ``200`` of ``GET /api/v1/track/{number}`` on the national instance (polled every 20 ms).
3. **Drain**: the national instance is stopped (SIGKILL), ``--backlog`` reports are filed on
   the region, the national instance is started again; measured: from "serving again" to
   the last report applied, and the rate between the first and the last report applied
   (``federation_mirroredreport.created_at`` on the national instance).
4. Print the JSON and write ``bench/results/federation-<UTC timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from tests.federation.harness import Pair, federation_pair, wait_for  # noqa: E402


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _submit(pair: Pair, n: int, tag: str) -> str:
    return str(pair.region.submit(
        title=f"Jalan berlubang nomor {n} ({tag})", reporter_name=f"Pelapor {tag} {n}",
        reporter_email=f"pelapor.{tag}{n}@example.org")["tracking_number"])


def measure_delay(pair: Pair, count: int) -> dict[str, Any]:
    delays: list[float] = []
    for n in range(count):
        started = time.monotonic()
        number = _submit(pair, n, "delay")
        wait_for(lambda number=number: pair.national.track(number).status == 200,
                 timeout=300, every=0.02, what=f"{number} on the national instance")
        delays.append(time.monotonic() - started)
    return {"submissions": count,
            "p50_s": round(statistics.median(delays), 3),
            "p90_s": round(_percentile(delays, 0.90), 3),
            "p99_s": round(_percentile(delays, 0.99), 3),
            "max_s": round(max(delays), 3), "min_s": round(min(delays), 3)}


def measure_drain(pair: Pair, count: int) -> dict[str, Any]:
    pair.national.stop(kill=True)
    filed_at = time.monotonic()
    numbers = [_submit(pair, n, "backlog") for n in range(count)]
    filing = time.monotonic() - filed_at
    pair.national.start()
    serving = time.monotonic()
    sql = ("SELECT count(*), min(m.created_at), max(m.created_at) "
           "FROM federation_mirroredreport m JOIN reports_report r ON r.id = m.report_id "
           "WHERE r.tracking_number = ANY(%s)")
    wait_for(lambda: pair.national.query(sql, (numbers,))[0][0] == count, timeout=900,
             every=0.2, what="the backlog applied on the national instance")
    drained = time.monotonic() - serving
    _, first, last = pair.national.query(sql, (numbers,))[0]
    span = (last - first).total_seconds()
    return {"backlog": count, "filing_s": round(filing, 1),
            "restart_to_drained_s": round(drained, 1),
            "first_to_last_applied_s": round(span, 2),
            "reports_per_s": round(count / span, 1) if span > 0 else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=50)
    parser.add_argument("--backlog", type=int, default=200)
    parser.add_argument("--server-url", default=os.environ.get(
        "LAPOR_BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (without a database name) for the national instance")
    args = parser.parse_args()
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="lapor-bench-federation-") as tmp, \
            federation_pair(Path(tmp), database="lapor_bench_federation",
                            server=args.server_url) as pair:
        for n in range(3):  # warm-up: the first requests of each process import and connect
            number = _submit(pair, n, "warmup")
            wait_for(lambda number=number: pair.national.track(number).status == 200,
                     timeout=300, what="the warm-up report on the national instance")
        delay = measure_delay(pair, args.submissions)
        drain = measure_drain(pair, args.backlog)
    result = {
        "benchmark": "federation", "started_at": started.isoformat(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(),
                    "load_1m_at_end": round(os.getloadavg()[0], 2)},
        "setup": "national: PostgreSQL, lapor serve --workers 1 --threads 4, 1 task worker; "
                 "region: SQLite, the same; both on this machine",
        "delay": delay, "drain": drain,
    }
    text = json.dumps(result, indent=2)
    print(text)
    out = BENCH / "results" / f"federation-{started:%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Inbound latency of the regional-application API and the SMTP listener under 50 concurrent
deliveries (a measurement, not a test).

    .venv/bin/python bench/integration.py                    # 2,000 deliveries per way in
    .venv/bin/python bench/integration.py --requests 500     # a quick look

1. Database ``postgres://postgres@127.0.0.1:5432/lapor_bench_integration`` (``--database-url``
   or ``$LAPOR_BENCH_DATABASE_URL``; the name must contain "bench"; ``$DATABASE_URL`` is
   deliberately ignored), created if missing, migrated, with the demo's Kutai Timur tree
   (``lapor demo --reports 0``) and one integrated application of Kutai Timur
   (``lapor intake app add``).
2. ``lapor serve --workers 2 --threads 4 --task-workers 1`` (as bench/run.py) and
   ``lapor smtpd`` on free 127.0.0.1 ports.
3. ``POST /api/v1/integration/reports``: ``--requests`` distinct reports (own Idempotency-Key
   and reference id each), sent by ``--concurrency`` client threads; the time to the 201 of
   each is recorded (the report, its idempotency row and the outbox rows are written before
   the answer). Then the same number of *replays* (same key and body: the stored answer).
4. SMTP: ``--requests`` distinct messages, each its own SMTP session (connect, EHLO, MAIL,
   RCPT, DATA, QUIT) from ``--concurrency`` threads; the time to the ``250`` after DATA is
   recorded (the raw message is committed before it; the report is the task worker's).
5. Print a Markdown table and write ``bench/results/integration-<UTC timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from bench.run import (  # noqa: E402
    SERVE_THREADS,
    ensure_database,
    free_port,
    log,
    serve,
    sh,
    wait_healthy,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/lapor_bench_integration"
TEXT = ("Lampu penerangan jalan di Jalan Yos Sudarso depan SD 001 mati sejak dua minggu "
        "(bench {n}) 🚧")


def lapor(cmd: list[str], env: dict[str, str]) -> str:
    result = subprocess.run([sys.executable, "-m", "lapor.cli", *cmd], env=env, cwd=REPO,  # noqa: S603
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"lapor {' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def api_call(base: str, token: str, run: str, n: int) -> Callable[[], tuple[float, int]]:
    body = json.dumps({"reference_id": f"BENCH-{run}-{n}", "type": "complaint",
                       "title": f"Lampu jalan mati {n}", "body": TEXT.format(n=n),
                       "region_code": "64.08.04",
                       "reporter_email": f"warga{n}@example.org"}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "Idempotency-Key": f"bench-{run}-{n}"}

    def call() -> tuple[float, int]:
        request = urllib.request.Request(f"{base}/api/v1/integration/reports", data=body,  # noqa: S310
                                         headers=headers, method="POST")
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        return (time.perf_counter() - start) * 1000, status

    return call


def smtp_call(port: int, run: str, n: int) -> Callable[[], tuple[float, int]]:
    mail = EmailMessage()
    mail["From"] = f"Warga {n} <warga{n}@example.org>"
    mail["To"] = "kutim@lapor.bench"
    mail["Subject"] = f"Lampu jalan mati {n}"
    mail["Message-ID"] = f"<bench-{run}-{n}@example.org>"
    mail.set_content(TEXT.format(n=n))
    raw = mail.as_bytes(policy=SMTP_POLICY)

    def call() -> tuple[float, int]:
        start = time.perf_counter()
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
                client.sendmail(f"warga{n}@example.org", ["kutim@lapor.bench"], raw)
            status = 250
        except (smtplib.SMTPException, OSError):
            status = 0
        return (time.perf_counter() - start) * 1000, status

    return call


def measure(name: str, calls: list[Callable[[], tuple[float, int]]], warmup: int,
            concurrency: int, ok: Callable[[int], bool]) -> dict[str, Any]:
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda c: c(), calls[:warmup]))
        started = time.perf_counter()
        results = list(pool.map(lambda c: c(), calls[warmup:]))
        elapsed = time.perf_counter() - started
    times = [t for t, status in results if ok(status)]
    row = {"way_in": name, "requests": len(results),
           "failed": sum(1 for _, status in results if not ok(status)),
           "rps": round(len(results) / elapsed, 1),
           "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
           "p99_ms": round(percentile(times, 99), 1), "max_ms": round(max(times), 1),
           "mean_ms": round(statistics.fmean(times), 1)}
    log(f"{name}: {row}")
    return row


@contextmanager
def smtpd(env: dict[str, str], port: int, log_dir: Path) -> Iterator[None]:
    with (log_dir / "smtpd.log").open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "lapor.cli", "smtpd", "--port", str(port)], env=env,
            cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=2) as probe:
                    probe.noop()
                break
            except OSError:
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def markdown(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = ["| way in | requests | failed | req/s | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['way_in']} | {r['requests']} | {r['failed']} | {r['rps']} | {r['p50_ms']} "
              f"| {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} |" for r in rows]
    return "\n".join(lines) + f"\n\n{args.concurrency} concurrent client threads."


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    p.add_argument("--database-url",
                   default=os.environ.get("LAPOR_BENCH_DATABASE_URL", DEFAULT_DB))
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=SERVE_THREADS)
    p.add_argument("--task-workers", type=int, default=1)
    p.add_argument("--data-dir", type=Path, default=None)
    return p.parse_args()


def main() -> None:
    args = parse_args()
    if "bench" not in urllib.parse.urlparse(args.database_url).path:
        sys.exit("the benchmark database name must contain 'bench' (its data is disposable)")
    args.data_dir = args.data_dir or Path(tempfile.gettempdir()) / "lapor-bench-integration"
    args.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_database(args.database_url)
    port, smtp_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, DATABASE_URL=args.database_url, LAPOR_DATA_DIR=str(args.data_dir),
               LAPOR_DEMO_MODE="1", LAPOR_EMAIL_INTAKE_DOMAINS="lapor.bench",
               LAPOR_EMAIL_DEFAULT_REGION="64.08")
    env.pop("LAPOR_SECRET_KEY", None)
    log("migrate, demo tree, application")
    lapor(["migrate", "--noinput", "-v", "0"], env)
    lapor(["demo", "--reports", "0"], env)
    out = lapor(["intake", "app", "add", "kutim", f"bench {int(time.time())}"], env)
    token = out.split("token=", 1)[1].split()[0]
    run = str(int(time.time()))  # keys, references and Message-IDs never seen before
    n, w = args.requests, args.warmup
    rows = []
    with serve(args, port, args.data_dir) as proc, smtpd(env, smtp_port, args.data_dir):
        wait_healthy(base, proc, 900)  # the first start collects static files
        calls = [api_call(base, token, run, i) for i in range(w + n)]
        rows.append(measure("POST /api/v1/integration/reports (new)", calls, w,
                            args.concurrency, lambda s: s == 201))
        rows.append(measure("POST /api/v1/integration/reports (replay)", calls, w,
                            args.concurrency, lambda s: s == 201))
        rows.append(measure("SMTP to 250 (lapor smtpd)",
                            [smtp_call(smtp_port, run, i) for i in range(w + n)], w,
                            args.concurrency, lambda s: s == 250))
    results = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu": sh(["sh", "-c", "lscpu | grep 'Model name'"]),
                    "nproc": os.cpu_count(), "kernel": platform.release(),
                    "loadavg_after": os.getloadavg()},
        "args": {k: str(v) for k, v in vars(args).items()}, "rows": rows,
    }
    path = BENCH / "results" / f"integration-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=2))
    print(markdown(rows, args))
    log(f"wrote {path}")


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()

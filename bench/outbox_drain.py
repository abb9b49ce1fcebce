"""How fast do two outbox workers drain 100,000 deliveries? (a measurement, not a test)

    .venv/bin/python bench/outbox_drain.py                 # 100,000 rows, 2 workers
    .venv/bin/python bench/outbox_drain.py --rows 10000    # a quick look

1. Database: ``postgres://postgres@127.0.0.1:5432/lapor_outbox_bench`` (override with
   ``--database-url`` or ``$LAPOR_BENCH_DATABASE_URL``; the name must contain "bench", and
   ``$DATABASE_URL`` is deliberately ignored), created and migrated if needed; the outbox is
   emptied first.
2. Load ``--rows`` callback rows (one integrated application, a local fake provider) with
   ``bulk_create`` in batches, all due now.
3. Start ``--workers`` processes of ``lapor outbox dispatch --loop`` (the same code path as
   the dispatch task: claim with ``FOR UPDATE SKIP LOCKED`` and a lease, POST, mark sent) and
   time until every row is sent. The fake provider (threaded ``http.server`` in this process)
   deduplicates on the Idempotency-Key and counts repeats.
4. Print and write ``bench/results/outbox-<UTC timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/lapor_outbox_bench"


class Provider:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: Counter[str] = Counter()

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with provider.lock:
                    provider.keys[self.headers.get("Idempotency-Key", "")] += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.request_queue_size = 256
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}/callback"


def ensure_database(url: str) -> None:
    import psycopg  # noqa: PLC0415

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:  # noqa: PLR0915  (one linear script)
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100, help="rows claimed per round trip")
    parser.add_argument("--database-url",
                        default=os.environ.get("LAPOR_BENCH_DATABASE_URL", DEFAULT_DB))
    args = parser.parse_args()
    if "bench" not in urlparse(args.database_url).path:
        sys.exit("refusing: the benchmark database name must contain 'bench'")

    data_dir = tempfile.mkdtemp(prefix="lapor-outbox-bench-")
    env = {**os.environ, "DATABASE_URL": args.database_url, "LAPOR_DEMO_MODE": "1",
           "LAPOR_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "lapor.config.settings",
           "LAPOR_OUTBOX_BATCH": str(args.batch), "LAPOR_OUTBOX_DRAIN_LIMIT": "1000000",
           "LAPOR_LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    ensure_database(args.database_url)
    subprocess.run([sys.executable, "-m", "lapor.cli", "migrate", "-v", "0"],
                   env=env, check=True)

    import django  # noqa: PLC0415

    django.setup()
    from django.db import connection  # noqa: PLC0415

    from lapor.core import clock  # noqa: PLC0415
    from lapor.notifications.models import CallbackEndpoint, OutboxMessage  # noqa: PLC0415
    from lapor.orgs.models import NodeKind, OrgNode  # noqa: PLC0415

    provider = Provider()
    server, url = provider.serve()
    root = OrgNode.objects.filter(kind=NodeKind.ROOT).first() or OrgNode.objects.create(
        code="nasional", name="Nasional", kind=NodeKind.ROOT, path="/", depth=0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_outboxmessage")
    endpoint = CallbackEndpoint.objects.create(node=root, name="bench", url=url,
                                               secret="bench-only", created_at=clock.now())  # noqa: S106
    started = time.perf_counter()
    now = clock.now()
    chunk = 5_000
    for first in range(0, args.rows, chunk):
        OutboxMessage.objects.bulk_create([
            OutboxMessage(key=f"bench:{i}:cb{endpoint.pk}:webhook", event="callback.bench",
                          audience="integration", channel="webhook", endpoint=endpoint,
                          payload={"n": i, "tracking_number": f"{i:012d}"},
                          next_attempt_at=now, created_at=now)
            for i in range(first, min(args.rows, first + chunk))
        ])
    load_seconds = time.perf_counter() - started
    connection.close()

    started = time.perf_counter()
    workers = [subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "lapor.cli", "outbox", "dispatch", "--loop", "--interval",
         "0.2", "--worker", f"bench-{n}"], env=env) for n in range(args.workers)]
    first_sent_at = None
    try:
        while True:
            time.sleep(0.5)
            sent = OutboxMessage.objects.filter(status="sent").count()
            if sent and first_sent_at is None:
                first_sent_at = time.perf_counter()
            if sent >= args.rows:
                break
            if any(w.poll() is not None for w in workers):
                sys.exit("a worker exited early")
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    drain_seconds = time.perf_counter() - started
    server.shutdown()
    repeats = sum(count - 1 for count in provider.keys.values() if count > 1)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "processor": _cpu(),
                    "python": platform.python_version()},
        "rows": args.rows, "workers": args.workers, "batch": args.batch,
        "load_seconds": round(load_seconds, 1),
        "drain_seconds": round(drain_seconds, 1),
        "rows_per_second": round(args.rows / drain_seconds),
        "first_delivery_after_seconds": round((first_sent_at or started) - started, 1),
        "provider_unique_keys": len(provider.keys), "provider_repeats": repeats,
        "dead": OutboxMessage.objects.filter(status="dead").count(),
    }
    out = BENCH / "results" / f"outbox-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()

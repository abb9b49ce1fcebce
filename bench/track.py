"""Tracking lookups without wrk (issue #21): the public API read and the public page, at one
connection and at ``--concurrency``, through the same ``lapor serve`` as ``bench/run.py``.

A measurement script, not a test. The load generator is Python (one thread and one keep-alive
connection per simulated client, closed loop like wrk): use it where wrk is not installed; it
costs a few % of a core itself (shown as "client"), which wrk would not.

    .venv/bin/python bench/track.py --data-dir /tmp/lapor-bench-data \\
        --database-url postgres://postgres@127.0.0.1:5432/lapor_bench_1m

Per run: requests per second, p50/p95/p99 latency, errors, and the CPU of the server's
process group and of the database backends per request (ms), from /proc.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402  (bench/run.py: the server, the sample and the CPU meter)


def client_loop(port: int, paths: list[str], stop: float, seed: int, *,
                out: list[float], errors: list[int]) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.monotonic() < stop:
        path = rng.choice(paths)
        t0 = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Accept": "application/json"})
            resp = conn.getresponse()
            resp.read()
            ok = resp.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        out.append(time.perf_counter() - t0)
        if not ok:
            errors.append(1)
    conn.close()


def load(port: int, paths: list[str], *, connections: int, duration: float) -> dict[str, Any]:
    stop = time.monotonic() + duration
    lat: list[list[float]] = [[] for _ in range(connections)]
    errs: list[list[int]] = [[] for _ in range(connections)]
    threads = [threading.Thread(target=client_loop, args=(port, paths, stop, i),
                                kwargs={"out": lat[i], "errors": errs[i]})
               for i in range(connections)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - t0
    flat = sorted(x for part in lat for x in part)
    n = len(flat)

    def pct(p: float) -> float:
        return round(1000 * flat[min(n - 1, int(p * n))], 1) if n else 0.0

    return {"requests": n, "rps": round(n / seconds, 1), "p50": pct(0.50), "p95": pct(0.95),
            "p99": pct(0.99), "errors": sum(len(e) for e in errs)}


def ready(base: str, proc: Any, timeout: float) -> None:
    """The server answers (``/healthz`` 200, or 503 only for want of a task worker when
    ``--task-workers 0`` keeps the worker's sweep out of the figures)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"lapor serve exited with {proc.returncode}; see its log")
        with contextlib.suppress(OSError):
            status, body = run.http("GET", base + "/healthz", timeout=5)
            if status == 200 or (isinstance(body, dict)
                                 and body.get("problems") == ["worker_not_alive"]):
                return
        time.sleep(0.5)
    sys.exit(f"the server did not answer within {timeout:.0f} s")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=os.environ.get("LAPOR_BENCH_DATABASE_URL",
                                                            run.DEFAULT_DB))
    p.add_argument("--data-dir", type=Path,
                   default=Path(tempfile.gettempdir()) / "lapor-bench-data")
    p.add_argument("--duration", type=float, default=20)
    p.add_argument("--c1-duration", type=float, default=10)
    p.add_argument("--warmup", type=float, default=3)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--sample", type=int, default=2000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=run.SERVE_THREADS)
    p.add_argument("--task-workers", type=int, default=1)
    p.add_argument("--only", default="api,page", help="api (GET /api/v1/track/{n}), page "
                   "(GET /lacak/{n}/)")
    args = p.parse_args()
    numbers, _ = run.public_sample(args.database_url, args.sample)
    run.log(f"{len(numbers):,} public tracking numbers; load average "
            f"{os.getloadavg()[0]:.2f}")
    port = run.free_port()
    base = f"http://127.0.0.1:{port}"
    results: dict[str, Any] = {"load_before": os.getloadavg()}
    log_dir = Path(tempfile.gettempdir()) / f"lapor-track-{port}"
    log_dir.mkdir(parents=True, exist_ok=True)
    kinds = {"api": [f"/api/v1/track/{n}" for n in numbers],
             "page": [f"/lacak/{n}/" for n in numbers]}
    with run.serve(args, port, log_dir) as proc:
        ready(base, proc, 120)
        meter = run.CpuMeter(proc.pid, args.database_url)
        for kind in args.only.split(","):
            paths = kinds[kind]
            load(port, paths, connections=args.concurrency, duration=args.warmup)
            for conns, seconds in ((1, args.c1_duration), (args.concurrency, args.duration)):
                if seconds <= 0:
                    continue
                me = run._proc_jiffies(os.getpid())
                a = meter.snapshot()
                r = load(port, paths, connections=conns, duration=seconds)
                b = meter.snapshot()
                client = run._proc_jiffies(os.getpid()) - me
                cpu = run.CpuMeter.diff(a, b, client)
                ncpu = os.cpu_count() or 1
                per = {k: round(cpu[k] / 100 * ncpu * (b["t"] - a["t"]) * 1000
                                / max(1, r["requests"]), 2) for k in ("server", "postgres")}
                r.update(cpu=cpu, cpu_ms_per_request=per, load=os.getloadavg())
                results[f"{kind}_c{conns}"] = r
                run.log(f"{kind} c{conns}: {r['rps']} req/s p50 {r['p50']} p95 {r['p95']} "
                        f"p99 {r['p99']} ms, errors {r['errors']}; CPU % server "
                        f"{cpu['server']} postgres {cpu['postgres']} client {cpu['client']} "
                        f"other {cpu['other']}; per request server {per['server']} ms, "
                        f"postgres {per['postgres']} ms; load {os.getloadavg()[0]:.2f}")
    with contextlib.suppress(OSError):
        print(json.dumps(results))


if __name__ == "__main__":
    main()

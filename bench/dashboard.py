"""Dashboard latency at scale (not a test): p50/p95 of the statistics pages and API.

Starts ``lapor serve`` (granian, 2 web workers, no task worker) on the database of
DATABASE_URL, signs in through the real forms (demo passwords and authenticator key, as
bench/pages.py), and times N sequential requests per scenario after a warm-up: the staff
dashboard of Kutai Timur (every loaded report is in its subtree), of one unit (PUPR) and of
the national root, the JSON API, and the public pages. Writes bench/results/dashboard-*.json.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench_stats \\
        .venv/bin/python bench/load_reports.py --reports 1000000 --reset
    DATABASE_URL=... .venv/bin/lapor stats rebuild      # the loader writes around the services
    DATABASE_URL=... .venv/bin/python bench/dashboard.py --requests 200
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import requests
from django_otp.oath import totp

REPO = Path(__file__).resolve().parent.parent
DEMO_TOTP_KEY = "LAPORDEMOLAPORDEMOLAPORDEMOLAPOR"
PASSWORD = os.environ.get("LAPOR_DEMO_PASSWORD", "lapor-demo-2026")

SCENARIOS = (
    # (name, who: a demo user or None for the public, path)
    ("staff dashboard, Kutai Timur", "bupati", "/petugas/dasbor/kutim/"),
    ("staff dashboard, Dinas PUPR", "pupr", "/petugas/dasbor/kutim-pupr/"),
    ("staff dashboard, national root", "ombudsman", "/petugas/dasbor/nasional/"),
    ("API /stats/nodes/kutim", "api:bupati", "/api/v1/stats/nodes/kutim"),
    ("API /stats/nodes/kutim/overdue", "api:bupati", "/api/v1/stats/nodes/kutim/overdue"),
    ("public /statistik/kutim/", None, "/statistik/kutim/"),
    ("public /statistik/", None, "/statistik/"),
    # Issue #21: the national views, their drill-down and "show all" pages.
    ("staff national, one province", "ombudsman", "/petugas/dasbor/nasional/?region=64"),
    ("staff national, all units p. 1", "ombudsman", "/petugas/dasbor/nasional/semua/units/"),
    ("API /stats/nodes/nasional", "api:ombudsman", "/api/v1/stats/nodes/nasional"),
    ("API nasional/rows/units", "api:ombudsman",
     "/api/v1/stats/nodes/nasional/rows/units?size=100"),
    ("API /stats/public/nasional", None, "/api/v1/stats/public/nasional"),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LAPOR_DEMO_MODE": "1"}
    server = subprocess.Popen(  # noqa: S603  (fixed argv)
        [str(REPO / ".venv/bin/lapor"), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "2", "--task-workers", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # collectstatic runs first (a minute or more on a busy machine the first time).
    for _ in range(600):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code < 600:
                return server
        except requests.RequestException:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not start")


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    login = urljoin(base, "/petugas/masuk/")
    session.get(login, timeout=30)
    code = f"{totp(base64.b32decode(DEMO_TOTP_KEY)):06d}"
    answer = session.post(login, timeout=30, headers={"Referer": login}, data={
        "csrfmiddlewaretoken": session.cookies["csrftoken"], "username": username,
        "password": PASSWORD, "otp": code})
    if "/petugas/masuk/" in answer.url:
        raise SystemExit(f"sign-in as {username} failed")
    return session


def api_session(base: str, username: str) -> requests.Session:
    for attempt in range(2):
        code = f"{totp(base64.b32decode(DEMO_TOTP_KEY)):06d}"
        answer = requests.post(urljoin(base, "/api/v1/auth/login"), timeout=30, json={
            "username": username, "password": PASSWORD, "otp": code})
        if answer.status_code != 401 or attempt:
            break
        # A code is good once: the same user's web sign-in may have just used it.
        time.sleep(31)
    answer.raise_for_status()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {answer.json()['token']}"
    return session


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def measure(session: requests.Session, url: str, n: int, warmup: int) -> dict[str, float]:
    times = []
    size = 0
    for i in range(warmup + n):
        start = time.perf_counter()
        response = session.get(url, timeout=60)
        elapsed = (time.perf_counter() - start) * 1000
        response.raise_for_status()
        size = len(response.content)
        if i >= warmup:
            times.append(elapsed)
    return {"n": n, "p50_ms": statistics.median(times), "p95_ms": percentile(times, 0.95),
            "max_ms": max(times), "kb": size / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--base", help="an already running server (default: start one)")
    parser.add_argument("--only", help="comma-separated scenario names' beginnings")
    args = parser.parse_args()
    server = None
    base = args.base
    if base is None:
        port = free_port()
        server = start_server(port)
        base = f"http://127.0.0.1:{port}"
    try:
        sessions: dict[str | None, requests.Session] = {None: requests.Session()}
        load_before = os.getloadavg()
        results = []
        print(f"{'scenario':<36}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'kB':>8}")
        only = [o.strip() for o in (args.only or "").split(",") if o.strip()]
        for name, who, path in SCENARIOS:
            if only and not any(name.startswith(o) for o in only):
                continue
            if who not in sessions:
                sessions[who] = (api_session(base, who[4:]) if who and who.startswith("api:")
                                 else sign_in(base, str(who)))
            m = measure(sessions[who], urljoin(base, path), args.requests, args.warmup)
            results.append({"scenario": name, "path": path, **m})
            print(f"{name:<36}{m['p50_ms']:>9.1f}{m['p95_ms']:>9.1f}{m['max_ms']:>9.1f}"
                  f"{m['kb']:>8.1f}", flush=True)
        record = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"nproc": os.cpu_count(), "platform": platform.platform(),
                        "python": sys.version.split()[0],
                        "loadavg_before": load_before, "loadavg_after": os.getloadavg()},
            "requests": args.requests, "warmup": args.warmup, "results": results,
        }
        out = REPO / "bench" / "results"
        out.mkdir(exist_ok=True)
        path = out / f"dashboard-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
        path.write_text(json.dumps(record, indent=2))
        print(f"load average before/after: {load_before} / {os.getloadavg()}; wrote {path}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()

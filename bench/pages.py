"""Page weight and single-visitor latency of the portal and the workspace (not a test).

Runs against a server that is already up (e.g. `make run`, the Kutai Timur demo) and reports,
for each page, the HTML size, the size of everything it loads (CSS, JS; gzip-compressed size
too, as a reverse proxy would send it) and the server latency seen by one visitor (median and
95th percentile of N sequential requests). The staff pages sign in through the real form with
the demo authenticator key.

    .venv/bin/python bench/pages.py --base http://127.0.0.1:8000 --requests 50
"""

from __future__ import annotations

import argparse
import base64
import gzip
import re
import statistics
import time
from urllib.parse import urljoin

import requests
from django_otp.oath import totp

DEMO_TOTP_KEY = "LAPORDEMOLAPORDEMOLAPORDEMOLAPOR"
ASSET = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(/static/[^"]+)"')


def measure(session: requests.Session, url: str, n: int) -> dict[str, float]:
    times = []
    body = b""
    for _ in range(n):
        start = time.perf_counter()
        response = session.get(url, timeout=30)
        times.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
        body = response.content
    assets = sorted(set(ASSET.findall(body.decode())))
    asset_bytes = [session.get(urljoin(url, a), timeout=30).content for a in assets]
    everything = [body, *asset_bytes]
    times.sort()
    return {
        "html_kb": len(body) / 1024,
        "total_kb": sum(map(len, everything)) / 1024,
        "total_gzip_kb": sum(len(gzip.compress(b)) for b in everything) / 1024,
        "p50_ms": statistics.median(times),
        "p95_ms": times[max(0, int(len(times) * 0.95) - 1)],
    }


def sign_in(session: requests.Session, base: str, username: str, password: str) -> None:
    login = urljoin(base, "/petugas/masuk/")
    session.get(login, timeout=30)
    code = f"{totp(base64.b32decode(DEMO_TOTP_KEY)):06d}"
    answer = session.post(login, timeout=30, headers={"Referer": login}, data={
        "csrfmiddlewaretoken": session.cookies["csrftoken"], "username": username,
        "password": password, "otp": code})
    if "/petugas/masuk/" in answer.url:
        raise SystemExit(f"sign-in as {username} failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--staff", default="pupr", help="demo staff user for the inbox")
    parser.add_argument("--password", default="lapor-demo-2026")
    args = parser.parse_args()

    public = requests.Session()
    feed = public.get(urljoin(args.base, "/laporan/"), timeout=30).text
    report = re.search(r'href="(/laporan/\d{12}/)"', feed)
    pages = ["/", "/lapor/", "/lacak/", "/laporan/", "/laporan/?q=jalan"]
    if report:
        pages.append(report.group(1))
    staff = requests.Session()
    sign_in(staff, args.base, args.staff, args.password)
    inbox = staff.get(urljoin(args.base, "/petugas/"), timeout=30).text
    staff_report = re.search(r'href="(/petugas/laporan/\d+/)"', inbox)

    print(f"{'page':<34}{'HTML kB':>9}{'all kB':>9}{'gzip kB':>9}{'p50 ms':>9}{'p95 ms':>9}")
    rows = [(public, p) for p in pages] + [(staff, "/petugas/"),
                                           (staff, "/petugas/?tab=overdue")]
    if staff_report:
        rows.append((staff, staff_report.group(1)))
    for session, path in rows:
        m = measure(session, urljoin(args.base, path), args.requests)
        print(f"{path:<34}{m['html_kb']:>9.1f}{m['total_kb']:>9.1f}{m['total_gzip_kb']:>9.1f}"
              f"{m['p50_ms']:>9.1f}{m['p95_ms']:>9.1f}")


if __name__ == "__main__":
    main()

"""Benchmark `lapor serve` on PostgreSQL with 100,000 reports (a measurement, not a test).

    .venv/bin/python bench/run.py                       # load 100k reports, serve, measure
    .venv/bin/python bench/run.py --skip-load           # reuse the data already loaded
    .venv/bin/python bench/run.py --duration 5 --reports 10000   # a quick look

Steps:

1. Load: ``bench/load_reports.py --reset`` fills the benchmark database (default
   ``postgres://postgres@127.0.0.1:5432/lapor_bench``, created if missing; override with
   ``--database-url`` or ``$LAPOR_BENCH_DATABASE_URL``; ``$DATABASE_URL`` is deliberately not
   used, so a benchmark never truncates a working database).
2. Serve: ``lapor serve --workers 2 --task-workers 1`` on a free 127.0.0.1 port with
   ``LAPOR_DEMO_MODE=1`` and a temporary ``LAPOR_DATA_DIR``; waits for ``/healthz`` 200.
3. Sign in as ``kominfo`` (hub verifier of Kutai Timur) and ``pupr`` (liaison of Dinas PUPR)
   through ``POST /api/v1/auth/login``; follow the hub inbox cursor ``--deep-pages`` pages.
4. Measure each scenario with wrk (closed loop, ``--concurrency`` connections, ``--duration``
   seconds after a ``--warmup``): the framework ceiling (an API request answered without the
   database), ``/healthz``, a one-row API read, the hub inbox page 1 and a deep page, the unit
   inbox, and report submission. Inbox scenarios
   are also run with one connection (``--c1-duration``) to show service time without queueing.
5. Write ``bench/results/<UTC timestamp>.json`` (machine, versions, load figures, every
   scenario, CPU use, EXPLAIN ANALYZE of the inbox queries) and print a Markdown table.

Everything binds to 127.0.0.1 and every load loop stops by itself (wrk ``-d``). wrk comes from
Debian (``apt-get install -y wrk``); ``--install-wrk`` runs that when it is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import os
import platform
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/lapor_bench"
DEMO_PASSWORD = os.environ.get("LAPOR_DEMO_PASSWORD", "lapor-demo-2026")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------- machine and database


def sh(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False,  # noqa: S603
                              timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine_info(database_url: str) -> dict[str, Any]:
    model = ""
    for line in sh(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    mem_kb = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    versions: dict[str, str] = {"python": platform.python_version()}
    for package in ("django", "django-ninja", "granian", "psycopg"):
        out = sh([sys.executable, "-m", "pip", "show", package])
        versions[package] = next((ln.split(":", 1)[1].strip() for ln in out.splitlines()
                                  if ln.startswith("Version:")), "")
    versions["wrk"] = sh(["wrk", "--version"]).splitlines()[0] if shutil.which("wrk") else ""
    pg = ""
    with contextlib.suppress(Exception):
        import psycopg  # noqa: PLC0415

        with psycopg.connect(database_url) as conn:
            pg = conn.execute("SELECT version()").fetchone()[0]  # type: ignore[index]
    return {
        "nproc": os.cpu_count(), "cpu_model": model, "mem_gib": round(mem_kb / 2**20, 1),
        "kernel": platform.release(), "postgresql": pg, "versions": versions,
        "git_commit": sh(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
        "git_dirty": bool(sh(["git", "-C", str(REPO), "status", "--porcelain", "lapor"])),
        "loadavg_before": os.getloadavg(),
    }


def ensure_database(database_url: str) -> None:
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    parts = urllib.parse.urlparse(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        log(f"created database {name}")


def report_count(database_url: str) -> int:
    import psycopg  # noqa: PLC0415

    try:
        with psycopg.connect(database_url) as conn:
            return int(conn.execute("SELECT count(*) FROM reports_report").fetchone()[0])  # type: ignore[index]
    except psycopg.Error:
        return 0


# ---------------------------------------------------------------- CPU accounting


def _jiffies_total() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _proc_jiffies(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    after = stat.rsplit(")", 1)[1].split()
    return int(after[11]) + int(after[12])  # utime, stime


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            after = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(after[2]) == pgid:
            pids.append(int(entry.name))
    return pids


@dataclass
class CpuMeter:
    """Machine CPU use during a scenario, split into the server, PostgreSQL backends of the
    benchmark database, the load generator, and everything else on the machine (noise)."""

    server_pgid: int
    database_url: str
    _start: dict[str, Any] = field(default_factory=dict)

    def _db_pids(self) -> list[int]:
        import psycopg  # noqa: PLC0415

        name = urllib.parse.urlparse(self.database_url).path.lstrip("/")
        try:
            with psycopg.connect(self.database_url, autocommit=True) as conn:
                rows = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                    "AND pid <> pg_backend_pid()", [name]).fetchall()
        except psycopg.Error:
            return []
        return [r[0] for r in rows]

    def snapshot(self, client_pid: int | None = None) -> dict[str, Any]:
        busy, total = _jiffies_total()
        server = {p: _proc_jiffies(p) for p in _group_pids(self.server_pgid)}
        db = {p: _proc_jiffies(p) for p in self._db_pids()}
        return {"busy": busy, "total": total, "server": server, "db": db,
                "t": time.monotonic()}

    @staticmethod
    def diff(a: dict[str, Any], b: dict[str, Any], client_jiffies: int) -> dict[str, float]:
        hz = os.sysconf("SC_CLK_TCK")
        seconds = b["t"] - a["t"]
        ncpu = os.cpu_count() or 1

        def used(key: str) -> float:
            return sum(j - a[key].get(p, 0) for p, j in b[key].items()) / hz

        busy = (b["busy"] - a["busy"]) / hz
        server, db, client = used("server"), used("db"), client_jiffies / hz
        other = max(0.0, busy - server - db - client)
        # Percent of the whole machine (2 cores = 200% would be shown as 100%).
        return {k: round(100 * v / (seconds * ncpu), 1) for k, v in {
            "machine_busy": busy, "server": server, "postgres": db, "client": client,
            "other": other}.items()}


# ---------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, body: Any = None, token: str | None = None,
         timeout: float = 30) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (127.0.0.1 only)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, raw.decode(errors="replace")


@contextlib.contextmanager
def serve(args: argparse.Namespace, port: int, log_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": args.database_url, "LAPOR_DEMO_MODE": "1",
                "LAPOR_DATA_DIR": str(args.data_dir), "DJANGO_SETTINGS_MODULE":
                "lapor.config.settings"})
    env.pop("LAPOR_SECRET_KEY", None)
    cmd = [sys.executable, "-m", "lapor.cli", "serve", "--host", "127.0.0.1", "--port",
           str(port), "--workers", str(args.workers), "--threads", str(args.threads),
           "--task-workers", str(args.task_workers)]
    log_path = log_dir / "serve.log"
    log(f"starting: {' '.join(cmd[2:])} (log {log_path})")
    with log_path.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,  # noqa: S603
                                start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        # Children (granian workers, task worker) share the session's process group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        log("server stopped")


def totp_now(key_hex: str, *, step: int = 30, t0: int = 0, digits: int = 6,
             drift: int = 0) -> str:
    """RFC 6238 TOTP (HMAC-SHA1), as django-otp's TOTPDevice computes it."""
    counter = (int(time.time()) - t0) // step + drift
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return str(code).zfill(digits)


def login(args: argparse.Namespace, base: str, username: str) -> str:
    """A bearer token for ``username``. Staff sign in with a TOTP code too: the key of the
    account's authenticator is read from the benchmark database (load_reports.py gives the
    benchmark accounts one: the demo key)."""
    import psycopg  # noqa: PLC0415

    body: dict[str, Any] = {"username": username, "password": DEMO_PASSWORD}
    with psycopg.connect(args.database_url) as conn:
        try:
            row = conn.execute(
                "SELECT d.key, d.step, d.t0, d.digits, d.drift FROM otp_totp_totpdevice d "
                "JOIN accounts_user u ON u.id = d.user_id WHERE u.username = %s "
                "AND d.confirmed ORDER BY d.id LIMIT 1", [username]).fetchone()
        except psycopg.errors.UndefinedTable:  # a version without 2FA
            row = None
    if row is not None:
        body["otp"] = totp_now(row[0], step=row[1], t0=row[2], digits=row[3], drift=row[4])
    status, answer = http("POST", base + "/api/v1/auth/login", body)
    if status != 200:
        sys.exit(f"login {username}: {status} {answer}")
    return str(answer["token"])


def wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"lapor serve exited with {proc.returncode}; see its log")
        with contextlib.suppress(OSError):
            status, last = http("GET", base + "/healthz", timeout=5)
            if status == 200:
                return
        time.sleep(0.5)
    sys.exit(f"/healthz not 200 after {timeout:.0f} s: {last}")


# ---------------------------------------------------------------- wrk

LUA_COMMON = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
ok = 0
bad = 0
first_bad = 0
function response(status, headers, body)
  if status == EXPECTED then
    ok = ok + 1
  else
    bad = bad + 1
    if first_bad == 0 then first_bad = status end
  end
end
function done(summary, latency, requests)
  local good, wrong, firstbad = 0, 0, 0
  for _, t in ipairs(threads) do
    good = good + t:get("ok")
    wrong = wrong + t:get("bad")
    if firstbad == 0 then firstbad = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"status_errors":%d,"ok":%d,"unexpected":%d,"first_unexpected_status":%d,' ..
    '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"max":%d,' ..
    '"p50":%d,"p90":%d,"p95":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status, good, wrong, firstbad,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency:percentile(99.9)))
end
"""

LUA_GET = r"""
wrk.method = "GET"
wrk.path = PATH
if TOKEN ~= "" then wrk.headers["Authorization"] = "Bearer " .. TOKEN end
wrk.headers["Accept"] = "application/json"
"""

LUA_SUBMIT = r"""
local counter = 0
local categories = CATEGORIES
local titles = {
  "Jalan berlubang di depan Pasar Induk Sangatta nomor %d",
  "Lampu penerangan jalan mati di Gang Mawar RT %d",
  "Sampah menumpuk di TPS Jalan Pendidikan sejak %d hari",
  "Air PDAM tidak mengalir di Sangatta Utara blok %d",
}
function request()
  counter = counter + 1
  local body = string.format(
    '{"type":"complaint","title":"%s","body":"%s","region_code":"64.08.04",' ..
    '"category_code":"%s","target_agency_code":"%s","channel":"web",' ..
    '"reporter_name":"Warga Bench %d","reporter_email":"warga%d@example.id"}',
    string.format(titles[counter % #titles + 1], counter),
    "Mohon segera ditindaklanjuti. Kondisi ini sudah berlangsung lama dan " ..
    "membahayakan warga yang melintas setiap hari, terutama anak sekolah. Laporan " ..
    counter,
    categories[counter % #categories + 1], AGENCY, counter, counter)
  return wrk.format("POST", "/api/v1/reports",
    {["Content-Type"] = "application/json", ["Accept"] = "application/json"}, body)
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def wrk_script(tmp: Path, name: str, *, expected: int, path: str = "", token: str = "",
               submit: dict[str, Any] | None = None) -> Path:
    head = f"EXPECTED = {expected}\n"
    if submit is None:
        body = f"PATH = {lua_string(path)}\nTOKEN = {lua_string(token)}\n" + LUA_GET
    else:
        cats = "{" + ", ".join(lua_string(c) for c in submit["categories"]) + "}"
        body = (f"CATEGORIES = {cats}\nAGENCY = {lua_string(submit['agency'])}\n"
                + LUA_SUBMIT)
    script = tmp / f"{name}.lua"
    script.write_text(head + body + LUA_COMMON)
    return script


def run_wrk(base: str, script: Path, *, connections: int, threads: int, duration: float,
            timeout: float = 10) -> tuple[dict[str, Any], int]:
    """Run wrk once; returns its JSON summary and the CPU jiffies wrk itself used."""
    threads = max(1, min(threads, connections))
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration:g}s",
           "--timeout", f"{timeout:g}s", "-s", str(script), base]
    # wrk stops itself after -d; the subprocess timeout is a second guard.
    before = os.times()
    out = subprocess.run(cmd, capture_output=True, text=True, check=False,  # noqa: S603
                         timeout=duration + timeout + 30)
    after = os.times()
    client = round((after.children_user + after.children_system
                    - before.children_user - before.children_system)
                   * os.sysconf("SC_CLK_TCK"))
    for line in out.stdout.splitlines():
        if line.startswith("WRKJSON "):
            return json.loads(line[len("WRKJSON "):]), client
    raise RuntimeError(f"wrk gave no summary (rc {out.returncode}):\n{out.stdout}\n{out.stderr}")


@dataclass
class Scenario:
    key: str
    label: str
    expected: int
    path: str = ""
    token: str = ""
    submit: dict[str, Any] | None = None
    c1: bool = False  # also measure with a single connection
    ceiling: bool = False


def measure(args: argparse.Namespace, *, base: str, tmp: Path, meter: CpuMeter,
            sc: Scenario, connections: int, duration: float) -> dict[str, Any]:
    script = wrk_script(tmp, sc.key, expected=sc.expected, path=sc.path, token=sc.token,
                        submit=sc.submit)
    if args.warmup > 0:
        run_wrk(base, script, connections=connections, threads=args.wrk_threads,
                duration=args.warmup)
    start = meter.snapshot()
    loadavg = os.getloadavg()
    summary, client = run_wrk(base, script, connections=connections,
                              threads=args.wrk_threads, duration=duration)
    cpu = CpuMeter.diff(start, meter.snapshot(), client)
    seconds = summary["duration_us"] / 1e6
    lat = summary["latency_us"]
    errors = summary["unexpected"] + sum(summary["socket_errors"].values())
    result = {
        "scenario": sc.key, "label": sc.label, "method": "POST" if sc.submit else "GET",
        "path": sc.path or "/api/v1/reports", "connections": connections,
        "duration_s": round(seconds, 2), "requests": summary["requests"],
        "throughput_rps": round(summary["requests"] / seconds, 1),
        "ok": summary["ok"], "errors": errors,
        "first_unexpected_status": summary["first_unexpected_status"],
        "socket_errors": summary["socket_errors"],
        "latency_ms": {k: round(v / 1000, 2) for k, v in lat.items()},
        "cpu_percent_of_machine": cpu, "loadavg_at_start": loadavg,
    }
    log(f"{sc.label} c={connections}: {result['throughput_rps']:,.0f} req/s, p50 "
        f"{result['latency_ms']['p50']} ms, p95 {result['latency_ms']['p95']} ms, p99 "
        f"{result['latency_ms']['p99']} ms, errors {errors}; CPU server {cpu['server']}% "
        f"postgres {cpu['postgres']}% wrk {cpu['client']}% other {cpu['other']}%")
    return result


def measure_quietly(args: argparse.Namespace, *, base: str, tmp: Path, meter: CpuMeter,
                    sc: Scenario, connections: int, duration: float) -> dict[str, Any]:
    """Measure once; with ``--wait-idle``, wait for an idle machine first, and repeat (up to
    ``--retries`` times) while other processes took more than ``--max-other`` % of the CPU.
    Keeps the run with the least outside noise."""
    best: dict[str, Any] | None = None
    for attempt in range(1 + max(0, args.retries)):
        busy = wait_idle(args.wait_idle) if args.wait_idle > 0 else None
        r = measure(args, base=base, tmp=tmp, meter=meter, sc=sc, connections=connections,
                    duration=duration)
        r["ceiling"], r["attempt"], r["busy_before"] = sc.ceiling, attempt + 1, busy
        other = r["cpu_percent_of_machine"]["other"]
        if best is None or other < best["cpu_percent_of_machine"]["other"]:
            best = r
        if other <= args.max_other:
            break
        if attempt < args.retries:
            log(f"other processes took {other}% of the machine: measuring again")
    assert best is not None
    return best


# ---------------------------------------------------------------- report


def markdown(results: dict[str, Any]) -> str:
    runs = results["scenarios"]
    ceiling = next((r["throughput_rps"] for r in runs if r.get("ceiling")
                    and r["connections"] == results["config"]["concurrency"]), None)
    lines = [
        "| Scenario | Conn. | Requests | Throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) "
        "| Errors | vs ceiling |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lat = r["latency_ms"]
        ratio = (f"{r['throughput_rps'] / ceiling:.0%}"
                 if ceiling and r["connections"] == results["config"]["concurrency"] else "")
        lines.append(
            f"| {r['label']} | {r['connections']} | {r['requests']:,} | "
            f"{r['throughput_rps']:,.1f} | {lat['p50']:.1f} | {lat['p95']:.1f} | "
            f"{lat['p99']:.1f} | {r['errors']} | {ratio} |")
    load = results.get("load")
    head = []
    if load:
        head.append(f"Load: {load['reports']:,} reports ({load['rows']:,} rows) in "
                    f"{load['copy_seconds']:.1f} s COPY + {load['analyze_seconds']:.1f} s "
                    f"VACUUM ANALYZE ({load['rows_per_second']:,} rows/s).")
    m = results["machine"]
    head.append(f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['mem_gib']} GiB; "
                f"{m['postgresql'].split(' on ')[0]}; commit {m['git_commit']}"
                f"{' (dirty)' if m['git_dirty'] else ''}.")
    if results.get("deep_cursor"):
        d = results["deep_cursor"]
        head.append(f"Deep page: after {d['pages']} pages of {d['limit']} "
                    f"({d['pages'] * d['limit']:,} reports), walked in {d['walk_seconds']} s.")
    cpu = ["", "CPU during each run (% of the whole machine): server / postgres / wrk / other",
           ""]
    for r in runs:
        c = r["cpu_percent_of_machine"]
        cpu.append(f"- {r['label']} c={r['connections']}: {c['server']} / {c['postgres']} / "
                   f"{c['client']} / {c['other']}")
    return "\n".join([*head, "", *lines, *cpu])


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=textwrap.dedent(__doc__.split("\n\n", 1)[1]))
    p.add_argument("--database-url",
                   default=os.environ.get("LAPOR_BENCH_DATABASE_URL", DEFAULT_DB))
    p.add_argument("--reports", type=int, default=100_000)
    p.add_argument("--skip-load", action="store_true", help="reuse the data already loaded")
    p.add_argument("--duration", type=float, default=20, help="seconds per measured run")
    p.add_argument("--warmup", type=float, default=3, help="unmeasured seconds before each run")
    p.add_argument("--concurrency", type=int, default=16, help="wrk connections")
    p.add_argument("--c1-duration", type=float, default=10,
                   help="seconds of the single-connection inbox runs (0: skip)")
    p.add_argument("--wrk-threads", type=int, default=2)
    p.add_argument("--deep-pages", type=int, default=200)
    p.add_argument("--workers", type=int, default=2, help="lapor serve --workers")
    p.add_argument("--threads", type=int, default=8, help="lapor serve --threads")
    p.add_argument("--task-workers", type=int, default=1, help="lapor serve --task-workers")
    p.add_argument("--hub-user", default="kominfo")
    p.add_argument("--liaison-user", default="pupr")
    p.add_argument("--agency", default="kutim")
    p.add_argument("--unit", default="kutim-pupr")
    p.add_argument("--only", default="", help="comma-separated scenario keys to run")
    p.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                   help="before each run, wait up to SECONDS for the machine to be idle "
                        "(under 15%% CPU); shared machines give noisy figures")
    p.add_argument("--max-other", type=float, default=100, metavar="PCT",
                   help="repeat a run when other processes used more than PCT%% of the "
                        "machine during it (see --retries)")
    p.add_argument("--retries", type=int, default=0, help="repeats allowed per run")
    p.add_argument("--no-explain", action="store_true", help="skip EXPLAIN ANALYZE capture")
    p.add_argument("--install-wrk", action="store_true",
                   help="apt-get install -y wrk when wrk is missing")
    p.add_argument("--out", type=Path, default=BENCH / "results")
    p.add_argument("--data-dir", type=Path,
                   default=Path(tempfile.gettempdir()) / "lapor-bench-data",
                   help="LAPOR_DATA_DIR of the loader and the server (demo secret and keys)")
    args = p.parse_args()
    host = urllib.parse.urlparse(args.database_url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        p.error(f"the benchmark only runs against a local database, not {host}")
    return args


def bench_env(args: argparse.Namespace) -> dict[str, str]:
    """Environment of the loader and EXPLAIN helpers: the same database and data directory
    (demo secret and encryption keys) as the server, so the loaded identities decrypt."""
    env = dict(os.environ, DATABASE_URL=args.database_url, LAPOR_DATA_DIR=str(args.data_dir),
               LAPOR_DEMO_MODE="1")
    env.pop("LAPOR_SECRET_KEY", None)
    return env


def load_phase(args: argparse.Namespace, results: dict[str, Any]) -> None:
    # --skip-load still migrates and checks the tree and accounts (--reports 0).
    cmd = [sys.executable, str(BENCH / "load_reports.py"), "--json", "--agency", args.agency,
           "--hub-user", args.hub_user, "--liaison-user", args.liaison_user,
           *(["--reports", "0"] if args.skip_load else ["--reports", str(args.reports),
                                                        "--reset"])]
    log("loading: " + " ".join(cmd[1:]))
    proc = subprocess.run(cmd, env=bench_env(args), cwd=REPO,  # noqa: S603
                          stdout=subprocess.PIPE, text=True, check=False)
    lines = proc.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    if proc.returncode != 0 or not lines:
        sys.exit(f"load_reports.py failed ({proc.returncode})")
    results["load"] = None if args.skip_load else json.loads(lines[-1])
    if args.skip_load:
        log(f"--skip-load: {report_count(args.database_url):,} reports in the database")


def wait_idle(limit: float) -> float:
    """Wait until the machine's CPU use over 5 s is under 15%; returns the last sample."""
    deadline = time.monotonic() + limit
    while True:
        a = _jiffies_total()
        time.sleep(5)
        b = _jiffies_total()
        busy = 100 * (b[0] - a[0]) / max(1, b[1] - a[1])
        if busy < 15 or time.monotonic() > deadline:
            log(f"machine CPU busy {busy:.0f}% ({'idle' if busy < 15 else 'gave up waiting'})")
            return round(busy, 1)


def walk_cursor(args: argparse.Namespace, base: str, path: str, token: str) -> dict[str, Any]:
    """Follow ``next_cursor`` ``--deep-pages`` times, one request at a time."""
    cursor, pages, walk = None, 0, time.monotonic()
    for _ in range(args.deep_pages):
        status, page = http("GET", base + path + (f"&cursor={cursor}" if cursor else ""),
                            token=token)
        if status != 200 or not page["next_cursor"]:
            break
        cursor, pages = page["next_cursor"], pages + 1
    walk_s = time.monotonic() - walk
    log(f"deep cursor: {pages} pages walked in {walk_s:.1f} s")
    return {"pages": pages, "limit": 50, "cursor": cursor, "walk_seconds": round(walk_s, 2),
            "mean_page_ms_sequential": round(1000 * walk_s / max(pages, 1), 1)}


def scenarios_for(args: argparse.Namespace, tokens: dict[str, str], categories: list[str],
                  deep: dict[str, Any]) -> list[Scenario]:
    hub, unit = tokens[args.hub_user], tokens[args.liaison_user]
    inbox = f"/api/v1/inbox?node={args.agency}&limit=50"
    found = [
        # No database: an invalid query parameter is refused by Ninja before the view runs,
        # so this is granian + every Django middleware + Ninja routing and validation + a JSON
        # error body: the ceiling. (Not /track/…: those are rate-limited per client address.)
        Scenario("ceiling", "Ceiling: GET /api/v1/orgs?kind=bogus (422, no DB)", 422,
                 "/api/v1/orgs?kind=bogus", ceiling=True),
        Scenario("healthz", "GET /healthz (migration check + heartbeat)", 200, "/healthz"),
        Scenario("org", f"GET /api/v1/orgs/{args.agency} (one-row read)", 200,
                 f"/api/v1/orgs/{args.agency}"),
        Scenario("inbox_hub", f"Inbox {args.agency}, page 1", 200, inbox, hub, c1=True),
        Scenario("inbox_hub_deep", f"Inbox {args.agency}, page {deep['pages'] + 1}", 200,
                 inbox + f"&cursor={deep['cursor']}", hub, c1=True),
        Scenario("inbox_unit", f"Inbox {args.unit}, page 1", 200,
                 f"/api/v1/inbox?node={args.unit}&limit=50", unit, c1=True),
        Scenario("submit", "Submit report (POST)", 201,
                 submit={"categories": categories, "agency": args.agency}),
    ]
    only = {s for s in args.only.split(",") if s}
    return [sc for sc in found if (not only or sc.key in only)
            and (sc.key != "inbox_hub_deep" or deep["cursor"])]


def serve_phase(args: argparse.Namespace, results: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory(prefix="lapor-bench-") as tmpdir:
        tmp = Path(tmpdir)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with serve(args, port, tmp) as proc:
            t0 = time.monotonic()
            wait_healthy(base, proc, timeout=120)
            log(f"/healthz 200 after {time.monotonic() - t0:.1f} s")
            tokens = {user: login(args, base, user)
                      for user in (args.hub_user, args.liaison_user)}
            _, cats = http("GET", base + "/api/v1/categories")
            leaves = [c["code"] for c in cats if c["parent"]] or [c["code"] for c in cats]
            deep = walk_cursor(args, base, f"/api/v1/inbox?node={args.agency}&limit=50",
                               tokens[args.hub_user])
            results["deep_cursor"] = deep
            meter = CpuMeter(server_pgid=proc.pid, database_url=args.database_url)
            for sc in scenarios_for(args, tokens, leaves, deep):
                for connections, duration in ((args.concurrency, args.duration),
                                              (1, args.c1_duration if sc.c1 else 0)):
                    if duration <= 0:
                        continue
                    results["scenarios"].append(measure_quietly(
                        args, base=base, tmp=tmp, meter=meter, sc=sc,
                        connections=connections, duration=duration))
            if proc.poll() is not None:
                sys.exit(f"lapor serve died during the benchmark ({proc.returncode})")
        results["serve_log_tail"] = (tmp / "serve.log").read_text(
            errors="replace").splitlines()[-20:]


def explain_phase(args: argparse.Namespace, results: dict[str, Any]) -> None:
    cmd = [sys.executable, str(BENCH / "explain_inbox.py"), "--json"]
    plans = []
    for user, node, deep in ((args.hub_user, args.agency, 0),
                             (args.hub_user, args.agency, args.deep_pages),
                             (args.liaison_user, args.unit, 0)):
        out = subprocess.run([*cmd, "--user", user, "--node", node, "--pages", str(deep)],  # noqa: S603
                             env=bench_env(args), cwd=REPO,
                             capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            plans.extend(json.loads(out.stdout.strip().splitlines()[-1]))
        else:
            log(f"explain {user}@{node} failed: {out.stderr.strip()[-300:]}")
    results["explain"] = plans
    for plan in plans:
        log(f"EXPLAIN {plan['user']}@{plan['node']} after {plan['pages_skipped']} pages: "
            f"planning {plan['planning_ms']} ms, execution {plan['execution_ms']} ms")


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through serve(), which stops the server


def main() -> None:
    # Background jobs of a non-interactive shell ignore SIGINT: take both signals explicitly
    # so an interrupted benchmark always stops the server it started.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    args = parse_args()
    if shutil.which("wrk") is None:
        if not args.install_wrk:
            sys.exit("wrk is missing: `apt-get install -y wrk` (or pass --install-wrk)")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)  # noqa: S607
    started = datetime.now(UTC)
    ensure_database(args.database_url)
    results: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "machine": machine_info(args.database_url),
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
                   if k != "database_url"}
        | {"database": urllib.parse.urlparse(args.database_url).path.lstrip("/")},
        "scenarios": [],
    }
    log(f"machine: {results['machine']['nproc']} CPUs, {results['machine']['cpu_model']}, "
        f"load average {results['machine']['loadavg_before']}")
    load_phase(args, results)
    results["reports_in_database"] = report_count(args.database_url)
    serve_phase(args, results)
    if not args.no_explain:
        explain_phase(args, results)
    results["machine"]["loadavg_after"] = os.getloadavg()
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print()
    print(markdown(results))
    print()
    log(f"results: {path}")


if __name__ == "__main__":
    main()

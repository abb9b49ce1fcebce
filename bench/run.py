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
   The citizen rate limits are lifted in its environment (``UNTHROTTLED``): a benchmark of
   the limiter is not one of the application. Before it starts, the statistics tables are
   built (``lapor stats rebuild``) when empty, for databases of up to 200,000 reports.
3. Sign in as ``kominfo`` (hub verifier of Kutai Timur) and ``pupr`` (liaison of Dinas PUPR)
   through ``POST /api/v1/auth/login``; follow the hub inbox cursor ``--deep-pages`` pages and
   the public feed's to page ``--feed-page``; sample tracking numbers and regions of public
   reports and build the search queries from the loader's texts.
4. Measure each scenario with wrk (closed loop, ``--concurrency`` connections, ``--duration``
   seconds after a ``--warmup``): the framework ceiling (an API request answered without the
   database), ``/healthz``, a one-row API read, tracking lookups, the public feed page 1 and a
   deep page, the hub inbox page 1 and a deep page, the unit inbox, public and staff search,
   the staff dashboard, and report submission. Feed and inbox scenarios are also run with one
   connection (``--c1-duration``) to show service time without queueing. ``--quick``: short
   runs for a smoke test.
5. Write ``bench/results/<UTC timestamp>.json`` (machine, versions, load figures, every
   scenario, CPU use, EXPLAIN ANALYZE of the inbox queries) and print a Markdown table with
   the ratio to the ceiling and the targets of issue #10 (met, or missed by how much).

Everything binds to 127.0.0.1 and every load loop stops by itself (wrk ``-d``). wrk comes from
Debian (``apt-get install -y wrk``); ``--install-wrk`` runs that when it is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import html
import json
import os
import platform
import random
import re
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/lapor_bench"
DEMO_PASSWORD = os.environ.get("LAPOR_DEMO_PASSWORD", "lapor-demo-2026")
# The citizen rate limits (lapor/core/ratelimit.py) would answer most of the load with 429 and
# measure the limiter, not the application: the benchmark server lifts them (0 turns a
# submission limit off).
UNTHROTTLED = {
    "LAPOR_RATE_LOOKUPS_PER_MINUTE": "1000000",
    "LAPOR_RATE_REPORTS_PER_SENDER_HOUR": "0",
    "LAPOR_RATE_REPORTS_PER_SENDER_DAY": "0",
    "LAPOR_RATE_REPORTS_PER_ADDRESS_HOUR": "0",
    "LAPOR_RATE_REPORTS_PER_APPLICATION_MINUTE": "0",  # bench/integration.py, one application
}
# The server's environment: no limits, and no nightly routing retraining (lapor.search.routing,
# from 18:00 UTC by default): on 10,000,000 reports it kept the task worker busy at more than
# a core for an hour, a night job the daytime figures must not include.
SERVER_ENV = UNTHROTTLED | {"LAPOR_ROUTING_TRAIN_HOUR_UTC": "24"}


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


# lapor.stats.maintenance.EVENT_BATCH: events the per-minute statistics refresh reads a turn.
STATS_EVENT_BATCH = 5_000


def sweep_backlog(database_url: str) -> dict[str, int]:
    """What the task worker still owes when the suite starts: open reports past their
    deadline without their overdue notice, messages not yet sent, and events the statistics
    refresh has not read. The loader records the sweep's work as done
    (lapor.sla.notices.notices_settle), so the first two are about zero; a large figure means
    the worker is catching up during the measurement. The seed builds the statistics last
    (``lapor stats rebuild``, ``--stats auto``); a copy seeded before it did, or with
    ``--stats no``, has the per-minute refresh reading its events ``STATS_EVENT_BATCH`` a
    minute inside every run."""
    import psycopg  # noqa: PLC0415

    with psycopg.connect(database_url) as conn:
        behind = conn.execute(
            "SELECT coalesce((SELECT max(id) FROM reports_reportevent), 0) - coalesce("
            "(SELECT last_event_id FROM stats_statsstate WHERE id = 1), 0)").fetchone()
        late = conn.execute(
            "SELECT count(*) FROM reports_report r WHERE r.status IN "
            "('submitted', 'disposed', 'in_progress') AND r.staff_due_at < now() AND NOT EXISTS "
            "(SELECT 1 FROM notifications_deadlinenotice n WHERE n.report_id = r.id "
            "AND n.due_at = r.staff_due_at AND n.level = 'overdue')").fetchone()
        pending = conn.execute("SELECT count(*) FROM notifications_outboxmessage "
                               "WHERE status = 'pending'").fetchone()
    return {"late_without_notice": int(late[0]) if late else 0,
            "outbox_pending": int(pending[0]) if pending else 0,
            "stats_events_behind": max(int(behind[0]), 0) if behind else 0}


# Autovacuum's triggers (PostgreSQL docs, "The Autovacuum Daemon"): the rows counted pass
# threshold + scale_factor x reltuples, each from the table's storage parameters (the report
# tables set theirs, migration reports.0012) or else the server's settings.
# The counts of pg_stat_user_tables, in the order of PAST_COUNTS' columns.
TRIGGERS = ("vacuum", "vacuum_insert", "analyze")
PAST_COUNTS = ("SELECT s.relname, c.reloptions, greatest(c.reltuples, 0), s.n_dead_tup, "
               "s.n_ins_since_vacuum, s.n_mod_since_analyze FROM pg_stat_user_tables s "
               "JOIN pg_class c ON c.oid = s.relid ORDER BY 1")


def past_autovacuum(conn: Any) -> list[str]:
    """The tables autovacuum would have vacuumed or analysed by now (psycopg connection)."""
    server = {name: float(value) for name, value in conn.execute(
        "SELECT name, setting FROM pg_settings WHERE name LIKE 'autovacuum\\_%%\\_%%'")}
    due = []
    for name, options, tuples, *counts in conn.execute(PAST_COUNTS):
        own = dict(option.split("=", 1) for option in options or [])
        for trigger, count in zip(TRIGGERS, counts, strict=True):
            setting = {key: float(own.get(f"autovacuum_{trigger}_{key}",
                                          server[f"autovacuum_{trigger}_{key}"]))
                       for key in ("threshold", "scale_factor")}
            if setting["threshold"] >= 0 and count > (setting["threshold"]
                                                      + setting["scale_factor"] * tuples):
                due.append(str(name))  # (a threshold of -1 turns the insert trigger off)
                break
    return due


def vacuum_as_autovacuum(database_url: str) -> list[str]:
    """Where the server runs without autovacuum (this workplace's PostgreSQL sets
    ``autovacuum = off`` for its CI), do what autovacuum would have done by now: ``VACUUM
    (ANALYZE)`` each table past its autovacuum thresholds (``past_autovacuum``: dead rows, rows
    inserted since the last vacuum, rows changed since the last ANALYZE). Without it the dead
    rows of one run slow the next: the lookups' rate counters (41 live rows) had 37,774 dead
    ones after a few runs, and every lookup read through them. Returns the tables it
    vacuumed; nothing where autovacuum is on."""
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    with psycopg.connect(database_url, autocommit=True) as conn:
        on = conn.execute("SHOW autovacuum").fetchone()
        if on and on[0] == "on":
            return []
        tables = past_autovacuum(conn)
        for name in tables:
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(name)))
    return tables


# ---------------------------------------------------------------- request mixes

# Statuses the public may read (lapor.reports.models.PUBLIC_STATUSES, feed.public_scope()).
PUBLIC_STATUSES = ["disposed", "in_progress", "responded", "closed"]
# Prepositions left dangling when a title's place is cut off ("Sampah menumpuk di {place}").
DANGLING = {"di", "dari", "ke", "pada", "untuk", "dan"}


def public_sample(database_url: str, size: int) -> tuple[list[str], list[str]]:
    """Tracking numbers and district codes of up to ``size`` public reports, at random."""
    import psycopg  # noqa: PLC0415

    with psycopg.connect(database_url) as conn:
        # A few percent of the table's pages (TABLESAMPLE SYSTEM) rather than sorting every
        # row by random(): at 10,000,000 reports that sort read the whole 20 GB table.
        estimate = conn.execute("SELECT reltuples FROM pg_class "
                                "WHERE relname = 'reports_report'").fetchone()
        percent = min(100.0, 100.0 * 40 * size / max(estimate[0] if estimate else 0, 1))
        rows = conn.execute(
            "SELECT tracking_number, region_id FROM reports_report "
            "TABLESAMPLE SYSTEM (%s::real) WHERE status = ANY(%s) "
            "AND NOT is_confidential AND NOT is_training ORDER BY random() LIMIT %s",
            [percent, PUBLIC_STATUSES, size]).fetchall()
    return [r[0] for r in rows], sorted({r[1] for r in rows if r[1]})


def loader_texts() -> tuple[dict[str, dict[str, list[str]]], list[tuple[str, tuple[str, ...]]]]:
    """The report generator's texts by topic and its topic keywords: ``lapor.demo.seed``, or
    ``bench/load_reports.py`` in a checkout from before the generator moved there."""
    sys.path.insert(0, str(REPO))
    try:
        import django  # noqa: PLC0415

        # lapor.demo.seed imports models: Django is set up first (only the texts are read).
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.config.settings")
        if not os.environ.get("LAPOR_SECRET_KEY"):
            os.environ.setdefault("LAPOR_DEMO_MODE", "1")
        django.setup()
        from lapor.demo import seed  # noqa: PLC0415
    except ImportError:
        import load_reports as seed  # type: ignore[no-redef]  # noqa: PLC0415
    return seed.TOPICS, list(getattr(seed, "TOPIC_KEYWORDS", []))


def search_queries(regions: list[str], *, seed: int = 2026) -> list[str]:
    """Query strings (``q=…`` and a third of them a region filter) a citizen or an officer
    would type: the generated reports' titles without their place, and the topic keywords that
    occur in the reports' texts. Single common words may match more reports than the server
    ranks (``422 query_too_broad``), as they would for a real user."""
    topics, keywords = loader_texts()
    phrases: list[str] = []
    for text in topics.values():
        for title in text["titles"]:
            words = re.sub(r"\{\w+\}", " ", title).split()
            while words and words[-1].lower() in DANGLING:
                words.pop()
            if len(words) >= 2:
                phrases.append(" ".join(words))
    corpus = " ".join(" ".join(t["titles"] + t["bodies"]) for t in topics.values()).lower()
    phrases += sorted({w for _, words in keywords for w in words
                       if len(w) >= 3 and re.search(rf"\b{re.escape(w)}\b", corpus)})
    rng = random.Random(seed)
    queries = []
    for i, phrase in enumerate(dict.fromkeys(phrases)):
        params = {"q": phrase}
        if regions and i % 3 == 1:  # a regency/city: the first two parts of a district code
            params["region"] = ".".join(rng.choice(regions).split(".")[:2])
        elif regions and i % 3 == 2:
            params["region"] = rng.choice(regions)
        queries.append(urllib.parse.urlencode(params))
    return queries


STATS_REBUILD_MAX = 200_000


def statistics_phase(args: argparse.Namespace, results: dict[str, Any]) -> None:
    """The dashboard reads the statistics summary tables (lapor.stats): build them when they
    are empty, or left over from reports a ``--reset`` load removed, for databases of up to
    200,000 reports (``lapor stats rebuild`` is one transaction over every report); above
    that, warn and mark the dashboard scenario."""
    import psycopg  # noqa: PLC0415

    with psycopg.connect(args.database_url) as conn:
        cells, facts, reports = (int(conn.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
                                     .fetchone()[0])  # type: ignore[index]
                                 for table in ("stats_statcell", "stats_reportfact",
                                               "reports_report"))
    state: dict[str, Any] = {"cells": cells, "facts": facts, "reports": reports, "note": "",
                             "rebuilt_seconds": None}
    results["statistics"] = state
    if not reports or (cells and facts):
        return
    if reports > STATS_REBUILD_MAX:
        log(f"WARNING: statistics tables {'empty' if not cells else 'stale'} and "
            f"{reports:,} reports > {STATS_REBUILD_MAX:,}: not rebuilding (run `lapor stats "
            "rebuild` yourself); the dashboard figures measure empty tables")
        state["note"] = "no statistics built"
        return
    log(f"building the statistics tables: lapor stats rebuild ({reports:,} reports)")
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "lapor.cli", "stats", "rebuild"],
                         env=bench_env(args), cwd=REPO, capture_output=True, text=True,
                         check=False)
    state["rebuilt_seconds"] = round(time.monotonic() - t0, 1)
    if out.returncode != 0:
        log(f"WARNING: lapor stats rebuild failed: {out.stderr.strip()[-500:]}")
        state["note"] = "no statistics built"
        return
    log(f"{out.stdout.strip().splitlines()[-1]} in {state['rebuilt_seconds']} s")


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


def _is_task_worker(pid: int) -> bool:
    """A ``lapor worker`` child of ``lapor serve`` (the rest of its group serves requests)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"worker" in argv


@dataclass
class CpuMeter:
    """Machine CPU use during a scenario, split into the server, PostgreSQL backends of the
    benchmark database, the load generator, and everything else on the machine (noise).
    The server's share is also split into its web processes and its task workers (the
    deadline sweep and the other per-minute work run there, beside the requests)."""

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
        tasks = {p: j for p, j in server.items() if _is_task_worker(p)}
        db = {p: _proc_jiffies(p) for p in self._db_pids()}
        return {"busy": busy, "total": total, "server": server, "tasks": tasks, "db": db,
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
        tasks = used("tasks") if "tasks" in b else 0.0
        other = max(0.0, busy - server - db - client)
        # Percent of the whole machine (2 cores = 200% would be shown as 100%).
        return {k: round(100 * v / (seconds * ncpu), 1) for k, v in {
            "machine_busy": busy, "server": server, "web": server - tasks, "tasks": tasks,
            "postgres": db, "client": client, "other": other}.items()}


# ---------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, body: Any = None, token: str | None = None,
         timeout: float = 30) -> tuple[int, Any]:
    """(status, body): decoded JSON, or text when the answer is not JSON (an HTML page)."""
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
            if resp.headers.get_content_type() != "application/json":
                return resp.status, raw.decode(errors="replace")
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
                "lapor.config.settings"} | SERVER_ENV)
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
  thread:set("thread_no", #threads)
end
ok = 0
also = 0
bad = 0
first_bad = 0
function response(status, headers, body)
  if status == EXPECTED then
    ok = ok + 1
  elseif status == ALSO_STATUS and body and string.find(body, ALSO_MARK, 1, true) then
    also = also + 1
  else
    bad = bad + 1
    if first_bad == 0 then first_bad = status end
  end
end
function done(summary, latency, requests)
  local good, alt, wrong, firstbad = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    good = good + t:get("ok")
    alt = alt + t:get("also")
    wrong = wrong + t:get("bad")
    if firstbad == 0 then firstbad = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"status_errors":%d,"ok":%d,"also":%d,"unexpected":%d,"first_unexpected_status":%d,' ..
    '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"max":%d,' ..
    '"p50":%d,"p90":%d,"p95":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status, good, alt, wrong, firstbad,
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

# One of PATHS at random per request (after LUA_GET); each wrk thread its own random stream.
LUA_PATHS = r"""
function init(args)
  math.randomseed(SEED + 7919 * (thread_no or 0))
end
function request()
  return wrk.format(nil, PATHS[math.random(#PATHS)])
end
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


def lua_list(values: list[str]) -> str:
    return "{" + ", ".join(lua_string(v) for v in values) + "}"


def wrk_script(tmp: Path, name: str, *, expected: int, path: str = "", token: str = "",
               submit: dict[str, Any] | None = None, paths: list[str] | None = None,
               also: tuple[int, str] | None = None) -> Path:
    """A wrk script: one GET ``path``, or one of ``paths`` at random per request, or a report
    submission. ``also``: (status, text in the body) of an answer that is expected too (say
    ``422 query_too_broad``), counted apart from ``expected`` and not as an error."""
    also_status, also_mark = also or (0, "")
    head = (f"EXPECTED = {expected}\nALSO_STATUS = {also_status}\n"
            f"ALSO_MARK = {lua_string(also_mark)}\n")
    if paths:
        body = (f"PATH = {lua_string(paths[0])}\nTOKEN = {lua_string(token)}\n"
                f"PATHS = {lua_list(paths)}\nSEED = 2026\n" + LUA_GET + LUA_PATHS)
    elif submit is None:
        body = f"PATH = {lua_string(path)}\nTOKEN = {lua_string(token)}\n" + LUA_GET
    else:
        body = (f"CATEGORIES = {lua_list(submit['categories'])}\n"
                f"AGENCY = {lua_string(submit['agency'])}\n" + LUA_SUBMIT)
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
    paths: list[str] | None = None  # one of these at random per request (path: a sample)
    also: tuple[int, str] | None = None  # another expected answer: (status, text in its body)
    note: str = ""  # shown next to the figures (say, "no statistics built")


def measure(args: argparse.Namespace, *, base: str, tmp: Path, meter: CpuMeter,
            sc: Scenario, connections: int, duration: float) -> dict[str, Any]:
    script = wrk_script(tmp, sc.key, expected=sc.expected, path=sc.path, token=sc.token,
                        submit=sc.submit, paths=sc.paths, also=sc.also)
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
        "also": summary["also"], "also_answer": f"{sc.also[0]} {sc.also[1]}" if sc.also else "",
        "distinct_paths": len(sc.paths) if sc.paths else 1, "note": sc.note,
        "first_unexpected_status": summary["first_unexpected_status"],
        "socket_errors": summary["socket_errors"],
        "latency_ms": {k: round(v / 1000, 2) for k, v in lat.items()},
        "cpu_percent_of_machine": cpu, "loadavg_at_start": loadavg,
    }
    also = f", {result['also']} × {result['also_answer']}" if sc.also else ""
    log(f"{sc.label} c={connections}: {result['throughput_rps']:,.0f} req/s, p50 "
        f"{result['latency_ms']['p50']} ms, p95 {result['latency_ms']['p95']} ms, p99 "
        f"{result['latency_ms']['p99']} ms, errors {errors}{also}; CPU server {cpu['server']}% "
        f"(web {cpu['web']}%, task workers {cpu['tasks']}%) postgres {cpu['postgres']}% "
        f"wrk {cpu['client']}% other {cpu['other']}%")
    return result


def measure_quietly(args: argparse.Namespace, *, base: str, tmp: Path, meter: CpuMeter,
                    sc: Scenario, connections: int, duration: float) -> dict[str, Any]:
    """Measure once; with ``--wait-idle``, wait for an idle machine first, and repeat (up to
    ``--retries`` times) while other processes took more than ``--max-other`` % of the CPU.
    Keeps the run with the least outside noise."""
    best: dict[str, Any] | None = None
    for attempt in range(1 + max(0, args.retries)):
        vacuumed = vacuum_as_autovacuum(args.database_url)
        if vacuumed:
            log(f"autovacuum is off: vacuumed {', '.join(vacuumed)}")
        busy = wait_idle(args.wait_idle) if args.wait_idle > 0 else None
        r = measure(args, base=base, tmp=tmp, meter=meter, sc=sc, connections=connections,
                    duration=duration)
        r["ceiling"], r["attempt"], r["busy_before"] = sc.ceiling, attempt + 1, busy
        r["vacuumed_before"] = vacuumed
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


@dataclass(frozen=True)
class Target:
    """A target of issue #10 for one scenario."""

    text: str
    percentile: str = ""
    max_ms: float = 0
    min_rps: float = 0  # judged at full concurrency only


READ_TARGET = Target("p99 ≤ 100 ms", "p99", 100)
TARGETS = {
    "org": READ_TARGET, "track": READ_TARGET, "feed": READ_TARGET, "feed_deep": READ_TARGET,
    "inbox_hub": READ_TARGET, "inbox_hub_deep": READ_TARGET, "inbox_unit": READ_TARGET,
    "search": Target("p95 ≤ 150 ms", "p95", 150),
    "search_staff": Target("p95 ≤ 150 ms", "p95", 150),
    "dashboard": Target("p95 ≤ 300 ms", "p95", 300),
    "submit": Target("≥ 400 req/s, p99 ≤ 200 ms", "p99", 200, 400),
}
# Page 1 and the deep page "take the same time": the deep page's p50 within this factor.
SAME_TIME = 1.25
DEEP_PAIRS = (("Public feed", "feed", "feed_deep"), ("Inbox (hub)", "inbox_hub", "inbox_hub_deep"))


def verdict(r: dict[str, Any], concurrency: int) -> str:
    """"met", or "missed: …" by how much, for the scenario's target ("" without one)."""
    target = TARGETS.get(r["scenario"])
    if target is None:
        return ""
    misses = []
    if target.min_rps and r["connections"] == concurrency and r["throughput_rps"] < target.min_rps:
        misses.append(f"{r['throughput_rps']:,.0f} req/s, "
                      f"{1 - r['throughput_rps'] / target.min_rps:.0%} short")
    value = r["latency_ms"].get(target.percentile, 0)
    if target.max_ms and value > target.max_ms:
        misses.append(f"{target.percentile} {value - target.max_ms:,.0f} ms over")
    if r["errors"] > 0.01 * max(r["requests"], 1):
        misses.append(f"{r['errors']:,} errors")
    return f"{target.text}: " + ("met" if not misses else "missed (" + "; ".join(misses) + ")")


def deep_table(results: dict[str, Any]) -> list[str]:
    """Page 1 next to the deep page, at one connection (service time) when measured."""
    runs = results["scenarios"]
    lines = []
    for name, first_key, deep_key in DEEP_PAIRS:
        for conn in sorted({r["connections"] for r in runs if r["scenario"] == deep_key}):
            first = next((r for r in runs if r["scenario"] == first_key
                          and r["connections"] == conn), None)
            deep = next(r for r in runs if r["scenario"] == deep_key and r["connections"] == conn)
            if first is None:
                continue
            a, b = first["latency_ms"], deep["latency_ms"]
            ratio = b["p50"] / a["p50"] if a["p50"] else 0
            walk = results["feed_cursor" if deep_key == "feed_deep" else "deep_cursor"]
            lines.append(
                f"| {name} | {conn} | {first['throughput_rps']:,.1f} / "
                f"{deep['throughput_rps']:,.1f} | {a['p50']:.1f} / {b['p50']:.1f} | "
                f"{a['p99']:.1f} / {b['p99']:.1f} | {deep_page(walk)} | {ratio:.2f} | "
                f"{'met' if ratio <= SAME_TIME else 'missed'} |")
    if not lines:
        return []
    return ["", f"Page 1 vs deep page (target: same time; met when the deep page's p50 is "
            f"within ×{SAME_TIME} of page 1's):", "",
            "| List | Conn. | req/s (page 1 / deep) | p50 ms (page 1 / deep) "
            "| p99 ms (page 1 / deep) | deep page | p50 deep ÷ page 1 | same time |",
            "|---|---:|---:|---:|---:|---:|---:|---|", *lines]


def markdown(results: dict[str, Any]) -> str:
    runs = results["scenarios"]
    concurrency = results["config"]["concurrency"]
    ceiling = next((r["throughput_rps"] for r in runs if r.get("ceiling")
                    and r["connections"] == concurrency), None)
    lines = [
        "| Scenario | Conn. | Requests | Throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) "
        "| Errors | Other expected | vs ceiling | Target (issue #10) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        lat = r["latency_ms"]
        ratio = (f"{r['throughput_rps'] / ceiling:.0%}"
                 if ceiling and r["connections"] == concurrency else "")
        other = f"{r['also']:,} × {r['also_answer']}" if r.get("also_answer") else ""
        label = r["label"] + (f" — **{r['note']}**" if r.get("note") else "")
        lines.append(
            f"| {label} | {r['connections']} | {r['requests']:,} | "
            f"{r['throughput_rps']:,.1f} | {lat['p50']:.1f} | {lat['p95']:.1f} | "
            f"{lat['p99']:.1f} | {r['errors']} | {other} | {ratio} | "
            f"{verdict(r, concurrency)} |")
    load = results.get("load")
    head = []
    if load:
        head.append(f"Load: {load['reports']:,} reports ({load['rows']:,} rows) in "
                    f"{load['copy_seconds']:.1f} s COPY + {load['analyze_seconds']:.1f} s "
                    f"VACUUM ANALYZE ({load['rows_per_second']:,} rows/s).")
    head.append(f"Database: {results.get('reports_in_database', 0):,} reports.")
    m = results["machine"]
    head.append(f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['mem_gib']} GiB; "
                f"{m['postgresql'].split(' on ')[0]}; commit {m['git_commit']}"
                f"{' (dirty)' if m['git_dirty'] else ''}; load average before "
                f"{', '.join(f'{x:.2f}' for x in m['loadavg_before'])}.")
    for key, what in (("deep_cursor", "Inbox deep page"), ("feed_cursor", "Feed deep page")):
        d = results.get(key)
        if d:
            head.append(f"{what}: after {d['pages']:,} pages of {d['limit']} "
                        f"({d['pages'] * d['limit']:,} reports), walked in {d['walk_seconds']} s"
                        + ("" if d.get("complete", True) else
                           f"; the data ends before page {d['wanted'] + 1:,}") + ".")
    stats = results.get("statistics")
    if stats:
        head.append(f"Statistics: {stats['cells']:,} cells, {stats['facts']:,} facts before the "
                    "run" + (f"; rebuilt in {stats['rebuilt_seconds']} s"
                             if stats.get("rebuilt_seconds") is not None else "")
                    + (f"; **{stats['note']}**" if stats.get("note") else "") + ".")
    cpu = ["", "CPU during each run (% of the whole machine): server (its web processes + its "
           "task workers) / postgres / wrk / other", ""]
    for r in runs:
        c = r["cpu_percent_of_machine"]
        split = f" ({c['web']} + {c['tasks']})" if "tasks" in c else ""
        cpu.append(f"- {r['label']} c={r['connections']}: {c['server']}{split} / "
                   f"{c['postgres']} / {c['client']} / {c['other']}")
    return "\n".join([*head, "", *lines, *deep_table(results), *cpu])


# ---------------------------------------------------------------- main


QUICK = {"duration": 3.0, "warmup": 1.0, "c1_duration": 2.0}


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
                   help="seconds of the single-connection feed and inbox runs (0: skip)")
    p.add_argument("--wrk-threads", type=int, default=2)
    p.add_argument("--deep-pages", type=int, default=200,
                   help="inbox pages of 50 walked for the deep inbox page")
    p.add_argument("--feed-page", type=int, default=1000,
                   help="page (of 20) of the public feed measured as feed_deep")
    p.add_argument("--sample", type=int, default=2000,
                   help="public reports sampled for the tracking numbers and search regions")
    p.add_argument("--workers", type=int, default=2, help="lapor serve --workers")
    p.add_argument("--threads", type=int, default=SERVE_THREADS,
                   help="lapor serve --threads (its default)")
    p.add_argument("--task-workers", type=int, default=1, help="lapor serve --task-workers")
    p.add_argument("--hub-user", default="kominfo")
    p.add_argument("--liaison-user", default="pupr")
    p.add_argument("--agency", default="kutim")
    p.add_argument("--unit", default="kutim-pupr")
    p.add_argument("--only", default="",
                   help="comma-separated scenario keys to run: " + ",".join(SCENARIOS))
    p.add_argument("--quick", action="store_true",
                   help=f"a smoke run: {QUICK['duration']:g} s per run, "
                        f"{QUICK['warmup']:g} s warm-up, {QUICK['c1_duration']:g} s at one "
                        "connection (unless those options are given)")
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
    if args.quick:
        for key, value in QUICK.items():
            if getattr(args, key) == p.get_default(key):
                setattr(args, key, value)
    unknown = {k for k in args.only.split(",") if k} - set(SCENARIOS)
    if unknown:
        p.error(f"unknown scenario(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(SCENARIOS)}")
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


def json_next_cursor(page: Any) -> str | None:
    """``next_cursor`` of an API page."""
    return page.get("next_cursor") if isinstance(page, dict) else None


NEXT_LINK = re.compile(r'<a\s[^>]*href="([^"]*)"[^>]*\srel="next"')


def html_next_cursor(page: Any) -> str | None:
    """The cursor in the ``rel="next"`` link ("Older reports") of a portal page."""
    match = NEXT_LINK.search(page) if isinstance(page, str) else None
    if match is None:
        return None
    query = html.unescape(match.group(1)).split("?", 1)[-1].lstrip("?")
    return urllib.parse.parse_qs(query).get("cursor", [None])[0]


def with_cursor(path: str, cursor: str | None) -> str:
    if not cursor:
        return path
    return f"{path}{'&' if '?' in path else '?'}cursor={urllib.parse.quote(cursor, safe='')}"


def walk_cursor(base: str, path: str, token: str = "", *, pages: int, limit: int,
                next_of: Callable[[Any], str | None] = json_next_cursor,
                name: str = "deep cursor") -> dict[str, Any]:
    """Follow the next-page cursor ``pages`` times, one request at a time, so that
    ``with_cursor(path, cursor)`` is page ``pages + 1``. Where the data ends first, the walk
    stops on the last page (``complete`` false, ``pages`` the pages actually walked)."""
    cursor, walked, walk = None, 0, time.monotonic()
    for _ in range(pages):
        status, page = http("GET", base + with_cursor(path, cursor), token=token)
        if status != 200:
            log(f"{name}: page {walked + 1} answered {status}; stopping there")
            break
        following = next_of(page)
        if not following:
            break
        cursor, walked = following, walked + 1
    walk_s = time.monotonic() - walk
    log(f"{name}: {walked} pages of {limit} walked in {walk_s:.1f} s"
        + ("" if walked == pages else f" (the data ends before page {pages + 1:,})"))
    return {"path": path, "pages": walked, "wanted": pages, "complete": walked == pages,
            "limit": limit, "cursor": cursor, "walk_seconds": round(walk_s, 2),
            "mean_page_ms_sequential": round(1000 * walk_s / max(walked, 1), 1)}


# lapor serve's default --threads: the benchmarks measure the server as it ships.
SERVE_THREADS = 4

SCENARIOS = ("ceiling", "healthz", "org", "track", "feed", "feed_deep", "inbox_hub",
             "inbox_hub_deep", "inbox_unit", "search", "search_staff", "dashboard", "submit")
# The public feed is the portal page (lapor.portal.views.feed over reports.feed.public_reports):
# 20 reports a page, keyset cursor in its "Older reports" link. There is no JSON list of public
# reports; /api/v1/search/reports needs a query.
FEED_PATH = "/laporan/"
FEED_PAGE_SIZE = 20


def wants(args: argparse.Namespace, key: str) -> bool:
    """Whether scenario ``key`` runs (``--only``)."""
    only = {k for k in args.only.split(",") if k}
    return not only or key in only


def scenarios_for(args: argparse.Namespace, tokens: dict[str, str], categories: list[str],
                  prep: dict[str, Any]) -> list[Scenario]:
    hub, unit = tokens[args.hub_user], tokens[args.liaison_user]
    inbox = f"/api/v1/inbox?node={args.agency}&limit=50"
    deep, feed = prep["inbox_cursor"], prep["feed_cursor"]
    search, broad = prep["search_queries"], (422, "query_too_broad")
    found = [
        # No database: an invalid query parameter is refused by Ninja before the view runs,
        # so this is granian + every Django middleware + Ninja routing and validation + a JSON
        # error body: the ceiling.
        Scenario("ceiling", "Ceiling: GET /api/v1/orgs?kind=bogus (422, no DB)", 422,
                 "/api/v1/orgs?kind=bogus", ceiling=True),
        Scenario("healthz", "GET /healthz (migration check + heartbeat)", 200, "/healthz"),
        Scenario("org", f"GET /api/v1/orgs/{args.agency} (one-row read)", 200,
                 f"/api/v1/orgs/{args.agency}"),
        Scenario("track", f"Track: GET /api/v1/track/{{number}} ({len(prep['tracking']):,} "
                 "public reports)", 200, "/api/v1/track/{number}",
                 paths=[f"/api/v1/track/{n}" for n in prep["tracking"]]),
        Scenario("feed", "Public feed /laporan/, page 1", 200, FEED_PATH, c1=True),
        Scenario("feed_deep", f"Public feed /laporan/, page {deep_page(feed)}", 200,
                 with_cursor(FEED_PATH, feed.get("cursor")), c1=True),
        Scenario("inbox_hub", f"Inbox {args.agency}, page 1", 200, inbox, hub, c1=True),
        Scenario("inbox_hub_deep", f"Inbox {args.agency}, page {deep_page(deep)}", 200,
                 with_cursor(inbox, deep.get("cursor")), hub, c1=True),
        Scenario("inbox_unit", f"Inbox {args.unit}, page 1", 200,
                 f"/api/v1/inbox?node={args.unit}&limit=50", unit, c1=True),
        Scenario("search", f"Search public ({len(search)} queries)", 200,
                 "/api/v1/search/reports?q=…",
                 paths=[f"/api/v1/search/reports?{q}" for q in search], also=broad),
        Scenario("search_staff", f"Search staff as {args.hub_user} ({len(search)} queries)",
                 200, "/api/v1/staff/search?q=…", hub,
                 paths=[f"/api/v1/staff/search?{q}" for q in search], also=broad),
        Scenario("dashboard", f"Dashboard GET /api/v1/stats/nodes/{args.agency}", 200,
                 f"/api/v1/stats/nodes/{args.agency}", hub, note=prep["stats_note"]),
        Scenario("submit", "Submit report (POST)", 201,
                 submit={"categories": categories, "agency": args.agency}),
    ]
    assert [sc.key for sc in found] == list(SCENARIOS)
    runnable = {"track": bool(prep["tracking"]), "feed_deep": bool(feed.get("cursor")),
                "inbox_hub_deep": bool(deep.get("cursor")), "search": bool(search),
                "search_staff": bool(search)}
    for key, ok in runnable.items():
        if not ok and wants(args, key):
            log(f"skipping {key}: not enough data for it")
    return [sc for sc in found if wants(args, sc.key) and runnable.get(sc.key, True)]


def deep_page(walk: dict[str, Any]) -> str:
    page = f"{walk.get('pages', 0) + 1:,}"
    return page if walk.get("complete", True) else f"{page} (last; data ends)"


def prepare(args: argparse.Namespace, base: str, tokens: dict[str, str], *,
            stats_note: str = "") -> dict[str, Any]:
    """What the scenarios request: the deep cursors (walked page by page), tracking numbers and
    search queries from the benchmark database. Only for the scenarios that run."""
    prep: dict[str, Any] = {"inbox_cursor": {}, "feed_cursor": {}, "tracking": [],
                            "search_queries": [], "stats_note": stats_note}
    if wants(args, "inbox_hub_deep"):
        prep["inbox_cursor"] = walk_cursor(
            base, f"/api/v1/inbox?node={args.agency}&limit=50", tokens[args.hub_user],
            pages=args.deep_pages, limit=50, name=f"inbox {args.agency} cursor")
    if wants(args, "feed_deep"):
        prep["feed_cursor"] = walk_cursor(
            base, FEED_PATH, pages=args.feed_page - 1, limit=FEED_PAGE_SIZE,
            next_of=html_next_cursor, name="public feed cursor")
    if wants(args, "track") or wants(args, "search") or wants(args, "search_staff"):
        tracking, regions = public_sample(args.database_url, args.sample)
        prep["tracking"] = tracking
        prep["search_queries"] = search_queries(regions)
        log(f"request mixes: {len(tracking):,} tracking numbers, "
            f"{len(prep['search_queries'])} search queries")
    return prep


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
            prep = prepare(args, base, tokens,
                           stats_note=results.get("statistics", {}).get("note", ""))
            results["deep_cursor"], results["feed_cursor"] = (prep["inbox_cursor"],
                                                              prep["feed_cursor"])
            results["request_mixes"] = {"tracking_numbers": len(prep["tracking"]),
                                        "search_queries": prep["search_queries"]}
            meter = CpuMeter(server_pgid=proc.pid, database_url=args.database_url)
            for sc in scenarios_for(args, tokens, leaves, prep):
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
        | {"database": urllib.parse.urlparse(args.database_url).path.lstrip("/"),
           "server_environment": SERVER_ENV},
        "scenarios": [],
    }
    log(f"machine: {results['machine']['nproc']} CPUs, {results['machine']['cpu_model']}, "
        f"load average {results['machine']['loadavg_before']}")
    load_phase(args, results)
    results["reports_in_database"] = report_count(args.database_url)
    results["sweep_backlog"] = backlog = sweep_backlog(args.database_url)
    log(f"sweep backlog at the start: {backlog['late_without_notice']:,} late reports without "
        f"their overdue notice, {backlog['outbox_pending']:,} messages pending, "
        f"{backlog['stats_events_behind']:,} events not yet in the statistics")
    if backlog["stats_events_behind"] > 2 * STATS_EVENT_BATCH:
        log(f"WARNING: the statistics refresh is {backlog['stats_events_behind']:,} events "
            f"behind: the task worker reads {STATS_EVENT_BATCH:,} a minute inside every run "
            "(seconds of CPU a minute); run `lapor stats rebuild` first")
    if wants(args, "dashboard"):
        statistics_phase(args, results)
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

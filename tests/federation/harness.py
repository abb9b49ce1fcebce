"""Two live Lapor instances on this machine, linked as national and regional (issue #22).

Each instance is what an operator runs: its own data directory with its own env file (secret
key, vault key, mail directory), its own database and a ``lapor serve`` process (granian and
a task worker), prepared and linked with the real commands:

* national: ``lapor envfile --demo``, ``lapor migrate``, ``lapor demo --reports 0`` on a fresh
  PostgreSQL database (created here, dropped at the end);
* region: the same with ``lapor demo --region kutim`` on SQLite in its data directory;
* the link: ``lapor federation peer add kutim --url …`` on the national (its printed token),
  then ``lapor federation upstream set --url … --agency kutim`` on the region, the token on
  standard input.

Used by ``tests/federation/test_live.py`` and ``bench/federation.py``; no Django settings are
needed in the calling process (the databases are read with psycopg and sqlite3 directly).
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django_otp.oath import totp

from tests.servers import free_port

REPO = Path(__file__).resolve().parents[2]
LAPOR = [sys.executable, "-m", "lapor.cli"]
AGENCY = "kutim"
DEMO_PASSWORD = "lapor-demo-2026"
DEMO_TOTP_KEY = "LAPORDEMOLAPORDEMOLAPORDEMOLAPOR"
TOKEN = re.compile(r"lfed_[A-Za-z0-9_-]{43}")
# Settings of both servers: quick retries and heartbeats, no rate limit in the way of a test
# or a benchmark that files and looks up many reports from one address.
SERVER_SETTINGS = {
    "LAPOR_WORKER_HEARTBEAT_SECONDS": "1",
    "LAPOR_OUTBOX_BACKOFF_BASE_SECONDS": "1",
    "LAPOR_OUTBOX_BACKOFF_MAX_SECONDS": "5",
    "LAPOR_RATE_LOOKUPS_PER_MINUTE": "100000",
    "LAPOR_RATE_REPORTS_PER_ADDRESS_HOUR": "100000",
    "LAPOR_RATE_REPORTS_PER_SENDER_HOUR": "100000",
    "LAPOR_RATE_REPORTS_PER_SENDER_DAY": "100000",
    "LAPOR_LOG_FORMAT": "plain",
}


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str,
             every: float = 0.25) -> Any:
    """Poll ``condition`` until it returns something truthy (returned); fail after ``timeout``
    seconds. A deadline, not a speed assertion: the value is generous."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except (OSError, AssertionError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


def clean_env(**extra: str) -> dict[str, str]:
    """An operator's shell: none of Lapor's settings, this checkout importable."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("LAPOR_", "DJANGO_", "DATABASE_", "PYTEST_"))
           and name not in ("PORT", "PROMETHEUS_MULTIPROC_DIR")}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


@dataclass
class Answer:
    status: int
    data: Any

    @property
    def code(self) -> str | None:
        return self.data.get("code") if isinstance(self.data, dict) else None


def call(base: str, method: str, path: str, *, body: Any = None, raw: bytes | None = None,
         headers: dict[str, str] | None = None, timeout: float = 60) -> Answer:
    """One request to ``{base}{path}`` (JSON in, JSON out), whatever the status."""
    payload = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(  # noqa: S310  (local servers)
        f"{base}{path}", data=payload, method=method,
        headers={"Content-Type": "application/json", "Accept-Language": "en",
                 **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = text.decode(errors="replace")
    return Answer(status, data)


@dataclass
class Instance:
    """One Lapor instance: data directory, env file, database, ``lapor serve``."""

    name: str
    data_dir: Path
    database_url: str | None  # None: SQLite in the data directory
    port: int = field(default_factory=free_port)
    # Collected static files, shared by the instances of one run (``lapor serve`` collects
    # them at each start: copying and compressing them takes half a minute the first time).
    static_root: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base}/api/v1"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "serve.log"

    def env(self, **extra: str) -> dict[str, str]:
        env = clean_env(LAPOR_DATA_DIR=str(self.data_dir), **SERVER_SETTINGS)
        if self.static_root is not None:
            env["LAPOR_STATIC_ROOT"] = str(self.static_root)
        if self.database_url is not None:
            env["DATABASE_URL"] = self.database_url
        env.update(extra)
        return env

    def lapor(self, *args: str, stdin: str | None = None, check: bool = True,
              timeout: float = 600) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*LAPOR, *args], cwd=self.data_dir, env=self.env(),  # noqa: S603
                                input=stdin, capture_output=True, text=True, timeout=timeout,
                                check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"{self.name}: lapor {' '.join(args)} exited "
                                 f"{result.returncode}:\n{result.stdout[-2000:]}"
                                 f"\n{result.stderr[-4000:]}")
        return result

    def prepare(self, *demo_args: str) -> None:
        """``make run``'s recipe up to serving: env file, migrations, the demo."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([*LAPOR, "envfile", "--demo", "--port", str(self.port)],  # noqa: S603
                       cwd=self.data_dir, env=self.env(LAPOR_DEMO_MODE="1"), check=True,
                       capture_output=True, timeout=120)
        self.lapor("migrate", "--noinput", "-v", "0")
        self.lapor("demo", "--quiet", *demo_args)

    def start(self) -> None:
        """``lapor serve`` (one web worker, one task worker), in a session of its own so
        :meth:`stop` can stop its children with it; returns once ``/healthz`` answers 200
        (migrated and a task worker alive)."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [*LAPOR, "serve", "--port", str(self.port), "--workers", "1", "--threads", "4",
                 "--routing-workers", "0"],
                cwd=self.data_dir, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        wait_for(lambda: call(self.base, "GET", "/healthz", timeout=5).status == 200,
                 timeout=300, what=f"the {self.name} instance on port {self.port}")

    def stop(self, *, kill: bool = False) -> None:
        """Stop the server and its children: SIGTERM (a clean stop), or SIGKILL to the
        whole process group (a crash: nothing gets to finish)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        if kill:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            return
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        # Children left behind by a supervisor that did not get to stop them.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    # -- the API

    def api(self, method: str, path: str, *, body: Any = None, user: str | None = None,
            headers: dict[str, str] | None = None) -> Answer:
        headers = dict(headers or {})
        if user is not None:
            headers["Authorization"] = f"Bearer {self.login(user)}"
        return call(self.api_base, method, path, body=body, headers=headers)

    def login(self, username: str) -> str:
        """A bearer token of the demo account (cached: a TOTP code is accepted once)."""
        if username not in self.tokens:
            def attempt() -> str | None:
                code = totp(base64.b32decode(DEMO_TOTP_KEY), step=30, t0=0, digits=6)
                answer = call(self.api_base, "POST", "/auth/login", body={
                    "username": username, "password": DEMO_PASSWORD, "otp": f"{code:06d}"})
                return answer.data["token"] if answer.status == 200 else None
            self.tokens[username] = wait_for(attempt, timeout=70, every=5,
                                             what=f"{username} signed in on {self.name}")
        return self.tokens[username]

    def submit(self, **fields: Any) -> dict[str, Any]:
        """A citizen's report through ``POST /api/v1/reports``: tracking number and code."""
        body = {
            "type": "complaint", "title": "Jalan berlubang di depan pasar induk",
            "body": "Lubang besar di Jalan Yos Sudarso depan pasar induk membahayakan "
                    "pengendara motor, terutama malam hari.",
            "region_code": "64.08.04", "target_agency_code": AGENCY,
            "reporter_name": "Warga Uji", "reporter_email": "warga.uji@example.org",
            **fields,
        }
        answer = self.api("POST", "/reports", body=body)
        assert answer.status == 201, f"{self.name}: submit {answer.status} {answer.data}"
        return dict(answer.data)

    def track(self, number: str) -> Answer:
        return self.api("GET", f"/track/{number}")

    # -- the database, read directly

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` (``%s`` placeholders) on this instance's own database."""
        if self.database_url is not None:
            with psycopg.connect(self.database_url, autocommit=True) as conn:
                return list(conn.execute(sql.encode(), params).fetchall())
        path = self.data_dir / "lapor.sqlite3"
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            return list(conn.execute(sql.replace("%s", "?"), params).fetchall())
        finally:
            conn.close()

    def text_columns(self) -> dict[str, list[str]]:
        """``{table: [columns holding text or JSON]}`` from the database's own catalogue."""
        found: dict[str, list[str]] = {}
        if self.database_url is not None:
            rows = self.query(
                "SELECT c.table_name, c.column_name FROM information_schema.columns c "
                "JOIN information_schema.tables t ON t.table_name = c.table_name "
                "AND t.table_schema = c.table_schema "
                "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND "
                "c.data_type IN ('character varying', 'text', 'character', 'json', 'jsonb')")
        else:
            tables = [r[0] for r in self.query(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            rows = []
            for table in tables:
                for column in self.query(f'PRAGMA table_info("{table}")'):
                    kind = str(column[2]).lower()
                    if "char" in kind or "text" in kind or "json" in kind or kind == "":
                        rows.append((table, column[1]))
        for table, column in rows:
            found.setdefault(str(table), []).append(str(column))
        return found

    def scan(self, needles: tuple[str, ...]) -> list[str]:
        """``table.column: needle`` wherever one of ``needles`` appears (case-insensitive) in
        a text or JSON column of any table."""
        lowered = [needle.lower() for needle in needles]
        hits: list[str] = []
        for table, columns in self.text_columns().items():
            select = ", ".join(f'LOWER(CAST("{column}" AS TEXT))' for column in columns)
            for row in self.query(f'SELECT {select} FROM "{table}"'):  # noqa: S608  (catalogue names)
                for column, value in zip(columns, row, strict=True):
                    hits += [f"{table}.{column}: {needles[i]}"
                             for i, needle in enumerate(lowered)
                             if value is not None and needle in value]
        return sorted(set(hits))


@dataclass
class Pair:
    national: Instance
    region: Instance
    token: str = ""
    # Tracking numbers a test module filed: on the region, and nationally then disposed to
    # the region (for the dashboards' sums).
    ledger: dict[str, list[str]] = field(
        default_factory=lambda: {"region": [], "national_to_region": []})

    def link(self) -> str:
        """The operators' two commands; returns the token ``peer add`` printed."""
        added = self.national.lapor("federation", "peer", "add", AGENCY,
                                    "--url", self.region.base)
        found = TOKEN.search(added.stdout)
        assert found, f"peer add printed no token:\n{added.stdout}"
        self.token = found.group(0)
        self.region.lapor("federation", "upstream", "set", "--url", self.national.base,
                          "--agency", AGENCY, stdin=self.token + "\n")
        return self.token

    def status(self, instance: Instance) -> str:
        return instance.lapor("federation", "status").stdout

    def stop(self) -> None:
        for instance in (self.region, self.national):
            instance.stop()


def postgres_server_url() -> str:
    """The PostgreSQL server of ``DATABASE_URL`` (or the local one), without a database."""
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/lapor"
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "", "", ""))


@contextmanager
def fresh_database(name: str, *, server: str | None = None) -> Iterator[str]:
    """A new, empty PostgreSQL database ``name`` on ``server`` (default: that of
    ``DATABASE_URL``), dropped first if a crashed run left it, and dropped at the end; yields
    its URL."""
    server = (server or postgres_server_url()).rstrip("/")
    admin_url = f"{server}/postgres"

    def run(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.encode())

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def federation_pair(root: Path, *, database: str, server: str | None = None,
                    start: bool = True, link: bool = True) -> Iterator[Pair]:
    """A national instance (PostgreSQL database ``database`` on ``server``) and a regional
    instance of ``kutim`` (SQLite), prepared, serving and linked."""
    with fresh_database(database, server=server) as url:
        static = root / "static"
        pair = Pair(national=Instance("national", root / "national", url, static_root=static),
                    region=Instance("region", root / "region", None, static_root=static))
        try:
            # Side by side: one on PostgreSQL, the other on SQLite.
            with ThreadPoolExecutor(2) as pool:
                for done in [pool.submit(pair.national.prepare, "--reports", "0"),
                             pool.submit(pair.region.prepare, "--region", AGENCY)]:
                    done.result()
            if start:
                pair.national.start()
                pair.region.start()
                if link:
                    pair.link()
            yield pair
        finally:
            pair.stop()

"""The server outlives its parts (issue #18 addendum): `lapor serve` restarts a child that
exits, within a limit per minute; a task worker outlives a database that goes away.

Real processes on SQLite. The database "goes away" by renaming the data directory: every new
connection then fails with OperationalError ("unable to open database file"), as a stopped
PostgreSQL refuses connections; renaming it back brings it back. (tests/faults restarts a real
PostgreSQL under load.)
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from lapor.config.management.commands.serve import Child, run, supervise
from lapor.config.management.commands.worker import retry_delay
from tests.servers import free_port, wait_until

# Always the embedded default in its own processes: run once, in the SQLite pass.
pytestmark = pytest.mark.embedded

LAPOR = [sys.executable, "-m", "lapor.cli"]


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "LAPOR_DATA_DIR": str(data_dir), "LAPOR_DEMO_MODE": "1",
           "LAPOR_WORKER_HEARTBEAT_SECONDS": "1", "DJANGO_SETTINGS_MODULE":
           "lapor.config.settings"}
    for name in ("DATABASE_URL", "LAPOR_SECRET_KEY", "LAPOR_ENCRYPTION_KEYS",
                 "LAPOR_BLIND_INDEX_KEY", "PORT", "LAPOR_ENV_FILE"):
        env.pop(name, None)
    return env


def _migrated(data_dir: Path) -> dict[str, str]:
    env = _env(data_dir)
    subprocess.run([*LAPOR, "migrate", "-v", "0"], env=env, check=True,  # noqa: S603
                   timeout=300)
    return env


def _heartbeats(data_dir: Path) -> dict[str, str]:
    """Worker name (host:pid) → last seen, read straight from the SQLite file."""
    with sqlite3.connect(data_dir / "lapor.sqlite3", timeout=20) as db:
        return dict(db.execute("SELECT name, last_seen FROM core_workerheartbeat").fetchall())


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def _worker_child(serve_pid: int) -> int | None:
    # The task worker, not the routing worker beside it (--queue-name routing: no heartbeat).
    workers = [pid for pid in _children(serve_pid) if "lapor.cli worker" in _cmdline(pid)
               and "--queue-name routing" not in _cmdline(pid)]
    return workers[0] if workers else None


def test_lapor_serve_restarts_a_killed_worker(tmp_path: Path) -> None:
    env = _migrated(tmp_path)
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603
            [*LAPOR, "serve", "--port", str(free_port()), "--workers", "1"], env=env,
            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: _worker_child(server.pid) is not None, timeout=300,
                   what="the task worker child")
        first = _worker_child(server.pid)
        assert first is not None
        wait_until(lambda: any(name.endswith(f":{first}") for name in _heartbeats(tmp_path)),
                   timeout=120, what="the first worker's heartbeat")
        os.kill(first, signal.SIGKILL)

        def replaced() -> bool:
            child = _worker_child(server.pid)
            return child is not None and child != first

        wait_until(replaced, timeout=60, what="a new task worker")
        second = _worker_child(server.pid)
        # The new worker works: it writes its own heartbeat.
        wait_until(lambda: any(name.endswith(f":{second}") for name in _heartbeats(tmp_path)),
                   timeout=120, what="the new worker's heartbeat")
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=60)
    log_text = log_path.read_text(errors="replace")
    assert (f"task worker 1 (pid {first}) stopped: killed by SIGKILL; restarted as pid "
            f"{second} (1 of 5 restarts allowed within a minute)") in log_text


def test_a_worker_outlives_a_database_that_goes_away(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = _migrated(data_dir)
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(  # noqa: S603
            [*LAPOR, "worker", "--interval", "0.2"], env=env, stdout=log,
            stderr=subprocess.STDOUT)
    away = tmp_path / "away"
    try:
        wait_until(lambda: bool(_heartbeats(data_dir)), timeout=120, what="a heartbeat")
        data_dir.rename(away)  # the database is gone: every new connection fails
        wait_until(lambda: "database unavailable" in log_path.read_text(errors="replace"),
                   timeout=60, what="the worker noticing")
        assert worker.poll() is None, log_path.read_text(errors="replace")[-3000:]
        before = _heartbeats(away)
        away.rename(data_dir)  # back
        wait_until(lambda: _heartbeats(data_dir) != before, timeout=120,
                   what="a heartbeat after the database came back")
        assert worker.poll() is None
    finally:
        if away.exists():
            away.rename(data_dir)
        worker.terminate()
        worker.wait(timeout=60)
    log_text = log_path.read_text(errors="replace")
    assert "task worker: database unavailable (OperationalError: unable to open database " \
           "file); retrying in" in log_text
    assert "Traceback" not in log_text


def test_supervise_gives_up_on_a_child_that_keeps_exiting(
        caplog: pytest.LogCaptureFixture) -> None:
    crashing = Child("task worker 1", [sys.executable, "-c", "raise SystemExit(3)"],
                     dict(os.environ))
    crashing.start()
    with caplog.at_level(logging.WARNING, logger="lapor.serve"):
        supervise([crashing], max_restarts=2, poll=0.05)
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 3
    assert "restarted as pid" in messages[0]
    assert "(1 of 2 restarts" in messages[0]
    assert "(2 of 2 restarts" in messages[1]
    assert messages[2].endswith("exit status 3, its 3. exit within a minute; stopping the "
                                "server (limit --max-restarts 2)")
    assert caplog.records[2].levelname == "ERROR"


SLEEPER = ["sleep", "60"]


class _SignalsOnStart(Child):
    """Starting it sends the server SIGTERM: a signal while the children are being started."""

    def start(self) -> None:
        super().start()
        os.kill(os.getpid(), signal.SIGTERM)


class _SignalsOnTerminate(subprocess.Popen[bytes]):
    """Stopping it sends the server SIGTERM again: a second signal during the shutdown."""

    def terminate(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        super().terminate()


class _Child2ndSignal(Child):
    def start(self) -> None:
        self.process = _SignalsOnTerminate(self.argv, env=self.env)


def test_a_signal_while_starting_or_stopping_leaves_no_child_running() -> None:
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}

    def too_early(signum: int, frame: object) -> None:
        raise AssertionError("SIGTERM came before the server's handler was installed")

    signal.signal(signal.SIGTERM, too_early)
    before = {signum: signal.getsignal(signum) for signum in handlers}
    env = dict(os.environ)
    first = _Child2ndSignal("web server", SLEEPER, env)
    second = _SignalsOnStart("task worker 1", SLEEPER, env)
    third = Child("task worker 2", SLEEPER, env)
    try:
        # SIGTERM once the second child is up: the handler is already there, so the server
        # stops (the third child never starts); stopping the first child brings a second
        # SIGTERM, which must not cut the shutdown short.
        try:
            stopped = run([first, second, third], max_restarts=1, poll=0.05)
        except KeyboardInterrupt:
            pytest.fail("a second SIGTERM interrupted the shutdown")
        assert stopped is True
        assert first.process is not None
        assert second.process is not None
        assert first.process.poll() == -signal.SIGTERM
        assert second.process.poll() == -signal.SIGTERM
        assert third.process is None
        assert {signum: signal.getsignal(signum) for signum in handlers} == before
    finally:
        for child in (first, second, third):
            if child.process is not None and child.process.poll() is None:
                child.process.kill()
                child.process.wait()
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def test_retry_delay_doubles_up_to_the_cap() -> None:
    assert [retry_delay(n, cap=30, jitter=1.0) for n in (1, 2, 3, 4, 7, 20)] == [
        0.5, 1.0, 2.0, 4.0, 30.0, 30.0]
    assert retry_delay(3, cap=30, jitter=0.0) == 1.0

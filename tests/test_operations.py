"""Operations: the `lapor` commands, the worker's scheduler and heartbeat, /healthz, and a real
`lapor serve` (granian + task worker) on an SQLite database in WAL mode."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from lapor.accounts.models import User
from lapor.config.health import heartbeat
from lapor.config.scheduler import bookkeeping_prune, claim_slot, minute_slot, tick
from lapor.core import clock
from lapor.core.models import PeriodicRun
from lapor.orgs.models import RoleAssignment
from lapor.reports.models import SubmissionReplay
from lapor.reports.services import report_dispose, report_follow_up
from lapor.reports.submission_once import report_submit_once
from tests.factories import Tree, submit


def test_user_add_reads_the_password_from_stdin(tree: Tree, monkeypatch: Any) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("kata-sandi-yang-panjang\n"))
    out = io.StringIO()
    call_command("user", "add", "camat", "--node", "kutim-dinkes", "--role", "liaison",
                 stdout=out)
    assert "Created camat: liaison on kutim-dinkes" in out.getvalue()
    user = User.objects.get(username="camat")
    assert user.check_password("kata-sandi-yang-panjang")
    assert RoleAssignment.objects.filter(user=user, node=tree.dinkes, role="liaison").exists()


def test_user_add_refuses_weak_passwords_and_wrong_nodes(tree: Tree, monkeypatch: Any) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("pendek\n"))
    with pytest.raises(CommandError):
        call_command("user", "add", "lemah", "--node", "kutim", "--role", "supervisor")
    assert not User.objects.filter(username="lemah").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("kata-sandi-yang-panjang\n"))
    with pytest.raises(CommandError, match="cannot be held"):
        call_command("user", "add", "salah", "--node", "kutim-pupr", "--role", "hub_verifier")
    assert not User.objects.filter(username="salah").exists()


@pytest.mark.django_db
def test_healthz_needs_a_live_worker(caplog: pytest.LogCaptureFixture) -> None:
    client = Client()
    with caplog.at_level(logging.INFO):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["worker_not_alive"]
    # A starting server answers its probes 503 without an ERROR line (make run's log).
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    heartbeat("test-worker")
    assert client.get("/healthz").status_code == 200
    with clock.frozen(datetime(2099, 1, 1, tzinfo=UTC)):
        assert client.get("/healthz").status_code == 503


@pytest.mark.django_db
def test_each_minute_slot_is_claimed_once() -> None:
    slot = minute_slot(datetime(2026, 3, 13, 14, 30, 42, tzinfo=UTC))
    assert slot == datetime(2026, 3, 13, 14, 30, tzinfo=UTC)
    assert claim_slot("sla.sweep_deadlines", slot) is True
    assert claim_slot("sla.sweep_deadlines", slot) is False
    assert PeriodicRun.objects.count() == 1


def test_scheduler_tick_runs_the_sweep_once_per_slot(tree: Tree) -> None:
    report = submit(tree, at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC)).report
    hub, liaison = tree.actor("hub"), tree.actor("liaison_pupr")
    with clock.frozen(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)):
        report_dispose(actor=hub, report_id=report.pk, node_code="kutim-pupr")
        report_follow_up(actor=liaison, report_id=report.pk, body="Sudah diperbaiki.",
                         final=True)
    later = datetime(2026, 4, 30, 3, 0, tzinfo=UTC)
    with clock.frozen(later):
        # The test settings run tasks immediately, so the enqueued sweep runs inside tick().
        assert tick("worker-a") is True
        assert tick("worker-b") is False
    report.refresh_from_db()
    assert report.status == "closed"
    assert report.events.filter(kind="auto_close").count() == 1


# ---------------------------------------------------------------- a real server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (local URL)
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.embedded  # its own processes on SQLite whatever DATABASE_URL says: run once
def test_lapor_serve_runs_web_and_worker_on_sqlite_wal(tmp_path: Path) -> None:
    env = {**os.environ, "LAPOR_DATA_DIR": str(tmp_path), "LAPOR_DEMO_MODE": "1",
           "LAPOR_WORKER_HEARTBEAT_SECONDS": "1", "DJANGO_SETTINGS_MODULE":
           "lapor.config.settings"}
    env.pop("DATABASE_URL", None)
    env.pop("LAPOR_SECRET_KEY", None)
    lapor = [sys.executable, "-m", "lapor.cli"]
    subprocess.run([*lapor, "migrate", "-v", "0"], env=env, check=True, timeout=120)  # noqa: S603
    mode = sqlite3.connect(tmp_path / "lapor.sqlite3").execute("PRAGMA journal_mode").fetchone()
    assert mode == ("wal",)
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [*lapor, "serve", "--port", str(port), "--workers", "1"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        status = 0
        deadline = time.monotonic() + 180  # first start collects static files (busy CI)
        while time.monotonic() < deadline and status != 200:
            time.sleep(0.5)
            try:
                status, _ = _get(f"{base}/healthz")
            except OSError:
                status = 0
        assert status == 200
        code, schema = _get(f"{base}/api/v1/openapi.json")
        assert code == 200
        assert json.loads(schema)["info"]["title"] == "Lapor API"
        assert _get(f"{base}/api/v1/track/123456789012")[0] == 404
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert server.returncode in (0, -15)


@pytest.mark.django_db
def test_the_daily_prune_keeps_a_week_of_bookkeeping_and_every_unfinished_task() -> None:
    now = datetime(2026, 3, 20, 0, 5, tzinfo=UTC)
    old, recent = now - timedelta(days=8), now - timedelta(days=6)
    for moment in (old, recent):
        claim_slot("sla.sweep_deadlines", minute_slot(moment))

    def task_row(status: str, finished: datetime | None) -> DBTaskResult:
        return DBTaskResult.objects.create(
            status=status, enqueued_at=old, finished_at=finished, args_kwargs={},
            priority=0, task_path="lapor.sla.tasks.sweep_deadlines_task", queue_name="default",
            backend_name="default")

    done_old = task_row("SUCCESSFUL", old)
    failed_old = task_row("FAILED", old)
    done_recent = task_row("SUCCESSFUL", recent)
    waiting = task_row("READY", None)
    running = task_row("RUNNING", None)
    assert bookkeeping_prune(now) == 3
    assert list(PeriodicRun.objects.values_list("slot", flat=True)) == [minute_slot(recent)]
    kept = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert kept == {done_recent.pk, waiting.pk, running.pk}
    assert not {done_old.pk, failed_old.pk} & kept


def test_the_daily_tick_purges_stored_submission_answers(tree: Tree) -> None:
    """A stored Idempotency-Key answer holds an access code (encrypted): kept for its replay
    window, then deleted by the scheduler, not only by `lapor intake purge`."""
    filed = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    with clock.frozen(filed):
        report_submit_once(idempotency_key="app-key-1", user_id=None, request_data={"a": 1},
                           prepare=lambda: lambda: submit(tree))
    assert SubmissionReplay.objects.count() == 1
    with clock.frozen(filed + timedelta(days=1)):
        tick("worker-a")
    assert SubmissionReplay.objects.count() == 1  # still in its window (168 h)
    with clock.frozen(filed + timedelta(days=8)):
        tick("worker-a")
    assert SubmissionReplay.objects.count() == 0

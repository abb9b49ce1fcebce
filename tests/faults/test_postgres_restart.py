"""PostgreSQL restarted in the middle of a submission load (issue #11).

Several threads submit reports through the JSON API of a live server while the test restarts
the PostgreSQL cluster (as ``.ci/run`` starts it). Afterwards:

- every request that was answered 201 has its report in the database, with its submit event
  and its identity row (an acknowledged complaint never disappears);
- every other request got a clean refusal: a 5xx or 4xx answer, or a connection error;
- no report exists without its submit event and identity row (nothing half-written), whether
  or not its answer reached the client.

``LAPOR_FAULTS_PG=terminate`` replaces the restart by ``pg_terminate_backend`` on every
connection to the test database (for machines where the cluster can't be restarted; it leaves
other databases on the server alone). The mode used is printed and kept in the test report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError

import pytest
from django.db import connection, connections
from django.test import override_settings

from lapor.regions.loader import load_shipped_regions
from lapor.reports.models import Report, ReporterContact, ReportEvent
from tests.factories import make_tree

DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
THREADS = 4
BEFORE_FAULT = 12  # acknowledged submissions before the fault
AFTER_FAULT_SECONDS = 4.0


@dataclass
class Outcome:
    acknowledged: list[str] = field(default_factory=list)  # tracking numbers answered 201
    refused: list[int] = field(default_factory=list)  # 4xx/5xx statuses
    connection_errors: list[str] = field(default_factory=list)
    unclean: list[str] = field(default_factory=list)  # anything else: a test failure
    lock: threading.Lock = field(default_factory=threading.Lock)


def _body(thread: int, n: int) -> bytes:
    return json.dumps({
        "type": "complaint",
        "title": f"Lampu jalan mati nomor {thread}-{n}",
        "body": "Lampu penerangan jalan di depan sekolah mati sejak pekan lalu.",
        "region_code": "64.08.04",
        "target_agency_code": "kutim",
        "reporter_name": f"Pelapor {thread}-{n}",
        "reporter_email": f"pelapor{thread}x{n}@example.org",
    }).encode()


def _submitter(url: str, thread: int, stop: threading.Event, outcome: Outcome) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        request = urllib.request.Request(  # noqa: S310  (the live test server)
            f"{url}/api/v1/reports", data=_body(thread, n), method="POST",
            headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                status, text = response.status, response.read()
        except HTTPError as error:
            status, text = error.code, error.read()
        except (URLError, ConnectionError, TimeoutError) as error:
            with outcome.lock:
                outcome.connection_errors.append(repr(error))
            time.sleep(0.05)
            continue
        with outcome.lock:
            if status == 201:
                outcome.acknowledged.append(json.loads(text)["tracking_number"])
            elif 400 <= status < 600 and b"Traceback" not in text:
                outcome.refused.append(status)
            else:
                outcome.unclean.append(f"{status}: {text[:200]!r}")


def _cluster() -> str | None:
    """The cluster version to restart, if this machine can (Debian's pg_ctlcluster, as root)."""
    if shutil.which("pg_ctlcluster") is None or os.geteuid() != 0:
        return None
    versions = sorted(p.name for p in Path("/etc/postgresql").glob("*") if p.is_dir())
    return versions[0] if versions else None


def _wait_ready(timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False,  # noqa: S607
        )
        if ready.returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("PostgreSQL did not come back")


def _inject_fault() -> str:
    version = _cluster()
    mode = os.environ.get("LAPOR_FAULTS_PG", "restart" if version else "terminate")
    if mode == "restart" and version is not None:
        subprocess.run(  # noqa: S603  (fixed arguments, as .ci/run starts the cluster)
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main",  # noqa: S607
             "restart"], check=True, timeout=120,
        )
        _wait_ready()
        return f"pg_ctlcluster {version} main restart"
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()", [name])
        killed = cursor.fetchone()[0]
    return f"pg_terminate_backend on {killed} connections to {name}"


@pytest.mark.django_db(transaction=True)
# The load comes from one client address: with the address limit on, after 60 reports the
# limiter would answer it (429) instead of the database.
@override_settings(TASKS=DUMMY_TASKS, LAPOR_RATE_REPORTS_PER_ADDRESS_HOUR=0)
def test_restart_during_submissions_loses_no_acknowledged_report(
    live_server: Any, record_property: Any, capsys: pytest.CaptureFixture[str],
) -> None:
    load_shipped_regions()
    make_tree()
    connections.close_all()
    outcome = Outcome()
    stop = threading.Event()
    threads = [threading.Thread(target=_submitter, args=(live_server.url, i, stop, outcome))
               for i in range(THREADS)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(outcome.acknowledged) < BEFORE_FAULT and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(outcome.acknowledged) >= BEFORE_FAULT, outcome
        before_fault = len(outcome.acknowledged)
        mode = _inject_fault()
        time.sleep(AFTER_FAULT_SECONDS)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    record_property("fault", mode)
    with capsys.disabled():
        print(f"\nfault: {mode}; acknowledged {len(outcome.acknowledged)} "
              f"({before_fault} before the fault), refused {sorted(set(outcome.refused))} x"
              f"{len(outcome.refused)}, connection errors {len(outcome.connection_errors)}")

    # The test's own connection died with the others: start afresh.
    connections.close_all()
    assert outcome.unclean == []
    # Submissions went on after the fault (the service recovered by itself).
    assert len(outcome.acknowledged) > before_fault
    stored = set(Report.objects.values_list("tracking_number", flat=True))
    missing = set(outcome.acknowledged) - stored
    assert missing == set(), f"acknowledged but lost: {missing}"
    # Nothing half-written: every report has its submit event and its identity row.
    without_event = Report.objects.exclude(events__kind="submit").count()
    without_identity = Report.objects.exclude(
        pk__in=ReporterContact.objects.values("report_id")).count()
    assert (without_event, without_identity) == (0, 0)
    assert ReportEvent.objects.filter(kind="submit").count() == Report.objects.count()

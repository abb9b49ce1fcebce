"""Two staff acting at once never both succeed on the same state (DOMAIN.md "Lifecycle").

The race tests need real row locks and real concurrent connections: PostgreSQL only
(``-m postgres``). Each runs in committed transactions (``transaction=True``); the flush after
such a test empties every table, so conftest.py reloads the shipped region rows the reports
point to. The last tests run on any database and check the sequential case.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from lapor.core import clock
from lapor.core.errors import Conflict
from lapor.reports import services
from lapor.reports.models import Disposition, Report, ReportEvent
from lapor.reports.states import Status
from lapor.sla.sweep import SweepResult, sweep_deadlines
from tests.factories import Tree, drive
from tests.races import race

race_db = pytest.mark.django_db(transaction=True)


def split(results: list[Any]) -> tuple[list[Any], list[Conflict]]:
    conflicts = [r for r in results if isinstance(r, Conflict)]
    others = [r for r in results if not isinstance(r, Conflict)]
    assert not [r for r in others if isinstance(r, BaseException)], others
    return others, conflicts


@pytest.mark.postgres
@race_db
def test_two_verifiers_dispose_at_once(tree: Tree) -> None:
    hub, national = tree.actor("hub"), tree.actor("national")
    for _ in range(3):
        report = drive(tree, "submitted")
        results = race(
            lambda report=report: services.report_dispose(
                actor=hub, report_id=report.pk, node_code=tree.pupr.code),
            lambda report=report: services.report_dispose(
                actor=national, report_id=report.pk, node_code=tree.dinkes.code),
        )
        wins, conflicts = split(results)
        assert len(wins) == 1
        assert [c.code for c in conflicts] == ["invalid_transition"]
        report.refresh_from_db()
        assert report.status == Status.DISPOSED
        assert report.version == 2
        assert ReportEvent.objects.filter(report=report, kind="dispose").count() == 1
        active = Disposition.objects.filter(report=report, state="active")
        assert active.count() == 1
        assert Disposition.objects.filter(report=report).count() == 1
        assert active.get().node_id == report.current_node_id == wins[0].current_node_id


def _wait_until_blocked_on_a_lock(timeout: float = 10.0) -> None:
    """Poll PostgreSQL until another session of this database waits for a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                " AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second request never waited for the row lock")


@pytest.mark.postgres
@race_db
def test_request_waiting_for_the_lock_gets_409_not_404(tree: Tree) -> None:
    """Deterministic form of the race above: the second verifier's dispose is already waiting
    for the row lock when the first one moves the report to PUPR and commits. It must then
    find the status changed (409 ``invalid_transition``), not lose the report (404)."""
    report = drive(tree, "submitted")
    hub, national = tree.actor("hub"), tree.actor("national")
    locked, go = threading.Event(), threading.Event()

    def first() -> Report:
        with transaction.atomic():
            Report.objects.select_for_update().get(pk=report.pk)
            locked.set()
            assert go.wait(timeout=10)
            return services.report_dispose(actor=hub, report_id=report.pk,
                                           node_code=tree.pupr.code)

    def second() -> Report:
        assert locked.wait(timeout=10)
        return services.report_dispose(actor=national, report_id=report.pk,
                                       node_code=tree.dinkes.code)

    def release_when_blocked() -> None:
        assert locked.wait(timeout=10)
        _wait_until_blocked_on_a_lock()
        go.set()

    results = race(first, second, release_when_blocked)
    assert isinstance(results[0], Report)
    assert isinstance(results[1], Conflict), results[1]
    assert results[1].code == "invalid_transition"
    report.refresh_from_db()
    assert (report.current_node, report.version) == (tree.pupr, 2)


@pytest.mark.postgres
@race_db
def test_final_follow_up_and_close_at_once(tree: Tree) -> None:
    """Both act on the version they saw: the second must not close (or answer) a report that
    changed under it."""
    liaison, hub = tree.actor("liaison_pupr"), tree.actor("hub")
    for _ in range(3):
        report = drive(tree, "in_progress")
        seen = report.version
        events = ReportEvent.objects.filter(report=report).count()
        results = race(
            lambda report=report, seen=seen: services.report_follow_up(
                actor=liaison, report_id=report.pk, body="Sudah diperbaiki.", final=True,
                expected_version=seen),
            lambda report=report, seen=seen: services.report_close(
                actor=hub, report_id=report.pk, reason="Ditutup verifikator.",
                expected_version=seen),
        )
        wins, conflicts = split(results)
        assert len(wins) == 1
        assert [c.code for c in conflicts] == ["concurrent_update"]
        report.refresh_from_db()
        assert report.status in (Status.RESPONDED, Status.CLOSED)
        assert report.status == wins[0].status
        assert report.version == seen + 1
        new = list(ReportEvent.objects.filter(report=report).order_by("id")[events:])
        assert len(new) == 1
        assert new[0].kind == ("respond" if report.status == Status.RESPONDED else "close")


@pytest.mark.postgres
@race_db
def test_same_supporter_twice_at_once_counts_once(tree: Tree) -> None:
    report = drive(tree, "disposed")
    results = race(
        lambda: services.report_support(report_id=report.pk, supporter_key="warga"),
        lambda: services.report_support(report_id=report.pk, supporter_key="warga"),
    )
    wins, conflicts = split(results)
    assert wins == [1]
    assert [c.code for c in conflicts] == ["already_supported"]
    report.refresh_from_db()
    assert report.support_count == 1


@pytest.mark.postgres
@race_db
def test_two_sweeps_at_once_archive_once(tree: Tree) -> None:
    wita = ZoneInfo("Asia/Makassar")
    reports = [drive(tree, "on_hold", at=datetime(2026, 3, 17, 10, 0, tzinfo=wita))
               for _ in range(4)]
    moment = datetime(2026, 5, 4, 9, 0, tzinfo=wita)  # well past every hold deadline

    def sweep() -> SweepResult:
        with clock.frozen(moment):
            return sweep_deadlines()

    results = race(sweep, sweep)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(r.archived for r in results) == 4
    for report in reports:
        assert ReportEvent.objects.filter(report=report, kind="auto_archive").count() == 1
        report.refresh_from_db()
        assert report.status == Status.ARCHIVED
        assert report.version == 3


# ---------------------------------------------------------------- any database


def test_second_dispose_finds_the_status_changed(tree: Tree) -> None:
    report = drive(tree, "submitted")
    services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                            node_code=tree.pupr.code)
    with pytest.raises(Conflict) as exc_info:
        services.report_dispose(actor=tree.actor("national"), report_id=report.pk,
                                node_code=tree.dinkes.code)
    assert exc_info.value.code == "invalid_transition"
    report.refresh_from_db()
    assert (report.current_node, report.version) == (tree.pupr, 2)
    assert Disposition.objects.filter(report=report).count() == 1
    assert ReportEvent.objects.filter(report=report, kind="dispose").count() == 1


def test_second_action_on_a_stale_version_is_refused(tree: Tree) -> None:
    report = drive(tree, "in_progress")
    seen = report.version
    services.report_follow_up(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                              body="Selesai.", final=True, expected_version=seen)
    with pytest.raises(Conflict) as exc_info:
        services.report_close(actor=tree.actor("hub"), report_id=report.pk, reason="Tutup.",
                              expected_version=seen)
    assert exc_info.value.code == "concurrent_update"
    report.refresh_from_db()
    assert report.status == Status.RESPONDED
    assert not Report.objects.filter(pk=report.pk, status=Status.CLOSED).exists()

"""The deadline sweep's work lists (lapor.sla.notices, issue #21, docs/performance.md "The
deadline sweep at rest"): each minute the sweep reads only the reports it has something to do
for (``LATE_UNNOTICED``, ``ESCALATION_WATCH``, ``RESOLUTION_UNNOTICED`` on the report, each a
partial index), not every late report; what it has done is written on the report; a deadline
that moves is the sweep's again; the migration fills the columns from the notices issued."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lapor.core import clock
from lapor.notifications.models import DeadlineNotice
from lapor.orgs.models import Sop
from lapor.reports.deadlines import clock_for
from lapor.reports.models import ESCALATION_WATCH, LATE_UNNOTICED, RESOLUTION_UNNOTICED, Report
from lapor.reports.states import Status
from lapor.sla.notices import NoticeResult, notices_settle, sweep_notices
from tests.factories import Tree, drive

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
NOW = datetime(2026, 6, 24, 10, 0, tzinfo=WITA)


def late(tree: Tree, days: int, status: str = "in_progress") -> Report:
    """A report brought into ``status`` ``days`` days ago (PUPR forwarded it to Bina Marga)."""
    drive(tree, status, at=NOW - timedelta(days=days), forwarded=True)
    return Report.objects.latest("id")


def work() -> dict[str, set[int]]:
    """What the sweep would read now, list by list."""
    return {
        "late": set(Report.objects.filter(LATE_UNNOTICED, staff_due_at__lt=NOW)
                    .values_list("id", flat=True)),
        "escalate": set(Report.objects.filter(ESCALATION_WATCH, escalation_check_at__lte=NOW)
                        .values_list("id", flat=True)),
        "resolution": set(Report.objects.filter(RESOLUTION_UNNOTICED, resolution_due_at__lt=NOW)
                          .values_list("id", flat=True)),
    }


def test_a_swept_report_leaves_the_lists_until_its_next_escalation(tree: Tree) -> None:
    report = late(tree, 20)
    _, calendar = clock_for(report.current_node, around=NOW)
    assert report.staff_due_at is not None
    overdue = -calendar.working_days_left(NOW, report.staff_due_at)
    # The first escalation is due today, the second is still ahead.
    Sop.objects.filter(node=tree.kutim).update(escalate_after_days=overdue)
    assert report.id in work()["late"]
    with clock.frozen(NOW):
        first = sweep_notices()
    assert first.overdue
    assert first.escalations
    report.refresh_from_db()
    assert report.noticed_staff_due_at == report.staff_due_at
    assert report.escalation_check_at is not None
    assert report.escalation_check_at > NOW
    notice = DeadlineNotice.objects.get(report=report, level="overdue",
                                        due_at=report.staff_due_at)
    assert report.escalation_check_at == notice.next_check_at
    assert work() == {"late": set(), "escalate": set(), "resolution": set()}
    with clock.frozen(NOW):
        assert sweep_notices() == NoticeResult()
    # The next escalation's day: the report is on the escalation list, and only then.
    with clock.frozen(report.escalation_check_at):
        assert report.id in set(Report.objects.filter(
            ESCALATION_WATCH, escalation_check_at__lte=clock.now()).values_list("id", flat=True))
        assert sweep_notices().escalations == 1


def test_a_moved_deadline_is_the_sweeps_again(tree: Tree) -> None:
    report = late(tree, 9)
    with clock.frozen(NOW):
        sweep_notices()
    # A new deadline that has passed too (a re-disposition backdated by a bulk import, a
    # mirrored report): nobody has told anyone about it yet.
    Report.objects.filter(pk=report.pk).update(staff_due_at=NOW - timedelta(hours=1))
    assert work()["late"] == {report.id}
    assert work()["escalate"] == set()  # the old deadline's escalations are over
    with clock.frozen(NOW):
        assert sweep_notices().overdue == 1
    assert DeadlineNotice.objects.filter(report=report, level="overdue").count() == 2
    assert work()["late"] == set()


def test_a_closed_report_is_on_no_list(tree: Tree) -> None:
    report = late(tree, 9)
    Report.objects.filter(pk=report.pk).update(status=Status.CLOSED)
    assert work() == {"late": set(), "escalate": set(), "resolution": set()}
    with clock.frozen(NOW):
        assert sweep_notices() == NoticeResult()


def test_the_resolution_deadline_is_noticed_once(tree: Tree) -> None:
    report = late(tree, 40, status="disposed")
    assert report.first_followup_at is None
    assert report.resolution_due_at is not None
    assert report.resolution_due_at < NOW
    assert report.id in work()["resolution"]
    with clock.frozen(NOW):
        sweep_notices()
    report.refresh_from_db()
    assert report.noticed_resolution_due_at == report.resolution_due_at
    assert DeadlineNotice.objects.filter(report=report, due_at=report.resolution_due_at,
                                         deadline_kind="resolution").count() == 1
    assert work()["resolution"] == set()


def test_settling_a_bulk_load_empties_the_lists(tree: Tree) -> None:
    Sop.objects.filter(node=tree.kutim).update(escalate_after_days=2)
    for days in (40, 20, 9):
        late(tree, days)
    late(tree, 40, status="disposed")
    assert work()["late"]
    with clock.frozen(NOW):
        notices_settle()
    assert work() == {"late": set(), "escalate": set(), "resolution": set()}


@pytest.mark.postgres
def test_the_sweep_reads_its_lists_by_index(tree: Tree) -> None:
    """The plan of each list on PostgreSQL is a scan of its partial index (with sequential
    scans off: the test's table is small enough that the planner would read it whole)."""
    late(tree, 9)
    lists = [
        Report.objects.filter(LATE_UNNOTICED, staff_due_at__lt=NOW).order_by("staff_due_at", "id"),
        Report.objects.filter(ESCALATION_WATCH, escalation_check_at__lte=NOW)
        .order_by("escalation_check_at", "id"),
        Report.objects.filter(RESOLUTION_UNNOTICED, resolution_due_at__lt=NOW)
        .order_by("resolution_due_at", "id"),
    ]
    names = ["report_late_unnoticed", "report_escalation_check", "report_resolution_unnoticed"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for queryset, name in zip(lists, names, strict=True):
            plan = queryset[:500].explain()
            assert f"using {name}" in plan.lower(), plan


@pytest.mark.django_db(transaction=True)
def test_the_migration_writes_what_the_notices_say(regions: None, tree: Tree) -> None:
    Sop.objects.filter(node=tree.kutim).update(escalate_after_days=2)
    noticed = late(tree, 9)
    resolution = late(tree, 40, status="disposed")
    with clock.frozen(NOW):
        sweep_notices()
    expected = {r.id: (r.noticed_staff_due_at, r.escalation_check_at,
                       r.noticed_resolution_due_at)
                for r in Report.objects.filter(pk__in=[noticed.pk, resolution.pk])}
    assert all(any(value is not None for value in row) for row in expected.values())
    try:
        MigrationExecutor(connection).migrate([("reports", "0009_number_lanes")])
        MigrationExecutor(connection).migrate([("reports", "0010_deadline_sweep_lists")])
        # The table as of 0010: only the columns it had (the model has later ones).
        after = {r.id: (r.noticed_staff_due_at, r.escalation_check_at,
                        r.noticed_resolution_due_at)
                 for r in Report.objects.filter(pk__in=[noticed.pk, resolution.pk]).only(
                     "noticed_staff_due_at", "escalation_check_at",
                     "noticed_resolution_due_at")}
        assert after == expected
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

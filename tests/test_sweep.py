"""The periodic deadline sweep (``lapor.sla.sweep.sweep_deadlines``).

On hold past ``hold_due_at`` → archived as incomplete; responded past ``reply_due_at`` → closed.
Both by the system actor, each report in its own idempotent service call: a second run, or a run
before the deadline, changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lapor.core import clock
from lapor.reports import services
from lapor.reports.models import Disposition, Report, ReportEvent
from lapor.reports.states import Status
from lapor.sla.sweep import SweepResult, sweep_deadlines
from tests.factories import Tree, drive, reporter_of, submit

WITA = ZoneInfo("Asia/Makassar")

# Held Tue 17 Mar 2026: 10 HK for the reporter end Wed 8 Apr 23:59:59 WITA (Nyepi, Idul Fitri
# cuti bersama and Good Friday in between; counted in test_deadlines_lifecycle).
HELD_AT = datetime(2026, 3, 17, 10, 0, tzinfo=WITA)
HOLD_DUE = datetime(2026, 4, 8, 23, 59, 59, tzinfo=WITA)
# Final follow-up Tue 11 Aug 2026: 10 HK for the reply end Thu 27 Aug 23:59:59 WITA.
RESPONDED_AT = datetime(2026, 8, 11, 14, 0, tzinfo=WITA)
REPLY_DUE = datetime(2026, 8, 27, 23, 59, 59, tzinfo=WITA)
ONE_SECOND = timedelta(seconds=1)


def sweep_at(moment: datetime, **kwargs: int) -> SweepResult:
    with clock.frozen(moment):
        return sweep_deadlines(**kwargs)


def held(tree: Tree) -> Report:
    report = submit(tree, at=datetime(2026, 3, 13, 22, 30, tzinfo=WITA)).report
    with clock.frozen(HELD_AT):
        services.report_hold(actor=tree.actor("hub"), report_id=report.pk,
                             question="Mohon kirim foto lokasi.")
    report.refresh_from_db()
    assert report.hold_due_at == HOLD_DUE
    return report


def responded(tree: Tree) -> Report:
    report = submit(tree, at=datetime(2026, 8, 10, 9, 0, tzinfo=WITA)).report
    with clock.frozen(datetime(2026, 8, 11, 9, 0, tzinfo=WITA)):
        services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                node_code=tree.pupr.code)
    with clock.frozen(RESPONDED_AT):
        services.report_follow_up(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                                  body="Jalan sudah ditambal.", final=True)
    report.refresh_from_db()
    assert report.reply_due_at == REPLY_DUE
    return report


def snapshot(report: Report) -> tuple[dict[str, object], int]:
    return (Report.objects.values().get(pk=report.pk),
            ReportEvent.objects.filter(report=report).count())


def test_on_hold_past_its_deadline_is_archived_as_incomplete(tree: Tree) -> None:
    report = held(tree)
    version = report.version
    moment = HOLD_DUE + ONE_SECOND
    assert sweep_at(moment) == SweepResult(archived=1, closed=0)
    report.refresh_from_db()
    assert report.status == Status.ARCHIVED
    assert report.archive_reason == "incomplete"
    assert report.closed_at == moment
    assert (report.hold_due_at, report.staff_due_at) == (None, None)
    assert report.version == version + 1
    event = ReportEvent.objects.filter(report=report).latest("created_at", "id")
    assert (event.kind, event.from_status, event.to_status) == (
        "auto_archive", "on_hold", "archived")
    assert (event.actor, event.actor_role, event.actor_node) == (None, "system", None)
    assert event.visibility == "public"
    assert event.payload == {"reason": "incomplete"}
    assert event.created_at == moment


def test_responded_past_the_reply_window_is_closed(tree: Tree) -> None:
    report = responded(tree)
    moment = REPLY_DUE + ONE_SECOND
    assert sweep_at(moment) == SweepResult(archived=0, closed=1)
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert report.closed_at == moment
    assert report.rating is None
    assert report.staff_due_at is None
    assert list(Disposition.objects.filter(report=report).values_list("state", flat=True)) == [
        "ended"]
    event = ReportEvent.objects.filter(report=report).latest("created_at", "id")
    assert (event.kind, event.from_status, event.to_status, event.actor_role,
            event.visibility, event.actor) == (
        "auto_close", "responded", "closed", "system", "public", None)


def test_exactly_at_the_hold_deadline_nothing_happens(tree: Tree) -> None:
    on_hold = held(tree)
    before = snapshot(on_hold)
    assert sweep_at(HOLD_DUE) == SweepResult(archived=0, closed=0)
    assert snapshot(on_hold) == before


def test_exactly_at_the_reply_deadline_nothing_happens(tree: Tree) -> None:
    answered = responded(tree)
    before = snapshot(answered)
    assert sweep_at(REPLY_DUE) == SweepResult(archived=0, closed=0)
    assert snapshot(answered) == before


def test_second_run_changes_nothing(tree: Tree) -> None:
    on_hold, answered = held(tree), responded(tree)
    later = REPLY_DUE + timedelta(days=1)
    assert sweep_at(later) == SweepResult(archived=1, closed=1)
    after_first = [snapshot(on_hold), snapshot(answered)]
    assert sweep_at(later) == SweepResult(archived=0, closed=0)
    assert sweep_at(later + timedelta(days=30)) == SweepResult(archived=0, closed=0)
    assert [snapshot(on_hold), snapshot(answered)] == after_first
    # Called directly, the services say "nothing to do".
    with clock.frozen(later):
        assert services.report_auto_archive(report_id=on_hold.pk) is False
        assert services.report_auto_close(report_id=answered.pk) is False


def test_not_yet_due_and_other_statuses_are_untouched(tree: Tree) -> None:
    on_hold, answered = held(tree), responded(tree)
    # Statuses the sweep never moves, even with their own deadlines long past.
    others = [drive(tree, status, at=datetime(2026, 1, 5, 9, 0, tzinfo=WITA))
              for status in ("submitted", "disposed", "in_progress", "archived", "closed")]
    before = [snapshot(r) for r in (on_hold, answered, *others)]
    assert sweep_at(HOLD_DUE - timedelta(days=1)) == SweepResult(archived=0, closed=0)
    assert [snapshot(r) for r in (on_hold, answered, *others)] == before
    # Past both deadlines only the two due reports move.
    assert sweep_at(REPLY_DUE + ONE_SECOND) == SweepResult(archived=1, closed=1)
    assert [snapshot(r) for r in others] == before[2:]


def test_answered_or_reopened_in_time_escapes_the_sweep(tree: Tree) -> None:
    on_hold, answered = held(tree), responded(tree)
    with clock.frozen(HOLD_DUE - timedelta(hours=1)):
        services.report_provide_info(actor=reporter_of(on_hold), report_id=on_hold.pk,
                                     body="Ini fotonya.")
    with clock.frozen(REPLY_DUE - timedelta(hours=1)):
        services.report_reporter_reply(actor=reporter_of(answered), report_id=answered.pk,
                                       accept=False, body="Masih ada lubang.")
    assert sweep_at(REPLY_DUE + timedelta(days=1)) == SweepResult(archived=0, closed=0)
    on_hold.refresh_from_db()
    answered.refresh_from_db()
    assert (on_hold.status, answered.status) == (Status.SUBMITTED, Status.IN_PROGRESS)


def test_sweep_works_in_batches(tree: Tree) -> None:
    reports = [held(tree) for _ in range(3)]
    moment = HOLD_DUE + ONE_SECOND
    assert sweep_at(moment, limit=2) == SweepResult(archived=2, closed=0)
    assert sweep_at(moment, limit=2) == SweepResult(archived=1, closed=0)
    assert sweep_at(moment, limit=2) == SweepResult(archived=0, closed=0)
    assert {r.status for r in Report.objects.filter(pk__in=[r.pk for r in reports])} == {
        Status.ARCHIVED}

"""Deadlines set by the lifecycle services on the real 2026 Indonesian calendar.

Every expected datetime below was counted by hand (DOMAIN.md "Deadlines"): the day a clock
starts, in the agency's local time, is day 0; counting starts on the next working day; N HK ends
at 23:59:59 local on the Nth working day. Kutai Timur and Samarinda are WITA (UTC+8), the
national root WIB (UTC+7).

2026 days off used here (``holidays`` ID, public + government):
  Wed 18 Mar cuti Nyepi, Thu 19 Mar Nyepi, Fri 20 Mar cuti Idul Fitri, Sat-Sun 21-22 Mar Idul
  Fitri, Mon-Tue 23-24 Mar cuti Idul Fitri; Fri 3 Apr Good Friday; Mon 17 Aug Independence Day;
  Tue 25 Aug Maulid Nabi; Thu 24 Dec cuti Natal, Fri 25 Dec Christmas.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from lapor.core import clock
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.orgs.models import Sop
from lapor.orgs.services import day_off_add, sop_update
from lapor.reports import presenters, services
from lapor.reports.models import Report, ReportEvent
from lapor.reports.states import Status
from tests.factories import Tree, reporter_of, submit

# A region no hub covers: an unaddressed report about it waits in the national pool.
NO_HUB = "31.71.01"

WITA = ZoneInfo("Asia/Makassar")
WIB = ZoneInfo("Asia/Jakarta")


def wita(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WITA)


def due(month: int, day: int, tz: ZoneInfo = WITA, year: int = 2026) -> datetime:
    """The end of a working day, local time: what a deadline looks like."""
    return datetime(year, month, day, 23, 59, 59, tzinfo=tz)


# Friday night before the long Nyepi + Idul Fitri break.
FRIDAY_NIGHT = wita(3, 13, 22, 30)


def _fresh(report: Report) -> Report:
    report.refresh_from_db()
    return report


def _hold(tree: Tree, report: Report, at: datetime) -> Report:
    with clock.frozen(at):
        services.report_hold(actor=tree.actor("hub"), report_id=report.pk,
                             question="Mohon kirim foto.")
    return _fresh(report)


def _provide(report: Report, at: datetime) -> Report:
    with clock.frozen(at):
        services.report_provide_info(actor=reporter_of(report), report_id=report.pk,
                                     body="Foto terlampir.")
    return _fresh(report)


def _dispose(tree: Tree, report: Report, at: datetime, **kwargs: Any) -> Report:
    with clock.frozen(at):
        services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                node_code=tree.pupr.code, **kwargs)
    return _fresh(report)


def _respond(tree: Tree, report: Report, at: datetime) -> Report:
    with clock.frozen(at):
        services.report_follow_up(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                                  body="Sudah diperbaiki.", final=True)
    return _fresh(report)


# ---------------------------------------------------------------- verification clock


def test_friday_night_before_nyepi_and_idul_fitri(tree: Tree) -> None:
    # Day 0 Fri 13 Mar; Mon 16 (1), Tue 17 (2), 18-24 off, Wed 25 (3).
    report = submit(tree, at=FRIDAY_NIGHT).report
    assert report.verify_due_at == due(3, 25)
    assert report.verify_due_at == datetime(2026, 3, 25, 15, 59, 59, tzinfo=UTC)
    assert report.staff_due_at == report.verify_due_at


def test_day_zero_is_the_local_date_of_the_verifying_tier(tree: Tree) -> None:
    # Mon 16 Mar 00:30 WITA is still Sun 15 Mar 23:30 in WIB (and 16:30 UTC on Sunday).
    moment = wita(3, 16, 0, 30)
    kutim = submit(tree, at=moment).report
    national = submit(tree, at=moment, target_agency_code=None, region_code=NO_HUB).report
    # Kutai Timur, day 0 Mon 16: Tue 17 (1), Wed 25 (2), Thu 26 (3).
    assert kutim.verify_due_at == due(3, 26)
    # National pool, day 0 Sun 15: Mon 16 (1), Tue 17 (2), Wed 25 (3), end of day in WIB.
    assert national.verify_due_at == due(3, 25, WIB)


def test_christmas_and_cuti_bersama(tree: Tree) -> None:
    # Day 0 Wed 23 Dec; Thu 24 cuti, Fri 25 Christmas; Mon 28 (1), Tue 29 (2), Wed 30 (3).
    report = submit(tree, at=wita(12, 23, 10)).report
    assert report.verify_due_at == due(12, 30)


def test_independence_day(tree: Tree) -> None:
    # Day 0 Fri 14 Aug; Mon 17 Aug off; Tue 18 (1), Wed 19 (2), Thu 20 (3).
    report = submit(tree, at=wita(8, 14, 9)).report
    assert report.verify_due_at == due(8, 20)


def test_hold_keeps_the_days_used_and_resumes_from_the_next_day(tree: Tree) -> None:
    report = submit(tree, at=FRIDAY_NIGHT).report
    # Held Tue 17 Mar: Mon 16 and Tue 17 used, 1 of 3 HK left.
    report = _hold(tree, report, wita(3, 17, 10))
    assert report.status == Status.ON_HOLD
    assert report.verify_days_left == 1
    assert report.staff_due_at is None
    # The reporter has 10 HK from Tue 17: Wed 25 (1) ... Thu 2 Apr (7), Fri 3 Apr off,
    # Mon 6 (8), Tue 7 (9), Wed 8 Apr (10).
    assert report.hold_due_at == due(4, 8)
    hold_event = ReportEvent.objects.filter(report=report, kind="hold").get()
    assert hold_event.payload == {"verify_days_left": 1}
    # Answered Thu 26 Mar: day 0, the one day left is Fri 27 Mar.
    report = _provide(report, wita(3, 26, 8))
    assert report.status == Status.SUBMITTED
    assert report.verify_due_at == due(3, 27)
    assert report.staff_due_at == due(3, 27)
    assert report.hold_due_at is None


def test_hold_on_the_day_of_submission_uses_no_day(tree: Tree) -> None:
    report = submit(tree, at=FRIDAY_NIGHT).report
    report = _hold(tree, report, wita(3, 13, 23, 0))
    assert report.verify_days_left == 3
    # Answered Wed 25 Mar: Thu 26 (1), Fri 27 (2), Mon 30 (3).
    report = _provide(report, wita(3, 25, 10))
    assert report.verify_due_at == due(3, 30)


def test_second_hold_counts_only_the_days_since_resumption(tree: Tree) -> None:
    """Held twice: the second hold must not charge again the days before the first one."""
    report = submit(tree, at=FRIDAY_NIGHT).report
    report = _hold(tree, report, wita(3, 16, 10))  # Mon 16 used: 2 left
    assert report.verify_days_left == 2
    report = _provide(report, wita(3, 25, 9))  # day 0 Wed 25: Thu 26 (1), Fri 27 (2)
    assert report.verify_due_at == due(3, 27)
    # Held again Thu 26: only Thu 26 was used since the resumption, so 1 HK is left.
    report = _hold(tree, report, wita(3, 26, 10))
    assert report.verify_days_left == 1
    # Answered Mon 30: day 0, the last day is Tue 31 Mar.
    report = _provide(report, wita(3, 30, 9))
    assert report.verify_due_at == due(3, 31)


def test_hold_after_a_return_counts_from_the_return(tree: Tree) -> None:
    """A report handed back ("bukan wewenang") gets a fresh 3 HK to verify; a hold then must
    count the days used since the return, not since the original submission."""
    report = submit(tree, at=FRIDAY_NIGHT).report
    report = _dispose(tree, report, wita(3, 16, 9))
    with clock.frozen(wita(3, 25, 9)):
        services.report_return(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                               reason="Bukan wewenang PUPR.")
    report = _fresh(report)
    # Day 0 Wed 25: Thu 26 (1), Fri 27 (2), Mon 30 (3).
    assert report.verify_due_at == due(3, 30)
    assert report.staff_due_at == due(3, 30)
    assert (report.followup_due_at, report.resolution_due_at) == (None, None)
    # Held Thu 26: one day of the fresh three used.
    report = _hold(tree, report, wita(3, 26, 10))
    assert report.verify_days_left == 2
    # Answered Fri 27: Mon 30 (1), Tue 31 (2).
    report = _provide(report, wita(3, 27, 9))
    assert report.verify_due_at == due(3, 31)


# ---------------------------------------------------------------- agency clocks


def test_dispose_starts_first_follow_up_and_resolution_clocks(tree: Tree) -> None:
    report = submit(tree, at=FRIDAY_NIGHT).report
    report = _dispose(tree, report, wita(3, 25, 10))
    assert report.verified_at == wita(3, 25, 10)
    assert report.resolution_days == 14
    # 5 HK from Wed 25 Mar: Thu 26, Fri 27, Mon 30, Tue 31, Wed 1 Apr.
    assert report.followup_due_at == due(4, 1)
    # 14 HK: ... Thu 2 Apr (6), Fri 3 Apr off, Mon 6 (7) ... Wed 15 Apr (14).
    assert report.resolution_due_at == due(4, 15)
    assert report.staff_due_at == report.followup_due_at
    # A non-final follow-up moves the staff clock to the resolution deadline.
    with clock.frozen(wita(3, 26, 10)):
        services.report_follow_up(actor=tree.actor("officer_pupr"), report_id=report.pk,
                                  body="Sedang disurvei.")
    report = _fresh(report)
    assert report.staff_due_at == due(4, 15)


def test_urgent_category_caps_the_first_follow_up(tree: Tree) -> None:
    report = submit(tree, at=FRIDAY_NIGHT, category_code=tree.urgent.code).report
    report = _dispose(tree, report, wita(3, 25, 10))
    # 2 HK: Thu 26, Fri 27 Mar; the first follow-up is never due after the resolution.
    assert report.resolution_days == 2
    assert report.resolution_due_at == due(3, 27)
    assert report.followup_due_at == due(3, 27)


@pytest.mark.parametrize(("picked", "days", "resolution", "followup"), [
    (5, 5, due(4, 1), due(4, 1)),
    (2, 2, due(3, 27), due(3, 27)),
    # Never longer than the category's tier.
    (60, 14, due(4, 15), due(4, 1)),
])
def test_verifier_may_pick_a_shorter_resolution_tier(
    tree: Tree, picked: int, days: int, resolution: datetime, followup: datetime
) -> None:
    report = submit(tree, at=FRIDAY_NIGHT).report
    report = _dispose(tree, report, wita(3, 25, 10), resolution_days=picked)
    assert (report.resolution_days, report.resolution_due_at, report.followup_due_at) == (
        days, resolution, followup)


def test_final_follow_up_opens_the_reply_window(tree: Tree) -> None:
    report = submit(tree, at=wita(8, 10, 9)).report
    report = _dispose(tree, report, wita(8, 11, 9))
    # 5 HK from Tue 11 Aug: Wed 12, Thu 13, Fri 14, (Mon 17 off) Tue 18, Wed 19.
    assert report.followup_due_at == due(8, 19)
    report = _respond(tree, report, wita(8, 11, 14))
    assert report.status == Status.RESPONDED
    assert report.first_followup_at == wita(8, 11, 14)
    assert report.staff_due_at is None
    # 10 HK: Wed 12 (1), Thu 13, Fri 14, Tue 18 (4), Wed 19, Thu 20, Fri 21, Mon 24 (8),
    # (Tue 25 Maulid off) Wed 26 (9), Thu 27 Aug (10).
    assert report.reply_due_at == due(8, 27)
    # The reporter sees the window in the reporter view.
    assert presenters.reporter_view(report, "id")["reply_due_at"] == due(8, 27)


def test_reply_window_over_christmas(tree: Tree) -> None:
    report = submit(tree, at=wita(12, 9, 9)).report
    report = _dispose(tree, report, wita(12, 10, 9))
    report = _respond(tree, report, wita(12, 11, 9))
    # From Fri 11 Dec: Mon 14 (1) ... Wed 23 (8), Thu 24 cuti, Fri 25 Christmas,
    # Mon 28 (9), Tue 29 Dec (10).
    assert report.reply_due_at == due(12, 29)


def test_reopen_restarts_the_resolution_clock(tree: Tree) -> None:
    report = submit(tree, at=wita(8, 10, 9)).report
    report = _dispose(tree, report, wita(8, 11, 9))
    report = _respond(tree, report, wita(8, 11, 14))
    with clock.frozen(wita(8, 26, 10)):
        services.report_reporter_reply(actor=reporter_of(report), report_id=report.pk,
                                       accept=False, body="Masih rusak.")
    report = _fresh(report)
    assert report.status == Status.IN_PROGRESS
    assert report.reply_due_at is None
    # 14 HK from Wed 26 Aug: Thu 27 (1), Fri 28, Mon 31, Tue 1 Sep ... Tue 15 Sep (14).
    assert report.resolution_due_at == due(9, 15)
    assert report.staff_due_at == due(9, 15)


def test_overdue_is_strictly_after_the_deadline(tree: Tree) -> None:
    report = submit(tree, at=FRIDAY_NIGHT).report
    with clock.frozen(due(3, 25)):
        assert presenters.list_item(report, "id")["overdue"] is False
    with clock.frozen(wita(3, 26)):
        assert presenters.list_item(report, "id")["overdue"] is True


# ---------------------------------------------------------------- agency SOP and days off


def test_local_day_off_shifts_the_deadline_by_one_day(tree: Tree) -> None:
    day_off_add(actor=tree.actor("hub"), agency=tree.kutim, day=date(2026, 3, 16),
                reason="Hari jadi daerah")
    kutim = submit(tree, at=FRIDAY_NIGHT).report
    samarinda = submit(tree, at=FRIDAY_NIGHT, target_agency_code=tree.samarinda.code).report
    # Mon 16 is now off in Kutai Timur: Tue 17 (1), Wed 25 (2), Thu 26 (3).
    assert kutim.verify_due_at == due(3, 26)
    # Samarinda's calendar is untouched.
    assert samarinda.verify_due_at == due(3, 25)


def test_day_off_needs_an_agency_admin(tree: Tree) -> None:
    for name in ("liaison_pupr", "supervisor_kutim", "hub_samarinda"):
        with pytest.raises(PermissionDenied):
            day_off_add(actor=tree.actor(name), agency=tree.kutim, day=date(2026, 3, 16),
                        reason="Hari jadi")
    with pytest.raises(ValidationFailed) as exc_info:
        day_off_add(actor=tree.actor("hub"), agency=tree.kutim, day=date(2026, 3, 16),
                    reason=" ")
    assert exc_info.value.code == "reason_required"


def test_shorter_sop_shortens_new_deadlines_only(tree: Tree) -> None:
    before = submit(tree, at=FRIDAY_NIGHT).report
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, verify_days=1,
               first_followup_days=2)
    report = submit(tree, at=FRIDAY_NIGHT).report
    # 1 HK: Mon 16 Mar.
    assert report.verify_due_at == due(3, 16)
    # Stored deadlines stay what people were shown.
    assert _fresh(before).verify_due_at == due(3, 25)
    report = _dispose(tree, report, wita(3, 25, 10))
    # 2 HK: Thu 26, Fri 27 Mar; resolution still by category (14 HK).
    assert report.followup_due_at == due(3, 27)
    assert report.resolution_due_at == due(4, 15)


def test_shorter_hold_and_reply_windows(tree: Tree) -> None:
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, hold_days=2, reply_window_days=5)
    held = _hold(tree, submit(tree, at=FRIDAY_NIGHT).report, wita(3, 17, 10))
    # 2 HK from Tue 17 Mar: Wed 25, Thu 26.
    assert held.hold_due_at == due(3, 26)
    report = _dispose(tree, submit(tree, at=wita(8, 10, 9)).report, wita(8, 11, 9))
    report = _respond(tree, report, wita(8, 11, 14))
    # 5 HK from Tue 11 Aug: Wed 12, Thu 13, Fri 14, Tue 18, Wed 19.
    assert report.reply_due_at == due(8, 19)


@pytest.mark.parametrize(("field", "value"), [
    ("verify_days", 4),
    ("first_followup_days", 6),
    ("reply_window_days", 11),
    ("hold_days", 11),
    ("verify_days", 0),
])
def test_sop_never_longer_than_the_national_maxima(tree: Tree, field: str, value: int) -> None:
    before = Sop.objects.values().get(node=tree.kutim)
    with pytest.raises(ValidationFailed) as exc_info:
        sop_update(actor=tree.actor("hub"), agency=tree.kutim, **{field: value})
    assert (exc_info.value.code, exc_info.value.field) == ("sla_exceeds_national", field)
    assert Sop.objects.values().get(node=tree.kutim) == before


def test_sop_update_needs_an_agency_admin(tree: Tree) -> None:
    for name in ("liaison_pupr", "supervisor_kutim", "hub_samarinda", "auditor"):
        with pytest.raises(PermissionDenied):
            sop_update(actor=tree.actor(name), agency=tree.kutim, verify_days=1)
    assert Sop.objects.get(node=tree.kutim).verify_days == 3

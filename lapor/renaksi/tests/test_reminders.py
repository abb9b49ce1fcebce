"""Reminders about Renaksi activities due soon and overdue: the agency's working days in its
local date, once per activity, kind and day, to the owner or else the hub."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from lapor.config.scheduler import tick
from lapor.core import clock
from lapor.notifications.models import OutboxMessage
from lapor.orgs.models import DayOff
from lapor.renaksi import services
from lapor.renaksi.models import ActivityKind, ActivityReminder, ActivityStatus, Plan
from lapor.renaksi.reminders import reminder_kind, send_reminders
from lapor.reports.deadlines import calendar_for
from lapor.workdays.calendar import WorkCalendar
from tests.factories import Tree

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")


def _plan(tree: Tree) -> Plan:
    with clock.frozen(datetime(2026, 1, 5, 9, 0, tzinfo=WITA)):
        return services.plan_create(actor=tree.actor("hub"), agency=tree.kutim,
                                    title="Renaksi SP4N-LAPOR! 2026", start_year=2026,
                                    end_year=2026)


def _activity(tree: Tree, plan: Plan, title: str, end: date, *, owner: str | None = None,
              status: str = ActivityStatus.PLANNED, done_on: date | None = None,
              ) -> int:
    with clock.frozen(datetime(2026, 8, 10, 9, 0, tzinfo=WITA)):
        return services.activity_create(
            actor=tree.actor("hub"), plan=plan, kind=ActivityKind.BIMTEK, title=title,
            planned_start=date(2026, 8, 3), planned_end=end, unit_codes=[tree.pupr.code],
            owner=owner, status=status, done_on=done_on).pk


@pytest.fixture
def plan(tree: Tree) -> Plan:
    tree.users["liaison_pupr"].email = "pupr@kutim.example"
    tree.users["liaison_pupr"].save(update_fields=["email"])
    plan = _plan(tree)
    _activity(tree, plan, "Bimtek Dinas PUPR", date(2026, 8, 26), owner="liaison_pupr")
    _activity(tree, plan, "Sosialisasi tanpa penanggung jawab", date(2026, 8, 10))
    _activity(tree, plan, "Workshop jauh", date(2026, 12, 15), owner="liaison_pupr")
    _activity(tree, plan, "Sudah selesai", date(2026, 8, 10), owner="liaison_pupr",
              status=ActivityStatus.DONE, done_on=date(2026, 8, 7))
    _activity(tree, plan, "Dibatalkan", date(2026, 8, 10), owner="liaison_pupr",
              status=ActivityStatus.CANCELLED)
    return plan


def _sent() -> set[tuple[str, str, str]]:
    return set(OutboxMessage.objects.filter(event__startswith="staff.renaksi")
               .values_list("event", "recipient_user__username", "channel"))


def test_kind_counts_working_days() -> None:
    calendar = WorkCalendar(days_off=frozenset({date(2026, 8, 17)}), tz=WITA)
    friday = date(2026, 8, 14)
    # Friday + 3 working days, over the weekend and the 17 August holiday: Thursday 20th.
    assert reminder_kind(calendar, date(2026, 8, 20), friday, 3) == "due_soon"
    assert reminder_kind(calendar, date(2026, 8, 21), friday, 3) is None
    assert reminder_kind(calendar, friday, friday, 3) == "due_soon"  # due today
    assert reminder_kind(calendar, date(2026, 8, 13), friday, 3) == "overdue"


def test_nothing_on_a_weekend_or_a_holiday_monday_sends(tree: Tree, plan: Plan) -> None:
    calendar = calendar_for(tree.kutim, around=datetime(2026, 8, 1, tzinfo=UTC))
    assert not calendar.is_working_day(date(2026, 8, 17))  # Hari Kemerdekaan, a Monday
    for day in (datetime(2026, 8, 22, 9, 0, tzinfo=WITA),  # Saturday
                datetime(2026, 8, 17, 9, 0, tzinfo=WITA)):  # national holiday
        with clock.frozen(day):
            result = send_reminders()
        assert (result.due_soon, result.overdue) == (0, 0)
    assert not ActivityReminder.objects.exists()
    assert _sent() == set()
    with clock.frozen(datetime(2026, 8, 24, 9, 0, tzinfo=WITA)):  # Monday
        result = send_reminders()
    # Monday 24th + 3 working days (Tuesday 25th is Maulid Nabi): Friday 28th covers the 26th.
    assert (result.due_soon, result.overdue) == (1, 1)
    assert _sent() == {
        ("staff.renaksi_due_soon", "liaison_pupr", "inapp"),
        ("staff.renaksi_due_soon", "liaison_pupr", "email"),
        # No owner: the agency's hub verifier (no e-mail address: in-app only).
        ("staff.renaksi_overdue", "hub", "inapp"),
    }
    mail = OutboxMessage.objects.get(event="staff.renaksi_due_soon", channel="email")
    assert mail.subject == 'Renaksi: "Bimtek Dinas PUPR" jatuh tempo 26-08-2026'
    assert "Dinas PUPR" in mail.body
    assert "(1 hari kerja lagi)" in mail.body  # Wednesday 26th, after the Tuesday holiday
    overdue = OutboxMessage.objects.get(event="staff.renaksi_overdue")
    assert "(9 hari kerja)" in overdue.body  # 11–24 August, less the weekends and the 17th


def test_an_agency_day_off_sends_nothing(tree: Tree, plan: Plan) -> None:
    DayOff.objects.create(node=tree.kutim, date=date(2026, 8, 24), reason="HUT Kutai Timur")
    with clock.frozen(datetime(2026, 8, 24, 9, 0, tzinfo=WITA)):
        result = send_reminders()
    assert (result.due_soon, result.overdue) == (0, 0)
    assert _sent() == set()


def test_local_date_of_the_agency(tree: Tree, plan: Plan) -> None:
    # 15:30 UTC Monday 17th is 23:30 WITA, still the holiday: nothing.
    with clock.frozen(datetime(2026, 8, 17, 15, 30, tzinfo=UTC)):
        assert send_reminders().overdue == 0
    # 23:30 UTC Monday 17th is already Tuesday 18th 07:30 WITA, a working day.
    with clock.frozen(datetime(2026, 8, 17, 23, 30, tzinfo=UTC)):
        result = send_reminders()
    assert (result.due_soon, result.overdue) == (0, 1)
    assert list(ActivityReminder.objects.values_list("kind", "on")) == [
        ("overdue", date(2026, 8, 18))]
    # Delivered in office hours: 08:00 WITA that Tuesday.
    row = OutboxMessage.objects.get(event="staff.renaksi_overdue")
    assert row.next_attempt_at == datetime(2026, 8, 18, 8, 0, tzinfo=WITA)


def test_once_per_activity_and_day(tree: Tree, plan: Plan) -> None:
    tuesday = datetime(2026, 8, 18, 9, 0, tzinfo=WITA)
    with clock.frozen(tuesday):
        assert send_reminders().overdue == 1
    with clock.frozen(tuesday.replace(hour=14)):
        result = send_reminders()  # run again the same local day
    assert (result.due_soon, result.overdue) == (0, 0)
    assert ActivityReminder.objects.count() == 1
    assert OutboxMessage.objects.filter(event__startswith="staff.renaksi").count() == 1
    # Even a row written by another run (not seen by the exclusion) is not duplicated.
    ActivityReminder.objects.bulk_create(
        [ActivityReminder(activity=ActivityReminder.objects.get().activity, kind="overdue",
                          on=date(2026, 8, 18), created_at=tuesday)], ignore_conflicts=True)
    assert ActivityReminder.objects.count() == 1
    with clock.frozen(datetime(2026, 8, 19, 9, 0, tzinfo=WITA)):
        assert send_reminders().overdue == 1  # the next working day: again
    assert ActivityReminder.objects.count() == 2


def test_inactive_owner_goes_to_the_hub(tree: Tree, plan: Plan) -> None:
    tree.users["liaison_pupr"].is_active = False
    tree.users["liaison_pupr"].save(update_fields=["is_active"])
    with clock.frozen(datetime(2026, 8, 24, 9, 0, tzinfo=WITA)):
        send_reminders()
    assert _sent() == {("staff.renaksi_due_soon", "hub", "inapp"),
                       ("staff.renaksi_overdue", "hub", "inapp")}


@override_settings(LAPOR_RENAKSI_REMINDER_DAYS=0)
def test_setting_and_scheduler(tree: Tree, plan: Plan) -> None:
    # Once a day the scheduler enqueues the reminders (test settings run tasks at once).
    with clock.frozen(datetime(2026, 8, 24, 1, 0, tzinfo=UTC)):  # 09:00 WITA Monday
        tick("worker-a")
        tick("worker-b")
    # With 0 days nothing is "due soon" before its planned end day.
    assert ActivityReminder.objects.count() == 1
    assert _sent() == {("staff.renaksi_overdue", "hub", "inapp")}


def test_an_activity_proven_by_its_indicator_is_not_reminded(tree: Tree) -> None:
    plan = _plan(tree)
    with clock.frozen(datetime(2026, 8, 10, 9, 0, tzinfo=WITA)):
        # PUPR's liaison officer has two-factor sign-in: the indicator is met.
        proven = services.activity_create(
            actor=tree.actor("hub"), plan=plan, kind=ActivityKind.LIAISON,
            title="Penunjukan admin penghubung PUPR", planned_start=date(2026, 8, 3),
            planned_end=date(2026, 8, 10), unit_codes=[tree.pupr.code],
            proof_indicator="liaison")
        services.activity_create(
            actor=tree.actor("hub"), plan=plan, kind=ActivityKind.BIMTEK,
            title="Bimtek PUPR", planned_start=date(2026, 8, 3),
            planned_end=date(2026, 8, 10), unit_codes=[tree.pupr.code],
            proof_indicator="training")
    with clock.frozen(datetime(2026, 8, 18, 9, 0, tzinfo=WITA)):
        assert send_reminders().overdue == 1
    assert not ActivityReminder.objects.filter(activity=proven).exists()
    assert OutboxMessage.objects.get(event="staff.renaksi_overdue").body.startswith(
        'Kegiatan "Bimtek PUPR"')

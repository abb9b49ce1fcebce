"""Notices at humane times, to the right person: 9 March – 24 April 2026 through the real
scheduler (``lapor.config.scheduler.tick`` four times a day, tasks run at once in tests).

Calendar: Wed 18 March cuti bersama Nyepi, Thu 19 Nyepi, Fri 20 – Tue 24 Idul Fitri with its
cuti bersama; Fri 3 April Good Friday; Mon 13 April a Kutai Timur day off (set here). Kutai
Timur is WITA; the national verifier works by the national calendar in WIB. Kutai Timur's
escalation chain: Inspektorat, Sekretariat Daerah, the agency.

Reports (working days counted by hand):

* H: held Mon 9 March; the reporter's 10 HK end Mon 30 March; archived at midnight, the hub
  verifier told at 08:00 on Tue 31.
* O: submitted Thu 12 March, verification 3 HK → Tue 17. Reminders Mon 16 and Tue 17; overdue
  from Wed 18 00:00, a day off as is every day to Tue 24: delivered Wed 25 08:00. Disposed to
  Dinkes Wed 25 (first follow-up → Wed 1 April); reminder Tue 31, answered the same morning.
* W: disposed Wed 11 March; first follow-up 5 HK → Wed 25 March (after Nyepi and Idul Fitri).
  The working day before is Tue 17, eight days ahead: no reminder then; one on Wed 25.
* I: disposed to Inspektorat Mon 30 March; first follow-up → Tue 7 April (Good Friday
  between), never posted. Reminders Mon 6 and Tue 7; overdue Wed 8; 2 HK late Thu 9 → level 1
  to the Sekretariat Daerah (never Inspektorat, which holds it); 4 HK late Tue 14 (Mon 13 is
  the local day off) → level 2 to the agency. Its resolution deadline (14 HK → Tue 21 April)
  passes with no follow-up: its own overdue notice Wed 22.
* U: urgent (the 2 HK tier, the SOP's rule) disposed Thu 2 April → due Tue 7. Reminders in
  office hours; the overdue notice goes out at once, 00:00 Wed 8.
* N: in the national pool, submitted Fri 10 April; 3 HK on the national calendar (no local
  day off) → Wed 15 April 23:59 WIB. Its reminders and overdue notice reach the national
  verifier at 08:00 WIB (09:00 WITA).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.test import override_settings

from lapor.config.scheduler import tick
from lapor.core import clock
from lapor.notifications.models import DeadlineNotice, Notification, OutboxMessage
from lapor.notifications.office import StaffCalendars
from lapor.orgs.models import DayOff, EscalationStep, NodeKind, Role, Sop
from lapor.orgs.services import node_create
from lapor.reports import services
from lapor.reports.models import Report
from tests.factories import Tree, make_user, submit

WITA = ZoneInfo("Asia/Makassar")
WIB = ZoneInfo("Asia/Jakarta")
# Notices the system raises on its own clock (event notices follow a person's action).
CLOCK_EVENTS = ("staff.reminder", "staff.due_today", "staff.overdue", "staff.escalation",
                "staff.hold_expired", "staff.digest")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WITA)


# The scheduler's daily purge keeps the month's sent rows, to look at them afterwards.
@override_settings(LAPOR_OUTBOX_KEEP_DAYS=365)
def test_notices_reach_people_in_office_hours_of_their_working_days(tree: Tree) -> None:
    Sop.objects.filter(node=tree.kutim).update(timezone="WITA", escalate_after_days=2)
    DayOff.objects.create(node=tree.kutim, date=date(2026, 4, 13), reason="Libur daerah")
    inspektorat = node_create(code="kutim-inspektorat", name="Inspektorat",
                              kind=NodeKind.UNIT, parent=tree.kutim)
    setda = node_create(code="kutim-setda", name="Sekretariat Daerah", kind=NodeKind.UNIT,
                        parent=tree.kutim)
    tree.users["liaison_inspektorat"] = make_user("liaison_inspektorat",
                                                  (inspektorat, Role.LIAISON))
    tree.users["supervisor_inspektorat"] = make_user("supervisor_inspektorat",
                                                     (inspektorat, Role.SUPERVISOR))
    tree.users["supervisor_setda"] = make_user("supervisor_setda", (setda, Role.SUPERVISOR))
    for order, node in enumerate((inspektorat, setda, tree.kutim), start=1):
        EscalationStep.objects.create(agency=tree.kutim, order=order, node=node)
    hub = tree.actor("hub")
    reports: dict[str, Report] = {}

    def make(name: str, **kwargs: object) -> Callable[[], None]:
        def step() -> None:
            reports[name] = submit(tree, title=f"Laporan {name} jalan rusak", **kwargs).report
        return step

    def act(name: str, call: Callable[..., object], **kwargs: object) -> Callable[[], None]:
        return lambda: call(report_id=reports[name].pk, **kwargs) and None

    def dispose(name: str, node_code: str) -> Callable[[], None]:
        return act(name, services.report_dispose, actor=hub, node_code=node_code)

    def answer(name: str, liaison: str) -> Callable[[], None]:
        return act(name, services.report_follow_up, actor=tree.actor(liaison),
                   body="Sudah ditangani.", final=True)

    script: list[tuple[datetime, Callable[[], None]]] = [
        (at(3, 9, 9, 30), make("H")),
        (at(3, 9, 10), act("H", services.report_hold, actor=hub, question="Di mana?")),
        (at(3, 11, 9, 30), make("W")),
        (at(3, 11, 10), dispose("W", tree.pupr.code)),
        (at(3, 12, 9, 30), make("O")),
        (at(3, 25, 10), dispose("O", tree.dinkes.code)),
        (at(3, 25, 10, 30), answer("W", "liaison_pupr")),
        (at(3, 30, 9, 30), make("I")),
        (at(3, 30, 10), dispose("I", inspektorat.code)),
        (at(3, 31, 10), answer("O", "liaison_dinkes")),
        (at(4, 2, 9, 30), make("U", category_code=tree.urgent.code)),
        (at(4, 2, 10), dispose("U", tree.pupr.code)),
        (at(4, 8, 10), answer("U", "liaison_pupr")),
        (at(4, 10, 9, 30), make("N", target_agency_code=None, region_code="31.71.01")),
    ]
    day = date(2026, 3, 9)
    while day <= date(2026, 4, 24):
        # 00:00 and 08:00 WITA (= 00:00 UTC, the digest's day slot), 08:00 WIB, 13:00 WITA.
        for hour in (0, 8, 9, 13):
            moment = datetime.combine(day, time(hour), tzinfo=WITA)
            for when, step in sorted((s for s in script if s[0] < moment),
                                     key=lambda s: s[0]):
                with clock.frozen(when):
                    step()
                script.remove((when, step))
            # In UTC, as the real clock gives it (the scheduler's day slot is a UTC day).
            with clock.frozen(moment.astimezone(UTC)):
                tick("worker-a")
        day += timedelta(days=1)
    assert script == []
    assert reports["N"].tier_id == tree.root.pk

    name_of = {r.pk: name for name, r in reports.items()}
    username = {u.pk: u.username for u in tree.users.values()}
    calendars = StaffCalendars(at(4, 1, 0))

    def zone_of(row: OutboxMessage) -> ZoneInfo:
        return calendars.for_user(row.recipient_user, fallback=tree.root).tz

    rows = list(OutboxMessage.objects.filter(audience="staff", event__in=CLOCK_EVENTS,
                                             channel="inapp")
                .select_related("recipient_user").order_by("sent_at", "id"))
    assert {r.status for r in rows} == {"sent"}

    # No notice raised by the clock reaches anyone outside 08:00 of one of their working days,
    # but the urgent report's overdue notice, which goes out the moment it falls due.
    urgent = [r for r in rows if r.report_id == reports["U"].pk and r.event == "staff.overdue"]
    assert [(r.sent_at.astimezone(WITA), username[r.recipient_user_id]) for r in urgent] == [
        (at(4, 8, 0), "hub"), (at(4, 8, 0), "supervisor_pupr")]
    for row in rows:
        if row in urgent:
            continue
        calendar = calendars.for_user(row.recipient_user, fallback=tree.root)
        local = row.sent_at.astimezone(calendar.tz)
        assert calendar.is_working_day(local.date()), (row.key, local)
        assert local.time() == time(8, 0), (row.key, local)

    # In the notification centre a held notice is new when it arrives, not when it was written.
    arrived = dict(Notification.objects.values_list("key", "created_at"))
    assert all(arrived[r.key] == r.sent_at for r in rows)

    # Digests: only on working days, at 08:00 in each officer's zone; the national verifier's
    # at 08:00 WIB. None on Nyepi, Idul Fitri leave, Good Friday, weekends, nor (for Kutai
    # Timur's officers) its local day off.
    digests = [r for r in rows if r.event == "staff.digest"]
    national = [r for r in digests if username[r.recipient_user_id] == "national"]
    digest_days = {r.sent_at.astimezone(zone_of(r)).date() for r in digests
                   if r not in national}
    assert digest_days.isdisjoint({date(2026, 3, d) for d in (14, 15, 18, 19, 20, 23, 24)}
                                  | {date(2026, 4, 3), date(2026, 4, 13)})
    assert {r.sent_at.astimezone(WIB).time() for r in national} == {time(8, 0)}
    # Mon 13 April is a working day on the national calendar, and N (due Wed 15) is "due soon"
    # there: the 2nd working day after (lapor.workdays.due; two calendar days, before issue
    # #20, ended on Wednesday morning and left it out).
    assert {r.sent_at.astimezone(WIB).date() for r in national} == {
        date(2026, 4, d) for d in (13, 14, 15, 16, 17, 20, 21, 22, 23, 24)}

    def delivered(report: str, *events: str) -> list[tuple[str, str, datetime]]:
        found = [(r.event, username[r.recipient_user_id], r.sent_at.astimezone(zone_of(r)))
                 for r in rows if r.report_id == reports[report].pk and r.event in events]
        return sorted(found, key=lambda item: (item[2], item[0], item[1]))

    notices = ("staff.reminder", "staff.due_today", "staff.overdue", "staff.escalation",
               "staff.hold_expired")
    assert delivered("H", *notices) == [("staff.hold_expired", "hub", at(3, 31, 8))]
    assert delivered("O", *notices) == [
        ("staff.reminder", "hub", at(3, 16, 8)),
        ("staff.due_today", "hub", at(3, 17, 8)),
        # Late from Wed 18 00:00, told on the first working day after the holidays.
        ("staff.overdue", "hub", at(3, 25, 8)),
        ("staff.overdue", "supervisor_kutim", at(3, 25, 8)),
        ("staff.reminder", "liaison_dinkes", at(3, 31, 8)),
    ]
    # A Wednesday deadline after Nyepi and Idul Fitri: no reminder eight days early, one on
    # the due morning.
    assert delivered("W", *notices) == [("staff.due_today", "liaison_pupr", at(3, 25, 8))]
    assert delivered("I", *notices) == [
        ("staff.reminder", "liaison_inspektorat", at(4, 6, 8)),
        ("staff.due_today", "liaison_inspektorat", at(4, 7, 8)),
        ("staff.overdue", "hub", at(4, 8, 8)),
        ("staff.overdue", "supervisor_inspektorat", at(4, 8, 8)),
        # Escalation skips Inspektorat, which holds the report: Setda first, then the agency.
        ("staff.escalation", "supervisor_setda", at(4, 9, 8)),
        ("staff.escalation", "supervisor_kutim", at(4, 14, 8)),
        # The resolution deadline's own notice, though no first follow-up exists.
        ("staff.overdue", "hub", at(4, 22, 8)),
        ("staff.overdue", "supervisor_inspektorat", at(4, 22, 8)),
    ]
    assert delivered("U", *notices) == [
        ("staff.reminder", "liaison_pupr", at(4, 6, 8)),
        ("staff.due_today", "liaison_pupr", at(4, 7, 8)),
        ("staff.overdue", "hub", at(4, 8, 0)),
        ("staff.overdue", "supervisor_pupr", at(4, 8, 0)),
    ]
    wib = lambda d: datetime(2026, 4, d, 8, 0, tzinfo=WIB)  # noqa: E731
    assert delivered("N", *notices) == [
        ("staff.reminder", "national", wib(14)),
        ("staff.due_today", "national", wib(15)),
        ("staff.overdue", "national", wib(16)),
    ]

    # Every deadline has its own overdue notice, each exactly once.
    overdue = Counter((name_of[n.report_id], n.deadline_kind)
                      for n in DeadlineNotice.objects.filter(level="overdue"))
    assert overdue == {("H", "hold"): 1, ("O", "verify"): 1, ("I", "followup"): 1,
                       ("I", "resolution"): 1, ("U", "followup"): 1, ("N", "verify"): 1}
    escalated = {username[r.recipient_user_id] for r in rows if r.event == "staff.escalation"}
    assert escalated.isdisjoint({"liaison_inspektorat", "supervisor_inspektorat"})
    keys = [r.key for r in OutboxMessage.objects.filter(key__startswith="sla:")]
    assert len(keys) == len(set(keys))

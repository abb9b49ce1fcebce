"""A full simulated month (May 2026, Kutai Timur, WITA): exactly the expected reminders,
overdue notices, escalations and automatic closures, with national holidays, cuti bersama and
an agency day off in the way.

Calendar: Thu 14 May Ascension of Jesus and Fri 15 May cuti bersama; Wed 20 May is a Kutai
Timur day off (set here); Wed 27 / Thu 28 May Idul Adha and cuti bersama. The SOP escalates
after 2 working days overdue; Kutim has no escalation chain configured, so a late report goes
up the tree: Bina Marga → Dinas PUPR → the agency.

Reports (working days counted by hand in the comments):

* A: disposed to PUPR Mon 4 May; first follow-up 5 HK → Mon 11 May. Reminders Fri 8 (the
  working day before) and Mon 11 (the due day), overdue Tue 12, escalation 1 (to the agency:
  PUPR's chain is just Kutim) Wed 13. Its resolution deadline (14 HK → Fri 29 May) passes
  with no follow-up yet: its own overdue notice Sat 30.
* B: disposed Mon 11 May with the 2 HK tier, forwarded to Bina Marga; due Wed 13. Reminders
  Tue 12 and Wed 13; overdue Thu 14 (a holiday: 0 HK late yet); 2 HK late on Tue 19 (18, 19)
  → level 1 (PUPR); 4 HK late on Fri 22 (20 is the day off: 21, 22) → level 2 (Kutim).
* C: on hold Tue 5 May, 10 HK for the reporter → Fri 22 May; archived by the sweep Sat 23,
  the hub verifier told (the hold deadline's notice).
* D: final follow-up Wed 6 May, reply window 10 HK → Mon 25 May; closed by the sweep Tue 26.
* E: submitted Mon 18 May, never verified; 3 HK → Fri 22 (19, 21, 22). Reminders Thu 21 and
  Fri 22 to the hub verifier; overdue Sat 23 to the agency's supervisor and the verifier; no
  escalation (above the agency is the national root).

When these notices reach people (office hours of working days) is the subject of
``tests/test_notice_delivery_month.py``; this test counts what is issued and when.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from lapor.core import clock
from lapor.notifications.models import DeadlineNotice, OutboxMessage
from lapor.orgs.models import DayOff, Sop
from lapor.reports import services
from lapor.reports.models import Report, ReportEvent
from lapor.sla.notices import sweep_notices
from lapor.sla.sweep import sweep_deadlines
from tests.factories import Tree, submit

WITA = ZoneInfo("Asia/Makassar")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, minute, tzinfo=WITA)


def test_a_month_of_deadlines(tree: Tree) -> None:
    Sop.objects.filter(node=tree.kutim).update(timezone="WITA", escalate_after_days=2)
    assert Sop.objects.get(node=tree.kutim).timezone == "WITA"
    DayOff.objects.create(node=tree.kutim, date=date(2026, 5, 20), reason="Libur daerah")
    hub = tree.actor("hub")
    reports: dict[str, Report] = {}

    def make(name: str, when: datetime, **kwargs: object) -> Callable[[], None]:
        def step() -> None:
            reports[name] = submit(tree, at=when, title=f"Laporan {name} jalan rusak",
                                   **kwargs).report
        return step

    def act(name: str, call: Callable[..., object], **kwargs: object) -> Callable[[], None]:
        return lambda: call(report_id=reports[name].pk, **kwargs) and None

    # (moment, step): staff and reporters acting during the month.
    script: list[tuple[datetime, Callable[[], None]]] = [
        (at(4, 8), make("C", at(4, 8))),
        (at(4, 10), make("A", at(4, 10))),
        (at(4, 11), act("A", services.report_dispose, actor=hub, node_code=tree.pupr.code)),
        (at(5, 8), make("D", at(5, 8))),
        (at(5, 8, 30), act("D", services.report_dispose, actor=hub,
                           node_code=tree.dinkes.code)),
        (at(5, 10), act("C", services.report_hold, actor=hub, question="Di mana?")),
        (at(6, 10), act("D", services.report_follow_up, actor=tree.actor("liaison_dinkes"),
                        body="Sudah ditangani.", final=True)),
        (at(11, 9, 30), make("B", at(11, 9, 30))),
        (at(11, 10), act("B", services.report_dispose, actor=hub, node_code=tree.pupr.code,
                         resolution_days=2)),
        (at(11, 10, 30), act("B", services.report_forward, actor=tree.actor("liaison_pupr"),
                             node_code=tree.bina_marga.code)),
        (at(18, 9, 30), make("E", at(18, 9, 30))),
    ]
    for day in range(1, 32):
        for sweep_hour in (9, 15):
            moment = at(day, sweep_hour)
            for when, step in [s for s in script if s[0] < moment]:
                with clock.frozen(when):
                    step()
                script.remove((when, step))
            with clock.frozen(moment):
                sweep_deadlines()
                sweep_notices()
    assert script == []

    name_of = {r.pk: name for name, r in reports.items()}
    users = {u.pk: u.username for u in tree.users.values()}

    def recipients(notice: DeadlineNotice) -> list[str]:
        cause = f"sla:r{notice.report_id}:{int(notice.due_at.timestamp())}:{notice.level}:"
        rows = OutboxMessage.objects.filter(key__startswith=cause, channel="inapp")
        return sorted(users[r.recipient_user_id] for r in rows if r.recipient_user_id)

    notices = [
        (n.created_at.astimezone(WITA).day, name_of[n.report_id], n.level, recipients(n))
        for n in DeadlineNotice.objects.order_by("created_at", "id")
    ]
    assert notices == [
        (8, "A", "reminder", ["liaison_pupr"]),
        (11, "A", "reminder-due", ["liaison_pupr"]),
        (12, "B", "reminder", ["liaison_binamarga"]),  # reminders first in a sweep
        (12, "A", "overdue", ["hub", "supervisor_pupr"]),
        (13, "B", "reminder-due", ["liaison_binamarga"]),
        (13, "A", "escalation-1", ["supervisor_kutim"]),
        (14, "B", "overdue", ["liaison_pupr", "supervisor_pupr"]),
        (19, "B", "escalation-1", ["supervisor_pupr"]),
        (21, "E", "reminder", ["hub"]),
        (22, "E", "reminder-due", ["hub"]),
        (22, "B", "escalation-2", ["supervisor_kutim"]),
        (23, "C", "overdue", ["hub"]),  # the hold window's own notice, with the archive
        (23, "E", "overdue", ["hub", "supervisor_kutim"]),
        (30, "A", "overdue", ["hub", "supervisor_pupr"]),  # resolution, no follow-up yet
    ]
    kinds = {(name_of[n.report_id], n.created_at.astimezone(WITA).day): n.deadline_kind
             for n in DeadlineNotice.objects.filter(level="overdue")}
    assert kinds == {("A", 12): "followup", ("B", 14): "followup", ("C", 23): "hold",
                     ("E", 23): "verify", ("A", 30): "resolution"}
    closures = [
        (e.created_at.astimezone(WITA).day, name_of[e.report_id], e.kind)
        for e in ReportEvent.objects.filter(kind__in=("auto_archive", "auto_close"))
        .order_by("created_at", "id")
    ]
    assert closures == [(23, "C", "auto_archive"), (26, "D", "auto_close")]
    # Every notice once, although the sweep ran twice a day: one in-app row per recipient.
    assert OutboxMessage.objects.filter(key__startswith="sla:", channel="inapp").count() == 18
    # The overdue notice says how late it is, in working days.
    b_overdue = OutboxMessage.objects.get(key__startswith=f"sla:r{reports['B'].pk}:",
                                          key__contains=":overdue:u",
                                          recipient_user=tree.users["supervisor_pupr"])
    assert "(0 hari kerja)" in b_overdue.body
    assert "Rabu, 13 Mei 2026, akhir hari kerja WITA" in b_overdue.body

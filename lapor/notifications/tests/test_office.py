"""When clock-raised staff notices are delivered (lapor.notifications.office), which reminder
falls on a day (lapor.sla.notices.reminder_level), who an escalation skips, and the SOP's
urgency rule."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from lapor.core import clock
from lapor.notifications.office import office_hours_at
from lapor.notifications.recipients import escalation_chain
from lapor.orgs.models import EscalationStep, NodeKind, Sop
from lapor.orgs.services import node_create
from lapor.reports import services
from lapor.sla.notices import is_urgent, reminder_level
from lapor.workdays.calendar import indonesian_calendar
from tests.api_client import login
from tests.factories import PASSWORD, Tree, submit

WITA = ZoneInfo("Asia/Makassar")
KUTIM = indonesian_calendar(tz_name="Asia/Makassar", years=[2026],
                            extra_days_off=[date(2026, 4, 13)])


def wita(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WITA)


def test_office_hours_wait_for_the_next_working_morning() -> None:
    # Inside office hours of a working day: at once.
    assert office_hours_at(KUTIM, wita(3, 17, 10)) == wita(3, 17, 10)
    # Before opening: 08:00 the same day; at night: 08:00 the next working day.
    assert office_hours_at(KUTIM, wita(3, 16, 0)) == wita(3, 16, 8)
    assert office_hours_at(KUTIM, wita(4, 9, 16)) == wita(4, 10, 8)
    # Overdue at midnight before Nyepi's cuti bersama: after the Idul Fitri leave, Wed 25.
    assert office_hours_at(KUTIM, wita(3, 18, 0)) == wita(3, 25, 8)
    # Good Friday, the weekend, then the agency's own day off (Mon 13 April) are skipped.
    assert office_hours_at(KUTIM, wita(4, 3, 0)) == wita(4, 6, 8)
    assert office_hours_at(KUTIM, wita(4, 11, 9)) == wita(4, 14, 8)
    # In another zone: 08:00 WIB is 09:00 WITA.
    wib = indonesian_calendar(tz_name="Asia/Jakarta", years=[2026])
    assert office_hours_at(wib, wita(4, 14, 8)) == wita(4, 14, 9)


def test_reminders_on_the_working_day_before_and_on_the_due_day() -> None:
    due = wita(4, 8, 23, 59)  # Wednesday after Good Friday
    assert reminder_level(KUTIM, due, wita(4, 6, 23)) is None
    assert reminder_level(KUTIM, due, wita(4, 7, 0)) == "reminder"
    assert reminder_level(KUTIM, due, wita(4, 8, 0)) == "reminder-due"
    monday = wita(4, 6, 23, 59)  # the working day before is Thursday 2 (Good Friday): 4 days
    assert reminder_level(KUTIM, monday, wita(4, 2, 0)) == "reminder"
    # A Wednesday after Nyepi and Idul Fitri: the working day before is eight days ahead.
    after_leave = wita(3, 25, 23, 59)
    assert [reminder_level(KUTIM, after_leave, wita(3, d, 9)) for d in (16, 17, 18, 24, 25)] \
        == [None, None, None, None, "reminder-due"]


def test_escalation_skips_the_unit_that_holds_the_report(tree: Tree) -> None:
    inspektorat = node_create(code="kutim-inspektorat", name="Inspektorat",
                              kind=NodeKind.UNIT, parent=tree.kutim)
    setda = node_create(code="kutim-setda", name="Sekretariat Daerah", kind=NodeKind.UNIT,
                        parent=tree.kutim)
    for order, node in enumerate((inspektorat, tree.pupr, setda), start=1):
        EscalationStep.objects.create(agency=tree.kutim, order=order, node=node)
    report = submit(tree).report
    assert escalation_chain(report) == [inspektorat, tree.pupr, setda]
    services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                            node_code=inspektorat.code)
    report.refresh_from_db()
    assert escalation_chain(report) == [tree.pupr, setda]
    other = submit(tree).report
    services.report_dispose(actor=tree.actor("hub"), report_id=other.pk,
                            node_code=tree.pupr.code)
    services.report_forward(actor=tree.actor("liaison_pupr"), report_id=other.pk,
                            node_code=tree.bina_marga.code)
    other.refresh_from_db()
    # Held by Bina Marga, whose own unit is PUPR: above it in the chain is only Setda.
    assert escalation_chain(other) == [setda]
    EscalationStep.objects.filter(node=setda).delete()
    # Nothing left above the holder in the chain: up the tree, as without one.
    assert escalation_chain(other) == [tree.pupr, tree.kutim]


def test_urgency_is_the_sops_rule(tree: Tree) -> None:
    with clock.frozen(wita(4, 2, 10)):
        urgent = submit(tree, category_code=tree.urgent.code).report
        usual = submit(tree).report
    sop = Sop.objects.get(node=tree.kutim)
    assert (is_urgent(urgent, sop), is_urgent(usual, sop)) == (True, False)
    hub = login("hub", PASSWORD)
    assert hub.get("/orgs/kutim/sop").json()["urgent_max_days"] == 2
    wider = hub.patch("/orgs/kutim/sop", {"urgent_max_days": 14})
    assert (wider.status_code, wider.json()["urgent_max_days"]) == (200, 14)
    assert is_urgent(usual, Sop.objects.get(node=tree.kutim))
    assert hub.patch("/orgs/kutim/sop", {"urgent_max_days": 0}).status_code == 200
    assert not is_urgent(urgent, Sop.objects.get(node=tree.kutim))
    refused = hub.patch("/orgs/kutim/sop", {"urgent_max_days": 3})
    assert (refused.status_code, refused.json()["field"]) == (422, "urgent_max_days")
    assert Sop.objects.get(node=tree.kutim).urgent_max_days == 0

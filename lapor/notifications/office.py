"""Office hours: when a staff notice raised by the system's own clock reaches its recipient.

Deadline reminders, overdue notices, escalations and the daily digest fall due by the clock
(a deadline passes at 23:59:59 local, an escalation level at the start of a day), often at
night or on a day off. They are delivered at the start of the recipient's next working day
(08:00 in the recipient's zone, by the working-day calendar of the recipient's agency:
weekends, national holidays, cuti bersama and the agency's own days off), or at once when they
fall inside office hours of a working day. Notices about an urgent report (the SOP's rule:
``Sop.urgent_max_days``) go out at once, any hour (docs/notifications.md "When staff notices
arrive").

The calendar is the SLA one (:mod:`lapor.workdays.calendar`); nothing is counted twice.
"""

from __future__ import annotations

from datetime import datetime, time

from lapor.accounts.models import User
from lapor.orgs.models import OrgNode, RoleAssignment
from lapor.orgs.selectors import node_agency_or_root
from lapor.reports.deadlines import calendar_for
from lapor.workdays.calendar import WorkCalendar

# Start and end of the office day, local time. Indonesian civil servants work about 07:30–16:00
# (Perpres 21/2023: 37.5 hours a week); a notice waits until 08:00, when people are in.
OFFICE_OPENS = time(8, 0)
OFFICE_CLOSES = time(16, 0)


def office_opens(calendar: WorkCalendar, moment: datetime) -> datetime:
    """08:00 local of the first working day on or after ``moment``'s local date whose opening
    is not before ``moment`` (``moment`` itself when it is exactly an opening)."""
    local = moment.astimezone(calendar.tz)
    day = local.date()
    if not calendar.is_working_day(day) or local.time() > OFFICE_OPENS:
        day = calendar.add_working_days(day, 1)
    return datetime.combine(day, OFFICE_OPENS, tzinfo=calendar.tz)


def office_hours_at(calendar: WorkCalendar, moment: datetime) -> datetime:
    """``moment`` when it falls in office hours of a working day, else the next opening."""
    local = moment.astimezone(calendar.tz)
    if calendar.is_working_day(local.date()) and OFFICE_OPENS <= local.time() < OFFICE_CLOSES:
        return moment
    return office_opens(calendar, moment)


def home_agency(user: User) -> OrgNode | None:
    """The agency whose calendar and zone a staff member works by: that of their first role
    (by when it was given); ``None`` for a user without a role."""
    first = (RoleAssignment.objects.filter(user=user).select_related("node", "node__agency")
             .order_by("id").first())
    return node_agency_or_root(first.node) if first is not None else None


class StaffCalendars:
    """The working calendar of each recipient, one agency calendar per run."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._agencies: dict[int, WorkCalendar] = {}
        self._users: dict[int, WorkCalendar] = {}

    def for_agency(self, agency: OrgNode) -> WorkCalendar:
        if agency.pk not in self._agencies:
            self._agencies[agency.pk] = calendar_for(agency, around=self.now)
        return self._agencies[agency.pk]

    def for_user(self, user: User, *, fallback: OrgNode) -> WorkCalendar:
        """The calendar of ``user``'s agency; ``fallback``'s for a user without a role."""
        if user.pk not in self._users:
            agency = home_agency(user) or fallback
            self._users[user.pk] = self.for_agency(agency)
        return self._users[user.pk]

    def deliver_at(self, user: User, *, fallback: OrgNode, urgent: bool = False) -> datetime:
        """When a clock-raised notice written now reaches ``user``."""
        if urgent:
            return self.now
        return office_hours_at(self.for_user(user, fallback=fallback), self.now)

"""Reminders about a Renaksi's activities that are due soon or overdue (docs/renaksi.md
"Reminders").

Once a day (the scheduler's day slot, lapor.config.scheduler: 00:00 UTC = 07:00 WIB / 08:00
WITA / 09:00 WIT), for every open activity (status planned or in progress, not proven by its
indicator) of every plan:

- ``due_soon`` when its planned end is today or within :setting:`LAPOR_RENAKSI_REMINDER_DAYS`
  working days of today;
- ``overdue`` when its planned end has passed.

"Today" is the agency's local date (its SOP's WIB/WITA/WIT) and the working days are the
agency's calendar (weekends, national holidays, cuti bersama and its own days off,
lapor.workdays): on a day that is not a working day of the agency nothing is sent for its
plans. The reminder goes to the activity's owner, or, for an activity without an active owner,
to the agency's hub verifiers (admin koordinator), as staff notices go: an in-app notice and an
e-mail for a user with an address (lapor.notifications.outbox), delivered in office hours
(lapor.notifications.office).

Each activity gets each kind at most once per local day: the :class:`ActivityReminder` row is
inserted with ignore-conflicts against its unique ``(activity, kind, on)`` constraint, in the
transaction of the outbox rows, whose delivery keys (``renaksi:a<id>:<kind>:<date>``) are
unique too. A second run the same day finds the day's rows and writes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch

from lapor.accounts.models import User
from lapor.core import clock
from lapor.notifications.office import StaffCalendars
from lapor.notifications.outbox import outbox_add, staff_messages, wake_dispatcher
from lapor.notifications.recipients import people_on
from lapor.orgs.models import OrgNode, Role
from lapor.renaksi import readiness
from lapor.renaksi.models import Activity, ActivityReminder, ActivityStatus, ReminderKind
from lapor.renaksi.permissions import owner_reads
from lapor.renaksi.selectors import PROVEN, activity_rows
from lapor.workdays.calendar import WorkCalendar

logger = logging.getLogger(__name__)

OPEN = (ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS)
EVENTS: dict[str, str] = {ReminderKind.DUE_SOON: "staff.renaksi_due_soon",
          ReminderKind.OVERDUE: "staff.renaksi_overdue"}


@dataclass(frozen=True)
class ReminderResult:
    due_soon: int = 0
    overdue: int = 0


def reminder_kind(calendar: WorkCalendar, planned_end: date, today: date,
                  days: int) -> str | None:
    """``overdue`` once ``planned_end`` has passed, ``due_soon`` from ``days`` working days
    before it (``planned_end`` on or before the ``days``-th working day after today), else
    ``None``."""
    if planned_end < today:
        return ReminderKind.OVERDUE
    if planned_end <= calendar.add_working_days(today, days):
        return ReminderKind.DUE_SOON
    return None


def recipients_of(activity: Activity, hub: list[User]) -> list[User]:
    """The owner while they work in the plan's agency, else the agency's hub verifiers."""
    if activity.owner is not None and owner_reads(activity):
        return [activity.owner]
    return hub


def _context(activity: Activity, kind: str, today: date,
             calendar: WorkCalendar) -> dict[str, object]:
    end = activity.planned_end
    if kind == ReminderKind.OVERDUE:
        days = len([d for d in _days(end, today) if calendar.is_working_day(d)])
    else:
        days = len([d for d in _days(today, end) if calendar.is_working_day(d)])
    units = ", ".join(u.name for u in activity.units.all())
    return {"activity": activity.title, "plan": activity.plan.title,
            "agency": activity.plan.agency.name, "units": units or "-",
            "planned_end": end.strftime("%d-%m-%Y"), "days": days}


def _days(after: date, upto: date) -> list[date]:
    """The dates after ``after`` up to and including ``upto``."""
    return [date.fromordinal(n) for n in range(after.toordinal() + 1, upto.toordinal() + 1)]


def _agency_reminders(agency: OrgNode, now: datetime, calendars: StaffCalendars,
                      days: int) -> ReminderResult:
    calendar = calendars.for_agency(agency)
    today = now.astimezone(calendar.tz).date()
    if not calendar.is_working_day(today):
        return ReminderResult()
    horizon = calendar.add_working_days(today, days)
    reminded_today = ActivityReminder.objects.filter(activity=OuterRef("pk"), on=today)
    candidates = list(
        Activity.objects.filter(plan__agency=agency, status__in=OPEN, planned_end__lte=horizon)
        .exclude(Exists(reminded_today))
        .select_related("plan__agency", "owner")
        .prefetch_related(Prefetch("units", queryset=OrgNode.objects.order_by("depth", "pk")))
        .order_by("planned_end", "id"))
    if not candidates:
        return ReminderResult()
    # An activity proven by its indicator is done, whatever its typed status.
    by_unit: dict[int, readiness.UnitReadiness] = {}
    if any(a.proof_indicator for a in candidates):
        by_unit = {r.unit.pk: r for r in readiness.agency_readiness(agency)}
    proven = {row.activity.pk for row in activity_rows(candidates, today=today,
                                                       readiness=by_unit)
              if row.state == PROVEN}
    hub = people_on(agency, [Role.HUB_VERIFIER])
    counts: dict[str, int] = {ReminderKind.DUE_SOON: 0, ReminderKind.OVERDUE: 0}
    for activity in candidates:
        kind = reminder_kind(calendar, activity.planned_end, today, days)
        if kind is None or activity.pk in proven:
            continue
        users = recipients_of(activity, hub)
        if not users:
            logger.warning("renaksi reminder: activity %s has no owner and %s no hub verifier",
                           activity.pk, agency.code)
        with transaction.atomic():
            ActivityReminder.objects.bulk_create(
                [ActivityReminder(activity=activity, kind=kind, on=today, created_at=now)],
                ignore_conflicts=True)
            outbox_add(staff_messages(
                cause=f"renaksi:a{activity.pk}:{kind}:{today.isoformat()}", event=EVENTS[kind],
                users=users, agency=agency,
                context=_context(activity, kind, today, calendar),
                deliver_at=lambda user: calendars.deliver_at(user, fallback=agency),
            ), ignore_conflicts=True, wake=False)
        counts[kind] += 1
    return ReminderResult(due_soon=counts[ReminderKind.DUE_SOON],
                          overdue=counts[ReminderKind.OVERDUE])


def send_reminders(*, days: int | None = None) -> ReminderResult:
    """Write today's reminders of every agency with an open activity (idempotent per local
    day); ``days`` defaults to :setting:`LAPOR_RENAKSI_REMINDER_DAYS`."""
    now = clock.now()
    days = settings.LAPOR_RENAKSI_REMINDER_DAYS if days is None else days
    calendars = StaffCalendars(now)
    agencies = OrgNode.objects.filter(
        pk__in=Activity.objects.filter(status__in=OPEN).values("plan__agency_id")
    ).order_by("pk")  # agencies are the root's children: by id is tree order
    due_soon = overdue = 0
    for agency in agencies:
        result = _agency_reminders(agency, now, calendars, days)
        due_soon += result.due_soon
        overdue += result.overdue
    if due_soon or overdue:
        wake_dispatcher()
        logger.info("renaksi reminders: due_soon=%d overdue=%d", due_soon, overdue)
    return ReminderResult(due_soon=due_soon, overdue=overdue)

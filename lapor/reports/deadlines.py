"""Deadlines for a report, computed on the calendar of the agency whose clock is running.

Each function returns aware UTC datetimes to store on the report; nothing is recomputed on read
(docs/lifecycle.md "Deadlines"). The services (:mod:`lapor.reports.services`,
:mod:`lapor.reports.submission`) and the benchmark seed (:mod:`lapor.demo.seed`) both count with
these functions, so seeded rows carry exactly the deadlines the live code would have stored:

* which calendar and SOP a clock runs on: :func:`clock_for`, :func:`calendar_for`,
  :func:`sop_calendar`;
* each clock's deadline from its start: :func:`verify_deadline`, :func:`hold_deadline`,
  :func:`disposition_deadlines` (first follow-up and resolution), :func:`reply_deadline`, with
  :func:`resolution_days_for` choosing the resolution tier;
* the one rule for ``Report.staff_due_at`` (whichever deadline the current holder must meet):
  :func:`staff_due_at`, applied by every transition when it saves the report.

The pure functions take anything with a ``deadline(start, n)`` method (:class:`CountsWorkDays`):
a :class:`~lapor.workdays.calendar.WorkCalendar`, or the seed's cached one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from lapor.orgs.models import OrgNode, Sop
from lapor.orgs.selectors import node_agency_or_root, sop_for
from lapor.reports.models import Report
from lapor.reports.states import Status
from lapor.workdays.calendar import TIMEZONES, WorkCalendar, indonesian_calendar

# Resolution tier of a report without a category (docs/lifecycle.md "Deadlines").
DEFAULT_RESOLUTION_DAYS = 14


class CountsWorkDays(Protocol):
    def deadline(self, start: datetime, n: int, /) -> datetime: ...


def sop_calendar(sop: Sop, *, days_off: Iterable[date], years: Iterable[int]) -> WorkCalendar:
    """The working-day calendar of the agency whose SOP is ``sop``: its time zone, national
    days off and its own ``days_off``, for ``years``."""
    return indonesian_calendar(
        tz_name=TIMEZONES[sop.timezone], years=years, extra_days_off=days_off
    )


def calendar_for(node: OrgNode, *, around: datetime, sop: Sop | None = None) -> WorkCalendar:
    """The working-day calendar of ``node``'s agency (or the national root) around a moment.

    Two years on each side cover every deadline the SOP allows (at most 60 HK).
    """
    owner = node_agency_or_root(node)
    sop = sop if sop is not None else sop_for(owner)
    days_off: list[date] = list(owner.days_off.values_list("date", flat=True))
    return sop_calendar(sop, days_off=days_off, years=range(around.year - 1, around.year + 2))


def clock_for(node: OrgNode, *, around: datetime) -> tuple[Sop, WorkCalendar]:
    owner = node_agency_or_root(node)
    sop = sop_for(owner)
    return sop, calendar_for(owner, around=around, sop=sop)


# ---------------------------------------------------------------- each clock, from its start


def verify_deadline(sop: Sop, calendar: CountsWorkDays, start: datetime) -> datetime:
    """Verify and dispose: the tier's SOP ``verify_days`` (≤ 3 HK) after submission (or after
    the report re-enters a verification pool)."""
    return calendar.deadline(start, sop.verify_days)


def hold_deadline(sop: Sop, calendar: CountsWorkDays, start: datetime) -> datetime:
    """On hold: the reporter answers within the SOP's ``hold_days`` (≤ 10 HK)."""
    return calendar.deadline(start, sop.hold_days)


def reply_deadline(sop: Sop, calendar: CountsWorkDays, start: datetime) -> datetime:
    """The reporter's reply window after a final follow-up: ``reply_window_days`` (≤ 10 HK)."""
    return calendar.deadline(start, sop.reply_window_days)


def resolution_days_for(*, chosen: int | None, category_days: int | None) -> int:
    """The resolution tier of a disposition: the verifier's choice, never longer than the
    category's tier; the category's tier; else :data:`DEFAULT_RESOLUTION_DAYS`."""
    days = chosen or category_days or DEFAULT_RESOLUTION_DAYS
    return min(days, category_days) if category_days is not None else days


def resolution_deadline(calendar: CountsWorkDays, start: datetime, days: int) -> datetime:
    """Resolution within ``days`` HK (the tier), from a disposition or a reopening."""
    return calendar.deadline(start, days)


def disposition_deadlines(
    sop: Sop, calendar: CountsWorkDays, start: datetime, resolution_days: int
) -> tuple[datetime, datetime]:
    """(first follow-up, resolution) of a disposition at ``start``: the receiving agency's
    ``first_followup_days`` (≤ 5 HK) but never after the resolution deadline."""
    resolution = resolution_deadline(calendar, start, resolution_days)
    return min(calendar.deadline(start, sop.first_followup_days), resolution), resolution


# ---------------------------------------------------------------- the holder's deadline


def staff_due_at(
    status: str,
    *,
    verify_due_at: datetime | None = None,
    followup_due_at: datetime | None = None,
    resolution_due_at: datetime | None = None,
    first_followup_at: datetime | None = None,
) -> datetime | None:
    """The deadline the current holder must meet (``Report.staff_due_at``; "overdue" is this
    being past, lapor.workdays.due):

    * waiting for verification (submitted): the verification deadline;
    * disposed or in progress: the first follow-up deadline until one is posted, then the
      resolution deadline;
    * on hold (the reporter's clock), responded (the reporter's reply window), archived and
      closed: none.
    """
    if status == Status.SUBMITTED:
        return verify_due_at
    if status in (Status.DISPOSED, Status.IN_PROGRESS):
        return followup_due_at if first_followup_at is None else resolution_due_at
    return None


def report_staff_due_at(report: Report) -> datetime | None:
    """:func:`staff_due_at` of ``report`` as it stands (status and stored deadlines)."""
    return staff_due_at(
        report.status,
        verify_due_at=report.verify_due_at,
        followup_due_at=report.followup_due_at,
        resolution_due_at=report.resolution_due_at,
        first_followup_at=report.first_followup_at,
    )

"""Deadlines for a report, computed on the calendar of the agency whose clock is running.

Each function returns aware UTC datetimes to store on the report; nothing is recomputed on read.
"""

from __future__ import annotations

from datetime import date, datetime

from lapor.orgs.models import OrgNode, Sop
from lapor.orgs.selectors import node_agency_or_root, sop_for
from lapor.workdays.calendar import TIMEZONES, WorkCalendar, indonesian_calendar


def calendar_for(node: OrgNode, *, around: datetime, sop: Sop | None = None) -> WorkCalendar:
    """The working-day calendar of ``node``'s agency (or the national root) around a moment.

    Two years on each side cover every deadline the SOP allows (at most 60 HK).
    """
    owner = node_agency_or_root(node)
    sop = sop if sop is not None else sop_for(owner)
    days_off: list[date] = list(owner.days_off.values_list("date", flat=True))
    years = range(around.year - 1, around.year + 2)
    return indonesian_calendar(
        tz_name=TIMEZONES[sop.timezone], years=years, extra_days_off=days_off
    )


def clock_for(node: OrgNode, *, around: datetime) -> tuple[Sop, WorkCalendar]:
    owner = node_agency_or_root(node)
    sop = sop_for(owner)
    return sop, calendar_for(owner, around=around, sop=sop)

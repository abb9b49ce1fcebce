"""Template filters for dates, deadlines and statuses, shared by portal and workspace.

Times are written by :mod:`lapor.core.localtime`, the one helper pages, messages and exports
share: in the zone given (for anything about a report, the report's own zone,
:func:`lapor.reports.zones.report_zone`), with its abbreviation (WIB/WITA/WIT). A deadline
reads as the working day it ends on, never as a time of day.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lapor.core import clock, localtime
from lapor.web import labels
from lapor.workdays.calendar import WorkCalendar

register = template.Library()


@register.filter
def local_datetime(value: datetime | None, zone: str | None = None) -> str:
    """``29 November 2026 14.05 WITA`` (Indonesian) / ``29 November 2026 2:05 p.m. WITA``."""
    return localtime.format_moment(value, zone)


@register.filter
def local_date(value: datetime | None, zone: str | None = None) -> str:
    """The calendar date in the zone: ``29 November 2026``."""
    return localtime.format_date(value, zone)


@register.filter
def deadline(value: datetime | None, zone: str | None = None) -> str:
    """``Kamis, 10 Desember 2026, akhir hari kerja WITA``: a deadline as the day it ends."""
    return localtime.format_deadline(value, zone)


def days_left_text(days: int, *, passed: bool = False) -> str:
    """``days`` as WorkCalendar.working_days_left gives it; ``passed`` when the deadline is
    behind us (on a weekend after a Friday deadline ``days`` is 0 but the report is late)."""
    if days > 0:
        return ngettext("%(n)d working day left", "%(n)d working days left", days) % {"n": days}
    if days == 0:
        return _("overdue") if passed else _("due today")
    late = -days
    return ngettext("%(n)d working day overdue", "%(n)d working days overdue", late) % {"n": late}


@register.simple_tag
def working_days_left(calendar: WorkCalendar | None, deadline: datetime | None) -> str:
    """"3 hari kerja lagi" / "jatuh tempo hari ini" / "terlambat 2 hari kerja"."""
    if calendar is None or deadline is None:
        return ""
    now = clock.now()
    return days_left_text(calendar.working_days_left(now, deadline), passed=deadline < now)


@register.filter
def status_class(status: str) -> str:
    """CSS modifier for a status badge."""
    return {
        "submitted": "badge--new",
        "on_hold": "badge--hold",
        "archived": "badge--muted",
        "disposed": "badge--todo",
        "in_progress": "badge--work",
        "responded": "badge--done",
        "closed": "badge--closed",
    }.get(status, "badge--muted")


@register.filter
def event_label(event: Any) -> str:
    """A timeline entry's label (``lapor.web.labels``): from its kind, or from an entry (a
    presenter's dict or a ``ReportEvent``) that has one."""
    kind = event.get("kind") if isinstance(event, dict) else getattr(event, "kind", event)
    return labels.event_label(str(kind))

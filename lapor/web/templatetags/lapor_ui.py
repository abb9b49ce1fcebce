"""Template filters for dates, deadlines and statuses, shared by portal and workspace.

Dates are shown in Indonesian (or English) format in the time zone of the agency that owns the
clock, with its zone abbreviation (WIB/WITA/WIT), as the officer's own wall clock shows them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lapor.core import clock
from lapor.sla.calendar import TIMEZONES, WorkCalendar
from lapor.web import labels

register = template.Library()

_ABBREVIATION = {name: abbr for abbr, name in TIMEZONES.items()}


def _zone(zone: str | None) -> ZoneInfo:
    """``zone`` is an abbreviation (``WITA``) or an IANA name; WIB when missing."""
    if not zone:
        return ZoneInfo(TIMEZONES["WIB"])
    return ZoneInfo(TIMEZONES.get(zone, zone))


@register.filter
def local_datetime(value: datetime | None, zone: str | None = None) -> str:
    """``29 November 2026 14.05 WITA`` (Indonesian) / ``29 November 2026 14:05 WITA``."""
    if value is None:
        return "—"
    tz = _zone(zone)
    local = value.astimezone(tz)
    text = f"{formats.date_format(local, 'j F Y')} {formats.time_format(local, 'TIME_FORMAT')}"
    return f"{text} {_ABBREVIATION.get(tz.key, tz.key)}"


@register.filter
def local_date(value: datetime | None, zone: str | None = None) -> str:
    """The calendar date in the agency's zone: ``29 November 2026``."""
    if value is None:
        return "—"
    return formats.date_format(value.astimezone(_zone(zone)), "j F Y")


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

"""Quiet hours: no SMS/WhatsApp to reporters at night, in the agency's own time zone.

A message that would leave inside the window waits until its end ("queued to the morning").
Only phone channels to reporters are held here; staff notices raised by the clock wait for
office hours of the recipient's working day instead (lapor.notifications.office).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from lapor.notifications.models import Audience, Channel, QuietHours
from lapor.orgs.models import OrgNode
from lapor.orgs.selectors import sop_for
from lapor.workdays.calendar import TIMEZONES

QUIET_CHANNELS = frozenset({Channel.SMS, Channel.WHATSAPP})


def quiet_window(agency: OrgNode | None) -> tuple[time, time, ZoneInfo]:
    row = QuietHours.objects.filter(agency=agency).first() if agency is not None else None
    start = row.start if row else time.fromisoformat(settings.LAPOR_QUIET_HOURS_START)
    end = row.end if row else time.fromisoformat(settings.LAPOR_QUIET_HOURS_END)
    zone = TIMEZONES[sop_for(agency).timezone] if agency is not None else \
        settings.LAPOR_DEFAULT_TIMEZONE
    return start, end, ZoneInfo(zone)


def quiet_until(start: time, end: time, zone: ZoneInfo, moment: datetime) -> datetime | None:
    """The end of the quiet window ``moment`` falls in, or ``None`` outside it. A window may
    cross midnight (21:00–07:00) or not (12:00–13:00); ``start == end`` means none."""
    local = moment.astimezone(zone)
    now = local.time()
    if start == end:
        return None
    crosses = start > end
    inside = (now >= start or now < end) if crosses else (start <= now < end)
    if not inside:
        return None
    day = local.date()
    if crosses and now >= start:
        day += timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)


def not_before(*, agency: OrgNode | None, audience: str, channel: str,
               moment: datetime) -> datetime:
    """When a message to ``audience`` on ``channel`` may leave, at the earliest ``moment``."""
    if audience != Audience.REPORTER or channel not in QUIET_CHANNELS:
        return moment
    start, end, zone = quiet_window(agency)
    later = quiet_until(start, end, zone, moment)
    return later if later is not None else moment

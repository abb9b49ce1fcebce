"""Working-day (hari kerja, HK) arithmetic for SLA deadlines.

Pure functions only: no Django models, no database, no settings.

Counting rule (see docs "Deadlines (SLA) in working days"):

* The day a clock starts, taken in the agency's local time zone (WIB/WITA/WIT), is **day 0**,
  whether or not it is a working day.
* Counting begins on the next working day after day 0.
* A deadline of N HK is the end of the Nth working day: 23:59:59 local time.
* Working days are Monday to Friday minus national holidays, cuti bersama (collective leave)
  and the agency's own days off.
* On hold, the working days already used are kept; on resumption the remaining days count from
  the day after (the resumption day is the new day 0).

Callers compute a deadline once, when the clock starts (or resumes), and store it as an aware UTC
datetime. Deadlines are not recomputed when the calendar later changes, so a stored deadline stays
what the people involved were shown.

The calendar must cover every year a deadline can reach: build it with the start year and the
following year (60 HK can cross a new year).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from lapor.core import localtime

# Defaults published by LAPOR! (SP4N-LAPOR! SOP); an agency may set shorter limits, never longer.
# Verify and dispose a report: at most 3 HK after submission.
NATIONAL_MAX_VERIFY_DAYS = 3
# Agency's first follow-up: at most 5 HK after disposition.
NATIONAL_MAX_FIRST_FOLLOWUP_DAYS = 5
# Resolution tiers by category/SOP, in HK; Perpres 76/2013 (pengelolaan pengaduan pelayanan
# publik): a complaint must be completed within 60 days.
RESOLUTION_TIERS = (2, 5, 14, 60)
# Reporter reply window after a final follow-up, then automatic closure.
NATIONAL_MAX_REPLY_WINDOW_DAYS = 10
# A report on hold (awaiting the reporter) is archived as incomplete after this many HK.
NATIONAL_MAX_HOLD_DAYS = 10


# Indonesian time zones (Keppres 41/1987): abbreviation -> IANA name (lapor.core.localtime).
TIMEZONES = localtime.TIMEZONES

_SATURDAY = 5
_END_OF_DAY = time(23, 59, 59)
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """An agency's working calendar: weekends (Sat/Sun) plus ``days_off``, in time zone ``tz``."""

    days_off: frozenset[date]
    tz: ZoneInfo

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < _SATURDAY and d not in self.days_off

    def add_working_days(self, start: date, n: int) -> date:
        """Return the date of the ``n``-th working day after ``start`` (``start`` is day 0).

        ``start`` itself never counts, working day or not; ``n == 0`` returns ``start``.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        d = start
        remaining = n
        while remaining:
            d += _ONE_DAY
            if self.is_working_day(d):
                remaining -= 1
        return d

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        day = d - _ONE_DAY
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def _local_date(self, moment: datetime) -> date:
        """The calendar date of an aware ``moment`` in this calendar's time zone."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("datetime must be timezone-aware")
        return moment.astimezone(self.tz).date()

    def deadline(self, start: datetime, n: int) -> datetime:
        """End (23:59:59 local) of the ``n``-th working day after ``start``'s local date, in UTC.

        ``start`` must be aware; its local date is day 0. For ``n == 0`` this is the end of day 0.
        """
        end = self.add_working_days(self._local_date(start), n)
        return datetime.combine(end, _END_OF_DAY, tzinfo=self.tz).astimezone(UTC)

    def working_days_used(self, start: datetime, at: datetime) -> int:
        """Working days strictly after ``start``'s local date, up to and including ``at``'s.

        Used to pause a clock while a report is on hold. Returns 0 if both fall on the same local
        day or if ``at`` is before ``start``.
        """
        d = self._local_date(start)
        last = self._local_date(at)
        used = 0
        while d < last:
            d += _ONE_DAY
            if self.is_working_day(d):
                used += 1
        return used

    def working_days_left(self, at: datetime, deadline: datetime) -> int:
        """Working days from ``at``'s local date to ``deadline``'s: 0 on the due day itself,
        negative once the deadline has passed (how many working days overdue; still 0 on the
        weekend right after a Friday deadline, so callers compare ``deadline < at`` to tell
        "due today" from "overdue")."""
        if deadline >= at:
            return self.working_days_used(at, deadline)
        return -self.working_days_used(deadline, at)

    def resume_deadline(self, at: datetime, remaining: int) -> datetime:
        """Deadline when a held clock resumes at ``at`` with ``remaining`` working days left.

        On hold, the working days already used are kept; on resumption the remaining days count
        from the day after: ``at``'s local date is the new day 0. ``remaining`` must be >= 0.
        """
        return self.deadline(at, remaining)


@functools.lru_cache(maxsize=32)
def _national_days_off(years: tuple[int, ...]) -> frozenset[date]:
    # The "government" category carries cuti bersama (collective leave) decreed by SKB 3 Menteri.
    # country_holidays("ID") is holidays.Indonesia through the package's typed public API.
    national = holidays.country_holidays(
        "ID", years=list(years), categories=("public", "government")
    )
    return frozenset(national.keys())


def national_days_off(years: Iterable[int]) -> frozenset[date]:
    """National holidays and cuti bersama for ``years`` (cached per set of years)."""
    return _national_days_off(tuple(sorted(set(years))))


def indonesian_calendar(
    *, tz_name: str, years: Iterable[int], extra_days_off: Iterable[date] = ()
) -> WorkCalendar:
    """Calendar for an agency in ``tz_name`` (IANA, e.g. ``TIMEZONES["WITA"]``).

    ``years`` must cover every year a deadline can reach; ``extra_days_off`` are the agency's own
    (local) days off.
    """
    days_off = national_days_off(years) | frozenset(extra_days_off)
    return WorkCalendar(days_off=days_off, tz=ZoneInfo(tz_name))

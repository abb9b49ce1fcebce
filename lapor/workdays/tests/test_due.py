"""The deadline vocabulary (lapor.workdays.due): overdue, due today, due soon, on real dates.

August 2026: Fri 14 | Sat 15, Sun 16, Mon 17 Hari Kemerdekaan | Tue 18, Wed 19, Thu 20.
March 2026: Tue 17 | Wed 18 cuti Nyepi .. Tue 24 cuti Idul Fitri (all off) | Wed 25, Thu 26.
Deadlines are the end of a working day, 23:59:59 local (WITA = UTC+8 for Kutai Timur).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from lapor.workdays.calendar import TIMEZONES, indonesian_calendar
from lapor.workdays.due import DUE_ORDER, RUNNING, Due, DueBounds, due_bounds

WITA = ZoneInfo("Asia/Makassar")
CAL = indonesian_calendar(tz_name=TIMEZONES["WITA"], years=[2026, 2027])
CAL_WIB = indonesian_calendar(tz_name=TIMEZONES["WIB"], years=[2026, 2027])


def end_of(day: str) -> datetime:
    """23:59:59 WITA of ``day`` ("2026-08-14"), as a stored deadline is."""
    return datetime.fromisoformat(f"{day} 23:59:59").replace(tzinfo=WITA)


def _matches(lookups: dict[str, datetime], value: datetime | None) -> bool:
    """What the database does with :meth:`DueBounds.lookups` (NULL matches no comparison)."""
    if value is None:
        return False
    ops = {"lt": value.__lt__, "lte": value.__le__, "gt": value.__gt__, "gte": value.__ge__}
    return all(ops[key.rsplit("__", 1)[1]](bound) for key, bound in lookups.items())


def test_friday_before_a_long_weekend() -> None:
    # Friday 14 Aug 10:00 WITA: Sat, Sun and Mon 17 (Independence Day) are off, so "soon" is
    # Tue 18 and Wed 19 (the 2 working days after today), not "two calendar days" (Sunday)
    # nor "the next working day" (Tuesday only).
    bounds = due_bounds(CAL, datetime(2026, 8, 14, 10, 0, tzinfo=WITA))
    assert bounds.end_of_today == end_of("2026-08-14").astimezone(UTC)
    assert bounds.soon_until == end_of("2026-08-19").astimezone(UTC)
    assert bounds.classify(end_of("2026-08-13")) is Due.OVERDUE
    assert bounds.classify(datetime(2026, 8, 14, 9, 59, tzinfo=WITA)) is Due.OVERDUE
    assert bounds.classify(datetime(2026, 8, 14, 10, 0, tzinfo=WITA)) is Due.TODAY
    assert bounds.classify(end_of("2026-08-14")) is Due.TODAY
    assert bounds.classify(end_of("2026-08-18")) is Due.SOON
    assert bounds.classify(end_of("2026-08-19")) is Due.SOON
    assert bounds.classify(end_of("2026-08-20")) is None
    assert bounds.classify(None) is None


def test_holidays_stretch_soon_over_calendar_days() -> None:
    # Tuesday 17 Mar: Wed 18 .. Tue 24 are Nyepi and Idul Fitri days off; the first two
    # working days after today are Wed 25 and Thu 26, eight and nine calendar days away.
    bounds = due_bounds(CAL, datetime(2026, 3, 17, 8, 0, tzinfo=WITA))
    assert bounds.classify(end_of("2026-03-17")) is Due.TODAY
    assert bounds.classify(end_of("2026-03-25")) is Due.SOON
    assert bounds.classify(end_of("2026-03-26")) is Due.SOON
    assert bounds.classify(end_of("2026-03-27")) is None


def test_today_ends_in_the_agencys_zone() -> None:
    # Fri 14 Aug 16:30 UTC is already Saturday 00:30 in WITA but still Friday 23:30 in WIB.
    now = datetime(2026, 8, 14, 16, 30, tzinfo=UTC)
    friday_wib = datetime(2026, 8, 14, 23, 59, 59, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert due_bounds(CAL_WIB, now).classify(friday_wib) is Due.TODAY
    # In WITA the same moment (Fri 23:59:59 WIB = Sat 00:59:59 WITA) is today's (Saturday's).
    assert due_bounds(CAL, now).classify(friday_wib) is Due.TODAY
    assert due_bounds(CAL, now).classify(end_of("2026-08-14")) is Due.OVERDUE


def test_lookups_select_exactly_what_classify_names() -> None:
    bounds = due_bounds(CAL, datetime(2026, 8, 14, 10, 0, tzinfo=WITA))
    deadlines: list[datetime | None] = [None, bounds.now, bounds.end_of_today,
                                        bounds.soon_until]
    deadlines += [end_of(f"2026-08-{d:02d}") for d in range(10, 25)]
    deadlines += [datetime(2026, 8, 14, h, tzinfo=WITA) for h in range(24)]
    runs = [(k,) for k in DUE_ORDER] + [RUNNING, DUE_ORDER, (Due.OVERDUE, Due.TODAY)]
    for kinds in runs:
        lookups = bounds.lookups(kinds)
        for deadline in deadlines:
            assert _matches(lookups, deadline) == (bounds.classify(deadline) in kinds), (
                kinds, deadline)
    assert bounds.lookups(Due.OVERDUE) == {"staff_due_at__lt": bounds.now}
    assert bounds.lookups(RUNNING, field="due") == {"due__gte": bounds.now,
                                                    "due__lte": bounds.soon_until}


def test_lookups_refuse_a_gap() -> None:
    bounds = DueBounds(now=end_of("2026-08-14"), end_of_today=end_of("2026-08-14"),
                       soon_until=end_of("2026-08-19"))
    with pytest.raises(ValueError, match="neighbours"):
        bounds.lookups((Due.OVERDUE, Due.SOON))
    with pytest.raises(ValueError, match="no due class"):
        bounds.lookups(())

"""Working-day arithmetic on real 2026 Indonesian dates (holidays + cuti bersama).

Expected values are worked out by hand from the 2026 calendar below, not recomputed by the code.

March 2026: Fri 13 | Sat 14, Sun 15 | Mon 16, Tue 17 | Wed 18 cuti Nyepi, Thu 19 Nyepi,
Fri 20 cuti Idul Fitri, Sat 21 + Sun 22 Idul Fitri, Mon 23 + Tue 24 cuti Idul Fitri | Wed 25.
May 2026: Thu 14 Kenaikan Yesus Kristus, Fri 15 cuti bersama.
August 2026: Sat 15, Sun 16, Mon 17 Hari Kemerdekaan.
December 2026: Thu 24 cuti Natal, Fri 25 Natal; Fri 2027-01-01 Tahun Baru; Tue 2027-01-05
Isra Mikraj (per the installed ``holidays`` data).
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lapor.workdays.calendar import (
    NATIONAL_MAX_FIRST_FOLLOWUP_DAYS,
    NATIONAL_MAX_HOLD_DAYS,
    NATIONAL_MAX_REPLY_WINDOW_DAYS,
    NATIONAL_MAX_VERIFY_DAYS,
    RESOLUTION_TIERS,
    TIMEZONES,
    WorkCalendar,
    indonesian_calendar,
    national_days_off,
)

WITA = ZoneInfo("Asia/Makassar")  # UTC+8, e.g. Kutai Timur
WIB = ZoneInfo("Asia/Jakarta")  # UTC+7

CAL = indonesian_calendar(tz_name=TIMEZONES["WITA"], years=[2026, 2027])
CAL_WIB = indonesian_calendar(tz_name=TIMEZONES["WIB"], years=[2026, 2027])


def wita(iso: str) -> datetime:
    """``wita("2026-03-13 22:30")``: a wall-clock time in WITA (UTC+8)."""
    return datetime.fromisoformat(iso).replace(tzinfo=WITA)


def utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC)


def test_holidays_data_has_the_2026_dates_the_tests_rely_on() -> None:
    off = national_days_off([2026, 2027])
    expected = {
        date(2026, 3, 18),  # cuti bersama Nyepi
        date(2026, 3, 19),  # Nyepi
        date(2026, 3, 20),  # cuti bersama Idul Fitri
        date(2026, 3, 21),  # Idul Fitri 1447 H
        date(2026, 3, 22),  # Idul Fitri day 2
        date(2026, 3, 23),  # cuti bersama Idul Fitri
        date(2026, 3, 24),  # cuti bersama Idul Fitri
        date(2026, 5, 14),  # Kenaikan Yesus Kristus
        date(2026, 5, 15),  # cuti bersama
        date(2026, 8, 17),  # Hari Kemerdekaan
        date(2026, 12, 24),  # cuti bersama Natal
        date(2026, 12, 25),  # Natal
        date(2027, 1, 1),  # Tahun Baru
        date(2027, 1, 5),  # Isra Mikraj
    }
    assert expected <= off
    for d in (date(2026, 3, 16), date(2026, 3, 17), date(2026, 3, 25), date(2026, 12, 28)):
        assert d not in off


def test_national_days_off_is_cached_per_set_of_years() -> None:
    assert national_days_off([2027, 2026]) is national_days_off((2026, 2027, 2026))


def test_constants() -> None:
    assert NATIONAL_MAX_VERIFY_DAYS == 3
    assert NATIONAL_MAX_FIRST_FOLLOWUP_DAYS == 5
    assert RESOLUTION_TIERS == (2, 5, 14, 60)
    assert NATIONAL_MAX_REPLY_WINDOW_DAYS == 10
    assert NATIONAL_MAX_HOLD_DAYS == 10
    assert TIMEZONES == {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def test_is_working_day() -> None:
    assert CAL.is_working_day(date(2026, 3, 13))  # Friday
    assert not CAL.is_working_day(date(2026, 3, 14))  # Saturday
    assert not CAL.is_working_day(date(2026, 3, 15))  # Sunday
    assert not CAL.is_working_day(date(2026, 3, 19))  # Nyepi
    assert not CAL.is_working_day(date(2026, 3, 23))  # cuti bersama Idul Fitri
    assert CAL.is_working_day(date(2026, 3, 25))


def test_friday_night_wita_verify_deadline_crosses_nyepi_and_idul_fitri() -> None:
    # Friday 2026-03-13 22:30 WITA (14:30 UTC) is day 0. HK 1 = Mon 16, HK 2 = Tue 17,
    # Wed 18 .. Tue 24 are all off (cuti Nyepi, Nyepi, cuti/Idul Fitri, weekend, cuti);
    # HK 3 = Wed 25.
    submitted = utc("2026-03-13 14:30")
    assert submitted == wita("2026-03-13 22:30")
    due = CAL.deadline(submitted, NATIONAL_MAX_VERIFY_DAYS)
    assert due == utc("2026-03-25 15:59:59")
    assert due.tzinfo is UTC
    assert due.astimezone(WITA) == wita("2026-03-25 23:59:59")
    # 5 HK: Wed 25 (3), Thu 26 (4), Fri 27 (5).
    assert CAL.deadline(submitted, 5) == utc("2026-03-27 15:59:59")
    assert CAL.add_working_days(date(2026, 3, 13), 3) == date(2026, 3, 25)


def test_deadline_crosses_christmas_week() -> None:
    # Day 0 Tue 2026-12-22. HK 1 = Wed 23; Thu 24 cuti, Fri 25 Natal, weekend;
    # HK 2..5 = Mon 28, Tue 29, Wed 30, Thu 31.
    start = wita("2026-12-22 10:00")
    assert CAL.deadline(start, 5) == utc("2026-12-31 15:59:59")
    # ...then Fri 2027-01-01 off, weekend, HK 6 = Mon 4, Tue 5 Isra Mikraj, HK 7..9 = Wed 6 ..
    # Fri 8, weekend, HK 10 = Mon 2027-01-11.
    assert CAL.deadline(start, 10) == utc("2027-01-11 15:59:59")
    # Without the Christmas days off, 5 HK would be Wed 23, Thu 24, Fri 25, Mon 28, Tue 29.
    bare = WorkCalendar(days_off=frozenset(), tz=WITA)
    assert bare.deadline(start, 5) == utc("2026-12-29 15:59:59")


def test_local_day_off_shifts_deadline_by_one_day() -> None:
    # Fri 2026-10-09, 1 HK: Mon 12 normally; Kutai Timur's anniversary (12 Oct) as a local day
    # off pushes it to Tue 13.
    start = wita("2026-10-09 09:00")
    assert CAL.deadline(start, 1) == utc("2026-10-12 15:59:59")
    local = indonesian_calendar(
        tz_name="Asia/Makassar", years=[2026], extra_days_off=[date(2026, 10, 12)]
    )
    assert not local.is_working_day(date(2026, 10, 12))
    assert local.deadline(start, 1) == utc("2026-10-13 15:59:59")
    assert local.deadline(start, 3) == utc("2026-10-15 15:59:59")  # Tue 13, Wed 14, Thu 15


def test_day_zero_on_a_saturday() -> None:
    # Saturday is day 0 even though it is not a working day: 1 HK is Monday 2026-03-16.
    assert CAL.deadline(wita("2026-03-14 09:00"), 1) == utc("2026-03-16 15:59:59")
    # Sat 2026-08-15: Sun 16, Mon 17 (Kemerdekaan) off, so 1 HK is Tue 18.
    assert CAL.add_working_days(date(2026, 8, 15), 1) == date(2026, 8, 18)
    assert CAL.deadline(wita("2026-08-15 08:00"), 1) == utc("2026-08-18 15:59:59")


def test_zero_days() -> None:
    assert CAL.add_working_days(date(2026, 3, 13), 0) == date(2026, 3, 13)
    assert CAL.add_working_days(date(2026, 3, 19), 0) == date(2026, 3, 19)  # Nyepi
    # End of day 0 itself, even when day 0 is a holiday.
    assert CAL.deadline(utc("2026-03-13 14:30"), 0) == utc("2026-03-13 15:59:59")
    assert CAL.deadline(wita("2026-03-19 07:00"), 0) == utc("2026-03-19 15:59:59")


def test_utc_time_that_is_already_the_next_day_in_wita() -> None:
    # Mon 2026-03-16 16:30 UTC is Tue 17 00:30 WITA but still Mon 16 23:30 WIB.
    moment = utc("2026-03-16 16:30")
    # WITA: day 0 Tue 17, Wed 18 .. Tue 24 off, 1 HK = Wed 25.
    assert CAL.deadline(moment, 1) == utc("2026-03-25 15:59:59")
    # WIB: day 0 Mon 16, 1 HK = Tue 17, 23:59:59 WIB = 16:59:59 UTC.
    assert CAL_WIB.deadline(moment, 1) == utc("2026-03-17 16:59:59")
    # A datetime expressed in another zone is converted first.
    assert CAL.deadline(moment.astimezone(WIB), 1) == utc("2026-03-25 15:59:59")


def test_pause_and_resume() -> None:
    # Submitted Mon 2026-05-11 09:00 WITA with 3 HK to verify.
    submitted = wita("2026-05-11 09:00")
    assert CAL.deadline(submitted, 3) == utc("2026-05-18 15:59:59")  # Tue 12, Wed 13, Mon 18
    # Put on hold Tue 12 15:00: one working day (Tue 12) used, 2 remain.
    held = wita("2026-05-12 15:00")
    used = CAL.working_days_used(submitted, held)
    assert used == 1
    # Resumed Wed 13 16:00: Wed 13 is the new day 0; Thu 14 Kenaikan, Fri 15 cuti, weekend;
    # HK 1 = Mon 18, HK 2 = Tue 19.
    resumed = wita("2026-05-13 16:00")
    assert CAL.resume_deadline(resumed, 3 - used) == utc("2026-05-19 15:59:59")


def test_working_days_used() -> None:
    start = wita("2026-05-11 09:00")
    assert CAL.working_days_used(start, wita("2026-05-11 23:00")) == 0  # same day
    assert CAL.working_days_used(start, wita("2026-05-08 09:00")) == 0  # before start
    assert CAL.working_days_used(start, wita("2026-05-18 08:00")) == 3  # Tue 12, Wed 13, Mon 18
    # Across Nyepi/Idul Fitri: Fri 13 -> Wed 25 uses Mon 16, Tue 17, Wed 25.
    assert CAL.working_days_used(utc("2026-03-13 14:30"), wita("2026-03-25 01:00")) == 3


def test_rejects_naive_datetimes_and_negative_days() -> None:
    naive = datetime(2026, 3, 13, 22, 30)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        CAL.deadline(naive, 3)
    with pytest.raises(ValueError, match="aware"):
        CAL.working_days_used(naive, utc("2026-03-20 00:00"))
    with pytest.raises(ValueError, match=">= 0"):
        CAL.add_working_days(date(2026, 3, 13), -1)
    with pytest.raises(ValueError, match=">= 0"):
        CAL.resume_deadline(utc("2026-03-13 00:00"), -1)


def test_sixty_working_days() -> None:
    # From Fri 2026-03-13, 60 HK: 2 in March before the break, then from Wed 25 Mar.
    # Counted: Mar 16,17,25,26,27,30,31 (7); Apr 1,2,6-10,13-17,20-24,27-30 (21; Fri 3 off) -> 28;
    # May 4-8 (5), 11-13 (3), 18-22 (5), 25,26,29 (3; Wed 27 Idul Adha, Thu 28 cuti) -> 44;
    # Fri May 1 off; Jun 2-5 (4; Mon 1 Pancasila) -> 48, Jun 8-12 -> 53, Jun 15,17,18,19
    # (Tue 16 Tahun Baru Islam) -> 57, Jun 22, 23, 24 -> 60.
    assert CAL.add_working_days(date(2026, 3, 13), 60) == date(2026, 6, 24)


# --- properties -------------------------------------------------------------------------------

PROP_CAL = indonesian_calendar(tz_name="Asia/Makassar", years=range(2025, 2030))
starts = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
days = st.integers(min_value=0, max_value=60)
local_dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@given(start=starts, n=days)
def test_deadline_is_end_of_a_working_day(start: datetime, n: int) -> None:
    due = PROP_CAL.deadline(start, n)
    assert due.tzinfo is UTC
    local = due.astimezone(WITA)
    assert (local.hour, local.minute, local.second, local.microsecond) == (23, 59, 59, 0)
    if n == 0:
        assert local.date() == start.astimezone(WITA).date()
    else:
        assert PROP_CAL.is_working_day(local.date())
    assert due > start


@given(start=starts, a=days, b=days)
def test_deadline_is_monotonic_in_n(start: datetime, a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    if lo == hi:
        assert PROP_CAL.deadline(start, lo) == PROP_CAL.deadline(start, hi)
    else:
        assert PROP_CAL.deadline(start, lo) < PROP_CAL.deadline(start, hi)


@given(d=local_dates, a=days, b=days)
def test_add_working_days_composes(d: date, a: int, b: int) -> None:
    # Holds for every a, b >= 0 because day 0 never counts: after a > 0 steps the intermediate
    # date is a working day that is itself day 0 of the second leg; for a == 0 it is d itself.
    assert PROP_CAL.add_working_days(d, a + b) == PROP_CAL.add_working_days(
        PROP_CAL.add_working_days(d, a), b
    )


@given(start=starts, n=days)
@settings(max_examples=200)
def test_exactly_n_working_days_in_between(start: datetime, n: int) -> None:
    due = PROP_CAL.deadline(start, n)
    first = start.astimezone(WITA).date()
    last = due.astimezone(WITA).date()
    counted = sum(
        PROP_CAL.is_working_day(first + timedelta(days=i))
        for i in range(1, (last - first).days + 1)
    )
    assert counted == n
    assert PROP_CAL.working_days_used(start, due) == n


@given(start=starts, n=days, hold=days, pause=st.integers(min_value=0, max_value=30))
def test_pause_keeps_used_days(start: datetime, n: int, hold: int, pause: int) -> None:
    # Hold after `hold` calendar days (before the deadline), resume `pause` days later:
    # the used days plus the remaining days after resumption add up to n.
    held = start + timedelta(days=hold)
    if held > PROP_CAL.deadline(start, n):
        return
    used = PROP_CAL.working_days_used(start, held)
    assert 0 <= used <= n
    resumed = held + timedelta(days=pause)
    due = PROP_CAL.resume_deadline(resumed, n - used)
    assert PROP_CAL.working_days_used(resumed, due) == n - used
    assert due >= PROP_CAL.deadline(start, n) or pause == 0

"""The report's deadline rules (lapor.reports.deadlines), pure: which deadline the holder must
meet in each status (``staff_due_at``), the resolution tier, the first follow-up never after
the resolution deadline. The services and the benchmark seed both use these functions."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from lapor.orgs.models import Sop
from lapor.reports.deadlines import (
    DEFAULT_RESOLUTION_DAYS,
    disposition_deadlines,
    resolution_days_for,
    sop_calendar,
    staff_due_at,
)
from lapor.reports.states import Status

WITA = ZoneInfo("Asia/Makassar")
VERIFY = datetime(2026, 8, 6, 15, 59, 59, tzinfo=UTC)
FOLLOWUP = datetime(2026, 8, 13, 15, 59, 59, tzinfo=UTC)
RESOLUTION = datetime(2026, 8, 27, 15, 59, 59, tzinfo=UTC)
DUES = {"verify_due_at": VERIFY, "followup_due_at": FOLLOWUP, "resolution_due_at": RESOLUTION}


def test_staff_due_at_in_every_status() -> None:
    posted = datetime(2026, 8, 10, 9, 0, tzinfo=WITA)
    expected = {
        Status.SUBMITTED: (VERIFY, VERIFY),
        Status.ON_HOLD: (None, None),  # the reporter's clock
        Status.DISPOSED: (FOLLOWUP, RESOLUTION),
        Status.IN_PROGRESS: (FOLLOWUP, RESOLUTION),
        Status.RESPONDED: (None, None),  # the reporter's reply window
        Status.CLOSED: (None, None),
        Status.ARCHIVED: (None, None),
    }
    assert set(expected) == set(Status)
    for status, (before, after) in expected.items():
        assert staff_due_at(status, **DUES) == before, status
        assert staff_due_at(status, **DUES, first_followup_at=posted) == after, status


def test_resolution_tier() -> None:
    assert resolution_days_for(chosen=None, category_days=None) == DEFAULT_RESOLUTION_DAYS == 14
    assert resolution_days_for(chosen=None, category_days=5) == 5
    assert resolution_days_for(chosen=2, category_days=5) == 2
    assert resolution_days_for(chosen=60, category_days=5) == 5  # never longer than the category
    assert resolution_days_for(chosen=60, category_days=None) == 60


def test_first_follow_up_never_after_resolution() -> None:
    calendar = sop_calendar(Sop(timezone="WITA"), days_off=(), years=[2026])
    start = datetime(2026, 8, 3, 9, 0, tzinfo=WITA)  # Mon 3 Aug
    # 5 HK: Tue 4 .. Mon 10 Aug; 14 HK: Mon 24 Aug (Mon 17 Aug is Independence Day).
    assert disposition_deadlines(Sop(first_followup_days=5), calendar, start, 14) == (
        datetime(2026, 8, 10, 15, 59, 59, tzinfo=UTC),
        datetime(2026, 8, 24, 15, 59, 59, tzinfo=UTC),
    )
    # A 2-HK tier: both Wed 5 Aug.
    two = datetime(2026, 8, 5, 15, 59, 59, tzinfo=UTC)
    assert disposition_deadlines(Sop(first_followup_days=5), calendar, start, 2) == (two, two)

"""Dates in the agency's zone and working days left, as officers and citizens read them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.template import Context, Template
from django.utils import translation

from lapor.core import clock
from lapor.web.templatetags.lapor_ui import local_date, local_datetime, status_class
from lapor.workdays.calendar import indonesian_calendar

# 29 Nov 2026 06:05 UTC = 14:05 WITA = 13:05 WIB = 15:05 WIT.
MOMENT = datetime(2026, 11, 29, 6, 5, tzinfo=UTC)


def test_datetime_in_indonesian_with_the_agency_zone() -> None:
    with translation.override("id"):
        assert local_datetime(MOMENT, "WITA") == "29 November 2026 14.05 WITA"
        assert local_datetime(MOMENT, "WIT") == "29 November 2026 15.05 WIT"
        assert local_datetime(MOMENT, None) == "29 November 2026 13.05 WIB"
        assert local_datetime(None, "WITA") == "—"


def test_datetime_in_english() -> None:
    with translation.override("en"):
        assert local_datetime(MOMENT, "Asia/Makassar").startswith("29 November 2026 2:05")
        assert local_datetime(MOMENT, "Asia/Makassar").endswith("WITA")


def test_the_local_date_can_be_the_next_day() -> None:
    late = datetime(2026, 11, 29, 16, 30, tzinfo=UTC)  # 00:30 WITA on the 30th
    with translation.override("id"):
        assert local_date(late, "WITA") == "30 November 2026"
        assert local_date(late, "WIB") == "29 November 2026"


def test_working_days_left_skips_weekends_and_holidays() -> None:
    cal = indonesian_calendar(tz_name="Asia/Makassar", years=[2026, 2027])
    friday = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    due_tuesday = cal.deadline(friday, 2)  # Mon 7, Tue 8 December
    assert cal.working_days_left(friday, due_tuesday) == 2
    assert cal.working_days_left(due_tuesday, due_tuesday) == 0
    # Christmas (25 Dec, Friday) and cuti bersama (24 Dec) are not counted as overdue days.
    after_christmas = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)
    due_23 = datetime(2026, 12, 23, 15, 59, 59, tzinfo=UTC)
    days_off = {d for d in cal.days_off if date(2026, 12, 23) < d < date(2026, 12, 28)}
    assert date(2026, 12, 25) in days_off
    assert cal.working_days_left(after_christmas, due_23) == -1


def test_working_days_left_tag_reads_the_clock() -> None:
    cal = indonesian_calendar(tz_name="Asia/Makassar", years=[2026, 2027])
    template = Template("{% load lapor_ui %}{% working_days_left cal due %}")
    due = cal.deadline(datetime(2026, 12, 4, 2, 0, tzinfo=UTC), 2)
    with clock.frozen(datetime(2026, 12, 4, 2, 0, tzinfo=UTC)):
        with translation.override("id"):
            assert template.render(Context({"cal": cal, "due": due})) == "2 hari kerja lagi"
        with translation.override("en"):
            assert template.render(Context({"cal": cal, "due": due})) == "2 working days left"
    with clock.frozen(datetime(2026, 12, 10, 2, 0, tzinfo=UTC)), translation.override("id"):
        assert template.render(Context({"cal": cal, "due": due})) == "terlambat 2 hari kerja"
    # Friday's deadline seen on Sunday: no working day has passed, but it is late.
    with clock.frozen(datetime(2026, 12, 13, 2, 0, tzinfo=UTC)), translation.override("id"):
        friday = cal.deadline(datetime(2026, 12, 9, 2, 0, tzinfo=UTC), 2)
        assert template.render(Context({"cal": cal, "due": friday})) == "terlambat"
    assert Template("{% load lapor_ui %}{% working_days_left None None %}").render(
        Context()) == ""


def test_status_badges_have_a_class_each() -> None:
    statuses = ["submitted", "on_hold", "archived", "disposed", "in_progress", "responded",
                "closed"]
    assert all(status_class(s) != "badge--muted" for s in statuses if s != "archived")
    assert status_class("unknown") == "badge--muted"


def test_deadline_filter_reads_the_day_in_the_active_language() -> None:
    # End of Wed 9 Dec 2026 on a WIB clock: 00:59:59 WITA on the 10th, still the 9th's deadline.
    due = datetime(2026, 12, 9, 16, 59, 59, tzinfo=UTC)
    template = Template("{% load lapor_ui %}{{ due|deadline:'WITA' }}")
    with translation.override("id"):
        assert template.render(Context({"due": due})) == (
            "Rabu, 9 Desember 2026, akhir hari kerja WITA")
    with translation.override("en"):
        assert template.render(Context({"due": due})) == (
            "Wednesday, 9 December 2026, end of working day WITA")
    assert Template("{% load lapor_ui %}{{ due|deadline:'WIT' }}").render(
        Context({"due": None})) == "—"

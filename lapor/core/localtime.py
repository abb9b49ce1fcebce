"""How times are written for people: one helper for every page, message and export.

Indonesia has three zones (Keppres 41/1987): WIB (UTC+7), WITA (UTC+8) and WIT (UTC+9). Every
time about a report is shown in *the report's zone* (:func:`lapor.reports.zones.report_zone`),
with the zone's abbreviation, so the same event reads the same on the tracking page, the public
page, the workspace, a message and an export.

* A moment (an event, a submission) reads ``10 Desember 2026 15.12 WITA``.
* A deadline is the end of a working day, never a minute: ``Kamis, 10 Desember 2026, akhir hari
  kerja WITA`` (:func:`format_deadline`). Deadlines are stored as 23:59:59 local time of the
  agency whose clock set them (:mod:`lapor.workdays.calendar`); converted to a zone further east
  that instant is past midnight ("0.59 WITA" for a WIB clock), so a deadline is never written as a
  time. Its day is :func:`deadline_day`.

The template filters of :mod:`lapor.web.templatetags.lapor_ui` call these functions; Python
code that writes a text (messages, exports) calls them directly. The words are chosen by
``language`` (``id``/``en``) or, when it is not given, by the active Django language.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import formats, translation

from lapor.core.language import active_language, normalise

# Indonesian time zones (Keppres 41/1987): abbreviation -> IANA name, west to east.
TIMEZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
DEFAULT_ZONE = "WIB"
_ABBREVIATION = {name: abbr for abbr, name in TIMEZONES.items()}
# The westernmost zone: every end of day of the three zones (23:59:59 WIB, 22:59:59 WIB for
# WITA, 21:59:59 WIB for WIT) falls on the same date there.
_WESTERNMOST = ZoneInfo(TIMEZONES["WIB"])
_END_OF_WORKING_DAY = {"id": "akhir hari kerja", "en": "end of working day"}


def zone_info(zone: str | None) -> ZoneInfo:
    """``zone`` is an abbreviation (``WITA``) or an IANA name; WIB when missing."""
    name = zone or DEFAULT_ZONE
    return ZoneInfo(TIMEZONES.get(name, name))


def zone_abbreviation(zone: str | None) -> str:
    """``WITA`` for ``WITA`` or ``Asia/Makassar``; an unknown IANA name stays as it is."""
    key = zone_info(zone).key
    return _ABBREVIATION.get(key, key)


def _language(language: str | None) -> str:
    """``language`` if given, else the active one (both as ``id``/``en``)."""
    return normalise(language) if language else active_language()


def format_moment(value: datetime | None, zone: str | None, *,
                  language: str | None = None) -> str:
    """``10 Desember 2026 15.12 WITA`` (Indonesian) / ``10 December 2026 3:12 p.m. WITA``;
    ``—`` for no value."""
    if value is None:
        return "—"
    local = value.astimezone(zone_info(zone))
    with translation.override(_language(language)):
        text = f"{formats.date_format(local, 'j F Y')} {formats.time_format(local, 'TIME_FORMAT')}"
    return f"{text} {zone_abbreviation(zone)}"


def format_date(value: datetime | None, zone: str | None, *,
                language: str | None = None) -> str:
    """The calendar date of ``value`` in ``zone``: ``10 Desember 2026``; ``—`` for no value."""
    if value is None:
        return "—"
    with translation.override(_language(language)):
        return formats.date_format(value.astimezone(zone_info(zone)), "j F Y")


def deadline_day(value: datetime) -> date:
    """The working day a stored deadline ends: its date in WIB.

    A deadline is 23:59:59 in the zone of the agency whose clock set it; the three zones are
    at most two hours apart and WIB is the westernmost, so that instant falls on the same date
    in WIB whichever zone set it (further east it may already be the next day).
    """
    return value.astimezone(_WESTERNMOST).date()


def format_deadline(value: datetime | None, zone: str | None, *,
                    language: str | None = None) -> str:
    """``Kamis, 10 Desember 2026, akhir hari kerja WITA`` / ``Thursday, 10 December 2026, end
    of working day WITA``; ``—`` for no value. Never a time of day (see the module doc)."""
    if value is None:
        return "—"
    chosen = _language(language)
    with translation.override(chosen):
        day = formats.date_format(deadline_day(value), "l, j F Y")
    return f"{day}, {_END_OF_WORKING_DAY[chosen]} {zone_abbreviation(zone)}"

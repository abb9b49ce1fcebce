"""Reading GeoReport v2 parameters: an optional parameter sent empty counts as not sent."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.http import QueryDict

from lapor.open311.render import Open311Error

# Spec: a GET requests search "may not span more than 90 days"; the default is the last 90.
WINDOW = timedelta(days=90)
LIST_MAX = 100
# Longer values are refused before any parsing (a description's own limit is 4,000).
VALUE_MAX = 10_000
# Dates outside these years are refused (and window arithmetic can never overflow).
YEARS = (1970, 9000)


def optional(data: QueryDict, name: str) -> str | None:
    """The parameter's stripped value, or ``None`` when absent or empty."""
    value = data.get(name)
    if value is None:
        return None
    value = value.strip()
    if len(value) > VALUE_MAX:
        raise Open311Error(400, f"{name} is too long")
    return value or None


def comma_list(data: QueryDict, name: str) -> list[str]:
    """A comma-separated parameter (repeated parameters are joined), empty items dropped."""
    items: list[str] = []
    for raw in data.getlist(name):
        if len(raw) > VALUE_MAX:
            raise Open311Error(400, f"{name} is too long")
        items += [part.strip() for part in raw.split(",") if part.strip()]
    if len(items) > LIST_MAX:
        raise Open311Error(400, f"{name}: at most {LIST_MAX} values")
    return items


def check_jurisdiction(data: QueryDict) -> None:
    """``jurisdiction_id`` is optional (one jurisdiction per endpoint); a wrong one is a 404."""
    given = optional(data, "jurisdiction_id")
    if given is not None and given != settings.LAPOR_OPEN311_JURISDICTION:
        raise Open311Error(404, "jurisdiction_id provided was not found")


def w3c_datetime(data: QueryDict, name: str) -> datetime | None:
    """A W3C datetime with a time zone (``2010-01-01T00:00:00Z`` or ``…+08:00``)."""
    value = optional(data, name)
    if value is None:
        return None
    text = value[:-1] + "+00:00" if value[-1:] in ("Z", "z") else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Open311Error(
            400, f"{name} must be a W3C datetime with a time zone, eg 2010-01-01T00:00:00Z"
        ) from None
    if "T" not in text.upper() or moment.tzinfo is None:
        raise Open311Error(
            400, f"{name} must be a W3C datetime with a time zone, eg 2010-01-01T00:00:00Z")
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise Open311Error(400, f"{name} is out of range")
    return moment


def date_window(data: QueryDict, now: datetime) -> tuple[datetime, datetime]:
    """``[start, end]`` of a search: the last 90 days by default, never more than 90 days."""
    start, end = w3c_datetime(data, "start_date"), w3c_datetime(data, "end_date")
    if start is None:
        return (now - WINDOW, now) if end is None else (end - WINDOW, end)
    if end is None:
        return start, start + WINDOW
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > WINDOW:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return start, end

"""Worker processes of ``lapor stats rebuild --workers N``.

They are spawned, so this module is imported before Django is set up: it reaches the models
only inside :func:`start`, after ``django.setup()``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import django
from django.db import connections

_state: dict[str, Any] = {}


def start(database_name: str, now: datetime) -> None:
    """Set up one worker: Django, the parent's database (a test database too), calendars."""
    django.setup()
    connections["default"].settings_dict["NAME"] = database_name
    # Imported here, after django.setup(): this module is a spawned process's entry point and
    # these import models.
    from lapor.stats import facts, ranges  # noqa: PLC0415

    _state.update(now=now, calendars=facts.Calendars(), fact_rows=ranges.fact_rows)


def rows(bounds: tuple[int, int]) -> list[tuple[Any, ...]]:
    """The fact rows of the reports whose id is in ``(low, high]``."""
    return _state["fact_rows"](*bounds, now=_state["now"], calendars=_state["calendars"])

"""The deadline vocabulary staff read, defined once: overdue, due today, due soon.

Pure (no database): a stored deadline (``Report.staff_due_at``, an aware UTC datetime, the end
of a working day) is read against *now* and one agency's :class:`~lapor.workdays.calendar.
WorkCalendar`, whose time zone says where "today" ends.

**Decision** (the rule the workspace inbox has always shown, docs/workspace.md "Inbox"; before
this module the API's ``due_soon`` filter meant "by the end of the next working day" and the
daily digest "within two calendar days"; both now read the words the same way):

* **overdue** ("nilai merah"): the deadline has passed, ``deadline < now``;
* **due today** ("jatuh tempo hari ini"): ``now <= deadline <=`` 23:59:59 of today, local;
* **due soon** ("segera jatuh tempo"): after today, up to the end of the
  :data:`DUE_SOON_WORKING_DAYS`-th (2nd) working day after today on the agency's calendar: one
  working day of warning before the "today" tab, like the SOP reminder on the working day
  before the due day. Weekends, holidays and cuti bersama do not count: on a Friday before a
  long weekend, "soon" reaches past it to the second working day after it;
* anything later, or no deadline (the clock is the reporter's): none of these.

The three are disjoint and in that order. "Due" without a qualifier (the daily digest's due
count, the API's ``due_soon=true``) is today *or* soon: running, not overdue, within the
window. :meth:`DueBounds.classify` names the class of one deadline (a badge, a digest line);
:meth:`DueBounds.lookups` gives the same classes as Django field lookups for a database filter
(an inbox tab, its count, the digest's query), so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lapor.workdays.calendar import WorkCalendar

# Working days after today that "due soon" reaches (docs/workspace.md "Inbox").
DUE_SOON_WORKING_DAYS = 2


class Due(StrEnum):
    """The classes of a running deadline, in time order (also the inbox tab names)."""

    OVERDUE = "overdue"
    TODAY = "today"
    SOON = "soon"


DUE_ORDER = (Due.OVERDUE, Due.TODAY, Due.SOON)
# Not overdue but within the window: what "due" means in a count beside "overdue".
RUNNING = (Due.TODAY, Due.SOON)


@dataclass(frozen=True)
class DueBounds:
    """The moments that split deadlines into the classes, for one calendar at one ``now``
    (aware UTC datetimes)."""

    now: datetime
    end_of_today: datetime  # 23:59:59 local of now's local date
    soon_until: datetime  # 23:59:59 local of the DUE_SOON_WORKING_DAYS-th working day after

    def classify(self, deadline: datetime | None) -> Due | None:
        """The class of ``deadline`` (``None``: no deadline, or later than "soon")."""
        if deadline is None:
            return None
        if deadline < self.now:
            return Due.OVERDUE
        if deadline <= self.end_of_today:
            return Due.TODAY
        if deadline <= self.soon_until:
            return Due.SOON
        return None

    def lookups(
        self, kinds: Due | Iterable[Due], field: str = "staff_due_at"
    ) -> dict[str, datetime]:
        """Field lookups (``{"staff_due_at__gte": …, "staff_due_at__lte": …}``) selecting exactly
        the deadlines :meth:`classify` puts in ``kinds``: one class, or a run of neighbouring
        ones (``(Due.TODAY, Due.SOON)``; ``DUE_ORDER`` for everything up to "soon", overdue
        included). A null deadline matches none."""
        chosen = sorted({Due(k) for k in ([kinds] if isinstance(kinds, str) else kinds)},
                        key=DUE_ORDER.index)
        if not chosen:
            raise ValueError("no due class given")
        first, last = DUE_ORDER.index(chosen[0]), DUE_ORDER.index(chosen[-1])
        if len(chosen) != last - first + 1:
            raise ValueError(f"due classes must be neighbours: {chosen}")
        found: dict[str, datetime] = {}
        if chosen[0] == Due.TODAY:
            found[f"{field}__gte"] = self.now
        elif chosen[0] == Due.SOON:
            found[f"{field}__gt"] = self.end_of_today
        if chosen[-1] == Due.OVERDUE:
            found[f"{field}__lt"] = self.now
        elif chosen[-1] == Due.TODAY:
            found[f"{field}__lte"] = self.end_of_today
        else:
            found[f"{field}__lte"] = self.soon_until
        return found


def due_bounds(calendar: WorkCalendar, now: datetime) -> DueBounds:
    """The bounds of the classes at ``now`` (aware) on ``calendar`` (the agency whose staff
    read them: its time zone ends "today", its working days count "soon")."""
    return DueBounds(now=now, end_of_today=calendar.deadline(now, 0),
                     soon_until=calendar.deadline(now, DUE_SOON_WORKING_DAYS))

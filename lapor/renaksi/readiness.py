"""Readiness of each perangkat daerah and kecamatan, computed from the system, never typed
(docs/renaksi.md "Readiness").

For every unit of an agency (:func:`lapor.renaksi.services.plan_units`) one :class:`Cell` per
:class:`~lapor.renaksi.models.Indicator`:

- ``liaison``: liaison officer accounts on the unit (active users with the role), and how many
  of them have two-factor sign-in enrolled (a confirmed TOTP device). Met: at least one, all
  enrolled.
- ``sop``: the agency's current approved SOP document (number, approval date). Met: approved.
  One SOP covers the agency's units (lapor.sopdoc), so the cell is the same on every row.
- ``training``: the unit's officers who completed a practice scenario in a training space of
  the agency (count, last date). Met: at least one.
- ``first_report``: the first real (non-training) report the unit followed up (date). Met: one.
- ``on_time``: share of the unit's reports whose first follow-up came within its deadline, over
  the last 90 days. Met: at least 80 %; warn 50–80 %; none when the unit had no report.
- ``overdue``: the unit's open reports past their staff deadline now. Met: zero.
- ``satisfaction``: the reporters' mean rating of the unit's closed reports (last 90 days).
  Met: at least 4 of 5; none without ratings.

Each cell carries the link to its source page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from lapor.orgs.models import OrgNode
from lapor.renaksi.models import Indicator

# Levels of a cell, for the colour and the words beside it.
MET = "met"
PARTIAL = "partial"
NOT_MET = "not_met"
NO_DATA = "no_data"


@dataclass(frozen=True)
class Cell:
    indicator: str  # an Indicator value
    level: str  # MET | PARTIAL | NOT_MET | NO_DATA
    text: str  # short words shown in the cell (translated), e.g. "2 dari 3 ber-2FA"
    link: str  # the source page (a path of this site), "" when there is none
    value: float | int | None = None  # the figure itself (count, share 0..1, mean rating)
    on: date | datetime | None = None  # the date that goes with it (approval, last training…)

    @property
    def met(self) -> bool:
        return self.level == MET


@dataclass
class UnitReadiness:
    unit: OrgNode
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.cells.values() if c.met)

    @property
    def ready(self) -> bool:
        """Ready to handle complaints: officers with two-factor, an approved SOP, trained."""
        return all(self.cells[i].met for i in (Indicator.LIAISON, Indicator.SOP,
                                                 Indicator.TRAINING) if i in self.cells)


def agency_readiness(agency: OrgNode, *, units: list[OrgNode] | None = None,
                     ) -> list[UnitReadiness]:
    """Every unit's readiness (or only ``units``), in a bounded number of queries whatever the
    number of units."""
    raise NotImplementedError  # implemented by the readiness work (issue #23)


def indicator_met(agency: OrgNode, indicator: str, units: list[OrgNode]) -> bool:
    """Whether every one of ``units`` meets ``indicator`` now (an activity's proof)."""
    rows = agency_readiness(agency, units=units)
    return bool(rows) and all(r.cells[indicator].met for r in rows)

"""What one report contributes to the statistics now: a pure computation from its row.

Definitions (docs/statistics.md "Definitions"):

* **Verification** is the first verifier decision: disposition (``verified_at``) or an archive
  other than "incomplete" (an archive after an unanswered question is the reporter's silence,
  not the verifier's speed). On time when it happened by ``verify_due_at``; overdue when the
  report still waits for verification past that deadline (on hold the clock pauses).
* **First follow-up** applies to reports disposed to an agency: on time when
  ``first_followup_at <= followup_due_at``; overdue when still missing past the deadline.
  Its duration is counted in working days of the holding agency's calendar from the
  disposition (``verified_at``) to the first follow-up (lapor.workdays.calendar).
* **Resolution** is the final follow-up (``responded_at``) or a closure; on time when by
  ``resolution_due_at``. A reopened report is pending again with its new deadline.
* **Overdue** ("nilai merah") is an open report whose ``staff_due_at`` has passed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from lapor.orgs.models import DayOff, NodeKind, OrgNode, Sop
from lapor.reports.states import HANDLING_STATUSES, OPEN_STATUSES, ArchiveReason, Status
from lapor.stats.models import StepState
from lapor.workdays.calendar import TIMEZONES, WorkCalendar, indonesian_calendar

# The report columns a fact is computed from (``Report.objects.values(*REPORT_FIELDS)``).
REPORT_FIELDS = (
    "id", "status", "submitted_at", "verified_at", "first_followup_at", "responded_at",
    "closed_at", "verify_due_at", "followup_due_at", "resolution_due_at", "staff_due_at",
    "rating", "archive_reason", "category_id", "channel", "type", "region_id", "tier_id",
    "agency_id", "current_node_id",
)
FOLLOWUP_DAYS_CAP = 60  # histogram buckets 0..60; longer waits count in the last one
FACT_FIELDS = (
    "node_id", "node_path", "day", "month", "status", "category_id", "channel", "type",
    "region", "is_open", "staff_due_at", "verify", "followup_eligible", "followup",
    "followup_days", "resolution", "responded", "reopened", "rating", "overdue",
    "next_check_at",
)


@dataclass(frozen=True)
class NodeInfo:
    path: str
    owner_id: int  # the agency (or root) whose SOP and calendar apply


class Calendars:
    """Node paths, time zones and working calendars, loaded once per maintenance run.

    ``only``: just these nodes, their agencies and the root (a page naming a few nodes, e.g.
    the overdue list, instead of the whole national tree)."""

    def __init__(self, only: Iterable[int] | None = None) -> None:
        fields = ("id", "path", "kind", "agency_id")
        if only is None:
            nodes = list(OrgNode.objects.values_list(*fields))
        else:
            nodes = list(OrgNode.objects.filter(Q(pk__in=set(only)) | Q(kind=NodeKind.ROOT))
                         .values_list(*fields))
            missing = {a for _, _, _, a in nodes if a} - {i for i, _, _, _ in nodes}
            nodes += OrgNode.objects.filter(pk__in=missing).values_list(*fields)
        self.root_id = next((i for i, _, k, _ in nodes if k == NodeKind.ROOT), 0)
        self.nodes = {
            i: NodeInfo(path=p, owner_id=a if (a and k != NodeKind.ROOT) else (
                i if k == NodeKind.ROOT else self.root_id))
            for i, p, k, a in nodes
        }
        sops, offs = Sop.objects.all(), DayOff.objects.all()
        if only is not None:
            owners = {info.owner_id for info in self.nodes.values()} | {self.root_id}
            sops, offs = sops.filter(node_id__in=owners), offs.filter(node_id__in=owners)
        zones = dict(sops.values_list("node_id", "timezone"))
        self.zones = {i: zones.get(i) or zones.get(self.root_id) or "WIB" for i in self.nodes}
        self.days_off: dict[int, list[date]] = {}
        for node_id, day in offs.values_list("node_id", "date"):
            self.days_off.setdefault(node_id, []).append(day)

    def node(self, node_id: int) -> NodeInfo:
        return self.nodes[node_id]

    @functools.cache  # noqa: B019  (one instance per maintenance run)
    def zone_tz(self, node_id: int) -> ZoneInfo:
        """The time zone of the agency (or root) owning ``node_id``."""
        return ZoneInfo(TIMEZONES[self.zones[self.nodes[node_id].owner_id]])

    @functools.cache  # noqa: B019  (one instance per maintenance run)
    def calendar(self, owner_id: int, year: int) -> WorkCalendar:
        return indonesian_calendar(tz_name=TIMEZONES[self.zones[owner_id]],
                                   years=range(year - 1, year + 2),
                                   extra_days_off=self.days_off.get(owner_id, ()))


def district_of(region_code: str) -> str:
    """The kecamatan code of a region code (``64.08.04.2001`` → ``64.08.04``)."""
    return ".".join(region_code.split(".")[:3])


def _step(done_at: datetime | None, due: datetime | None) -> StepState:
    if done_at is None:
        return StepState.NONE
    return StepState.ON_TIME if due is None or done_at <= due else StepState.LATE


class _Pending:
    """Collects the future deadlines of pending steps (the fact's next check)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.moments: list[datetime] = []

    def state(self, due: datetime | None) -> StepState:
        if due is None:
            return StepState.NONE
        if due < self.now:
            return StepState.OVERDUE
        self.moments.append(due)
        return StepState.NONE


def _verification(row: dict[str, Any], pending: _Pending) -> StepState:
    status = row["status"]
    if row["verified_at"] is not None:
        return _step(row["verified_at"], row["verify_due_at"])
    if status == Status.ARCHIVED and row["archive_reason"] != ArchiveReason.INCOMPLETE:
        return _step(row["closed_at"], row["verify_due_at"])
    if status == Status.SUBMITTED:
        return pending.state(row["verify_due_at"])
    return StepState.NONE


def _first_followup(row: dict[str, Any], pending: _Pending,
                    calendars: Calendars) -> tuple[bool, StepState, int | None]:
    """(eligible, state, working days from disposition to the first follow-up)."""
    eligible = row["verified_at"] is not None and (
        row["followup_due_at"] is not None or row["first_followup_at"] is not None)
    if not eligible:
        return False, StepState.NONE, None
    if row["first_followup_at"] is not None:
        owner = calendars.node(row["agency_id"] or row["current_node_id"]).owner_id
        calendar = calendars.calendar(owner, row["verified_at"].year)
        days = min(FOLLOWUP_DAYS_CAP, calendar.working_days_used(
            row["verified_at"], row["first_followup_at"]))
        return True, _step(row["first_followup_at"], row["followup_due_at"]), days
    if row["status"] in HANDLING_STATUSES:
        return True, pending.state(row["followup_due_at"]), None
    closed, due = row["closed_at"], row["followup_due_at"]
    late = closed is not None and due is not None and closed > due
    return True, StepState.LATE if late else StepState.NONE, None


def _resolution(row: dict[str, Any], pending: _Pending) -> StepState:
    """Pending while the agency works on it (also after a reopen)."""
    status = row["status"]
    if status in (Status.DISPOSED, Status.IN_PROGRESS):
        return pending.state(row["resolution_due_at"])
    if status in (Status.RESPONDED, Status.CLOSED) and row["resolution_due_at"] is not None:
        return _step(row["responded_at"] or row["closed_at"], row["resolution_due_at"])
    return StepState.NONE


def compute_fact(row: dict[str, Any], *, reopened: bool, now: datetime,
                 calendars: Calendars) -> dict[str, Any]:
    """The fact fields (:data:`FACT_FIELDS`) of the report ``row`` at ``now``."""
    status = row["status"]
    node = calendars.node(row["current_node_id"])
    local_day = row["submitted_at"].astimezone(calendars.zone_tz(row["tier_id"])).date()
    pending = _Pending(now)
    verify = _verification(row, pending)
    eligible, followup, followup_days = _first_followup(row, pending, calendars)
    resolution = _resolution(row, pending)
    is_open = status in OPEN_STATUSES
    due = row["staff_due_at"]
    overdue = is_open and due is not None and due < now
    if is_open and due is not None and due >= now:
        pending.moments.append(due)
    return {
        "node_id": row["current_node_id"],
        "node_path": node.path,
        "day": local_day,
        "month": local_day.replace(day=1),
        "status": status,
        "category_id": row["category_id"],
        "channel": row["channel"],
        "type": row["type"],
        "region": district_of(row["region_id"]),
        "is_open": is_open,
        "staff_due_at": due if is_open else None,
        "verify": int(verify),
        "followup_eligible": eligible,
        "followup": int(followup),
        "followup_days": followup_days,
        "resolution": int(resolution),
        "responded": row["responded_at"] is not None,
        "reopened": reopened,
        "rating": row["rating"],
        "overdue": overdue,
        "next_check_at": min(pending.moments) if pending.moments else None,
    }

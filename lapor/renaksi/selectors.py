"""Reads of a Renaksi, always starting from what the actor may see (404 otherwise).

An activity's *state* is derived, not stored beside its status: ``done`` (status done, or its
proof indicator met by every unit it involves: "proven"), ``late`` (not done and its planned end
has passed in the agency's local date), ``cancelled``, ``in_progress`` or ``planned``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet

from lapor.core.errors import NotFound
from lapor.orgs.actors import Actor
from lapor.orgs.models import OrgNode
from lapor.renaksi.models import Activity, ActivityStatus, Plan
from lapor.renaksi.permissions import activities_visible_to, can_read_plan, plans_visible_to
from lapor.renaksi.readiness import UnitReadiness

DONE = "done"
PROVEN = "proven"  # done because its proof indicator is met, whatever its typed status
LATE = "late"
CANCELLED = "cancelled"
IN_PROGRESS = "in_progress"
PLANNED = "planned"


def plans_for(actor: Actor) -> QuerySet[Plan]:
    return plans_visible_to(actor).order_by("agency__path", "-start_year", "id")


def plan_for(actor: Actor, plan_id: int) -> Plan:
    plan = plans_visible_to(actor).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("not_found")
    return plan


def _activities(actor: Actor, plan: Plan) -> QuerySet[Activity]:
    rows = Activity.objects.filter(plan=plan)
    if not can_read_plan(actor, plan.agency):
        rows = rows.filter(pk__in=activities_visible_to(actor).values("pk"))
    return (rows.select_related("owner")
            .prefetch_related(Prefetch("units", queryset=OrgNode.objects.order_by("depth", "pk")),
                              "evidence")
            .order_by("planned_start", "planned_end", "id"))


def activities_for(actor: Actor, plan: Plan) -> list[Activity]:
    """The plan's activities the actor sees, with units, owner and evidence, in date order."""
    return list(_activities(actor, plan))


def activity_for(actor: Actor, activity_id: int) -> Activity:
    activity = (activities_visible_to(actor).filter(pk=activity_id)
                .select_related("plan__agency", "owner").first())
    if activity is None:
        raise NotFound("not_found")
    return activity


def activity_state(activity: Activity, *, today: date, proof_met: bool | None) -> str:
    """The derived state (module docstring). ``proof_met`` is ``None`` without a proof."""
    if activity.status == ActivityStatus.CANCELLED:
        return CANCELLED
    if activity.status == ActivityStatus.DONE:
        return DONE
    if proof_met:
        return PROVEN
    if activity.planned_end < today:
        return LATE
    if activity.status == ActivityStatus.IN_PROGRESS or activity.planned_start <= today:
        return IN_PROGRESS
    return PLANNED


@dataclass(frozen=True)
class ActivityRow:
    activity: Activity
    state: str
    proof_met: bool | None  # None: no proof indicator named


def activity_rows(activities: list[Activity], *, today: date,
                  readiness: dict[int, UnitReadiness]) -> list[ActivityRow]:
    """Each activity with its state; ``readiness`` is the agency's, by unit id
    (:func:`lapor.renaksi.readiness.agency_readiness`)."""
    rows = []
    for activity in activities:
        proof_met: bool | None = None
        if activity.proof_indicator:
            units = list(activity.units.all())
            proof_met = bool(units) and all(
                u.pk in readiness and readiness[u.pk].cells[activity.proof_indicator].met
                for u in units)
        rows.append(ActivityRow(activity=activity, proof_met=proof_met,
                                state=activity_state(activity, today=today,
                                                     proof_met=proof_met)))
    return rows

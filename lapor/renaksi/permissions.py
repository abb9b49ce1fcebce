"""Who may read and write a Renaksi (docs/renaksi.md "Who sees what").

- The hub of the plan's agency (admin koordinator) and a system administrator above it write:
  the same people who edit the agency's SOP (:func:`lapor.orgs.permissions.can_edit_sop`).
- Pimpinan (supervisor) and auditors covering the agency, and the national level above it,
  read the whole plan and the readiness matrix.
- A liaison officer or unit officer of a unit reads the plan's activities that involve a unit
  they cover or that they own, and that unit's readiness; nothing else of the plan.
- Anyone else: the plan does not exist for them (404 by construction: lists start from
  :func:`plans_visible_to` and :func:`activities_visible_to`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lapor.orgs.actors import Actor
from lapor.orgs.models import OrgNode, Role
from lapor.orgs.permissions import can_edit_sop
from lapor.renaksi.models import Activity, Plan

READER_ROLES = (Role.HUB_VERIFIER, Role.SUPERVISOR, Role.AUDITOR, Role.SYSADMIN,
                Role.NATIONAL_VERIFIER)
UNIT_ROLES = (Role.LIAISON, Role.UNIT_OFFICER)


def can_write_plan(actor: Actor, agency: OrgNode) -> bool:
    """Create, change and delete plans, activities and evidence of ``agency``."""
    return actor.is_staff and can_edit_sop(actor, agency)


def can_read_plan(actor: Actor, agency: OrgNode) -> bool:
    """Read the whole plan of ``agency`` and every unit's readiness."""
    return actor.is_staff and actor.covering(agency, READER_ROLES) is not None


def can_read_unit(actor: Actor, unit: OrgNode) -> bool:
    """Read one unit's readiness: the plan's readers, or a liaison/unit officer of the unit."""
    if not actor.is_staff:
        return False
    agency = unit.agency if unit.agency_id and unit.agency_id != unit.pk else unit
    if agency is not None and can_read_plan(actor, agency):
        return True
    # An officer of the unit or of a sub-unit of it (a bidang, a puskesmas).
    return any(a.role in UNIT_ROLES and (a.covers(unit) or a.node_path.startswith(unit.path))
               for a in actor.assignments)


def _unit_paths(actor: Actor) -> list[str]:
    return [a.node_path for a in actor.assignments if a.role in UNIT_ROLES]


def plans_visible_to(actor: Actor) -> QuerySet[Plan]:
    """Plans whose agency the actor reads whole, plus plans with an activity the actor sees."""
    if not actor.is_staff:
        return Plan.objects.none()
    whole = [a.node_path for a in actor.assignments if a.role in READER_ROLES]
    condition = Q(pk__in=[])
    for path in whole:
        condition |= Q(agency__path__startswith=path)
    activities = activities_visible_to(actor).values("plan_id")
    return Plan.objects.filter(condition | Q(pk__in=activities)).select_related("agency")


def activities_visible_to(actor: Actor) -> QuerySet[Activity]:
    """Activities of wholly readable plans; for a liaison or unit officer, the activities that
    involve a unit inside (or above, for an officer of a sub-unit) their node, or that they own."""
    if not actor.is_staff:
        return Activity.objects.none()
    condition = Q(pk__in=[])
    for a in actor.assignments:
        if a.role in READER_ROLES:
            condition |= Q(plan__agency__path__startswith=a.node_path)
    paths = _unit_paths(actor)
    for path in paths:
        condition |= Q(units__path__startswith=path)
        # An officer of a sub-unit (a bidang, a puskesmas) sees its unit's activities.
        condition |= Q(units__path__in=_ancestor_paths(path))
    if paths and actor.user is not None:
        condition |= Q(owner=actor.user)
    ids = Activity.objects.filter(condition).values("pk")
    return Activity.objects.filter(pk__in=ids)


def _ancestor_paths(path: str) -> list[str]:
    """``/1/7/42/`` → ``["/1/", "/1/7/", "/1/7/42/"]``."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]

"""Who may read and write a Renaksi (docs/renaksi.md "Who sees what").

- The hub of the plan's agency (admin koordinator) and a system administrator above it write:
  the same people who edit the agency's SOP (:func:`lapor.orgs.permissions.can_edit_sop`).
- Pimpinan (supervisor) and auditors covering the agency, and the national level above it,
  read the whole plan and the readiness matrix.
- Whoever holds a role on a unit (its liaison officer, unit officer, its own pimpinan — a
  Kadis — or auditor) reads the plan's activities that involve that unit, and that unit's
  readiness; nothing else of the plan (not its description, not other units).
- The officer responsible for an activity (its owner) reads it while they hold a role inside
  the plan's agency (moving to another agency ends it).
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
# Roles that read a unit's part of the plan when held on the unit (or a sub-unit of it).
UNIT_ROLES = (Role.LIAISON, Role.UNIT_OFFICER, Role.SUPERVISOR, Role.AUDITOR)


def can_write_plan(actor: Actor, agency: OrgNode) -> bool:
    """Create, change and delete plans, activities and evidence of ``agency``."""
    return actor.is_staff and can_edit_sop(actor, agency)


def can_read_plan(actor: Actor, agency: OrgNode) -> bool:
    """Read the whole plan of ``agency`` and every unit's readiness."""
    return actor.is_staff and actor.covering(agency, READER_ROLES) is not None


def can_read_unit(actor: Actor, unit: OrgNode) -> bool:
    """Read one unit's readiness: the plan's readers, or whoever holds a role of
    :data:`UNIT_ROLES` on the unit or a sub-unit of it."""
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


def ancestor_paths(path: str) -> list[str]:
    """``/1/7/42/`` → ``["/1/", "/1/7/", "/1/7/42/"]``."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _agency_paths(actor: Actor) -> list[str]:
    """Paths of every node at or above one of the actor's roles: a plan whose agency is one of
    them is a plan of an agency the actor works in."""
    return sorted({p for a in actor.assignments for p in ancestor_paths(a.node_path)})


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
    for path in _unit_paths(actor):
        condition |= Q(units__path__startswith=path)
        # An officer of a sub-unit (a bidang, a puskesmas) sees its unit's activities.
        condition |= Q(units__path__in=ancestor_paths(path))
    if actor.user is not None:
        # The officer responsible, while they work in the plan's agency.
        condition |= Q(owner=actor.user, plan__agency__path__in=_agency_paths(actor))
    ids = Activity.objects.filter(condition).values("pk")
    return Activity.objects.filter(pk__in=ids)


def owner_reads(activity: Activity) -> bool:
    """Whether the activity's owner still works in the plan's agency (active, with a role on
    an active node inside it): else the reminders go to the hub."""
    owner = activity.owner
    return bool(owner is not None and owner.is_active and owner.role_assignments.filter(
        node__is_active=True, node__path__startswith=activity.plan.agency.path).exists())

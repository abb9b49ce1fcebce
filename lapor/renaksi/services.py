"""The only writes of a Renaksi: plans, activities, their status (docs/renaksi.md).

Each function checks first (the actor may write the plan's agency; dates in order; units inside
the agency), then writes in one transaction with an audit entry. Evidence files are added by
:mod:`lapor.renaksi.evidence`; reminders by :mod:`lapor.renaksi.reminders`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone as dj_timezone

from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.core.localtime import zone_info
from lapor.core.text import clean_text
from lapor.orgs.actors import Actor
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.selectors import sop_for
from lapor.renaksi.evidence import evidence_files_discard
from lapor.renaksi.models import Activity, ActivityKind, ActivityStatus, Evidence, Indicator, Plan
from lapor.renaksi.permissions import can_write_plan

User = get_user_model()

TITLE_MAX = 200
DESCRIPTION_MAX = 4_000
YEAR_MIN, YEAR_MAX = 2000, 2100


def agency_today(agency: OrgNode) -> date:
    """Today's date in the agency's time zone (its SOP's WIB/WITA/WIT)."""
    return dj_timezone.localtime(clock.now(), zone_info(sop_for(agency).timezone)).date()


def _require_writer(actor: Actor, agency: OrgNode) -> None:
    if not can_write_plan(actor, agency):
        raise PermissionDenied("permission_denied")


def _years(start_year: int, end_year: int) -> tuple[int, int]:
    if not YEAR_MIN <= start_year <= YEAR_MAX:
        raise ValidationFailed("validation_error", field="start_year")
    if not start_year <= end_year <= YEAR_MAX:
        raise ValidationFailed("validation_error", field="end_year")
    return start_year, end_year


def plan_units(agency: OrgNode) -> list[OrgNode]:
    """The perangkat daerah and kecamatan of ``agency``: its active units, in tree order."""
    return list(OrgNode.objects.filter(parent=agency, kind=NodeKind.UNIT, is_active=True)
                .order_by("pk"))  # siblings: by id is tree order


def _units(agency: OrgNode, codes: Iterable[str]) -> list[OrgNode]:
    wanted = list(dict.fromkeys(codes))
    found = {n.code: n for n in OrgNode.objects.filter(code__in=wanted, parent=agency,
                                                       kind=NodeKind.UNIT)}
    if len(found) != len(wanted):
        raise ValidationFailed("unknown_node", field="units")
    return [found[c] for c in wanted]


def _owner(agency: OrgNode, username: str | None) -> User | None:  # type: ignore[valid-type]
    if not username:
        return None
    owner = User.objects.filter(username=username, is_active=True,
                                role_assignments__node__path__startswith=agency.path).first()
    if owner is None:
        raise ValidationFailed("unknown_user", field="owner")
    return owner


@transaction.atomic
def plan_create(*, actor: Actor, agency: OrgNode, title: str, start_year: int, end_year: int,
                description: str = "") -> Plan:
    """A new Renaksi of ``agency`` for the years ``start_year``–``end_year``."""
    _require_writer(actor, agency)
    if agency.kind != NodeKind.AGENCY:
        # A Renaksi is an agency's (a regency's, a ministry's): its units are the agency's.
        raise ValidationFailed("validation_error", field="agency")
    title = clean_text(title, field="title", max_length=TITLE_MAX, min_length=3)
    description = clean_text(description, field="description", max_length=DESCRIPTION_MAX,
                             multiline=True)
    start_year, end_year = _years(start_year, end_year)
    now = clock.now()
    plan = Plan.objects.create(agency=agency, title=title, start_year=start_year,
                               end_year=end_year, description=description,
                               created_by=actor.user, created_at=now, updated_at=now)
    audit_record(action="renaksi.plan_create", actor=actor, target_type="renaksi_plan",
                 target_id=plan.pk, payload={"agency": agency.code, "years":
                                             [start_year, end_year]})
    return plan


@transaction.atomic
def plan_update(*, actor: Actor, plan: Plan, title: str | None = None,
                start_year: int | None = None, end_year: int | None = None,
                description: str | None = None) -> Plan:
    """Change what is given (``None`` keeps a field)."""
    plan = Plan.objects.select_for_update().select_related("agency").get(pk=plan.pk)
    _require_writer(actor, plan.agency)
    changed: list[str] = []
    if title is not None:
        plan.title = clean_text(title, field="title", max_length=TITLE_MAX, min_length=3)
        changed.append("title")
    if description is not None:
        plan.description = clean_text(description, field="description",
                                      max_length=DESCRIPTION_MAX, multiline=True)
        changed.append("description")
    if start_year is not None or end_year is not None:
        plan.start_year, plan.end_year = _years(
            plan.start_year if start_year is None else start_year,
            plan.end_year if end_year is None else end_year)
        # A shorter period may not leave an activity outside it.
        outside = plan.activities.filter(Q(planned_start__year__lt=plan.start_year)
                                         | Q(planned_end__year__gt=plan.end_year))
        if outside.exists():
            raise ValidationFailed("outside_plan_period", field="start_year"
                                   if start_year is not None else "end_year")
        changed += ["start_year", "end_year"]
    if changed:
        plan.updated_at = clock.now()
        plan.save(update_fields=[*changed, "updated_at"])
        audit_record(action="renaksi.plan_update", actor=actor, target_type="renaksi_plan",
                     target_id=plan.pk, payload={"fields": sorted(set(changed))})
    return plan


def _activity_fields(*, plan: Plan, kind: str, planned_start: date, planned_end: date,
                     proof_indicator: str) -> None:
    if kind not in ActivityKind.values:
        raise ValidationFailed("validation_error", field="kind")
    if proof_indicator and proof_indicator not in Indicator.values:
        raise ValidationFailed("validation_error", field="proof_indicator")
    if planned_end < planned_start:
        raise ValidationFailed("dates_out_of_order", field="planned_end")
    if not (plan.start_year <= planned_start.year and planned_end.year <= plan.end_year):
        raise ValidationFailed("outside_plan_period", field="planned_start")


def _status(status: str, done_on: date | None, *, agency: OrgNode) -> tuple[str, date | None]:
    if status not in ActivityStatus.values:
        raise ValidationFailed("validation_error", field="status")
    if status == ActivityStatus.DONE:
        if done_on is None:
            raise ValidationFailed("required", field="done_on")
        # Not in the future of the agency's own calendar (07:30 WITA is still the UTC eve).
        if done_on > agency_today(agency):
            raise ValidationFailed("validation_error", field="done_on")
        return status, done_on
    return status, None


@transaction.atomic
def activity_create(*, actor: Actor, plan: Plan, kind: str, title: str, planned_start: date,
                    planned_end: date, unit_codes: Iterable[str] = (), owner: str | None = None,
                    description: str = "", proof_indicator: str = "",
                    status: str = ActivityStatus.PLANNED, done_on: date | None = None,
                    ) -> Activity:
    """A new activity of ``plan``. ``unit_codes`` are units of the plan's agency; ``owner`` a
    username with a role inside the agency."""
    plan = Plan.objects.select_for_update().select_related("agency").get(pk=plan.pk)
    _require_writer(actor, plan.agency)
    title = clean_text(title, field="title", max_length=TITLE_MAX, min_length=3)
    description = clean_text(description, field="description", max_length=DESCRIPTION_MAX,
                             multiline=True)
    _activity_fields(plan=plan, kind=kind, planned_start=planned_start,
                     planned_end=planned_end, proof_indicator=proof_indicator)
    status, done_on = _status(status, done_on, agency=plan.agency)
    units = _units(plan.agency, unit_codes)
    now = clock.now()
    activity = Activity.objects.create(
        plan=plan, kind=kind, title=title, description=description,
        owner=_owner(plan.agency, owner), planned_start=planned_start,
        planned_end=planned_end, status=status, done_on=done_on,
        proof_indicator=proof_indicator, created_at=now, updated_at=now)
    activity.units.set(units)
    audit_record(action="renaksi.activity_create", actor=actor,
                 target_type="renaksi_activity", target_id=activity.pk,
                 payload={"plan": plan.pk, "kind": kind, "units": [u.code for u in units],
                          "status": status})
    return activity


@transaction.atomic
def activity_update(*, actor: Actor, activity: Activity, changes: dict[str, object]) -> Activity:
    """Change an activity. ``changes`` holds any of ``kind``, ``title``, ``description``,
    ``planned_start``, ``planned_end``, ``unit_codes``, ``owner`` (username or ``None``),
    ``proof_indicator``, ``status`` and ``done_on``; unknown keys are refused."""
    allowed = {"kind", "title", "description", "planned_start", "planned_end", "unit_codes",
               "owner", "proof_indicator", "status", "done_on"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed("validation_error", field=sorted(unknown)[0])
    # The plan first (as plan_update and activity_create lock it): a period shortened at the
    # same moment cannot leave this activity's new dates outside it.
    plan = Plan.objects.select_for_update().select_related("agency").get(pk=activity.plan_id)
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    locked.plan = plan
    _require_writer(actor, plan.agency)
    fields: list[str] = []
    if "title" in changes:
        locked.title = clean_text(str(changes["title"] or ""), field="title",
                                  max_length=TITLE_MAX, min_length=3)
        fields.append("title")
    if "description" in changes:
        locked.description = clean_text(str(changes["description"] or ""),
                                        field="description", max_length=DESCRIPTION_MAX,
                                        multiline=True)
        fields.append("description")
    for name in ("kind", "planned_start", "planned_end", "proof_indicator"):
        if name in changes:
            setattr(locked, name, changes[name] if name != "proof_indicator"
                    else (changes[name] or ""))
            fields.append(name)
    _activity_fields(plan=plan, kind=locked.kind, planned_start=locked.planned_start,
                     planned_end=locked.planned_end, proof_indicator=locked.proof_indicator)
    if "owner" in changes:
        locked.owner = _owner(plan.agency, str(changes["owner"] or "") or None)
        fields.append("owner")
    if "status" in changes or "done_on" in changes:
        status = str(changes.get("status", locked.status))
        raw_done = changes.get("done_on", locked.done_on if status == ActivityStatus.DONE
                               else None)
        done_on = raw_done if isinstance(raw_done, date) else None
        locked.status, locked.done_on = _status(status, done_on, agency=plan.agency)
        fields += ["status", "done_on"]
    if "unit_codes" in changes:
        codes = changes["unit_codes"]
        if not isinstance(codes, list | tuple):
            raise ValidationFailed("validation_error", field="units")
        locked.units.set(_units(plan.agency, [str(c) for c in codes]))
    if fields:
        locked.updated_at = clock.now()
        locked.save(update_fields=[*dict.fromkeys(fields), "updated_at"])
    audit_record(action="renaksi.activity_update", actor=actor,
                 target_type="renaksi_activity", target_id=locked.pk,
                 payload={"fields": sorted(set(fields) | ({"units"} if "unit_codes" in changes
                                                          else set())),
                          "status": locked.status})
    return locked


@transaction.atomic
def activity_delete(*, actor: Actor, activity: Activity) -> None:
    """Remove an activity with its evidence rows (their files go after commit)."""
    locked = (Activity.objects.select_for_update().select_related("plan__agency")
              .get(pk=activity.pk))
    _require_writer(actor, locked.plan.agency)
    audit_record(action="renaksi.activity_delete", actor=actor,
                 target_type="renaksi_activity", target_id=locked.pk,
                 payload={"plan": locked.plan_id, "title_length": len(locked.title)})
    names = list(Evidence.objects.filter(activity=locked).values_list("stored_name", flat=True))
    locked.delete()
    if names:
        transaction.on_commit(lambda: evidence_files_discard(names))

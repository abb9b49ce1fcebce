"""Writes to the organisation tree, roles and SOP settings."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from lapor.accounts.models import User
from lapor.audit.services import audit_record
from lapor.core.errors import NotFound, PermissionDenied, ValidationFailed
from lapor.orgs.actors import Actor
from lapor.orgs.models import (
    DayOff,
    EscalationStep,
    NodeKind,
    OrgNode,
    Role,
    RoleAssignment,
    RoutingRule,
    Sop,
)
from lapor.orgs.permissions import can_edit_sop, can_manage_roles
from lapor.orgs.signals import sop_changed
from lapor.regions.zones import region_zone
from lapor.workdays.calendar import (
    NATIONAL_MAX_FIRST_FOLLOWUP_DAYS,
    NATIONAL_MAX_HOLD_DAYS,
    NATIONAL_MAX_REPLY_WINDOW_DAYS,
    NATIONAL_MAX_VERIFY_DAYS,
    RESOLUTION_TIERS,
    TIMEZONES,
)

_KIND_BELOW = {
    NodeKind.ROOT: {NodeKind.AGENCY},
    NodeKind.AGENCY: {NodeKind.UNIT},
    NodeKind.UNIT: {NodeKind.SUBUNIT},
    NodeKind.SUBUNIT: {NodeKind.SUBUNIT},
}


@transaction.atomic
def node_create(
    *,
    code: str,
    name: str,
    kind: str,
    parent: OrgNode | None,
    is_hub: bool = False,
    region_id: str | None = None,
    timezone: str | None = None,
) -> OrgNode:
    """Add a node under ``parent``; computes its materialised path, depth and agency.

    The root and every agency get their SOP row, with national defaults and the time zone given
    or derived from the agency's region. A regency/city hub (region ``PP.RR``) receives its
    region's reports that name no agency by default (``Sop.receives_region_reports``; routing
    waits until it has a hub verifier, lapor.orgs.selectors.region_hub).
    """
    if timezone is not None and timezone not in TIMEZONES:
        raise ValidationFailed("validation_error", field="timezone")
    if kind == NodeKind.ROOT:
        if parent is not None:
            raise ValidationFailed("validation_error", field="parent")
    elif parent is None or kind not in _KIND_BELOW[NodeKind(parent.kind)]:
        raise ValidationFailed("validation_error", field="kind")
    node = OrgNode.objects.create(
        code=code, name=name, kind=kind, parent=parent, is_hub=is_hub, region_id=region_id,
        path="", depth=0,
    )
    node.path = f"{parent.path if parent else '/'}{node.pk}/"
    node.depth = parent.depth + 1 if parent else 0
    if kind == NodeKind.AGENCY:
        node.agency = node
    elif parent is not None:
        node.agency_id = parent.agency_id
    node.save(update_fields=["path", "depth", "agency"])
    if kind in (NodeKind.ROOT, NodeKind.AGENCY):
        Sop.objects.create(node=node, timezone=timezone or zone_for_region(region_id),
                           receives_region_reports=is_regency_hub(node))
    return node


def is_regency_hub(node: OrgNode) -> bool:
    """A hub agency of a regency or city (Kemendagri code ``PP.RR``, e.g. ``64.08``)."""
    return (node.kind == NodeKind.AGENCY and node.is_hub and node.region_id is not None
            and str(node.region_id).count(".") == 1)


def zone_for_region(region_code: str | None) -> str:
    """WIB, WITA or WIT for a Kemendagri region code (WIB when unknown)."""
    return region_zone(region_code)


def role_assign(*, user: User, node: OrgNode, role: str) -> RoleAssignment:
    """Give ``user`` a role on ``node`` (idempotent). Verifier roles need the right node kind."""
    if role not in Role.values:
        raise ValidationFailed("validation_error", field="role")
    if role == Role.NATIONAL_VERIFIER and node.kind != NodeKind.ROOT:
        raise ValidationFailed("validation_error", field="node")
    if role == Role.HUB_VERIFIER and not (node.kind == NodeKind.AGENCY and node.is_hub):
        raise ValidationFailed("validation_error", field="node")
    assignment, created = RoleAssignment.objects.get_or_create(user=user, node=node, role=role)
    if created:
        audit_record(action="role.assign", actor_id=None, target_type="user",
                     target_id=user.pk, payload={"node": node.pk, "role": role})
    return assignment


_SOP_LIMITS = {
    "verify_days": NATIONAL_MAX_VERIFY_DAYS,
    "first_followup_days": NATIONAL_MAX_FIRST_FOLLOWUP_DAYS,
    "reply_window_days": NATIONAL_MAX_REPLY_WINDOW_DAYS,
    "hold_days": NATIONAL_MAX_HOLD_DAYS,
}


def _check_notice_rules(escalate_after_days: int | None, urgent_max_days: int | None) -> None:
    if escalate_after_days is not None and not 1 <= escalate_after_days <= 60:
        raise ValidationFailed("validation_error", field="escalate_after_days")
    # Urgent is a resolution tier of the LAPOR! SOP (or 0: nothing is urgent).
    if urgent_max_days is not None and urgent_max_days not in (0, *RESOLUTION_TIERS):
        raise ValidationFailed("validation_error", field="urgent_max_days")


@transaction.atomic
def sop_update(
    *,
    actor: Actor,
    agency: OrgNode,
    timezone: str | None = None,
    verify_days: int | None = None,
    first_followup_days: int | None = None,
    reply_window_days: int | None = None,
    hold_days: int | None = None,
    escalate_after_days: int | None = None,
    sms_keyword: str | None = None,
    urgent_max_days: int | None = None,
    receives_region_reports: bool | None = None,
) -> Sop:
    """Change an agency's SOP. Deadlines may be shorter than the national maxima, never longer.

    ``receives_region_reports``: whether the agency's hub receives the reports about its region
    that name no agency; only a hub agency with a region can switch it on.
    """
    if agency.kind not in (NodeKind.AGENCY, NodeKind.ROOT):
        raise ValidationFailed("invalid_target", field="agency")
    if not can_edit_sop(actor, agency):
        raise PermissionDenied("permission_denied")
    days = {
        "verify_days": verify_days,
        "first_followup_days": first_followup_days,
        "reply_window_days": reply_window_days,
        "hold_days": hold_days,
    }
    for name, value in days.items():
        if value is not None and not 1 <= value <= _SOP_LIMITS[name]:
            raise ValidationFailed("sla_exceeds_national", field=name)
    if timezone is not None and timezone not in TIMEZONES:
        raise ValidationFailed("validation_error", field="timezone")
    _check_notice_rules(escalate_after_days, urgent_max_days)
    keyword = sms_keyword.strip().upper() if sms_keyword else None
    if keyword is not None and (not keyword.isalnum() or len(keyword) > 20):
        raise ValidationFailed("validation_error", field="sms_keyword")
    if keyword and Sop.objects.filter(sms_keyword=keyword).exclude(node=agency).exists():
        raise ValidationFailed("duplicate", field="sms_keyword")
    _check_region_routing(agency, receives_region_reports)

    sop, _ = Sop.objects.select_for_update().get_or_create(node=agency)
    changed: list[str] = []
    updates: dict[str, int | str | bool | None] = {
        **days, "timezone": timezone, "escalate_after_days": escalate_after_days,
        "urgent_max_days": urgent_max_days,
        "receives_region_reports": receives_region_reports,
    }
    for name, update in updates.items():
        if update is not None:
            setattr(sop, name, update)
            changed.append(name)
    if sms_keyword is not None:
        sop.sms_keyword = keyword or None
        changed.append("sms_keyword")
    if changed:
        sop.save(update_fields=[*changed, "updated_at"])
        audit_record(action="sop.update", actor=actor, target_type="orgnode",
                     target_id=agency.pk, payload={f: getattr(sop, f) for f in changed})
    sop_changed.send(sender=OrgNode, node=agency)
    return sop


def _check_region_routing(agency: OrgNode, receives: bool | None) -> None:
    """Only a hub agency with a region can receive its region's unaddressed reports."""
    if receives and not (agency.kind == NodeKind.AGENCY and agency.is_hub
                         and agency.region_id is not None):
        raise ValidationFailed("invalid_target", field="receives_region_reports")


def day_off_add(*, actor: Actor, agency: OrgNode, day: date, reason: str) -> DayOff:
    if not can_edit_sop(actor, agency):
        raise PermissionDenied("permission_denied")
    if not reason.strip():
        raise ValidationFailed("reason_required", field="reason")
    row, created = DayOff.objects.get_or_create(node=agency, date=day,
                                                defaults={"reason": reason})
    if created:
        audit_record(action="sop.day_off_add", actor=actor, target_type="orgnode",
                     target_id=agency.pk, payload={"date": day})
    sop_changed.send(sender=OrgNode, node=agency)
    return row


def day_off_remove(*, actor: Actor, agency: OrgNode, day: date) -> None:
    if not can_edit_sop(actor, agency):
        raise PermissionDenied("permission_denied")
    deleted, _ = DayOff.objects.filter(node=agency, date=day).delete()
    if not deleted:
        raise NotFound("not_found")
    audit_record(action="sop.day_off_remove", actor=actor, target_type="orgnode",
                 target_id=agency.pk, payload={"date": day})
    sop_changed.send(sender=OrgNode, node=agency)


@transaction.atomic
def routing_rules_replace(
    *, actor: Actor, agency: OrgNode, rules: list[tuple[int | None, str, OrgNode, int]]
) -> list[RoutingRule]:
    """Replace an agency's routing rules with ``(category_id, region_prefix, target, priority)``.

    Every target must be inside the agency's subtree.
    """
    if not can_edit_sop(actor, agency):
        raise PermissionDenied("permission_denied")
    for _, _, target, _ in rules:
        if not agency.contains(target):
            raise ValidationFailed("invalid_target", field="target")
    RoutingRule.objects.filter(agency=agency).delete()
    audit_record(action="sop.routing_rules", actor=actor, target_type="orgnode",
                 target_id=agency.pk, payload={"rules": len(rules)})
    created = RoutingRule.objects.bulk_create(
        RoutingRule(agency=agency, category_id=c, region_prefix=r, target=t, priority=p)
        for c, r, t, p in rules
    )
    sop_changed.send(sender=OrgNode, node=agency)
    return created


@transaction.atomic
def escalation_chain_replace(
    *, actor: Actor, agency: OrgNode, nodes: list[OrgNode]
) -> list[EscalationStep]:
    """Replace the escalation chain: ``nodes[0]`` is told first when a report is overdue."""
    if not can_edit_sop(actor, agency):
        raise PermissionDenied("permission_denied")
    for node in nodes:
        if not (agency.contains(node) or node.contains(agency)):
            raise ValidationFailed("invalid_target", field="nodes")
    EscalationStep.objects.filter(agency=agency).delete()
    audit_record(action="sop.escalation_chain", actor=actor, target_type="orgnode",
                 target_id=agency.pk, payload={"nodes": [n.pk for n in nodes]})
    steps = EscalationStep.objects.bulk_create(
        EscalationStep(agency=agency, order=i, node=n) for i, n in enumerate(nodes, start=1)
    )
    sop_changed.send(sender=OrgNode, node=agency)
    return steps


@transaction.atomic
def role_grant(*, actor: Actor, user: User, node: OrgNode, role: str) -> RoleAssignment:
    """An admin gives ``user`` a role on ``node`` (audited with the admin as actor).
    Check: ``can_manage_roles`` (else 403); the role/node rules of :func:`role_assign`."""
    if role not in Role.values:
        raise ValidationFailed("validation_error", field="role")
    if not node.is_active:
        raise ValidationFailed("unknown_node", field="node")
    if not can_manage_roles(actor, node, role) or OrgNode.objects.filter(
        pk=node.pk, agency__training_space__isnull=False
    ).exists():
        # Roles inside a training space come only with its practice accounts (lapor.training):
        # a trainee acting as admin there must not pull a real officer into the sandbox.
        raise PermissionDenied("permission_denied")
    if RoleAssignment.objects.filter(user=user, node=node, role=role).exists():
        raise ValidationFailed("duplicate", field="role")
    assignment = role_assign(user=user, node=node, role=role)
    audit_record(action="role.grant", actor=actor, target_type="user", target_id=user.pk,
                 payload={"node": node.pk, "role": role})
    sop_changed.send(sender=OrgNode, node=node)
    return assignment


@transaction.atomic
def role_revoke(*, actor: Actor, assignment_id: int) -> None:
    """An admin takes a role away (audited). Not one's own: an admin cannot lock themselves
    out by mistake. 404 for an assignment outside what the actor manages."""
    assignment = (RoleAssignment.objects.select_for_update(of=("self",))
                  .select_related("node", "node__agency").filter(pk=assignment_id).first())
    if assignment is None or not can_manage_roles(actor, assignment.node):
        raise NotFound("not_found")
    if not can_manage_roles(actor, assignment.node, assignment.role):
        raise PermissionDenied("permission_denied")
    if actor.user is not None and assignment.user_id == actor.user.pk:
        raise ValidationFailed("validation_error", field="assignment")
    payload = {"node": assignment.node_id, "role": assignment.role}
    user_id = assignment.user_id
    assignment.delete()
    audit_record(action="role.revoke", actor=actor, target_type="user", target_id=user_id,
                 payload=payload)
    sop_changed.send(sender=OrgNode, node=assignment.node)

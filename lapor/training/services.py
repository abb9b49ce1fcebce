"""Writes of the training sandbox: create a space, its practice accounts, reset, delete.

A space mirrors a real agency: a training hub agency under the national root (code
``latihan-<code>``) with a copy of the agency's active units, its SOP deadlines, time zone,
days off, routing rules and escalation chain (mapped onto the copies), then filled with
practice reports submitted through the normal submission service with ``practice=True``.
Every write is checked (:func:`can_train`), runs in one transaction and is audited.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from lapor.accounts.models import User
from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.core.text import clean_text
from lapor.orgs.actors import PUBLIC, Actor
from lapor.orgs.models import DayOff, EscalationStep, NodeKind, OrgNode, Role, RoutingRule, Sop
from lapor.orgs.permissions import can_edit_sop
from lapor.orgs.selectors import node_root, node_subtree, sop_for
from lapor.orgs.services import node_create, role_assign
from lapor.reports.models import Report
from lapor.reports.submission import report_submit
from lapor.sopdoc.models import SopVersion
from lapor.training.models import PracticeAccount, TrainingSpace
from lapor.training.practice import practice_texts

REPORT_COUNT_MAX = 100
NAME_MAX = 120
# Roles a trainee may hold in a space (the verifier role only on the training hub itself).
TRAINEE_ROLES = (Role.HUB_VERIFIER, Role.LIAISON, Role.UNIT_OFFICER, Role.SUPERVISOR)
# Practice reports arrive spread over the last few days, so some deadlines are already close.
FILL_SPREAD_HOURS = 96
# Crockford base 32 (no I, L, O, U): a one-time password read aloud in a classroom.
_PASSWORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # noqa: S105  (an alphabet)
PASSWORD_GROUPS = 4


def in_training_space(node: OrgNode) -> bool:
    """True for the nodes of any training space (their agency is a space's root)."""
    return OrgNode.objects.filter(pk=node.pk, agency__training_space__isnull=False).exists()


def can_train(actor: Actor, agency: OrgNode) -> bool:
    """Trainers are the admins of a real agency (``can_edit_sop``: its hub verifiers, or system
    administrators above it). A training hub never gets a space of its own."""
    return (agency.kind == NodeKind.AGENCY and can_edit_sop(actor, agency)
            and not in_training_space(agency))


def _require_trainer(actor: Actor, agency: OrgNode) -> None:
    if not can_train(actor, agency):
        raise PermissionDenied("permission_denied")


def _new_code() -> str:
    while True:
        code = secrets.token_hex(3)
        if not TrainingSpace.objects.filter(code=code).exists():
            return code


def _node_code(space_code: str, original: OrgNode) -> str:
    code = f"latihan-{space_code}-{original.code}"
    if len(code) > 80 or OrgNode.objects.filter(code=code).exists():
        code = f"latihan-{space_code}-n{original.pk}"
    return code


def _mirror(agency: OrgNode, code: str, name: str) -> tuple[OrgNode, dict[int, OrgNode]]:
    """The training hub and copies of the agency's active units, with its SOP settings."""
    sop = sop_for(agency)
    root = node_create(code=f"latihan-{code}", name=name, kind=NodeKind.AGENCY,
                       parent=node_root(), is_hub=True, region_id=agency.region_id,
                       timezone=sop.timezone)
    # A copy of the settings at creation, not an SOP change: no audit entry, no SOP draft.
    Sop.objects.filter(node=root).update(
        verify_days=sop.verify_days, first_followup_days=sop.first_followup_days,
        reply_window_days=sop.reply_window_days, hold_days=sop.hold_days,
        escalate_after_days=sop.escalate_after_days, urgent_max_days=sop.urgent_max_days,
        # Real reports never enter a space (lapor.orgs.selectors.region_hub excludes it too).
        receives_region_reports=False)
    DayOff.objects.bulk_create(DayOff(node=root, date=d.date, reason=d.reason)
                               for d in DayOff.objects.filter(node=agency))
    copies: dict[int, OrgNode] = {agency.pk: root}
    units = node_subtree(agency).filter(is_active=True).exclude(pk=agency.pk)
    for unit in units.order_by("depth", "path"):
        parent = copies.get(unit.parent_id or 0)
        if parent is None:
            continue
        copies[unit.pk] = node_create(code=_node_code(code, unit), name=unit.name,
                                      kind=unit.kind, parent=parent, region_id=unit.region_id)
    RoutingRule.objects.bulk_create(
        RoutingRule(agency=root, category_id=r.category_id, region_prefix=r.region_prefix,
                    target=copies[r.target_id], priority=r.priority)
        for r in RoutingRule.objects.filter(agency=agency) if r.target_id in copies)
    steps = [s for s in EscalationStep.objects.filter(agency=agency).order_by("order")
             if s.node_id in copies]
    EscalationStep.objects.bulk_create(
        EscalationStep(agency=root, order=i, node=copies[s.node_id])
        for i, s in enumerate(steps, start=1))
    return root, copies


def _fill(space: TrainingSpace) -> int:
    """Submit the space's practice reports, spread over the last days (submission service,
    ``practice=True``: they get ``is_training`` and wait in the training hub's pool)."""
    now = clock.now()
    texts = practice_texts(agency=space.agency, count=space.report_count)
    step = FILL_SPREAD_HOURS / max(1, len(texts))
    for index, text in enumerate(texts):
        moment = now - timedelta(hours=FILL_SPREAD_HOURS - index * step)
        with clock.frozen(moment):
            report_submit(
                actor=PUBLIC, practice=True, target_agency_code=space.root.code,
                type=text.type, title=text.title, body=text.body,
                region_code=text.region_code, category_code=text.category_code,
                address=text.address, channel=text.channel,
                reporter_name=text.reporter_name, is_anonymous=text.is_anonymous)
    return len(texts)


@transaction.atomic
def training_space_create(*, actor: Actor, agency: OrgNode, name: str = "",
                          report_count: int = 12) -> TrainingSpace:
    """A new space mirroring ``agency``, filled with ``report_count`` practice reports."""
    _require_trainer(actor, agency)
    if not 1 <= report_count <= REPORT_COUNT_MAX:
        raise ValidationFailed("validation_error", field="report_count")
    name = clean_text(name, field="name", max_length=NAME_MAX) or f"Latihan {agency.name}"
    code = _new_code()
    root, copies = _mirror(agency, code, f"LATIHAN · {agency.name}"[:200])
    space = TrainingSpace.objects.create(
        code=code, name=name, agency=agency, root=root, report_count=report_count,
        created_by=actor.user, created_at=clock.now())
    filled = _fill(space)
    audit_record(action="training.create", actor=actor, target_type="training_space",
                 target_id=space.pk, payload={"agency": agency.pk, "nodes": len(copies),
                                              "reports": filled})
    return space


@dataclass(frozen=True)
class NewPracticeAccount:
    account: PracticeAccount
    # Shown once to the trainer; only its hash is stored.
    password: str


def _password() -> str:
    raw = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4 * PASSWORD_GROUPS))
    return "-".join(raw[i: i + 4] for i in range(0, len(raw), 4))


@transaction.atomic
def practice_account_create(*, actor: Actor, space: TrainingSpace, trainee_name: str,
                            roles: list[tuple[OrgNode, str]]) -> NewPracticeAccount:
    """A practice account for a trainee, with roles only inside ``space``, and a generated
    one-time password returned once. The trainee sets up two-factor sign-in at first login,
    as every staff member does."""
    _require_trainer(actor, space.agency)
    trainee_name = clean_text(trainee_name, field="trainee_name", max_length=NAME_MAX,
                              min_length=2)
    if not roles:
        raise ValidationFailed("validation_error", field="roles")
    for node, role in roles:
        if role not in TRAINEE_ROLES:
            raise ValidationFailed("validation_error", field="role")
        if not space.root.contains(node) or (role == Role.HUB_VERIFIER
                                             and node.pk != space.root_id):
            raise ValidationFailed("invalid_target", field="node")
    number = PracticeAccount.objects.filter(space=space).count() + 1
    while User.objects.filter(username=f"latihan-{space.code}-{number:02d}").exists():
        number += 1
    password = _password()
    user = User.objects.create_user(username=f"latihan-{space.code}-{number:02d}",
                                    password=password,
                                    display_name=f"{trainee_name} (latihan)"[:120])
    for node, role in roles:
        role_assign(user=user, node=node, role=role)
    account = PracticeAccount.objects.create(space=space, user=user, trainee_name=trainee_name,
                                             created_at=clock.now())
    audit_record(action="training.account_create", actor=actor, target_type="training_space",
                 target_id=space.pk, payload={"user": user.pk,
                                              "roles": [[n.code, r] for n, r in roles]})
    return NewPracticeAccount(account=account, password=password)


def _space_reports(space: TrainingSpace) -> int:
    """Delete the space's practice reports with everything hanging on them (events,
    dispositions, contacts, outbox rows, in-app notices, deadline notices)."""
    reports = Report.objects.filter(is_training=True, tier=space.root)
    count = reports.count()
    reports.delete()
    return count


def _locked(space: TrainingSpace) -> TrainingSpace:
    return TrainingSpace.objects.select_for_update().select_related("agency", "root").get(
        pk=space.pk)


@transaction.atomic
def training_space_reset(*, actor: Actor, space: TrainingSpace) -> int:
    """Delete every practice report of the space and fill it again; accounts and roles stay.
    Returns the number of new practice reports."""
    _require_trainer(actor, space.agency)
    space = _locked(space)
    deleted = _space_reports(space)
    filled = _fill(space)
    space.reset_at = clock.now()
    space.save(update_fields=["reset_at"])
    audit_record(action="training.reset", actor=actor, target_type="training_space",
                 target_id=space.pk, payload={"deleted": deleted, "reports": filled})
    return filled


@transaction.atomic
def training_space_delete(*, actor: Actor, space: TrainingSpace) -> None:
    """Remove everything of the space: practice reports, accounts (their users), nodes and
    their settings, then the space itself."""
    _require_trainer(actor, space.agency)
    space = _locked(space)
    deleted = _space_reports(space)
    users = User.objects.filter(practice_account__space=space)
    accounts = users.count()
    nodes = list(node_subtree(space.root).order_by("-depth", "-id"))
    SopVersion.objects.filter(agency__in=nodes).delete()
    users.delete()
    space_id, root = space.pk, space.root
    space.delete()
    # Nodes point at their agency and parent with PROTECT: unhook the agency links, then
    # delete the deepest first.
    OrgNode.objects.filter(pk__in=[n.pk for n in nodes]).update(agency=None)
    for node in nodes:
        node.delete()
    audit_record(action="training.delete", actor=actor, target_type="training_space",
                 target_id=space_id, payload={"root": root.code, "reports": deleted,
                                              "accounts": accounts, "nodes": len(nodes)})

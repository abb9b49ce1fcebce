"""Reads of the training sandbox: the spaces a trainer manages, and what each trainee did.

"On time" compares each action with the deadline it answers, as stored on the practice report
(verification actions with ``verify_due_at``, the first follow-up with ``followup_due_at``, the
final follow-up with ``resolution_due_at``). Actions without a deadline of their own (forward,
hand back, notes) are listed without a verdict. Reports overdue right now count against every
trainee whose role covers the node holding them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Max

from lapor.core import clock
from lapor.core.errors import NotFound
from lapor.orgs.actors import HANDLER_ROLES, VERIFIER_ROLES, Actor
from lapor.orgs.models import OrgNode, RoleAssignment, tree_order
from lapor.orgs.selectors import agencies_administered
from lapor.reports.models import Report, ReportEvent
from lapor.reports.states import Action, EventKind
from lapor.training.models import PracticeAccount, TrainingSpace
from lapor.training.services import can_train

# Event kind -> the report deadline that action answers.
DEADLINE_OF: dict[str, str] = {
    Action.DISPOSE: "verify_due_at",
    Action.ARCHIVE: "verify_due_at",
    Action.HOLD: "verify_due_at",
    Action.ACKNOWLEDGE: "followup_due_at",
    Action.FOLLOW_UP: "followup_due_at",
    Action.RESPOND: "resolution_due_at",
}
# Statuses in which someone on the agency side holds the report (the staff clock runs).
_WAITING_ROLES = frozenset({*HANDLER_ROLES, *VERIFIER_ROLES})


def spaces_for(actor: Actor) -> list[TrainingSpace]:
    """The spaces of every real agency ``actor`` may train for, newest first."""
    agencies = [a for a in agencies_administered(actor) if can_train(actor, a)]
    return list(TrainingSpace.objects.filter(agency__in=agencies)
                .select_related("agency", "root"))


def space_for(actor: Actor, space_id: int) -> TrainingSpace:
    """One space for its trainer; 404 for anyone else (never a 403 that confirms it)."""
    space = (TrainingSpace.objects.select_related("agency", "root", "created_by")
             .filter(pk=space_id).first())
    if space is None or not can_train(actor, space.agency):
        raise NotFound("not_found")
    return space


def status_counts(space: TrainingSpace) -> dict[str, int]:
    rows = (Report.objects.filter(is_training=True, tier=space.root).values("status")
            .annotate(n=Count("id")))
    return {row["status"]: row["n"] for row in rows}


def space_nodes(space: TrainingSpace) -> list[OrgNode]:
    return tree_order(OrgNode.objects.filter(path__startswith=space.root.path))


@dataclass(frozen=True)
class TraineeAction:
    report: Report
    kind: str
    at: datetime
    deadline: datetime | None

    @property
    def on_time(self) -> bool | None:
        return None if self.deadline is None else self.at <= self.deadline


@dataclass
class TraineeProgress:
    account: PracticeAccount
    roles: list[RoleAssignment]
    actions: list[TraineeAction] = field(default_factory=list)
    overdue_waiting: list[Report] = field(default_factory=list)

    @property
    def on_time(self) -> int:
        return sum(1 for a in self.actions if a.on_time is True)

    @property
    def late(self) -> int:
        return sum(1 for a in self.actions if a.on_time is False)


def trainee_progress(space: TrainingSpace) -> list[TraineeProgress]:
    """Each trainee's actions in the space (from its reports' events) with their verdicts,
    and the space's reports overdue now at a node the trainee's roles cover. Four queries,
    whatever the number of trainees and events."""
    accounts = list(PracticeAccount.objects.filter(space=space).select_related("user"))
    by_user = {a.user_id: TraineeProgress(account=a, roles=[]) for a in accounts}
    for assignment in (RoleAssignment.objects.filter(user_id__in=list(by_user))
                       .select_related("node").order_by("node__path", "role")):
        by_user[assignment.user_id].roles.append(assignment)
    events = (ReportEvent.objects.filter(report__is_training=True, report__tier=space.root,
                                         actor_id__in=list(by_user))
              .select_related("report").order_by("created_at", "id"))
    for event in events:
        assert event.actor_id is not None  # noqa: S101  (filtered on actor ids above)
        attribute = DEADLINE_OF.get(event.kind)
        deadline = getattr(event.report, attribute) if attribute else None
        by_user[event.actor_id].actions.append(TraineeAction(
            report=event.report, kind=event.kind, at=event.created_at, deadline=deadline))
    overdue = list(Report.objects.filter(is_training=True, tier=space.root,
                                         staff_due_at__lt=clock.now())
                   .select_related("current_node").order_by("staff_due_at"))
    for progress in by_user.values():
        paths = [r.node.path for r in progress.roles if r.role in _WAITING_ROLES]
        progress.overdue_waiting = [r for r in overdue
                                    if any(r.current_node.path.startswith(p) for p in paths)]
    return [by_user[a.user_id] for a in accounts]


# A trainee "completed a practice scenario" when they answered a practice report: a follow-up
# or a final follow-up (the step that ends the handling at a unit; lapor.renaksi readiness).
COMPLETING_KINDS = (EventKind.FOLLOW_UP.value, EventKind.RESPOND.value)


@dataclass(frozen=True)
class TrainedUnit:
    count: int  # practice accounts with a role at the unit (or below) who completed one
    last_at: datetime  # the latest such answer


def _original_code(code: str, space_code: str) -> str:
    """The code part a mirrored node's code carries (``latihan-<space>-<original>``, see
    :func:`lapor.training.services._node_code`)."""
    prefix = f"latihan-{space_code}-"
    return code[len(prefix):] if code.startswith(prefix) else ""


def trained_by_unit(agency: OrgNode) -> dict[int, TrainedUnit]:
    """Per unit directly under ``agency`` (its id), the practice accounts of the agency's
    training spaces holding a role on that unit's copy (or a sub-unit's copy) who completed a
    practice scenario (:data:`COMPLETING_KINDS` on a practice report of their space), and
    when the last one did. A role on the training hub itself counts under ``agency.pk``.

    Mirrored nodes are mapped back by their code (``latihan-<space>-<original code>``, or
    ``latihan-<space>-n<original id>`` when that was too long or taken). Three queries,
    whatever the number of spaces, trainees and units. A space's reset deletes its practice
    reports and so the answers counted here."""
    answers = dict(
        ReportEvent.objects.filter(
            report__is_training=True, kind__in=COMPLETING_KINDS,
            actor__practice_account__space__agency=agency,
            report__tier=F("actor__practice_account__space__root"))
        .values("actor_id").annotate(last=Max("created_at")).order_by()
        .values_list("actor_id", "last"))
    if not answers:
        return {}
    roles = (RoleAssignment.objects.filter(user_id__in=list(answers))
             .values_list("user_id", "node__code", "user__practice_account__space__code"))
    nodes = {code: (pk, path) for pk, code, path in OrgNode.objects.filter(
        path__startswith=agency.path).values_list("pk", "code", "path")}
    by_pk = dict(nodes.values())
    top = {path: pk for pk, path in nodes.values()}
    trainees: dict[int, set[int]] = {}
    last: dict[int, datetime] = {}
    for user_id, code, space_code in roles:
        original = _original_code(code, space_code or "")
        if code == f"latihan-{space_code}":  # the training hub itself
            path: str | None = agency.path
        elif original in nodes:
            path = nodes[original][1]
        elif original[:1] == "n" and original[1:].isdigit():
            path = by_pk.get(int(original[1:]))
        else:
            path = None
        if path is None:
            continue
        # The unit directly under the agency: the agency's path plus one segment.
        unit_path = path if path == agency.path else (
            agency.path + path[len(agency.path):].split("/", 1)[0] + "/")
        unit_id = top.get(unit_path)
        if unit_id is None:
            continue
        trainees.setdefault(unit_id, set()).add(user_id)
        at = answers[user_id]
        if unit_id not in last or at > last[unit_id]:
            last[unit_id] = at
    return {unit: TrainedUnit(count=len(users), last_at=last[unit])
            for unit, users in trainees.items()}

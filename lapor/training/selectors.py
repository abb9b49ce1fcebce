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

from django.db.models import Count

from lapor.core import clock
from lapor.core.errors import NotFound
from lapor.orgs.actors import HANDLER_ROLES, VERIFIER_ROLES, Actor
from lapor.orgs.models import OrgNode, RoleAssignment
from lapor.orgs.selectors import agencies_administered
from lapor.reports.models import Report, ReportEvent
from lapor.reports.states import Action
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
    return list(OrgNode.objects.filter(path__startswith=space.root.path).order_by("path"))


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

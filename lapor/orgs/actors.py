"""Who is acting: a staff member with roles on nodes, a reporter, the system, or the public.

Built once per request (one query) and passed to services and selectors, which ask it
questions instead of reading role tables themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from lapor.accounts.models import User
from lapor.orgs.models import OrgNode, Role, RoleAssignment


class ActorKind(StrEnum):
    STAFF = "staff"
    REPORTER = "reporter"
    SYSTEM = "system"
    PUBLIC = "public"


@dataclass(frozen=True)
class Assignment:
    role: str
    node_id: int
    node_path: str
    node_kind: str

    def covers(self, node: OrgNode) -> bool:
        return node.path.startswith(self.node_path)


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    user: User | None = None
    assignments: tuple[Assignment, ...] = field(default=())
    # For a reporter proven by access code: the one report they may act on.
    report_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind == ActorKind.STAFF and bool(self.assignments)

    def covering(self, node: OrgNode, roles: Iterable[str]) -> Assignment | None:
        """The highest assignment with one of ``roles`` whose subtree holds ``node``."""
        wanted = set(roles)
        best: Assignment | None = None
        for assignment in self.assignments:
            if (
                assignment.role in wanted
                and assignment.covers(node)
                and (best is None or len(assignment.node_path) < len(best.node_path))
            ):
                best = assignment
        return best

    def has_role(self, *roles: str) -> bool:
        return any(a.role in roles for a in self.assignments)

    @property
    def role_label(self) -> str:
        if self.kind != ActorKind.STAFF:
            return str(self.kind)
        return self.assignments[0].role if self.assignments else "staff"


SYSTEM = Actor(kind=ActorKind.SYSTEM)
PUBLIC = Actor(kind=ActorKind.PUBLIC)


def actor_for_user(user: User) -> Actor:
    """A staff actor with every role the user holds (or a citizen account with none)."""
    rows = (
        RoleAssignment.objects.filter(user=user, node__is_active=True)
        .select_related("node")
        .order_by("node__depth", "role")
    )
    return staff_actor(user, rows)


def staff_actor(user: User, rows: Iterable[RoleAssignment]) -> Actor:
    """The actor of ``user`` holding the roles ``rows`` (read with their ``node``), for code
    that has read the role rows of many users at once (the daily digest)."""
    assignments = tuple(
        Assignment(role=r.role, node_id=r.node_id, node_path=r.node.path, node_kind=r.node.kind)
        for r in rows
    )
    if not assignments:
        return Actor(kind=ActorKind.REPORTER, user=user)
    return Actor(kind=ActorKind.STAFF, user=user, assignments=assignments)


def reporter_actor(*, report_id: int, user: User | None = None) -> Actor:
    return Actor(kind=ActorKind.REPORTER, user=user, report_id=report_id)


VERIFIER_ROLES = (Role.NATIONAL_VERIFIER, Role.HUB_VERIFIER)
HANDLER_ROLES = (Role.LIAISON, Role.UNIT_OFFICER, Role.HUB_VERIFIER)
READER_ROLES = (
    Role.NATIONAL_VERIFIER,
    Role.HUB_VERIFIER,
    Role.LIAISON,
    Role.UNIT_OFFICER,
    Role.SUPERVISOR,
    Role.AUDITOR,
)

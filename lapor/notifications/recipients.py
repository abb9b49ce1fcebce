"""Who is told: the holders of a report, its disposer, the unit's supervisor, the escalation
chain. Staff only; the reporter is addressed through the report (never by stored address)."""

from __future__ import annotations

from collections.abc import Iterable

from lapor.accounts.models import User
from lapor.orgs.models import EscalationStep, NodeKind, OrgNode, Role, RoleAssignment
from lapor.orgs.selectors import node_agency_or_root
from lapor.reports.models import Disposition, DispositionState, Report
from lapor.reports.states import Status

VERIFIER_ROLES = (Role.HUB_VERIFIER, Role.NATIONAL_VERIFIER)


def ancestors(node: OrgNode) -> list[OrgNode]:
    """``node`` and the nodes above it, nearest first (from the materialised path)."""
    ids = node.path_ids
    by_id = OrgNode.objects.in_bulk(ids)
    return [by_id[i] for i in reversed(ids) if i in by_id]


def people_on(node: OrgNode, roles: Iterable[str]) -> list[User]:
    """Active users holding one of ``roles`` on ``node`` itself, by id."""
    rows = (RoleAssignment.objects.filter(node=node, role__in=list(roles),
                                          user__is_active=True)
            .select_related("user").order_by("user_id"))
    seen: dict[int, User] = {}
    for row in rows:
        seen.setdefault(row.user_id, row.user)
    return list(seen.values())


def nearest_people(node: OrgNode, roles: Iterable[str]) -> list[User]:
    """The holders of ``roles`` on ``node``, else on the nearest node above it that has any,
    never above ``node``'s agency (an agency's work is not the national root's)."""
    wanted = list(roles)
    agency = node_agency_or_root(node)
    for candidate in ancestors(node):
        people = people_on(candidate, wanted)
        if people:
            return people
        if candidate.pk == agency.pk:
            break
    return []


def holders(report: Report) -> list[User]:
    """Who must act now: the verifiers of the tier while unverified, else the liaisons of the
    node holding the active disposition (or the nearest liaisons above it)."""
    if report.status in (Status.SUBMITTED, Status.ON_HOLD, Status.ARCHIVED):
        return people_on(report.tier, VERIFIER_ROLES)
    return nearest_people(report.current_node, (Role.LIAISON,))


def disposer(report: Report) -> list[User]:
    """Whoever disposed or forwarded the active disposition to its node (if still active)."""
    active = (Disposition.objects.filter(report=report, state=DispositionState.ACTIVE)
              .select_related("disposed_by").first())
    if active is None or active.disposed_by is None or not active.disposed_by.is_active:
        return []
    return [active.disposed_by]


def supervisors(report: Report) -> list[User]:
    """The supervisor (pimpinan) of the unit holding the report, or the nearest above it."""
    return nearest_people(report.current_node, (Role.SUPERVISOR,))


def escalation_chain(report: Report) -> list[OrgNode]:
    """The nodes a late report escalates to, level 1 first.

    The agency's own chain (SOP ``EscalationStep`` rows) when it has one; otherwise up the tree
    from the node holding the report to its agency (the unit above, then the next, …).

    A late report never escalates to the unit that holds it: a configured chain is cut after
    its last step that is the holding node or one of the holder's own units above it (below
    the agency), so escalation starts at the next level above the holder. (Kutai Timur's chain
    starts with Inspektorat: a report Inspektorat's liaison holds goes to the next step.) When
    no step is left above the holder, the report goes up the tree as without a chain.
    """
    agency = node_agency_or_root(report.current_node)
    steps = list(EscalationStep.objects.filter(agency=agency).select_related("node")
                 .order_by("order"))
    if steps:
        own = {node.pk for node in ancestors(report.current_node) if node.pk != agency.pk}
        last_own = max((i for i, step in enumerate(steps) if step.node_id in own), default=-1)
        above = [step.node for step in steps[last_own + 1:]]
        if above:
            return above
    chain = ancestors(report.current_node)[1:]
    cut = next((i for i, node in enumerate(chain) if node.pk == agency.pk), len(chain) - 1)
    return [node for node in chain[: cut + 1] if node.kind != NodeKind.ROOT]


def escalation_targets(node: OrgNode) -> list[User]:
    """The supervisors of an escalation step, else its verifiers or liaisons."""
    return (people_on(node, (Role.SUPERVISOR,)) or people_on(node, VERIFIER_ROLES)
            or people_on(node, (Role.LIAISON,)))

"""Named permission predicates and the queryset scoper for reports (ARCHITECTURE habit 5).

Every staff list starts from :func:`reports_visible_to`, so a report of another agency is a 404
by construction. Predicates answer "may this actor do X to this report now?" and return the
assignment that grants it (the role and node recorded on the event) or ``None``.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from lapor.orgs.actors import (
    HANDLER_ROLES,
    READER_ROLES,
    VERIFIER_ROLES,
    Actor,
    ActorKind,
    Assignment,
)
from lapor.orgs.models import NodeKind, OrgNode, Role
from lapor.reports.models import Disposition, Report
from lapor.reports.states import Status


def reports_visible_to(actor: Actor) -> QuerySet[Report]:
    """The reports ``actor`` may read as staff.

    A role on node N sees reports verified at a tier inside N's subtree, reports of an agency
    inside it, and reports with any disposition hop inside it. Confidential reports follow the
    same rule: only the verification tiers and the organisations on the chain see them.
    System administrators get nothing: configuration does not need report content.
    A training space's practice reports (``is_training``) sit in their own subtree under the
    national root, so only roles inside that space reach them; a role on the root itself sees
    every real report and no practice one (lapor.training).
    Reporters and the public get nothing here either: they read through
    :func:`reports_of_reporter` and the public/reporter presenters, never the staff views.
    """
    qs = Report.objects.all()
    if actor.kind != ActorKind.STAFF:
        return qs.none()
    readers = [a for a in actor.assignments if a.role in READER_ROLES]
    if not readers:
        return qs.none()
    if any(a.node_kind == NodeKind.ROOT for a in readers):
        return qs.filter(is_training=False)
    condition = Q()
    for path in {a.node_path for a in readers}:
        # The subtree as an id list: PostgreSQL plans this in ~1 ms and probes the chain per
        # report, instead of hashing every disposition under the node (bench/README.md).
        ids = OrgNode.objects.filter(path__startswith=path).values("id")
        on_chain = Exists(Disposition.objects.filter(report=OuterRef("pk"), node_id__in=ids))
        condition |= (
            Q(current_node_id__in=ids) | Q(tier_id__in=ids) | Q(agency_id__in=ids)
        )
        condition |= Q(on_chain)
    return qs.filter(condition)


def visible_nodes(actor: Actor) -> list[int] | None:
    """The nodes of :func:`reports_visible_to`'s rule for ``actor``: the report is visible
    when its current node, tier or agency is one of them, or one of its disposition hops is
    at one of them (the subtrees of the actor's reader roles). ``None`` for a reader on the
    root (every real report, no practice one); an empty list for anyone who reads nothing.
    Full-text search matches these nodes inside its index (lapor.search, scope lexemes)."""
    if actor.kind != ActorKind.STAFF:
        return []
    readers = [a for a in actor.assignments if a.role in READER_ROLES]
    if any(a.node_kind == NodeKind.ROOT for a in readers):
        return None
    condition = Q(pk__in=[])
    for path in {a.node_path for a in readers}:
        condition |= Q(path__startswith=path)
    return list(OrgNode.objects.filter(condition).values_list("id", flat=True))


def visible_report_ids(actor: Actor, *, cap: int) -> set[int] | None:
    """The ids :func:`reports_visible_to` gives ``actor`` when there are at most ``cap`` of
    them, else None ("many": a role on the root, or a subtree with more reports).

    The same rule, read the other way round: one UNION of index scans per condition (current
    node, tier, agency, disposition hop), each capped at ``cap + 1`` rows, so a small scope
    costs a few milliseconds and a large one is noticed early. Full-text search uses it to
    start from the reader's few reports instead of from every text match in the country.
    """
    if actor.kind != ActorKind.STAFF:
        return set()
    readers = [a for a in actor.assignments if a.role in READER_ROLES]
    if not readers:
        return set()
    if any(a.node_kind == NodeKind.ROOT for a in readers):
        return None
    parts: list[QuerySet[Any, int]] = []
    for path in {a.node_path for a in readers}:
        ids = OrgNode.objects.filter(path__startswith=path).values("id")
        parts += [Report.objects.filter(**{f"{column}__in": ids}).values_list("id", flat=True)
                  .order_by()[: cap + 1] for column in ("current_node_id", "tier_id", "agency_id")]
        parts.append(Disposition.objects.filter(node_id__in=ids)
                     .values_list("report_id", flat=True).order_by()[: cap + 1])
    if connection.features.supports_slicing_ordering_in_compound:  # PostgreSQL: one query
        found = set(parts[0].union(*parts[1:])[: cap + 1])
    else:  # SQLite: one query per part
        found = set()
        for part in parts:
            found.update(part)
            if len(found) > cap:
                break
    return None if len(found) > cap else found


def reports_of_reporter(actor: Actor) -> QuerySet[Report]:
    """The reports a reporter may follow: the one proven by access code, or their account's."""
    if actor.kind != ActorKind.REPORTER:
        return Report.objects.none()
    if actor.report_id is not None:
        return Report.objects.filter(pk=actor.report_id)
    if actor.user is not None:
        return Report.objects.filter(reporter_user=actor.user)
    return Report.objects.none()


def work_waiting_for(actor: Actor) -> Q:
    """A filter on reports: those waiting for a move of ``actor``'s own now (the daily digest).

    In verification (``submitted``) at a tier ``actor`` verifies (:func:`verifier_for`; the
    pool of the tier node itself: a verifier above it may step in, but the work is the tier's),
    and held by an agency (``disposed``, ``in_progress``) at a node inside the subtree of a role
    that works the disposition (:func:`handler_for`: liaisons, unit officers and hub verifiers).
    On hold and responded reports wait for the reporter.
    """
    condition = Q(pk__in=[])
    for a in actor.assignments:
        if a.role in HANDLER_ROLES:
            condition |= Q(current_node__path__startswith=a.node_path,
                           status__in=(Status.DISPOSED, Status.IN_PROGRESS))
        if a.role in VERIFIER_ROLES:
            condition |= Q(tier_id=a.node_id, status=Status.SUBMITTED)
    return condition


def can_read(actor: Actor, report: Report) -> bool:
    return reports_visible_to(actor).filter(pk=report.pk).exists()


def is_reporter_of(actor: Actor, report: Report) -> bool:
    """May ``actor`` write as the report's reporter (answer a question, send a message, reply,
    attach a file)? The same rule as :func:`reports_of_reporter`, without a query: a reporter
    proven by access code for this one report, else a citizen account that filed it. Staff
    never write as the reporter."""
    if actor.kind != ActorKind.REPORTER:
        return False
    if actor.report_id is not None:
        return actor.report_id == report.pk
    return actor.user is not None and report.reporter_user_id == actor.user.pk


def verifier_for(actor: Actor, report: Report) -> Assignment | None:
    """A verifier of the report's tier: the national verifier anywhere, or the hub verifier of
    the agency that holds the report in its verification pool."""
    return actor.covering(report.tier, VERIFIER_ROLES)


def handler_for(actor: Actor, report: Report, *, roles: tuple[str, ...] = HANDLER_ROLES) -> (
    Assignment | None
):
    """Someone who works the active disposition: a role covering the node it sits at."""
    return actor.covering(report.current_node, roles)


def liaison_for(actor: Actor, report: Report) -> Assignment | None:
    return handler_for(actor, report, roles=(Role.LIAISON, Role.HUB_VERIFIER))


def closer_for(actor: Actor, report: Report) -> Assignment | None:
    """Closing a handled report with a reason (``report_close``): a verifier of the report's
    tier, or the hub verifier of the agency holding it (its own hub, also when the national
    pool disposed it there)."""
    grant = verifier_for(actor, report)
    if grant is None and report.agency is not None:
        grant = actor.covering(report.agency, (Role.HUB_VERIFIER,))
    return grant


def valid_forward_target(holder: OrgNode, target: OrgNode) -> bool:
    """Forwarding (``report_forward``) goes strictly down the subtree of the node holding the
    active disposition, to an active node; who may forward is :func:`liaison_for`."""
    return target.is_active and holder.contains(target) and target.pk != holder.pk


def note_writer_for(actor: Actor, report: Report) -> Assignment | None:
    """Internal notes: verifiers and handlers. Supervisors (pimpinan) and auditors only read
    (DOMAIN.md "Roles")."""
    roles = (*VERIFIER_ROLES, *HANDLER_ROLES)
    direct = actor.covering(report.current_node, roles) or actor.covering(report.tier, roles)
    if direct is not None:
        return direct
    if report.agency is not None:
        return actor.covering(report.agency, roles)
    return None


def unarchiver_for(actor: Actor, report: Report) -> Assignment | None:
    """Reversing an archive needs a verifier of a strictly higher tier (DOMAIN.md, status 3)."""
    for assignment in actor.assignments:
        if (
            assignment.role in VERIFIER_ROLES
            and report.tier.path.startswith(assignment.node_path)
            and report.tier.path != assignment.node_path
        ):
            return assignment
    return None


def same_world(report: Report) -> Q:
    """Nodes on the report's side of the training wall (lapor.training): a practice report is
    disposed only inside a training space, a real report never into one. A node belongs to a
    space when its agency is the root of a ``TrainingSpace`` (reverse relation
    ``training_space``)."""
    return Q(agency__training_space__isnull=not report.is_training)


def valid_disposition_target(assignment: Assignment, report: Report, target: OrgNode) -> bool:
    """Verifiers dispose inside their own subtree, never to the root or to their own tier."""
    return (
        target.kind != NodeKind.ROOT
        and target.is_active
        and target.path.startswith(assignment.node_path)
        and target.pk != report.tier_id
    )


def pass_up_verifier_for(actor: Actor, report: Report) -> Assignment | None:
    """Passing a report up to the next tier: a hub verifier of the report's own verification
    tier (a verifier above it disposes the report instead), never at the national pool."""
    if report.tier.kind == NodeKind.ROOT:
        return None
    grant = actor.covering(report.tier, (Role.HUB_VERIFIER,))
    return grant if grant is not None and grant.node_id == report.tier_id else None


def passable_up(report: Report) -> bool:
    """A report may be passed up only when nobody chose its agency (it reached the hub by its
    region, ``lapor.orgs.selectors.report_receiver``, or a higher tier took it back from the
    archive): a reporter who addressed the hub chose that door. A practice report stays in its
    training space."""
    return report.target_agency_id is None and not report.is_training

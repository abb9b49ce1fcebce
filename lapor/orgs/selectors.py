"""Reads over the organisation tree."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from lapor.orgs.actors import Actor
from lapor.orgs.models import (
    NodeKind,
    OrgNode,
    Role,
    RoleAssignment,
    RoutingRule,
    Sop,
    tree_order,
)
from lapor.orgs.permissions import can_edit_sop


def node_root() -> OrgNode:
    return OrgNode.objects.get(kind=NodeKind.ROOT)


def node_get(code: str) -> OrgNode | None:
    return OrgNode.objects.filter(code=code, is_active=True).first()


def node_subtree(node: OrgNode) -> QuerySet[OrgNode]:
    return OrgNode.objects.filter(path__startswith=node.path)


def node_agency_or_root(node: OrgNode) -> OrgNode:
    """The agency owning ``node`` (whose SOP and calendar apply), or the root for the root."""
    if node.kind == NodeKind.ROOT or node.agency_id is None:
        return node
    if node.agency_id == node.pk:
        return node
    agency = node.agency
    assert agency is not None  # noqa: S101  (narrowing: agency_id checked above)
    return agency


def region_hub(region_code: str, *, above: OrgNode | None = None) -> OrgNode | None:
    """The hub agency that receives the reports about ``region_code`` that name no agency.

    The regency/city's agency (``64.08`` for ``64.08.04.2001``), else the province's (``64``),
    each only when it is an active hub, its SOP's ``receives_region_reports`` is on, and it has
    at least one active hub verifier (a pool nobody reads is a wrong door). Training spaces
    (lapor.training, reverse relation ``training_space``) never receive real reports. With
    several candidates for one region the oldest agency wins. ``None``: no hub covers it.

    ``above``: only the levels strictly above that hub's region (a hub passing a report up,
    :func:`report_receiver_above`); a hub whose region is not on the report's chain has none.
    """
    parts = region_code.split(".")
    levels = [".".join(parts[:2]), parts[0]] if len(parts) >= 2 else [parts[0]]
    if above is not None:
        own = str(above.region_id)
        levels = levels[levels.index(own) + 1:] if own in levels else []
        if not levels:
            return None
    verifiers = RoleAssignment.objects.filter(node=OuterRef("pk"), role=Role.HUB_VERIFIER,
                                              user__is_active=True)
    found: dict[str, OrgNode] = {}
    for hub in (OrgNode.objects.filter(kind=NodeKind.AGENCY, is_active=True, is_hub=True,
                                       region_id__in=levels, sop__receives_region_reports=True,
                                       training_space__isnull=True)
                .filter(Exists(verifiers)).order_by("pk")):
        found.setdefault(str(hub.region_id), hub)
    return next((found[level] for level in levels if level in found), None)


def report_receiver(*, target: OrgNode | None, region_code: str) -> OrgNode:
    """The tier whose verifiers receive a new report ("no wrong door", docs/lifecycle.md).

    The one routing rule every way in uses (through :func:`lapor.reports.submission.
    report_submit`): a report naming a hub agency waits in that hub's pool; one naming an
    agency without verifiers waits in the national pool (its verifiers dispose it there); one
    naming no agency goes to :func:`region_hub` of its region, else to the national pool.
    """
    if target is not None:
        return target if target.is_hub else node_root()
    return region_hub(region_code) or node_root()


def report_receiver_above(*, tier: OrgNode, region_code: str) -> OrgNode:
    """The tier a report goes to when the verifiers of ``tier`` pass it up (``report_pass_up``):
    the hub of a region level above ``tier``'s by the same rule as :func:`region_hub` (the
    province's, when it receives its region's reports and has a verifier), else the national
    pool."""
    return region_hub(region_code, above=tier) or node_root()


def sop_for(owner: OrgNode) -> Sop:
    """The SOP of an agency, falling back to the national root's, then to national maxima."""
    sop = Sop.objects.filter(node=owner).first()
    if sop is None and owner.kind != NodeKind.ROOT:
        sop = Sop.objects.filter(node__kind=NodeKind.ROOT).first()
    return sop if sop is not None else Sop(node=owner)


def nodes_list(*, parent: OrgNode | None = None, kind: str | None = None,
               training: bool = False) -> QuerySet[OrgNode]:
    """Active nodes. Training spaces' nodes (lapor.training: their agency is the root of a
    ``TrainingSpace``) are listed only with ``training``, and then only they: public agency
    pickers and real dispositions never offer a sandbox. Ordered by ``path`` (a database
    order the API pages by; :func:`lapor.orgs.models.tree_order` for a list shown in tree
    order)."""
    qs = OrgNode.objects.filter(is_active=True, agency__training_space__isnull=not training
                                ).select_related("region")
    if parent is not None:
        qs = qs.filter(parent=parent)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


def routing_suggestion(
    *, agency: OrgNode, category_id: int | None, region_code: str
) -> OrgNode | None:
    """The unit an agency's SOP routes a report to: most specific rule first.

    A rule matching both category and region beats one matching only one of them; ties go to
    the lower ``priority``. Regions match by Kemendagri code prefix (``64.08`` covers a regency).
    """
    best: tuple[int, int, int] | None = None
    chosen: OrgNode | None = None
    for rule in RoutingRule.objects.filter(agency=agency).select_related("target"):
        if rule.category_id is not None and rule.category_id != category_id:
            continue
        if rule.region_prefix and not region_code.startswith(rule.region_prefix):
            continue
        specificity = (rule.category_id is not None) * 100 + len(rule.region_prefix)
        key = (-specificity, rule.priority, rule.pk)
        if best is None or key < best:
            best, chosen = key, rule.target
    return chosen


def role_assignments_in(node: OrgNode) -> QuerySet[RoleAssignment]:
    """Every role held on ``node`` or below it, with user and node, by node then user."""
    return (
        RoleAssignment.objects.filter(node__path__startswith=node.path)
        .select_related("user", "node")
        .order_by("node__path", "user__username", "role")
    )


def agencies_administered(actor: Actor) -> list[OrgNode]:
    """The agencies (and the root) whose SOP and users ``actor`` may administer, by path:
    the agency/root nodes the actor holds roles on, plus, for a system administrator on the
    root, every agency (``can_edit_sop`` decides each one)."""
    held = {a.node_id for a in actor.assignments}
    qs = OrgNode.objects.filter(is_active=True, kind__in=(NodeKind.ROOT, NodeKind.AGENCY))
    if not any(a.role == Role.SYSADMIN and a.node_kind == NodeKind.ROOT
               for a in actor.assignments):
        qs = qs.filter(pk__in=held)
    return [node for node in tree_order(qs) if can_edit_sop(actor, node)]


def home_regency_code(default_region: str = "") -> str:
    """The regency/city ("64.08") the site serves, for the citizen app's map: the regency part
    of ``default_region`` (the deployment's LAPOR_OPEN311_DEFAULT_REGION) when given, else the
    region of the first active hub agency placed in a regency or below; "" for none (a
    national deployment: the map starts over Indonesia)."""
    codes = [default_region.strip()] if default_region.strip() else list(
        OrgNode.objects.filter(kind=NodeKind.AGENCY, is_hub=True, is_active=True,
                               region__isnull=False)
        .order_by("depth", "pk").values_list("region_id", flat=True))
    for code in codes:
        parts = str(code).split(".")
        if len(parts) >= 2:
            return ".".join(parts[:2])
    return ""

"""Who may administer an agency: its SOP settings and the roles inside it.

Predicates only (no writes): the services of lapor.orgs enforce them, and the pages, the API
and the other apps (lapor.sopdoc, lapor.training, lapor.notifications) ask the same question.
"""

from __future__ import annotations

from lapor.orgs.actors import Actor
from lapor.orgs.models import NodeKind, OrgNode, Role


def can_edit_sop(actor: Actor, agency: OrgNode) -> bool:
    """Agency admins (hub verifiers of the agency) and system administrators above it."""
    return actor.covering(agency, (Role.HUB_VERIFIER, Role.SYSADMIN)) is not None or (
        actor.covering(agency, (Role.NATIONAL_VERIFIER,)) is not None
        and agency.kind == NodeKind.ROOT
    )


# Roles an agency admin may hand out inside its agency; the others (national verifier,
# auditor, system administrator) are given only by a system administrator above the node.
_AGENCY_GRANTABLE = frozenset({Role.HUB_VERIFIER, Role.LIAISON, Role.UNIT_OFFICER,
                               Role.SUPERVISOR})


def can_manage_roles(actor: Actor, node: OrgNode, role: str | None = None) -> bool:
    """Whoever may edit the SOP of ``node``'s agency manages the roles inside it; roles outside
    the agency's own set need a system administrator covering the node."""
    owner = node if node.kind == NodeKind.ROOT or node.agency_id is None else (
        node if node.agency_id == node.pk else node.agency
    )
    if owner is None or not can_edit_sop(actor, owner):
        return False
    if role is None or role in _AGENCY_GRANTABLE:
        return True
    return actor.covering(node, (Role.SYSADMIN,)) is not None

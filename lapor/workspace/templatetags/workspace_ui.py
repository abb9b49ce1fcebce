"""Header data and small labels for the staff pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from lapor.intake.walk_in import ENTERING_ROLES
from lapor.notifications.services import notifications_of
from lapor.orgs.models import Role
from lapor.orgs.selectors import agencies_administered
from lapor.renaksi.permissions import READER_ROLES
from lapor.reports.models import Channel, DispositionState, ReportType
from lapor.workspace.forms import VISIBILITY_LABELS

register = template.Library()

RENAKSI_NAV_ROLES = frozenset({*READER_ROLES, Role.LIAISON})


@register.simple_tag(takes_context=True)
def staff_header(context: template.Context) -> dict[str, Any]:
    """The signed-in staff member's name, first role and the admin link (only if allowed)."""
    request = context.get("request")
    actor = getattr(request, "actor", None)
    if actor is None or actor.user is None:
        return {}
    agencies = agencies_administered(actor)
    role = actor.assignments[0].role if actor.assignments else ""
    return {
        "unread": notifications_of(actor, unread=True).count(),
        "name": actor.user.display_name or actor.user.username,
        "role": Role(role).label if role in Role.values else "",
        "admin_url": (reverse("workspace:admin_sop", args=[agencies[0].code])
                      if len(agencies) == 1 else reverse("workspace:admin"))
        if agencies else None,
        # Officers who may enter a walk-in or phone report for a citizen (lapor.intake).
        "walk_in_url": reverse("workspace:intake:walk_in")
        if any(a.role in ENTERING_ROLES for a in actor.assignments) else None,
        # The Renaksi pages (lapor.renaksi): hub, pimpinan, auditors and liaison officers.
        "renaksi_url": reverse("workspace:renaksi:index")
        if any(a.role in RENAKSI_NAV_ROLES for a in actor.assignments) else None,
    }


@register.filter
def type_label(value: str) -> str:
    return str(ReportType(value).label) if value in ReportType.values else value


@register.filter
def channel_label(value: str) -> str:
    return str(Channel(value).label) if value in Channel.values else value


@register.filter
def disposition_state(value: str) -> str:
    return str(DispositionState(value).label) if value in DispositionState.values else value


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def visibility_label(value: str) -> str:
    """Who reads a text: "Visible to the public", "Only for the reporter", "Staff only"."""
    label = VISIBILITY_LABELS.get(value)
    return str(label) if label is not None else value

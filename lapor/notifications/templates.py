"""Rendering messages with a restricted variable substitution, and editing templates.

``string.Template`` over an allow-listed dict, never the Django template engine: a template can
only name variables from :data:`lapor.notifications.defaults.VARIABLES`, checked when it is
saved, and the context passed to :func:`render` is cut down to those names before substitution.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.notifications.defaults import DEFAULTS, VARIABLES
from lapor.notifications.models import MessageTemplate
from lapor.orgs.actors import Actor
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.permissions import can_edit_sop

LANGUAGES = ("id", "en")
SUBJECT_MAX, BODY_MAX = 300, 5_000


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def template_variables(text: str) -> set[str]:
    """The variables ``text`` names; ``ValueError`` if its ``$`` syntax is invalid."""
    parsed = string.Template(text)
    if not parsed.is_valid():
        raise ValueError("invalid placeholder")
    return set(parsed.get_identifiers())


def template_check(event: str, subject: str, body: str) -> None:
    """Refuse unknown events, invalid ``$`` syntax and variables the event does not allow."""
    allowed = VARIABLES.get(event)
    if allowed is None:
        raise ValidationFailed("validation_error", field="event")
    for field, text, limit in (("subject", subject, SUBJECT_MAX), ("body", body, BODY_MAX)):
        if not text.strip() or len(text) > limit:
            raise ValidationFailed("validation_error", field=field)
        try:
            names = template_variables(text)
        except ValueError as exc:
            raise ValidationFailed("validation_error", field=field,
                                   detail={"reason": "invalid_placeholder"}) from exc
        unknown = sorted(names - set(allowed))
        if unknown:
            raise ValidationFailed("validation_error", field=field,
                                   detail={"reason": "unknown_variable", "unknown": unknown,
                                           "allowed": list(allowed)})


def template_source(event: str, language: str, agency: OrgNode | None) -> tuple[str, str]:
    """The agency's wording, else the national row, else the shipped default."""
    rows = {
        row.agency_id: row
        for row in MessageTemplate.objects.filter(event=event, language=language).filter(
            agency__in=[agency] if agency is not None else []
        ) | MessageTemplate.objects.filter(event=event, language=language,
                                           agency__isnull=True)
    }
    row = rows.get(agency.pk if agency is not None else None) or rows.get(None)
    if row is not None:
        return row.subject, row.body
    return DEFAULTS[event][language]


def render(event: str, *, language: str, agency: OrgNode | None,
           context: Mapping[str, object]) -> Rendered:
    """Render ``event`` for ``agency`` in ``language``. Only the event's allowed variables are
    taken from ``context`` (anything else is dropped before substitution); a missing one
    renders empty."""
    language = language if language in LANGUAGES else "id"
    allowed = VARIABLES[event]
    values = {name: "" if context.get(name) is None else str(context.get(name))
              for name in allowed}
    subject, body = template_source(event, language, agency)
    subject_text = string.Template(subject).safe_substitute(values)
    # One line for mail headers: a variable's newline must not start a new header.
    subject_text = " ".join(subject_text.split())[:SUBJECT_MAX]
    return Rendered(subject=subject_text, body=string.Template(body).safe_substitute(values))


def can_edit_templates(actor: Actor, agency: OrgNode | None) -> bool:
    if agency is None:
        return any(a.role == "sysadmin" and a.node_kind == NodeKind.ROOT
                   for a in actor.assignments)
    return can_edit_sop(actor, agency)


@transaction.atomic
def template_set(*, actor: Actor, agency: OrgNode | None, event: str, language: str,
                 subject: str, body: str) -> MessageTemplate:
    """Save an agency's (or, with ``agency=None``, the national) wording of one message.

    Agency admins edit their agency; system administrators on the root edit the national
    defaults. Unknown variables are refused here, so no template can ever ask for one.
    """
    if agency is not None and agency.kind not in (NodeKind.AGENCY, NodeKind.ROOT):
        raise ValidationFailed("invalid_target", field="agency")
    if not can_edit_templates(actor, agency):
        raise PermissionDenied("permission_denied")
    if language not in LANGUAGES:
        raise ValidationFailed("validation_error", field="language")
    template_check(event, subject, body)
    row, _ = MessageTemplate.objects.update_or_create(
        agency=agency, event=event, language=language,
        defaults={"subject": subject, "body": body, "updated_at": clock.now()},
    )
    audit_record(action="notifications.template", actor=actor, target_type="template",
                 target_id=row.pk, payload={"event": event, "language": language,
                                            "agency": agency.code if agency else None})
    return row

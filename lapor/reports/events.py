"""The one writer of :class:`ReportEvent` rows. Callers hold the report's row lock.

(Events mirrored in from another instance are written by lapor.federation.mirror.)
"""

from __future__ import annotations

from typing import Any

from lapor.core import clock
from lapor.orgs.actors import Actor, ActorKind, Assignment
from lapor.reports import replication
from lapor.reports.models import Report, ReportEvent, Visibility
from lapor.reports.states import EventKind


def event_append(
    *,
    report: Report,
    kind: str,
    actor: Actor,
    assignment: Assignment | None = None,
    from_status: str = "",
    to_status: str = "",
    visibility: str = Visibility.INTERNAL,
    body: str = "",
    payload: dict[str, Any] | None = None,
) -> ReportEvent:
    # Every kind is declared (and so labelled for people): an unknown one is a programming
    # error, refused before anything is written.
    kind = EventKind(kind)
    if actor.kind == ActorKind.STAFF:
        role = assignment.role if assignment is not None else actor.role_label
    else:
        role = str(actor.kind)
    event = ReportEvent.objects.create(
        report=report,
        kind=kind,
        actor=actor.user if actor.kind == ActorKind.STAFF else None,
        actor_role=role,
        actor_node_id=assignment.node_id if assignment is not None else None,
        created_at=clock.now(),
        from_status=from_status,
        to_status=to_status,
        visibility=visibility,
        body=body,
        payload=payload or {},
    )
    # A shared report's change is journalled for the other instance in this transaction
    # (lapor.reports.replication; nothing without federation).
    replication.report_changed(report, event)
    return event

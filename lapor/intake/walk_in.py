"""Walk-in and phone reports: an officer enters a report on the reporter's behalf.

Who: national verifiers (into the national pool), hub verifiers and liaison officers (into
their agency: its own verification pool when it is a hub, else the national pool, as for any
report naming that agency). Reporter contact is optional; the one-time access code is returned
once, for the officer to hand over (printed or read out), and never stored in clear.

Every entry is recorded twice: an internal ``entered_on_behalf`` report event (who, with
which role and node, which channel) next to the reporter's ``submit`` event, and an audit log
entry (no personal data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from lapor.audit.services import audit_record
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.orgs.actors import Actor, Assignment
from lapor.orgs.models import NodeKind, OrgNode, Role
from lapor.reports.events import event_append
from lapor.reports.models import Channel, Visibility
from lapor.reports.states import EventKind
from lapor.reports.submission import SubmittedReport, report_submit

OFFICER_CHANNELS = (Channel.WALK_IN, Channel.PHONE)
ENTERING_ROLES = (Role.NATIONAL_VERIFIER, Role.HUB_VERIFIER, Role.LIAISON)
EVENT_KIND = EventKind.ENTERED_ON_BEHALF


@dataclass(frozen=True)
class Desk:
    """Where an officer may enter reports: the agency (None: the national pool)."""

    code: str
    name: str
    agency: OrgNode | None
    assignment: Assignment


def desks_of(actor: Actor) -> list[Desk]:
    """The pools ``actor`` may enter reports into, one per eligible role (deduplicated)."""
    desks: dict[str, Desk] = {}
    eligible = [a for a in actor.assignments if a.role in ENTERING_ROLES]
    nodes = {n.pk: n for n in OrgNode.objects.filter(
        pk__in=[a.node_id for a in eligible], is_active=True).select_related("agency")}
    for assignment in eligible:
        node = nodes.get(assignment.node_id)
        if node is None:
            continue
        if node.kind == NodeKind.ROOT:
            if assignment.role == Role.NATIONAL_VERIFIER:
                desks.setdefault("", Desk(code="", name=node.name, agency=None,
                                          assignment=assignment))
            continue
        agency = node if node.kind == NodeKind.AGENCY else node.agency
        if agency is not None:
            desks.setdefault(agency.code, Desk(code=agency.code, name=agency.name,
                                               agency=agency, assignment=assignment))
    return list(desks.values())


def walk_in_submit(
    *,
    actor: Actor,
    desk_code: str,
    channel: str,
    type: str,
    title: str,
    body: str,
    region_code: str,
    category_code: str | None = None,
    incident_date: date | None = None,
    address: str = "",
    is_anonymous: bool = False,
    is_confidential: bool = False,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    reporter_nik: str = "",
) -> SubmittedReport:
    """Record the report the officer took down; returns it with its one-time access code."""
    desk = next((d for d in desks_of(actor) if d.code == desk_code), None)
    if desk is None:
        raise PermissionDenied("permission_denied")
    if channel not in OFFICER_CHANNELS:
        raise ValidationFailed("validation_error", field="channel")
    with transaction.atomic():
        submitted = report_submit(
            actor=actor, type=type, title=title, body=body, region_code=region_code,
            channel=channel, category_code=category_code, incident_date=incident_date,
            address=address, target_agency_code=desk.agency.code if desk.agency else None,
            is_anonymous=is_anonymous, is_confidential=is_confidential,
            reporter_name=reporter_name, reporter_email=reporter_email,
            reporter_phone=reporter_phone, reporter_nik=reporter_nik)
        report = submitted.report
        event_append(report=report, kind=EVENT_KIND, actor=actor, assignment=desk.assignment,
                     visibility=Visibility.INTERNAL,
                     payload={"channel": channel, "desk": desk.code or "national",
                              "contact_given": bool(reporter_email or reporter_phone)})
        audit_record(action="intake.entered_on_behalf", actor=actor, target_type="report",
                     target_id=report.pk, payload={"channel": channel,
                                                   "desk": desk.code or "national"})
    return submitted

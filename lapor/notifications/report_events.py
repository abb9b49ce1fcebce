"""Which messages each report event causes (called by the reports services, in their
transaction, right after the event is appended).

Reporter-facing rows carry no address: the reporter's channel is resolved and decrypted at
delivery time. Agency-side rows are rendered from a context that has no identity variable at
all (docs/notifications.md "Privacy").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings

from lapor.core.localtime import format_deadline
from lapor.notifications import recipients
from lapor.notifications.models import Audience, CallbackEndpoint, Channel, OutboxMessage
from lapor.notifications.outbox import message, outbox_add, staff_messages
from lapor.notifications.push import push_rows
from lapor.notifications.senders import registered_channels, reporter_reachable
from lapor.notifications.templates import render
from lapor.orgs.models import OrgNode
from lapor.orgs.selectors import node_agency_or_root
from lapor.reports import replication
from lapor.reports.models import Report, ReportEvent, ReportFollow, Visibility
from lapor.reports.states import Action
from lapor.reports.visibility import text_visible_to
from lapor.reports.zones import report_zone

# Event kind -> reporter message (None: the reporter is not told).
REPORTER_EVENTS: dict[str, str] = {
    Action.SUBMIT: "reporter.submitted",
    Action.HOLD: "reporter.hold",
    Action.ARCHIVE: "reporter.archived",
    Action.AUTO_ARCHIVE: "reporter.archived",
    Action.DISPOSE: "reporter.disposed",
    Action.ACKNOWLEDGE: "reporter.in_progress",
    Action.FOLLOW_UP: "reporter.follow_up",
    Action.RESPOND: "reporter.responded",
    Action.CLOSE: "reporter.closed",
    Action.AUTO_CLOSE: "reporter.closed",
}
# Event kind -> staff message to whoever holds the report after the event.
STAFF_EVENTS: dict[str, str] = {
    Action.DISPOSE: "staff.assigned",
    Action.FORWARD: "staff.assigned",
    Action.RETURN_TO_FORWARDER: "staff.returned",
    Action.RETURN_TO_VERIFIER: "staff.returned",
    Action.PROVIDE_INFO: "staff.info_provided",
    Action.REOPEN: "staff.reporter_reply",
    Action.REPORTER_MESSAGE: "staff.reporter_message",
    Action.PASS_UP: "staff.passed_up",
}


def due_text(report: Report, moment: datetime | None, zone: str | None = None) -> str:
    """A deadline as a message states it: the working day it ends on, in the report's zone
    (lapor.reports.zones; ``zone`` when the caller already knows it), in the language messages
    are written in: "Kamis, 10 Desember 2026, akhir hari kerja WITA"."""
    if moment is None:
        return ""
    return format_deadline(moment, zone or report_zone(report),
                           language=settings.LAPOR_NOTIFY_LANGUAGE)


def report_context(report: Report, zone: str | None = None) -> dict[str, object]:
    """Facts about the report that any message may show. Built from the report row and the
    organisation tree only: the reporter's contact row is never read here."""
    site = settings.LAPOR_SITE_URL.rstrip("/")
    agency = report.agency or report.tier
    return {
        "tracking_number": report.tracking_number,
        "title": report.title,
        "status": report.get_status_display(),
        "agency": agency.name,
        "unit": report.current_node.name,
        "track_url": f"{site}/lacak/{report.tracking_number}/",
        "report_url": f"{site}/petugas/laporan/{report.pk}/",
        "due_date": due_text(report, report.staff_due_at, zone),
    }


def _reporter_rows(report: Report, event: ReportEvent, key: str,
                   context: dict[str, object], agency: OrgNode,
                   *, who: str = "reporter", by_contact: bool = True) -> list[OutboxMessage]:
    """``by_contact`` False: Web Push to this instance's browsers only, nothing through the
    reporter's contact or channel (a report filed on another federated instance)."""
    if event.visibility == Visibility.INTERNAL:
        return []
    contact = getattr(report, "contact", None) if by_contact else None
    channels: list[str] = []
    # Only the blind indexes are looked at here (nothing is decrypted): is there an address?
    if contact is not None and contact.email_index:
        channels.append(Channel.EMAIL)
    if (by_contact and report.channel in registered_channels()
            and report.channel != Channel.EMAIL
            and reporter_reachable(report.channel, report.pk, has_phone=bool(
                contact is not None and contact.phone_index))):
        channels.append(report.channel)
    # A web/API reporter who ticked "send updates to this number": SMS to the contact phone
    # (decrypted at delivery by the SMS sender, lapor.channels.outbound). Not WhatsApp: a
    # business may not start a WhatsApp conversation with free text, SMS reaches every phone.
    to_phone = bool(report.phone_updates and contact is not None and contact.phone_index
                    and Channel.SMS in registered_channels() and Channel.SMS not in channels)
    if to_phone:
        channels.append(Channel.SMS)
    # Web Push to the browsers that opted in for this report (fixed status words only).
    pushes = push_rows(report=report, event_id=event.pk, event=key, agency=agency, who=who)
    if not channels:
        return pushes
    language = settings.LAPOR_NOTIFY_LANGUAGE
    rendered = render(key, language=language, agency=agency, context=context)
    return [
        message(key=f"e{event.pk}:{who}:{channel}", event=key, audience=Audience.REPORTER,
                channel=channel, agency=agency, rendered=rendered, report_id=report.pk,
                language=language,
                payload={"contact_phone": True} if to_phone and channel == Channel.SMS else None)
        for channel in channels
    ] + pushes


# Endpoints that follow a report wherever it goes, named by other apps (lapor.intake: the
# application that submitted it). A source returns {endpoint id: extra payload fields}.
type CallbackSource = Callable[[Report], dict[int, dict[str, object]]]
_CALLBACK_SOURCES: list[CallbackSource] = []


def register_callback_source(source: CallbackSource) -> None:
    if source not in _CALLBACK_SOURCES:
        _CALLBACK_SOURCES.append(source)


def _callback_rows(report: Report, event: ReportEvent, agency: OrgNode) -> list[OutboxMessage]:
    if event.visibility == Visibility.INTERNAL and not event.to_status:
        return []
    extra: dict[int, dict[str, object]] = {}
    for source in _CALLBACK_SOURCES:
        extra.update(source(report))
    endpoints = [e for e in CallbackEndpoint.objects.filter(is_active=True).select_related("node")
                 if e.pk in extra or e.node.contains(report.current_node)
                 or e.node.contains(report.tier)]
    payload = {"event_id": event.pk, "event": event.kind, "tracking_number":
               report.tracking_number, "status": report.status,
               "from_status": event.from_status, "at": event.created_at.isoformat()}
    return [
        message(key=f"e{event.pk}:cb{endpoint.pk}:webhook", event=f"callback.{event.kind}",
                audience=Audience.INTEGRATION, channel=Channel.WEBHOOK, agency=agency,
                endpoint=endpoint, report_id=report.pk,
                payload={**payload, **extra.get(endpoint.pk, {})})
        for endpoint in endpoints
    ]


def _with_message(context: dict[str, object], event: ReportEvent,
                  audience: Visibility) -> dict[str, object]:
    """``context`` with the event's text as ``message`` where ``audience`` may read it
    (lapor.reports.visibility), else an empty message."""
    readable = text_visible_to(event.kind, event.visibility, audience)
    return {**context, "message": event.body if readable else ""}


def notify_report_event(*, report: Report, event: ReportEvent, reporter: bool = True,
                        staff: bool = True, callbacks: bool = True) -> int:
    """Write the outbox rows ``event`` causes. Runs in the caller's transaction.

    The flags leave out a kind of recipient; every service leaves them all on. An event
    mirrored in from another instance (lapor.federation.mirror) messages the reporter only
    where the report was filed (that instance has the contact and the channel) and the staff
    only where the report is held after the change."""
    agency = node_agency_or_root(report.current_node)
    zone = report_zone(report)
    context = report_context(report, zone)
    context["reason"] = report.get_archive_reason_display() if report.archive_reason else ""
    if event.kind == Action.SUBMIT:
        context["due_date"] = due_text(report, report.verify_due_at, zone)
    elif event.kind == Action.HOLD:
        context["due_date"] = due_text(report, report.hold_due_at, zone)
    elif event.kind == Action.RESPOND:
        context["due_date"] = due_text(report, report.reply_due_at, zone)
    rows: list[OutboxMessage] = []
    reporter_key = REPORTER_EVENTS.get(event.kind) if reporter else None
    if reporter_key is not None:
        # A report filed on another federated instance: that one messages its reporter (it
        # has the contact and the channel), whichever instance's work the event records;
        # this one only pushes to the browsers that opted in here. The followers (reporters
        # of local duplicates merged into it) are this instance's.
        rows += _reporter_rows(report, event, reporter_key,
                               _with_message(context, event, Visibility.REPORTER), agency,
                               by_contact=not replication.filed_elsewhere(report))
    if (reporter_key is not None and event.visibility == Visibility.PUBLIC
            and not report.is_confidential):
        # Reporters of duplicates merged into this report follow it (lapor.reports.merge):
        # its public events reach them through their own report's channel, with the text
        # only where the public may read it. A confidential report reaches no other citizen
        # (its follows are also deleted when it is made confidential).
        public_context = _with_message(context, event, Visibility.PUBLIC)
        for follow in ReportFollow.objects.filter(report=report).select_related(
                "follower__contact"):
            rows += _reporter_rows(follow.follower, event, reporter_key, public_context,
                                   agency, who=f"follower{follow.follower_id}")
    staff_key = STAFF_EVENTS.get(event.kind) if staff else None
    if staff_key is not None:
        users = [u for u in recipients.holders(report)
                 if event.actor_id is None or u.pk != event.actor_id]
        rows += staff_messages(cause=f"e{event.pk}", event=staff_key, users=users,
                               agency=agency,
                               context=_with_message(context, event, Visibility.INTERNAL),
                               report_id=report.pk)
    if callbacks:
        rows += _callback_rows(report, event, agency)
    return outbox_add(rows)

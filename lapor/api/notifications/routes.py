"""The notification centre (``/notifications``: a staff member's own notices) and the outbox
admin (``/outbox``: counts, failures, replay; system administrators and national verifiers).

No path parameters: every operation acts on the caller's own rows or, for the admin, on ids in
the body, so nothing here can confirm another agency's object exists. The admin list shows
delivery metadata only, never a message's subject, body or recipient address.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from lapor.api.auth import BearerAuth, request_staff
from lapor.core.api import ObjectBody, errors
from lapor.core.errors import NotFound, PermissionDenied
from lapor.core.pagination import keyset_page
from lapor.notifications import services
from lapor.notifications.defaults import DEFAULTS, VARIABLES
from lapor.notifications.dispatcher import outbox_counts
from lapor.notifications.models import MessageTemplate, Notification, OutboxMessage, OutboxStatus
from lapor.notifications.quiet import quiet_window
from lapor.notifications.templates import LANGUAGES, can_edit_templates, template_set
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.selectors import node_get

router = Router(tags=["notifications"], auth=BearerAuth())
# A database id: positive and within a 64-bit column.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
PAGE_MAX = 100


class NotificationOut(Schema):
    id: int
    event: str
    subject: str
    body: str
    tracking_number: str | None
    report_id: int | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class MarkReadIn(ObjectBody):
    model_config = ConfigDict(strict=True, extra="forbid")
    ids: list[RowId] | None = Field(default=None, max_length=500,
                                  description="Omit to mark every unread notification read")


class CountOut(Schema):
    updated: int


class OutboxOut(Schema):
    id: int
    key: str
    event: str
    audience: str
    channel: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    tracking_number: str | None


class OutboxPage(Schema):
    items: list[OutboxOut]
    next_cursor: str | None


class OutboxStatsOut(Schema):
    pending: int
    sent: int
    dead: int
    due: int


class ReplayIn(ObjectBody):
    model_config = ConfigDict(strict=True, extra="forbid")
    ids: list[RowId] | None = Field(default=None, max_length=1000)
    all_dead: bool = False


class ReplayOut(Schema):
    replayed: int


class NotificationQuery(Schema):
    unread: bool | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=PAGE_MAX)


class OutboxQuery(Schema):
    status: OutboxStatus | None = OutboxStatus.DEAD
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=PAGE_MAX)


def _notification(n: Notification) -> dict[str, Any]:
    return {"id": n.pk, "event": n.event, "subject": n.subject, "body": n.body,
            "tracking_number": n.report.tracking_number if n.report else None,
            "report_id": n.report_id, "created_at": n.created_at, "read_at": n.read_at}


@router.get("/notifications", response={200: NotificationPage, **errors(401, 403)},
            summary="My in-app notifications, newest first")
def my_notifications(request: HttpRequest,
                     query: Query[NotificationQuery]) -> dict[str, Any]:
    actor = request_staff(request)
    qs = services.notifications_of(actor, unread=query.unread).select_related("report")
    page = keyset_page(qs, field="created_at", cursor=query.cursor, limit=query.limit)
    return {"items": [_notification(n) for n in page.items], "next_cursor": page.next_cursor,
            "unread": services.notifications_of(actor, unread=True).count()}


@router.post("/notifications/read", response={200: CountOut, **errors(401, 403)},
             summary="Mark my notifications read (the given ids, or all)")
def mark_read(request: HttpRequest, payload: MarkReadIn) -> dict[str, int]:
    actor = request_staff(request)
    return {"updated": services.notifications_mark_read(actor=actor, ids=payload.ids)}


@router.get("/outbox/stats", response={200: OutboxStatsOut, **errors(401, 403)},
            tags=["operations"], summary="Outbox rows by status, and how many are due now")
def outbox_stats(request: HttpRequest) -> dict[str, int]:
    services.outbox_require_admin(request_staff(request))
    return outbox_counts()


def _outbox(m: OutboxMessage) -> dict[str, Any]:
    return {"id": m.pk, "key": m.key, "event": m.event, "audience": m.audience,
            "channel": m.channel, "status": m.status, "attempts": m.attempts,
            "next_attempt_at": m.next_attempt_at, "last_error": m.last_error,
            "created_at": m.created_at, "sent_at": m.sent_at,
            "tracking_number": m.report.tracking_number if m.report else None}


@router.get("/outbox/messages", response={200: OutboxPage, **errors(401, 403)},
            tags=["operations"],
            summary="Outbox deliveries by status (default: dead letters), newest first")
def outbox_list(request: HttpRequest, query: Query[OutboxQuery]) -> dict[str, Any]:
    actor = request_staff(request)
    qs = services.outbox_messages(actor, status=query.status)
    page = keyset_page(qs, field="created_at", cursor=query.cursor, limit=query.limit)
    return {"items": [_outbox(m) for m in page.items], "next_cursor": page.next_cursor}


@router.post("/outbox/replay", response={200: ReplayOut, **errors(401, 403)},
             tags=["operations"],
             summary="Queue failed deliveries again (the given ids, or every dead letter)")
def outbox_replay(request: HttpRequest, payload: ReplayIn) -> dict[str, int]:
    actor = request_staff(request)
    return {"replayed": services.outbox_replay(actor=actor, ids=payload.ids,
                                               all_dead=payload.all_dead)}


# ---------------------------------------------------------------- templates and quiet hours

Language = Literal["id", "en"]
EventName = Literal[tuple(VARIABLES)]  # type: ignore[valid-type]


class TemplateOut(Schema):
    event: str
    language: str
    subject: str
    body: str
    source: str = Field(description="agency, national (an edited default) or shipped")
    variables: list[str]


class TemplateIn(ObjectBody):
    model_config = ConfigDict(extra="forbid")
    agency: str | None = Field(default=None, max_length=80,
                               description="Agency code; omit for the national default")
    event: EventName  # type: ignore[valid-type]
    language: Language
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=5_000)


class TemplateQuery(Schema):
    agency: str | None = Field(default=None, max_length=80)


class QuietHoursOut(Schema):
    agency: str
    start: str
    end: str
    timezone: str


class QuietHoursIn(ObjectBody):
    model_config = ConfigDict(extra="forbid")
    agency: str = Field(max_length=80)
    start: time
    end: time


def _template_agency(code: str | None) -> OrgNode | None:
    if code is None:
        return None
    node = node_get(code)
    if node is None or node.kind not in (NodeKind.AGENCY, NodeKind.ROOT):
        raise NotFound("unknown_node", field="agency")
    return None if node.kind == NodeKind.ROOT else node


def _templates(agency: OrgNode | None) -> list[dict[str, Any]]:
    rows = {(r.agency_id, r.event, r.language): r for r in MessageTemplate.objects.filter(
        agency__in=[agency] if agency is not None else []) | MessageTemplate.objects.filter(
        agency__isnull=True)}
    out = []
    for event, by_language in DEFAULTS.items():
        for language in LANGUAGES:
            own = rows.get((agency.pk, event, language)) if agency is not None else None
            national = rows.get((None, event, language))
            subject, body = by_language[language]
            source = "shipped"
            for row, name in ((national, "national"), (own, "agency")):
                if row is not None:
                    subject, body, source = row.subject, row.body, name
            out.append({"event": event, "language": language, "subject": subject,
                        "body": body, "source": source, "variables": list(VARIABLES[event])})
    return out


@router.get("/notification-templates", response={200: list[TemplateOut], **errors(401, 403, 404)},
            tags=["sop"], summary="The messages an agency sends (its own wording, else the "
            "national or shipped one), with the variables each may use")
def templates_list(request: HttpRequest, query: Query[TemplateQuery]) -> list[dict[str, Any]]:
    actor = request_staff(request)
    agency = _template_agency(query.agency)
    if not can_edit_templates(actor, agency):
        raise PermissionDenied("permission_denied")
    return _templates(agency)


@router.put("/notification-templates", response={200: TemplateOut, **errors(401, 403, 404)},
            tags=["sop"], summary="Change one message of an agency (or the national default); "
            "unknown variables are refused")
def templates_put(request: HttpRequest, payload: TemplateIn) -> dict[str, Any]:
    actor = request_staff(request)
    agency = _template_agency(payload.agency)
    row = template_set(actor=actor, agency=agency, event=payload.event,
                       language=payload.language, subject=payload.subject, body=payload.body)
    return {"event": row.event, "language": row.language, "subject": row.subject,
            "body": row.body, "source": "agency" if agency is not None else "national",
            "variables": list(VARIABLES[row.event])}


def _quiet_out(agency: OrgNode) -> dict[str, str]:
    start, end, zone = quiet_window(agency)
    return {"agency": agency.code, "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"), "timezone": str(zone)}


@router.put("/quiet-hours", response={200: QuietHoursOut, **errors(401, 403, 404)},
            tags=["sop"], summary="An agency's quiet hours for SMS/WhatsApp to reporters")
def quiet_hours_put(request: HttpRequest, payload: QuietHoursIn) -> dict[str, str]:
    actor = request_staff(request)
    node = node_get(payload.agency)
    if node is None or node.kind not in (NodeKind.AGENCY, NodeKind.ROOT):
        raise NotFound("unknown_node", field="agency")
    services.quiet_hours_set(actor=actor, agency=node, start=payload.start, end=payload.end)
    return _quiet_out(node)

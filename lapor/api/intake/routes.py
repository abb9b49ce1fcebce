"""``/api/v1/integration/*``: regional applications submit reports and read their own.

Authentication: ``Authorization: Bearer lapp_…``, the application's token (``lapor intake app
add``). Everything an application sees is its own: its submissions by its reference ids and
the delivery log of its callback endpoint (docs/intake.md).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema
from ninja.security import HttpBearer
from pydantic import ConfigDict

from lapor.core.api import ObjectBody, errors
from lapor.core.errors import NotAuthenticated
from lapor.core.pagination import keyset_page
from lapor.intake.applications import integration_app_authenticate
from lapor.intake.integration import integration_submit
from lapor.intake.models import IntegrationApp
from lapor.intake.selectors import app_deliveries, app_submission
from lapor.notifications.models import OutboxStatus
from lapor.reports.models import ReportType
from lapor.reports.states import Status as ReportStatus


class IntegrationAuth(HttpBearer):
    """``Authorization: Bearer lapp_…``; yields the :class:`IntegrationApp`."""

    def authenticate(self, request: HttpRequest, token: str) -> IntegrationApp | None:
        return integration_app_authenticate(token)


router = Router(tags=["integration"], auth=IntegrationAuth())
PAGE_MAX = 100


def site_url() -> str:
    return str(settings.LAPOR_SITE_URL).rstrip("/")


def _app(request: HttpRequest) -> IntegrationApp:
    app = getattr(request, "auth", None)
    if not isinstance(app, IntegrationApp):
        raise NotAuthenticated("not_authenticated")
    return app


class IntegrationReportIn(ObjectBody):
    model_config = ConfigDict(extra="forbid")
    reference_id: str = Field(
        min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$",
        description="The application's own id of this report (letters, digits, `.` `_` `:` "
        "`-`); unique per application")
    type: ReportType = Field(description="complaint, aspiration or information_request")
    title: str = Field(min_length=5, max_length=200)
    body: str = Field(min_length=10, max_length=10_000)
    region_code: str = Field(
        default="", max_length=13,
        description="Kemendagri code, e.g. 64.08.04. Empty or absent with latitude/longitude: "
                    "the kecamatan of the point (422 `location_outside_indonesia` if in none); "
                    "when both are sent this code wins and the point is kept.")
    category_code: str | None = Field(default=None, max_length=60)
    incident_date: date | None = None
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, max_digits=9,
                                      decimal_places=6)
    address: str = Field(default="", max_length=300)
    is_anonymous: bool = Field(default=False, description="Hide the reporter from agencies")
    is_confidential: bool = Field(default=False, description="Hide the report from the public")
    reporter_name: str = Field(default="", max_length=120)
    reporter_email: str = Field(default="", max_length=254,
                                description="The acknowledgement and answers go here")
    reporter_phone: str = Field(default="", max_length=32)
    reporter_nik: str = Field(default="", max_length=24,
                              description="NIK (16 digits), optional; stored encrypted")


class IntegrationReportOut(Schema):
    tracking_number: str
    access_code: str = Field(description="Hand it to the reporter; shown in this answer only "
                             "(and its replays under the same Idempotency-Key)")
    reference_id: str
    status: ReportStatus
    channel: str
    agency: str
    submitted_at: datetime
    verify_due_at: datetime | None
    track_url: str


class IntegrationStatusOut(Schema):
    tracking_number: str
    reference_id: str
    status: ReportStatus
    submitted_at: datetime
    updated_at: datetime
    track_url: str


class DeliveryOut(Schema):
    id: int = Field(description="Outbox row id (what an operator replays)")
    key: str = Field(description="The Idempotency-Key the callback carried")
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    tracking_number: str | None


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


class DeliveryQuery(Schema):
    status: OutboxStatus | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=PAGE_MAX)


IdempotencyKey = Header(
    None, alias="Idempotency-Key",
    description="Required. Any unique string (a UUID) per report: a retry with the same key "
    "and body gets the first answer again; the same key with another body is 422.")


@router.post(
    "/integration/reports",
    response={201: IntegrationReportOut, **errors(401, 409, 429)},
    summary="Submit a report from a regional application (idempotent)",
    description=(
        "Creates one report (channel `integration`) in the verification pool of the "
        "application's agency. Send an `Idempotency-Key` header: a retry with the same key "
        "and the same body is answered with the stored answer (same status, header "
        "`Idempotent-Replayed: true`) and creates nothing; the same key with another body is "
        "refused (422 `idempotency_key_reused`); without the header: 400 "
        "`idempotency_key_missing`. `reference_id` is unique per application: a new key for "
        "an old reference is 409 `reference_exists` (detail: the tracking number). Status "
        "changes are POSTed to the application's callback URL, signed "
        "(`X-Lapor-Signature: sha256=<HMAC-SHA256 of the raw body>`). At most "
        "`LAPOR_RATE_REPORTS_PER_APPLICATION_MINUTE` new reports per application per minute "
        "(and the per-sender limits for the reporter's phone or e-mail): over it, 429 "
        "`too_many_reports` with `Retry-After`; nothing is stored and the same key may be "
        "sent again later."
    ),
)
def integration_report_submit(request: HttpRequest, payload: IntegrationReportIn,
                               idempotency_key: str | None = IdempotencyKey) -> HttpResponse:
    app = _app(request)
    # The parser already checked the body (UTF-8 JSON, depth, characters).
    raw = json.loads(request.body)
    result = integration_submit(
        app=app, idempotency_key=idempotency_key, request_data=raw,
        reference_id=payload.reference_id, type=payload.type, title=payload.title,
        body=payload.body, region_code=payload.region_code,
        category_code=payload.category_code, incident_date=payload.incident_date,
        latitude=payload.latitude, longitude=payload.longitude, address=payload.address,
        is_anonymous=payload.is_anonymous, is_confidential=payload.is_confidential,
        reporter_name=payload.reporter_name, reporter_email=payload.reporter_email,
        reporter_phone=payload.reporter_phone, reporter_nik=payload.reporter_nik,
    )
    response = HttpResponse(json.dumps(result.body), status=result.status,
                            content_type="application/json")
    response["Cache-Control"] = "no-store"  # it carries the access code
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.get(
    "/integration/reports/{reference_id}",
    response={200: IntegrationStatusOut, **errors(401, 404)},
    summary="Status of one of the application's own reports, by its reference id",
)
def integration_report_status(request: HttpRequest, reference_id: str) -> dict[str, Any]:
    row = app_submission(_app(request), reference_id[:100])
    report = row.report
    return {"tracking_number": report.tracking_number, "reference_id": row.reference_id,
            "status": report.status, "submitted_at": report.submitted_at,
            "updated_at": report.updated_at,
            "track_url": f"{site_url()}/lacak/{report.tracking_number}/"}


@router.get(
    "/integration/callbacks",
    response={200: DeliveryPage, **errors(401)},
    summary="The delivery log of the application's status callbacks, newest first",
    description=("Delivery metadata only. Failed deliveries are retried with exponential "
                 "backoff; after the last attempt they are `dead` and an operator replays "
                 "them by `id` (`POST /api/v1/outbox/replay`)."),
)
def integration_callback_log(request: HttpRequest, query: Query[DeliveryQuery]) -> dict[str, Any]:
    qs = app_deliveries(_app(request), status=query.status)
    page = keyset_page(qs, field="created_at", cursor=query.cursor, limit=query.limit)
    return {"items": [{
        "id": m.pk, "key": m.key, "event": m.event, "status": m.status,
        "attempts": m.attempts, "next_attempt_at": m.next_attempt_at,
        "last_error": m.last_error, "created_at": m.created_at, "sent_at": m.sent_at,
        "tracking_number": m.report.tracking_number if m.report else None,
    } for m in page.items], "next_cursor": page.next_cursor}

"""A report from an integrated regional application, exactly once per Idempotency-Key.

Contract (docs/intake.md, following the IETF "Idempotency-Key" HTTP header draft):

The generic part (digests, the encrypted stored answer, the row inserted first) is
lapor.core.idempotency, shared with the citizen API's ``POST /api/v1/reports``.

* the first request with a key is processed; its 201 answer is stored;
* the same key with the same body (canonical JSON: key order and spacing do not matter)
  gets the stored answer again, byte for byte the same fields, marked ``Idempotent-Replayed``;
* the same key with another body is refused, 422 ``idempotency_key_reused``; nothing is stored;
* concurrent requests with one key: the key's row is inserted first in the transaction that
  creates the report, so the second request waits on the unique index until the first
  commits, then replays its answer (one report; tested on PostgreSQL);
* a refused request (4xx) stores nothing, so a corrected retry may reuse its key;
* the application's ``reference_id`` is unique per application: a new key for an old
  reference is 409 ``reference_exists`` with the existing tracking number.

The stored answer holds the one-time access code, which the platform otherwise keeps only as
a hash. So it is stored encrypted with a key derived from the Idempotency-Key (which itself is
stored only as a keyed hash): the database alone cannot give the code back, only a client
presenting the key can. Rows are kept ``LAPOR_INTEGRATION_REPLAY_HOURS`` (default 24).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from lapor.core import idempotency
from lapor.core.errors import Conflict, ValidationFailed
from lapor.core.idempotency import IdempotentResult as IntegrationResult
from lapor.core.ratelimit import Origin
from lapor.intake.models import IdempotencyRecord, IntegrationApp, IntegrationSubmission
from lapor.orgs.actors import SYSTEM
from lapor.reports.models import Channel
from lapor.reports.submission import report_submit

_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}$")

__all__ = ["IntegrationResult", "idempotency_purge", "integration_submit"]


def _scope(app: IntegrationApp) -> idempotency.IdempotencyScope:
    # namespace/scope as before the generic part moved to lapor.core.idempotency: answers
    # stored then still decrypt.
    return idempotency.IdempotencyScope(
        model=IdempotencyRecord, namespace="lapor.intake", scope=str(app.pk),
        filters={"app": app}, window_hours=settings.LAPOR_INTEGRATION_REPLAY_HOURS)


def check_reference(reference_id: str) -> str:
    if not _REFERENCE.match(reference_id):
        raise ValidationFailed("validation_error", field="reference_id")
    return reference_id


def _answer(app: IntegrationApp, reference_id: str, submitted: Any) -> dict[str, Any]:
    report = submitted.report
    site = settings.LAPOR_SITE_URL.rstrip("/")
    return {
        "tracking_number": report.tracking_number,
        "access_code": submitted.access_code,
        "reference_id": reference_id,
        "status": report.status,
        "channel": report.channel,
        "agency": app.agency.code,
        "submitted_at": report.submitted_at.isoformat(),
        "verify_due_at": report.verify_due_at.isoformat() if report.verify_due_at else None,
        "track_url": f"{site}/lacak/{report.tracking_number}/",
    }


def integration_submit(
    *,
    app: IntegrationApp,
    idempotency_key: str | None,
    request_data: Any,
    reference_id: str,
    type: str,
    title: str,
    body: str,
    region_code: str,
    category_code: str | None = None,
    incident_date: date | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    address: str = "",
    is_anonymous: bool = False,
    is_confidential: bool = False,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    reporter_nik: str = "",
) -> IntegrationResult:
    """Record the application's report (channel ``integration``, to the application's own
    agency: its verification pool when it is a hub), or replay the stored answer."""
    key = idempotency.check_key(idempotency_key)
    reference_id = check_reference(reference_id)
    fields = {
        "type": type, "title": title, "body": body, "region_code": region_code,
        "category_code": category_code, "incident_date": incident_date,
        "latitude": latitude, "longitude": longitude, "address": address,
        "is_anonymous": is_anonymous, "is_confidential": is_confidential,
        "reporter_name": reporter_name, "reporter_email": reporter_email,
        "reporter_phone": reporter_phone, "reporter_nik": reporter_nik,
    }
    return _scope(app).run(
        key=key, request_data=request_data,
        produce=lambda: _submit(app=app, reference_id=reference_id, fields=fields))


def _existing_reference(app: IntegrationApp, reference_id: str) -> Conflict:
    tracking = (IntegrationSubmission.objects.filter(app=app, reference_id=reference_id)
                .values_list("report__tracking_number", flat=True).first())
    return Conflict("reference_exists", field="reference_id",
                    detail={"tracking_number": tracking})


def _submit(*, app: IntegrationApp, reference_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    if IntegrationSubmission.objects.filter(app=app, reference_id=reference_id).exists():
        raise _existing_reference(app, reference_id)
    submitted = report_submit(actor=SYSTEM, channel=Channel.INTEGRATION,
                              target_agency_code=app.agency.code,
                              origin=Origin(application=f"integration:{app.pk}"), **fields)
    try:
        with transaction.atomic():
            IntegrationSubmission.objects.create(app=app, reference_id=reference_id,
                                                 report=submitted.report,
                                                 received_at=submitted.report.submitted_at)
    except IntegrityError:
        # Another key, the same reference, committed meanwhile.
        raise _existing_reference(app, reference_id) from None
    return _answer(app, reference_id, submitted)


def idempotency_purge() -> int:
    """Delete answers older than the replay window (``lapor intake purge``)."""
    return idempotency.purge(IdempotencyRecord,
                             window_hours=settings.LAPOR_INTEGRATION_REPLAY_HOURS)

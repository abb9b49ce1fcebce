"""A report from an integrated regional application, exactly once per Idempotency-Key.

Contract (docs/intake.md, following the IETF "Idempotency-Key" HTTP header draft):

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

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import IntegrityError, transaction

from lapor.core import clock
from lapor.core.errors import ApplicationError, Conflict, ValidationFailed
from lapor.core.ratelimit import Origin
from lapor.intake.models import IdempotencyRecord, IntegrationApp, IntegrationSubmission
from lapor.orgs.actors import SYSTEM
from lapor.reports.models import Channel
from lapor.reports.submission import report_submit

# Visible ASCII without spaces: what the draft's examples and common clients send (UUIDs).
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}$")


@dataclass(frozen=True)
class IntegrationResult:
    status: int
    body: dict[str, Any]
    replayed: bool


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"lapor.intake.{purpose}:{settings.SECRET_KEY}".encode()).digest()


def _key_digest(app: IntegrationApp, key: str) -> str:
    return hmac.new(_derived("idempotency-key"), f"{app.pk}:{key}".encode(),
                    hashlib.sha256).hexdigest()


def _box(app: IntegrationApp, key: str) -> Fernet:
    raw = hmac.new(_derived("idempotency-box"), f"{app.pk}:{key}".encode(),
                   hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(raw))


def request_digest(data: Any) -> str:
    """SHA-256 of the canonical JSON of the parsed body."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str | None) -> str:
    if key is None or not key:
        # 400, as the IETF draft says for a required key that is missing.
        raise ApplicationError("idempotency_key_missing", field="Idempotency-Key")
    if not _KEY.match(key):
        raise ValidationFailed("validation_error", field="Idempotency-Key")
    return key


def check_reference(reference_id: str) -> str:
    if not _REFERENCE.match(reference_id):
        raise ValidationFailed("validation_error", field="reference_id")
    return reference_id


def _stored(app: IntegrationApp, key: str, digest: str) -> IntegrationResult | None:
    """The stored answer for ``key``, or None (never seen, or expired and dropped)."""
    key_digest = _key_digest(app, key)
    record = IdempotencyRecord.objects.filter(app=app, key_digest=key_digest).first()
    if record is None:
        return None
    window = timedelta(hours=settings.LAPOR_INTEGRATION_REPLAY_HOURS)
    if record.created_at < clock.now() - window:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return None
    if not hmac.compare_digest(record.request_digest, digest):
        raise ValidationFailed("idempotency_key_reused", field="Idempotency-Key")
    try:
        body = json.loads(_box(app, key).decrypt(record.response.encode()))
    except InvalidToken:  # SECRET_KEY rotated since: the answer can't be read back
        raise Conflict("idempotency_key_reused", field="Idempotency-Key") from None
    return IntegrationResult(status=record.status_code, body=body, replayed=True)


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
    key = check_key(idempotency_key)
    reference_id = check_reference(reference_id)
    digest = request_digest(request_data)
    stored = _stored(app, key, digest)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            # First write of the transaction: a concurrent request with this key waits here
            # until this one commits (then replays) or rolls back (then proceeds).
            record = IdempotencyRecord.objects.create(
                app=app, key_digest=_key_digest(app, key), request_digest=digest,
                status_code=0, response="", created_at=clock.now())
            result = _submit(app=app, record=record, key=key, reference_id=reference_id,
                             fields={
                                 "type": type, "title": title, "body": body,
                                 "region_code": region_code, "category_code": category_code,
                                 "incident_date": incident_date, "latitude": latitude,
                                 "longitude": longitude, "address": address,
                                 "is_anonymous": is_anonymous,
                                 "is_confidential": is_confidential,
                                 "reporter_name": reporter_name,
                                 "reporter_email": reporter_email,
                                 "reporter_phone": reporter_phone,
                                 "reporter_nik": reporter_nik,
                             })
    except IntegrityError:
        stored = _stored(app, key, digest)
        if stored is None:
            raise
        return stored
    return result


def _existing_reference(app: IntegrationApp, reference_id: str) -> Conflict:
    tracking = (IntegrationSubmission.objects.filter(app=app, reference_id=reference_id)
                .values_list("report__tracking_number", flat=True).first())
    return Conflict("reference_exists", field="reference_id",
                    detail={"tracking_number": tracking})


def _submit(*, app: IntegrationApp, record: IdempotencyRecord, key: str, reference_id: str,
            fields: dict[str, Any]) -> IntegrationResult:
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
    answer = _answer(app, reference_id, submitted)
    record.status_code = 201
    record.response = _box(app, key).encrypt(
        json.dumps(answer, separators=(",", ":")).encode()).decode()
    record.save(update_fields=["status_code", "response"])
    return IntegrationResult(status=201, body=answer, replayed=False)


def idempotency_purge() -> int:
    """Delete answers older than the replay window (``lapor intake purge``)."""
    cutoff = clock.now() - timedelta(hours=settings.LAPOR_INTEGRATION_REPLAY_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted

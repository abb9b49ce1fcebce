"""Status callbacks to integrated applications.

Delivery is the notifications outbox's (``lapor.notifications``: one row per event and
endpoint, written in the event's transaction, POSTed after commit by the dispatcher with
``X-Lapor-Signature: sha256=<HMAC-SHA256 of the body>`` and the delivery key as
``Idempotency-Key``, retried with exponential backoff, dead letters listed and replayed by the
outbox admin API). This module adds what an application needs on top:

* every event of a report *it* submitted reaches its endpoint, even while the report sits in
  the national pool or after it moved to another agency (the endpoint's node alone covers only
  reports held inside its agency), and the payload carries the application's ``reference_id``;
* :func:`signature_valid`, the check an application runs (documented in docs/intake.md).
"""

from __future__ import annotations

import hashlib
import hmac

from lapor.intake.models import IntegrationSubmission
from lapor.notifications.report_events import register_callback_source
from lapor.reports.models import Channel, Report

SIGNATURE_HEADER = "X-Lapor-Signature"


def _submitting_app_endpoint(report: Report) -> dict[int, dict[str, object]]:
    if report.channel != Channel.INTEGRATION or report.pk is None:
        return {}  # no query for the other channels
    row = (IntegrationSubmission.objects.filter(
        report_id=report.pk, app__revoked_at__isnull=True, app__callback__isnull=False)
        .values_list("app__callback_id", "reference_id").first())
    if row is None:
        return {}
    endpoint_id, reference_id = row
    return {endpoint_id: {"reference_id": reference_id}}


def register() -> None:
    register_callback_source(_submitting_app_endpoint)


def signature_valid(*, secret: str, body: bytes, header: str) -> bool:
    """``header`` (``sha256=<hex>``) is the HMAC-SHA256 of the raw ``body`` with ``secret``;
    compared in constant time."""
    scheme, _, received = header.partition("=")
    if scheme != "sha256" or not received:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received.strip().lower())

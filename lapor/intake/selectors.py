"""Reads for integrated applications: their own reports and their own callback deliveries."""

from __future__ import annotations

from django.db.models import QuerySet

from lapor.core.errors import NotFound
from lapor.intake.models import IntegrationApp, IntegrationSubmission
from lapor.notifications.models import OutboxMessage


def app_submission(app: IntegrationApp, reference_id: str) -> IntegrationSubmission:
    """The application's own submission by its reference id; another application's is a 404."""
    row = (IntegrationSubmission.objects.select_related("report")
           .filter(app=app, reference_id=reference_id).first())
    if row is None:
        raise NotFound("not_found", field="reference_id")
    return row


def app_deliveries(app: IntegrationApp, *, status: str | None) -> QuerySet[OutboxMessage]:
    """The outbox rows of the application's callback endpoint (its delivery log)."""
    if app.callback_id is None:
        return OutboxMessage.objects.none()
    qs = OutboxMessage.objects.filter(endpoint_id=app.callback_id).select_related("report")
    return qs.filter(status=status) if status else qs

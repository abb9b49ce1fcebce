"""Integrated regional applications (tokens, idempotency records, their reference ids) and
inbound e-mail (the raw log, unique by Message-ID). docs/intake.md.

Only :mod:`lapor.intake.apps_admin`, :mod:`lapor.intake.integration` and
:mod:`lapor.intake.email` write these rows.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from lapor.core.models import IdempotentAnswer


class IntegrationApp(models.Model):
    """One regional application connected to one agency. Only the SHA-256 of its token is
    stored (as :class:`lapor.accounts.models.ApiToken` and Open311 keys); ``prefix`` tells
    tokens apart in listings. ``callback`` is its status-callback endpoint (optional)."""

    agency = models.ForeignKey("orgs.OrgNode", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    callback = models.OneToOneField("notifications.CallbackEndpoint", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IntegrationSubmission(models.Model):
    """A report received from an application, under the application's own reference id
    (unique per application: the second defence against a double submission, after the
    Idempotency-Key)."""

    app = models.ForeignKey(IntegrationApp, on_delete=models.PROTECT, related_name="submissions")
    reference_id = models.CharField(max_length=100)
    report = models.OneToOneField("reports.Report", on_delete=models.CASCADE,
                                  related_name="integration_submission")
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app", "reference_id"],
                                    name="intake_reference_once_per_app"),
        ]

    def __str__(self) -> str:
        return f"{self.app_id}:{self.reference_id}"


class IdempotencyRecord(IdempotentAnswer):
    """The stored answer to one ``Idempotency-Key`` of one application (the fields and why
    the answer is encrypted: lapor.core.models.IdempotentAnswer; the rules:
    lapor.intake.integration and lapor.core.idempotency)."""

    app = models.ForeignKey(IntegrationApp, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app", "key_digest"], name="intake_idempotency_once"),
        ]
        indexes = [models.Index(fields=["created_at"], name="intake_idempotency_age")]

    def __str__(self) -> str:
        return f"{self.app_id}:{self.key_digest[:8]} → {self.status_code}"


class InboundStatus(models.TextChoices):
    RECEIVED = "received", "Diterima"
    NEW_REPORT = "new_report", "Laporan baru"
    REPLY = "reply", "Tanggapan pelapor"
    IGNORED = "ignored", "Diabaikan"
    FAILED = "failed", "Gagal diproses"


class InboundEmail(models.Model):
    """Every inbound e-mail, recorded raw before parsing, unique by Message-ID (a message
    without one gets ``<sha256 of the bytes>@lapor.no-message-id``): an MTA retrying, the IMAP
    poller seeing a message twice or a forwarded copy does nothing twice.

    ``raw`` holds the message (with the sender's address) only until it is processed; then it
    is emptied and only the outcome, the report and the size remain (UU PDP: no more
    personal data than needed)."""

    message_id = models.CharField(max_length=300, unique=True)
    source = models.CharField(max_length=8)  # smtp | imap
    # Our own addresses it was sent to (envelope RCPT TO, or To/Cc for IMAP): they pick the
    # agency.
    recipients = models.CharField(max_length=500, blank=True)
    raw = models.BinaryField(blank=True)
    size = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=InboundStatus.choices,
                              default=InboundStatus.RECEIVED)
    outcome = models.CharField(max_length=60, blank=True)
    report = models.ForeignKey("reports.Report", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=InboundStatus.values),
                                   name="intake_inbound_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="intake_inbound_status")]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"

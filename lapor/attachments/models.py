"""Files attached to a report. Only :mod:`lapor.attachments.services` writes these rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from lapor.attachments.filetypes import ALLOWED_CONTENT_TYPES


class UploadedBy(models.TextChoices):
    REPORTER = "reporter", "Pelapor"
    STAFF = "staff", "Petugas"


class ScanStatus(models.TextChoices):
    PENDING = "pending", "Menunggu pemindaian"
    CLEAN = "clean", "Bersih"
    INFECTED = "infected", "Terinfeksi"
    NOT_SCANNED = "not_scanned", "Tidak dipindai (pemindai tidak dikonfigurasi)"


# Statuses whose files may be served to anyone at all.
SERVABLE_SCAN_STATUSES = (ScanStatus.CLEAN, ScanStatus.NOT_SCANNED)


class Attachment(models.Model):
    """One stored file. ``stored_name`` is generated; the client's name is display text only,
    kept encrypted in the identity vault (``original_name_encrypted``, a Fernet token: a name
    like ``KTP_<name>_<phone>.png`` identifies its sender); read it through
    :func:`lapor.attachments.presenters.original_name`.

    The stored bytes are the checked copy: images re-encoded without metadata, PDFs rewritten
    without document metadata, MP4 as sent (docs/security.md "Attachments").
    """

    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, related_name="attachments"
    )
    uploaded_by = models.CharField(max_length=10, choices=UploadedBy.choices)
    # The staff member who uploaded it; null for reporters (the report already says who).
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    stored_name = models.CharField(max_length=100, unique=True)
    original_name_encrypted = models.TextField()
    content_type = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    scan_status = models.CharField(max_length=12, choices=ScanStatus.choices)
    is_public = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # Shown to the reporter though not to the public: a photo of a follow-up "only for the
    # reporter" (lapor.reports.visibility). A published file is shown to the reporter anyway.
    for_reporter = models.BooleanField(default=False)
    # The follow-up this file was posted with; null for a file attached on its own.
    followup = models.ForeignKey(
        "reports.ReportEvent", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["report", "created_at"], name="attachment_report")]
        constraints = [
            models.CheckConstraint(
                condition=Q(uploaded_by__in=UploadedBy.values), name="attachment_uploaded_by_valid"
            ),
            models.CheckConstraint(
                condition=Q(scan_status__in=ScanStatus.values),
                name="attachment_scan_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=ALLOWED_CONTENT_TYPES),
                name="attachment_content_type_allowed",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_size_positive"),
            # Only a checked file can be public, and a public one records when it was published.
            models.CheckConstraint(
                condition=Q(is_public=False)
                | Q(scan_status__in=SERVABLE_SCAN_STATUSES, published_at__isnull=False),
                name="attachment_public_is_checked",
            ),
            models.CheckConstraint(
                condition=Q(for_reporter=False) | Q(scan_status__in=SERVABLE_SCAN_STATUSES),
                name="attachment_for_reporter_is_checked",
            ),
        ]

    def __str__(self) -> str:
        return f"attachment {self.pk} of report {self.report_id}"

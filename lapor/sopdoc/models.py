"""Versions of an agency's SOP document (docs/sop-document.md "Versions and approval")."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SopStatus(models.TextChoices):
    DRAFT = "draft", "Draf"
    APPROVED = "approved", "Disahkan"


class SopVersion(models.Model):
    """A snapshot of :func:`lapor.sopdoc.document.sop_document`. Drafts are made by
    ``sop_draft_refresh`` when the content hash changes; ``sop_version_approve`` numbers one,
    stores its PDF with the PDF's SHA-256, and leaves older approved versions downloadable."""

    agency = models.ForeignKey("orgs.OrgNode", on_delete=models.PROTECT,
                               related_name="sop_versions")
    number = models.CharField(max_length=60, blank=True, default="")
    status = models.CharField(max_length=10, choices=SopStatus.choices, default=SopStatus.DRAFT)
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    # Local regulations (Perda, Perbup, …) the admin adds to the legal basis; carried to the
    # next draft.
    local_regulations = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approver_name = models.CharField(max_length=200, blank=True, default="")
    approver_position = models.CharField(max_length=200, blank=True, default="")
    effective_date = models.DateField(null=True, blank=True)
    pdf = models.CharField(max_length=200, blank=True, default="")  # name in the sop storage
    pdf_sha256 = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["agency", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~models.Q(number=""),
                                    name="sopversion_number_unique"),
            models.CheckConstraint(
                condition=models.Q(status="draft", approved_at__isnull=True)
                | models.Q(status="approved", approved_at__isnull=False,
                           effective_date__isnull=False) & ~models.Q(number=""),
                name="sopversion_approved_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"draf {self.agency_id}/{self.pk}"

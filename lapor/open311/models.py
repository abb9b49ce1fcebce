"""Open311 clients (API keys) and which client submitted which report.

Only :mod:`lapor.open311.keys` and :mod:`lapor.open311.submit` write these rows.
"""

from __future__ import annotations

from django.db import models


class ApiKey(models.Model):
    """One integrated client application (channel ``integration``). Only the SHA-256 of the
    key is stored, as for :class:`lapor.accounts.models.ApiToken`; ``prefix`` (the first
    characters after ``l311_``) lets an operator tell keys apart in ``lapor open311 key list``."""

    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Open311 key {self.prefix}… ({self.name})"


class Submission(models.Model):
    """A report received through Open311: the client key that sent it and the ``media_url`` it
    gave (kept as text, never fetched nor shown publicly; see docs/open311.md)."""

    report = models.OneToOneField(
        "reports.Report", on_delete=models.CASCADE, related_name="open311_submission"
    )
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="submissions")
    received_at = models.DateTimeField()
    media_url = models.URLField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["api_key", "received_at"], name="open311_sub_key")]

    def __str__(self) -> str:
        return f"Open311 submission of report {self.report_id}"

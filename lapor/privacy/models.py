"""The processing record of identity reads (UU PDP, Law 27/2022) and the reveal permission.

Every decryption of a reporter's identity appends one :class:`IdentityAccess` row: who, for
which report, for what purpose, when. Rows are written only by :mod:`lapor.privacy.identity`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lapor.reports.models import Report


class Purpose(models.TextChoices):
    STAFF_VIEW = "staff_view", "Staff view of a non-anonymous report"
    REVEAL = "reveal", "Identity reveal (permission and written reason)"
    REPORTER_ACCESS = "reporter_access", "The reporter reading their own data"
    CHANNEL_CONTINUITY = "channel_continuity", "Replying on the reporter's channel"


class IdentityAccess(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    actor_kind = models.CharField(max_length=20)
    actor_role = models.CharField(max_length=20, blank=True)
    purpose = models.CharField(max_length=24, choices=Purpose.choices)
    # A reveal's written reason, encrypted like the identity (it may name people).
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["report", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purpose__in=Purpose.values), name="identityaccess_purpose_valid"
            ),
        ]
        # Granted to no role by default; only a national verifier grants it
        # (lapor.privacy.services.reveal_grant). Superuser status does not imply it.
        permissions = [("reveal_identity", "Can reveal an anonymous reporter's identity")]

    def __str__(self) -> str:
        return f"identity read of report {self.report_id} ({self.purpose})"

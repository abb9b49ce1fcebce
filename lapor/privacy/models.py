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
    DATA_SUBJECT_ACCESS = "data_subject_access", "The reporter's own-data export (UU PDP)"


class IdentityAccess(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    actor_kind = models.CharField(max_length=20)
    actor_role = models.CharField(max_length=20, blank=True)
    # The organisation unit of that role (what an own-data export shows instead of a name).
    actor_node = models.ForeignKey("orgs.OrgNode", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
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


class RetentionAction(models.TextChoices):
    ANONYMISED = "anonymised", "Identity erased, statistics kept"
    PURGED = "purged", "Report deleted"


class RetentionRecord(models.Model):
    """What the retention sweep did to one report (lapor.privacy.pdp.retention_sweep).

    An anonymised report keeps its row here (and is never touched again). A purged report's row
    outlives it with ``report`` null: the anonymous tombstone (type and dates, nothing else).
    Written only by :mod:`lapor.privacy.pdp`.
    """

    report = models.OneToOneField(Report, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="retention")
    report_type = models.CharField(max_length=20)
    action = models.CharField(max_length=12, choices=RetentionAction.choices)
    closed_at = models.DateTimeField()
    done_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["action", "done_at"], name="retention_action_done")]
        constraints = [
            models.CheckConstraint(condition=models.Q(action__in=RetentionAction.values),
                                   name="retentionrecord_action_valid"),
        ]

    def __str__(self) -> str:
        return f"retention {self.action} of report {self.report_id}"

"""Training spaces (Bimtek sandbox) and the practice accounts of their trainees.

A space is a separate organisation subtree (a training hub agency under the national root, with
a copy of the real agency's units and SOP) whose reports all carry ``Report.is_training``.
Other apps recognise training nodes through the reverse relations declared here, without
importing this app: ``OrgNode.training_space`` (on the space's root) and
``User.practice_account``. Only :mod:`lapor.training.services` writes these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TrainingSpace(models.Model):
    # Short random token; every node of the space has the code ``latihan-<code>-…``.
    code = models.SlugField(max_length=12, unique=True)
    name = models.CharField(max_length=200)
    # The real agency whose structure and SOP the space mirrors (its admins are the trainers).
    agency = models.ForeignKey("orgs.OrgNode", on_delete=models.PROTECT, related_name="+")
    # The training hub: an agency-kind node under the national root, holding the copied units.
    root = models.OneToOneField(
        "orgs.OrgNode", on_delete=models.PROTECT, related_name="training_space"
    )
    # How many practice reports a fill (at creation and at each reset) submits.
    report_count = models.PositiveSmallIntegerField(default=12)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField()
    reset_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report_count__gte=1, report_count__lte=100),
                name="training_space_report_count_1_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PracticeAccount(models.Model):
    """A trainee's account: a real ``User`` whose roles exist only inside one space."""

    space = models.ForeignKey(TrainingSpace, on_delete=models.CASCADE, related_name="accounts")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_account"
    )
    # The trainee's real name, as the trainer typed it (shown in the trainer view).
    trainee_name = models.CharField(max_length=120)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["space", "id"]

    def __str__(self) -> str:
        return f"{self.trainee_name} ({self.space.code})"

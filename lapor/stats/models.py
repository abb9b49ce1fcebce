"""Summary tables behind the dashboards (docs/statistics.md).

* :class:`ReportFact`: one row per real (non-training) report holding what it contributes to
  the statistics now: its dimensions and, per SLA step, whether it was on time, late or is
  overdue. The fact is the "old value" that makes incremental maintenance possible.
* :class:`StatCell`: counters per (node, period, dimension, value), kept for the report's node
  *and every ancestor*, so a subtree's figures are read from the node's own cells without any
  path join. Months for the breakdowns, days (``dim="day"``) for the trends.
* :class:`StatsState`: the maintenance watermark (a single row, also the maintenance lock).

Only :mod:`lapor.stats.maintenance` writes these rows.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class StepState(models.IntegerChoices):
    """Where a report stands on one SLA step (verification, first follow-up, resolution)."""

    NONE = 0, "not applicable or pending within the deadline"
    ON_TIME = 1, "done within the deadline"
    LATE = 2, "done after the deadline"
    OVERDUE = 3, "not done and past the deadline"


class ReportFact(models.Model):
    report = models.OneToOneField("reports.Report", primary_key=True, on_delete=models.CASCADE,
                                  related_name="+")
    node = models.ForeignKey("orgs.OrgNode", on_delete=models.CASCADE, related_name="+")
    node_path = models.CharField(max_length=255)
    day = models.DateField()  # submission date, local to the verifying tier
    month = models.DateField()  # first day of ``day``'s month
    status = models.CharField(max_length=12)
    category_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=12)
    type = models.CharField(max_length=20)
    region = models.CharField(max_length=20)  # district (kecamatan) code, or coarser
    is_open = models.BooleanField()
    staff_due_at = models.DateTimeField(null=True)
    verify = models.PositiveSmallIntegerField(choices=StepState.choices)
    followup_eligible = models.BooleanField()
    followup = models.PositiveSmallIntegerField(choices=StepState.choices)
    followup_days = models.PositiveSmallIntegerField(null=True)
    resolution = models.PositiveSmallIntegerField(choices=StepState.choices)
    responded = models.BooleanField()
    reopened = models.BooleanField()
    rating = models.PositiveSmallIntegerField(null=True)
    overdue = models.BooleanField()
    # The next moment time alone changes this fact (a deadline passing): the refresh task
    # re-reads facts whose moment has come.
    next_check_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_check_at"], name="fact_next_check",
                         condition=Q(next_check_at__isnull=False)),
            models.Index(fields=["staff_due_at"], name="fact_open_due",
                         condition=Q(is_open=True)),
            models.Index(fields=["node", "staff_due_at"], name="fact_node_due",
                         condition=Q(is_open=True)),
        ]

    def __str__(self) -> str:
        return f"fact of report {self.report_id}"


MEASURES = (
    "reports",
    "verify_on_time", "verify_late", "verify_overdue",
    "followup_eligible", "followup_on_time", "followup_late", "followup_overdue",
    "resolution_on_time", "resolution_late", "resolution_overdue",
    "responded", "reopened", "rated", "rating_sum", "overdue",
)

# Province and regency counters (issue #21): the district cells (``dim="region"``) summed to
# the first 2 and 5 characters of their code, kept as dimensions of their own so that the
# region table's first two levels read 38 and 514 rows a month at the root instead of every
# district (7,285). A report whose region is coarser counts under its own code, as in the
# district cells. Kept by the refresh (one more contribution each) and the rebuild (summed
# from the district cells); migration 0003 derived them for the data in place.
REGION_DIMS = (("region1", 2), ("region2", 5))


class StatCell(models.Model):
    # No index of its own: ``statcell_key`` starts with the node and serves every read by
    # (node, dim, period). A separate (node) index made PostgreSQL read all of the root's
    # ~96,000 cells and filter them, for a dashboard needing a few hundred (issue #21).
    node = models.ForeignKey("orgs.OrgNode", on_delete=models.CASCADE, related_name="+",
                             db_index=False)
    period = models.DateField()  # a month's first day, or the day for dim "day"
    dim = models.CharField(max_length=12)
    value = models.CharField(max_length=40, blank=True)
    reports = models.IntegerField(default=0)
    verify_on_time = models.IntegerField(default=0)
    verify_late = models.IntegerField(default=0)
    verify_overdue = models.IntegerField(default=0)
    followup_eligible = models.IntegerField(default=0)
    followup_on_time = models.IntegerField(default=0)
    followup_late = models.IntegerField(default=0)
    followup_overdue = models.IntegerField(default=0)
    resolution_on_time = models.IntegerField(default=0)
    resolution_late = models.IntegerField(default=0)
    resolution_overdue = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "dim", "period", "value"],
                                    name="statcell_key"),
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.period} {self.dim}={self.value}"


class StatsState(models.Model):
    """The single maintenance row: watermark of processed report events."""

    last_event_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)
    rebuilt_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"stats state at event {self.last_event_id}"

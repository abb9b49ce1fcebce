"""Infrastructure rows with no business meaning: worker heartbeats and one-off markers."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by each running worker every few seconds; /healthz reads the newest."""

    name = models.CharField(max_length=120, unique=True)
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_seen:%Y-%m-%d %H:%M:%S}"


class Marker(models.Model):
    """A named fact stored once (for example "demo data loaded"), for idempotent commands."""

    key = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    value = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.key


class PeriodicRun(models.Model):
    """One row per (task, time slot): whichever worker inserts it first runs that slot."""

    task = models.CharField(max_length=80)
    slot = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "slot"], name="periodic_run_once_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.task}@{self.slot:%Y-%m-%d %H:%M}"

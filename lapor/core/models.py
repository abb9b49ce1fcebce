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


class RateCounter(models.Model):
    """Requests counted in one fixed time window for one (hashed) key; see core.ratelimit.

    The unique ``(key, window_start)`` row is incremented with ``F()`` so concurrent processes
    and machines sharing the database count together; expired rows are pruned.
    """

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"],
                                    name="rate_counter_one_row_per_window"),
        ]

    def __str__(self) -> str:
        return f"{self.key[:12]}@{self.window_start:%Y-%m-%d %H:%M}: {self.count}"


class IdempotentAnswer(models.Model):
    """The stored answer to one ``Idempotency-Key`` (lapor.core.idempotency), abstract: each
    idempotent door keeps its own table with its own scope fields and unique constraint over
    them plus ``key_digest``.

    ``key_digest`` is a keyed hash of the key (the key itself is not stored);
    ``request_digest`` the SHA-256 of the canonical request body (same key + other body is
    refused); ``response`` the answer, encrypted with a key derived from the Idempotency-Key
    itself, because it holds a one-time access code: only a client presenting the same key
    can read it back. Rows older than the door's replay window are purged.
    """

    key_digest = models.CharField(max_length=64)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        abstract = True

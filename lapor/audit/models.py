"""The append-only, hash-chained audit log.

Each entry stores the SHA-256 of its canonical content together with the previous entry's hash,
so editing or deleting any entry breaks the chain from that point on
(:func:`lapor.audit.services.audit_verify`). Entries never hold personal data: they name
people by user id and reports by id, and describe what happened in codes and counts.
"""

from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()
    action = models.CharField(max_length=40, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["target_type", "target_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

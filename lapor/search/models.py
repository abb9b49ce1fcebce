"""Trained routing classifiers, one current row per agency, and the nightly runs that train
them (lapor.search.routing).

The fitted scikit-learn pipeline is kept in the database (not on one machine's disk) so every
application server suggests with the same model; it is written only by
:func:`lapor.search.routing.routing_train` and read back only from this table.
"""

from __future__ import annotations

from django.db import models


class RoutingModel(models.Model):
    agency = models.OneToOneField("orgs.OrgNode", on_delete=models.CASCADE, related_name="+")
    trained_at = models.DateTimeField()
    examples = models.PositiveIntegerField()
    classes = models.PositiveIntegerField()
    # Measured on a held-out 20% split before the final fit on every example.
    held_out = models.PositiveIntegerField()
    accuracy = models.FloatField()
    top3_accuracy = models.FloatField()
    # joblib dump of the fitted pipeline (TF-IDF over PySastrawi stems + logistic regression).
    blob = models.BinaryField()
    # Wall-clock seconds the last training took (read, measure, fit, store).
    seconds = models.FloatField(default=0.0)
    # New or handed-back examples seen by nightly runs since this model was trained, not yet
    # enough to retrain it (lapor.search.routing.retrain_due).
    pending = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"routing model of {self.agency_id} ({self.examples} examples)"


class RoutingRun(models.Model):
    """One retraining run (the nightly task or ``lapor routing_train``). A run looks at the
    dispositions made in ``[since, until)``; the next one starts where the last finished one
    stopped. ``since`` is null for a full run (every agency retrained)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    since = models.DateTimeField(null=True, blank=True)
    until = models.DateTimeField()
    trained = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    examples = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0.0)
    cpu_seconds = models.FloatField(default=0.0)

    class Meta:
        indexes = [models.Index(fields=["finished_at"], name="routing_run_finished")]

    def __str__(self) -> str:
        return f"routing run {self.started_at:%Y-%m-%d %H:%M} ({self.trained} trained)"

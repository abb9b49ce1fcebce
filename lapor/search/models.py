"""Trained routing classifiers, one current row per agency (lapor.search.routing).

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

    def __str__(self) -> str:
        return f"routing model of {self.agency_id} ({self.examples} examples)"

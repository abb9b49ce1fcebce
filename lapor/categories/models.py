"""Report categories: a tree, each node with a resolution tier in working days."""

from __future__ import annotations

from django.db import models

from lapor.workdays.calendar import RESOLUTION_TIERS


class Category(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    name_id = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Perpres 76/2013 and the LAPOR! SOP: resolution within 2, 5, 14 or 60 working days.
    resolution_days = models.PositiveSmallIntegerField(
        choices=[(d, f"{d} HK") for d in RESOLUTION_TIERS], default=14
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolution_days__in=RESOLUTION_TIERS),
                name="category_resolution_tier",
            ),
        ]

    def __str__(self) -> str:
        return self.name_id

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_id

"""Kemendagri administrative regions: province ``64``, regency ``64.08``, district ``64.08.04``,
village ``64.08.04.2001``. The code is the primary key and carries the hierarchy."""

from __future__ import annotations

from django.db import models


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, "provinsi"
    REGENCY = 2, "kabupaten/kota"
    DISTRICT = 3, "kecamatan"
    VILLAGE = 4, "desa/kelurahan"


class Region(models.Model):
    code = models.CharField(max_length=13, primary_key=True)
    name = models.CharField(max_length=120)
    level = models.PositiveSmallIntegerField(choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4), name="region_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

"""Kemendagri administrative regions: province ``64``, regency ``64.08``, district ``64.08.04``,
village ``64.08.04.2001``. The code is the primary key and carries the hierarchy.

``latitude``/``longitude`` are an optional reference point (WGS84), loaded by the operator with
``lapor regions import-points``; Lapor ships none. They let Open311 coordinates be mapped to
the nearest district (:func:`lapor.regions.selectors.nearest_district`)."""

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
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["parent", "name"]),
            # nearest_district's bounding-box prefilter: level, then a latitude range.
            models.Index(fields=["level", "latitude"], name="region_level_latitude_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4), name="region_level_range"
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="region_point_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

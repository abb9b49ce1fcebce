"""Read-only queries over :class:`~lapor.regions.models.Region`."""

from __future__ import annotations

from django.db.models import QuerySet

from lapor.regions.models import Region, RegionLevel


def region_get(code: str) -> Region | None:
    """The region with this Kemendagri code, or ``None``."""
    code = code.strip()
    if not code:
        return None
    return Region.objects.filter(pk=code).first()


def region_children(code: str | None = None) -> QuerySet[Region]:
    """Direct children of region ``code`` ordered by code; the provinces when ``code`` is None."""
    if code is None:
        return Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code")
    return Region.objects.filter(parent_id=code.strip()).order_by("code")


def region_search(q: str, limit: int = 20) -> list[Region]:
    """Regions whose name contains ``q`` (case-insensitive), provinces first, then by name."""
    q = q.strip()
    if not q or limit <= 0:
        return []
    return list(Region.objects.filter(name__icontains=q).order_by("level", "name", "code")[:limit])


def region_ancestors(region: Region) -> list[Region]:
    """The regions above ``region``, root (province) first; one query, from the code prefix."""
    parts = region.code.split(".")
    prefixes = [".".join(parts[:depth]) for depth in range(1, len(parts))]
    if not prefixes:
        return []
    return list(Region.objects.filter(code__in=prefixes).order_by("level"))

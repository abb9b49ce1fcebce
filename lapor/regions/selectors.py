"""Read-only queries over :class:`~lapor.regions.models.Region`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.db.models import QuerySet

from lapor.regions.geo import EARTH_RADIUS_M, DistrictMatch, district_at, haversine_m
from lapor.regions.models import Region, RegionLevel
from lapor.regions.points import in_indonesia

EARTH_RADIUS_KM: Final = EARTH_RADIUS_M / 1000  # mean radius (IUGG)
# Half-widths, in degrees, of the SQL prefilter boxes tried in turn before all districts.
NEAREST_BOXES: Final = (1, 3)


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


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in kilometres (:func:`lapor.regions.geo.haversine_m`)."""
    return haversine_m(lat1, lng1, lat2, lng2) / 1000


def _box_radius_km(latitude: float, half_width: float) -> float:
    """A distance within which every point lies inside the box of ``half_width`` degrees
    around the point: leaving the box changes latitude by more than ``half_width`` or
    longitude by more than ``half_width`` at a latitude of at most ``|latitude| + half_width``
    (hav d >= cos(phi1) cos(phi2) hav(dlambda))."""
    widest = math.radians(min(90.0, abs(latitude) + half_width))
    across = 2 * math.asin(math.cos(widest) * math.sin(math.radians(half_width) / 2))
    return EARTH_RADIUS_KM * min(math.radians(half_width), across)


def nearest_district(latitude: Decimal | float, longitude: Decimal | float) -> Region | None:
    """The district (kecamatan) whose reference point is nearest to the given WGS84 point.

    An approximation: the nearest reference point, not a polygon test, so a point close to
    a border may get the neighbouring district. ``None`` when the point is outside
    Indonesia's bounding box (lat -11.5…6.5, lng 94.5…141.5) or no district has a point
    (Lapor ships none; operators load them with ``lapor regions import-points``).

    No GIS: SQL keeps the districts within ±1° (then ±3°, then all of them), Python
    computes the haversine distance on those few candidates. A wider box is also tried when
    the nearest candidate is farther than the box is guaranteed to cover, so the answer is
    the true nearest point. Ties go to the lower code.
    """
    lat, lng = Decimal(str(latitude)), Decimal(str(longitude))
    if not (lat.is_finite() and lng.is_finite() and in_indonesia(lat, lng)):
        return None
    located = Region.objects.filter(
        level=RegionLevel.DISTRICT, latitude__isnull=False, longitude__isnull=False
    )
    here = (float(lat), float(lng))
    for half_width in NEAREST_BOXES:
        margin = Decimal(half_width)
        box = located.filter(
            latitude__range=(lat - margin, lat + margin),
            longitude__range=(lng - margin, lng + margin),
        )
        best = _nearest(here, box)
        if best is not None and best[0] <= _box_radius_km(here[0], half_width):
            return best[1]
    best = _nearest(here, located)
    return None if best is None else best[1]


def _nearest(
    here: tuple[float, float], candidates: QuerySet[Region]
) -> tuple[float, Region] | None:
    best: tuple[float, str, Region] | None = None
    for region in candidates.only("code", "name", "level", "parent", "latitude", "longitude"):
        if region.latitude is None or region.longitude is None:
            continue  # filtered out in SQL already; this narrows the types
        distance = haversine_km(*here, float(region.latitude), float(region.longitude))
        if best is None or (distance, region.code) < best[:2]:
            best = (distance, region.code, region)
    return None if best is None else (best[0], best[2])


@dataclass(frozen=True, slots=True)
class Located:
    """A point's district with its regency and province (names from the shipped regions)."""

    code: str
    name: str
    regency_code: str
    regency_name: str
    province_code: str
    province_name: str
    exact: bool
    distance_m: float


def district_for_point(latitude: Decimal | float, longitude: Decimal | float) -> DistrictMatch:
    """The district (kecamatan) of a WGS84 point: THE rule, for every way a report comes in
    (API, portal, Open311, chat channels) and for ``GET /api/v1/regions/locate``.

    First found wins:

    1. the shipped kecamatan polygon the point lies in (:func:`lapor.regions.geo.district_at`,
       ``exact=True``; on a shared border, the lower code);
    2. for a point in no polygon but within 5 km of one (the coast, a harbour, a boat in the
       bay, 72.06.20 which the boundaries lack): the district with the nearest **reference
       point** when the operator loaded some (``lapor regions import-points``: their own,
       presumably better data; ``distance_m`` is the distance to that point);
    3. else the district whose boundary is nearest, within 5 km;
    4. else :class:`~lapor.regions.geo.LocationOutsideIndonesia` (400
       ``location_outside_indonesia``). Reference points never stretch Indonesia into the
       sea: a point farther than 5 km from every boundary is refused even when points are
       loaded.

    Raises ``invalid_coordinates`` for a number that is not finite.
    """
    match = district_at(float(latitude), float(longitude))
    if match.exact:
        return match
    district = nearest_district(latitude, longitude)
    if district is None or district.latitude is None or district.longitude is None:
        return match
    metres = 1000 * haversine_km(float(latitude), float(longitude),
                                 float(district.latitude), float(district.longitude))
    return DistrictMatch(district.code, district.name, False, round(metres, 1))


def district_locate(latitude: float, longitude: float) -> Located:
    """The district of a WGS84 point (:func:`district_for_point`) with its regency and
    province, in one query. Raises what ``district_for_point`` raises (outside Indonesia: 400
    ``location_outside_indonesia``)."""
    match = district_for_point(latitude, longitude)
    regency_code, province_code = match.code[:5], match.code[:2]
    names = dict(Region.objects.filter(code__in=[match.code, regency_code, province_code])
                 .values_list("code", "name"))
    return Located(code=match.code, name=names.get(match.code, match.name),
                   regency_code=regency_code, regency_name=names.get(regency_code, ""),
                   province_code=province_code, province_name=names.get(province_code, ""),
                   exact=match.exact, distance_m=match.distance_m)

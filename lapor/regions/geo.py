"""The kecamatan (district) of a WGS84 point, from the shipped boundaries.

``data/district_boundaries.csv.gz`` holds the boundaries of 7,284 of Indonesia's 7,285
districts (Kepmendagri 2025 codes, MIT licence in ``data/LICENSE-boundaries-MIT.md``;
72.06.20 is missing from the source). :func:`district_at` answers in two steps:

1. **Point in polygon.** An STRtree (shapely 2) over the polygons' bounding boxes gives the
   candidates, an exact test on each gives the district (``exact=True``, ``distance_m=0``). A
   point on a shared border belongs to both; where polygons overlap (the simplified source has
   a few slivers) the lowest code wins, so the answer is deterministic.
2. **Nearest boundary within** :data:`FALLBACK_METRES` (5 km). A point on the coast or just
   off it (a pin dropped on the beach, a fishing boat in the bay, the simplified coastline
   cutting a harbour off) gets the district whose boundary is nearest (``exact=False``,
   ``distance_m`` the great-circle distance to that boundary; the nearest point is found in
   degrees, which near the equator differs from the nearest in metres by under 2 %). 5 km
   covers the simplification, a harbour or a river mouth, and stays well inside the
   12-nautical-mile territorial sea; farther out no complaint about a public service in a
   kecamatan is expected.

Anything else (far at sea, Singapore, Timor-Leste, a point outside Indonesia's bounding box)
raises :class:`LocationOutsideIndonesia`: HTTP 400, code ``location_outside_indonesia``.

The index is built on first use, once per process (a lock keeps two threads from building it
twice), in about half a second; see docs/performance.md "District from coordinates".
"""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import io
import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import shapely  # type: ignore[import-untyped]  # no stubs
from shapely import STRtree

from lapor.core.errors import ValidationFailed
from lapor.regions.bbox import in_indonesia

DATA_FILE: Final = Path(__file__).resolve().parent / "data" / "district_boundaries.csv.gz"
# Points farther than this from every district are refused (module docstring, step 2).
FALLBACK_METRES: Final = 5_000.0
EARTH_RADIUS_M: Final = 6_371_008.8  # mean radius (IUGG)
# The regency maps (regency_boundaries): Douglas-Peucker tolerance and coordinate grid, in
# degrees. 0.0005° is about 55 m (the worst displacement measured over the whole country is
# 0.0008°, about 88 m, docs/performance.md); 1e-5° is about 1.1 m.
MAP_TOLERANCE: Final = 0.0005
MAP_GRID: Final = 1e-5
# Metres per degree of latitude (the least over the globe, so a degree box never undershoots).
_METRES_PER_DEGREE: Final = 110_574.0


class LocationOutsideIndonesia(ValidationFailed):
    """The point is in no Indonesian district, nor within :data:`FALLBACK_METRES` of one.

    A :class:`ValidationFailed` so report validation collects it with the other field errors;
    on its own (``GET /api/v1/regions/locate``, Open311) it is a 400."""

    status = 400

    def __init__(self, *, field: str | None = "latitude") -> None:
        super().__init__("location_outside_indonesia", field=field)


@dataclass(frozen=True, slots=True)
class DistrictMatch:
    """The district of a point: ``exact`` when the point lies inside (or on) its polygon,
    otherwise the nearest one, ``distance_m`` metres away (0 when exact)."""

    code: str
    name: str
    exact: bool
    distance_m: float


@dataclass(frozen=True, slots=True)
class DistrictIndex:
    """The loaded boundaries: parallel arrays in code order and the STRtree over them."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    centroids: tuple[tuple[float, float], ...]  # (lat, lng) as published
    geometries: np.ndarray  # shapely geometries, prepared
    tree: STRtree

    def regency(self, regency_code: str) -> list[int]:
        """Positions of the districts of regency ``NN.NN`` (in code order)."""
        prefix = f"{regency_code}."
        return [i for i, code in enumerate(self.codes) if code.startswith(prefix)]


_index: DistrictIndex | None = None
_lock = threading.Lock()


def district_index() -> DistrictIndex:
    """The process-wide index, built on first call (thread-safe, built once)."""
    global _index  # noqa: PLW0603 - the lazily built, process-wide index
    index = _index
    if index is None:
        with _lock:
            index = _index
            if index is None:
                index = _index = load_index(DATA_FILE)
    return index


def load_index(path: Path) -> DistrictIndex:
    """Read a ``code,name,lat,lng,geometry`` CSV (gzipped) and build its STRtree."""
    csv.field_size_limit(1 << 26)
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    reader = csv.reader(io.StringIO(text))
    next(reader)  # header, checked when the file is built (boundaries_build)
    rows = sorted(reader)
    geometries = shapely.from_geojson([row[4] for row in rows])
    shapely.prepare(geometries)
    return DistrictIndex(
        codes=tuple(row[0] for row in rows),
        names=tuple(row[1] for row in rows),
        centroids=tuple((float(row[2]), float(row[3])) for row in rows),
        geometries=geometries,
        tree=STRtree(geometries),
    )


def district_at(latitude: float, longitude: float) -> DistrictMatch:
    """The district of the WGS84 point (see the module docstring for the rules).

    Raises :class:`ValidationFailed` ``invalid_coordinates`` for a number that is not finite
    and :class:`LocationOutsideIndonesia` for a point in no district nor near one."""
    lat, lng = float(latitude), float(longitude)
    if not (math.isfinite(lat) and math.isfinite(lng)):
        raise ValidationFailed("invalid_coordinates", field="latitude")
    if not in_indonesia(lat, lng):
        raise LocationOutsideIndonesia()
    index = district_index()
    inside = [
        int(i)
        for i in index.tree.query(shapely.Point(lng, lat))
        if shapely.intersects_xy(index.geometries[i], lng, lat)
    ]
    if inside:
        best = min(inside)  # positions are in code order: the lowest code wins
        return DistrictMatch(index.codes[best], index.names[best], True, 0.0)
    nearest = _nearest(index, lat, lng)
    if nearest is None:
        raise LocationOutsideIndonesia()
    position, metres = nearest
    return DistrictMatch(index.codes[position], index.names[position], False, metres)


def _nearest(index: DistrictIndex, lat: float, lng: float) -> tuple[int, float] | None:
    # A degree box wide enough for FALLBACK_METRES in longitude too (1° of longitude shrinks
    # with cos(latitude)), then the true great-circle distance to each candidate's boundary.
    degrees = FALLBACK_METRES / _METRES_PER_DEGREE / math.cos(math.radians(min(abs(lat), 89.0)))
    point = shapely.Point(lng, lat)
    best: tuple[float, int] | None = None
    for i in index.tree.query(point, predicate="dwithin", distance=degrees):
        line = shapely.shortest_line(point, index.geometries[i])
        (lng1, lat1), (lng2, lat2) = line.coords
        metres = haversine_m(lat1, lng1, lat2, lng2)
        if metres <= FALLBACK_METRES and (best is None or (metres, int(i)) < best):
            best = (metres, int(i))
    return None if best is None else (best[1], round(best[0], 1))


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two WGS84 points (spherical Earth)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class Boundaries:
    """A regency's kecamatan as a GeoJSON FeatureCollection, ready to send: ``body`` (UTF-8
    JSON), ``gzipped`` (the same, gzip-compressed) and a strong ``etag`` of the body."""

    body: bytes
    gzipped: bytes
    etag: str
    districts: int


@functools.lru_cache(maxsize=64)
def regency_boundaries(regency_code: str) -> Boundaries | None:
    """The kecamatan of regency ``NN.NN`` for a map (properties ``code`` and ``name``,
    geometry simplified at :data:`MAP_TOLERANCE` on a :data:`MAP_GRID` grid), or ``None``
    when the boundaries have no district of that code. Built once per regency and process
    (the 64 most recent kept)."""
    index = district_index()
    positions = index.regency(regency_code)
    if not positions:
        return None
    shapes = shapely.set_precision(
        shapely.simplify(index.geometries[positions], MAP_TOLERANCE, preserve_topology=True),
        MAP_GRID)
    features = ",".join(
        '{"type":"Feature","properties":%s,"geometry":%s}' % (  # noqa: UP031 - JSON text
            _json_object(code=index.codes[i], name=index.names[i]), shapely.to_geojson(shape))
        for i, shape in zip(positions, shapes, strict=True))
    body = ('{"type":"FeatureCollection","features":[%s]}' % features).encode()  # noqa: UP031
    return Boundaries(body=body, gzipped=gzip.compress(body, compresslevel=9, mtime=0),
                      etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"',
                      districts=len(positions))


def _json_object(**values: str) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))

"""Rebuild ``lapor/regions/data/district_boundaries.csv.gz`` from the shared source CSV.

Run from the repository root (not at runtime; the package ships the result)::

    python -m lapor.regions.boundaries_build ../shared/data/wilayah/district_boundaries.csv

The source (``code,name,lat,lng,geometry``, GeoJSON in [lng, lat], MIT licence in
``LICENSE-boundaries-MIT.md``) is already simplified by its author: a further Douglas-Peucker
pass at 0.001° (about 110 m) removes only 6 % of its 287,659 vertices, so none is applied.
What this does, and nothing else:

* rings that the source leaves open are closed (GeoJSON requires closed rings);
* the 281 polygons that are not valid (self-touching rings, bow ties) are repaired with
  GEOS ``make_valid`` (``method="structure"``, collapsed parts dropped), so point-in-polygon
  tests on them are well defined;
* coordinates are snapped to a 1e-6° grid (about 0.11 m, the source's own precision) so the
  repaired parts do not carry 15-digit intersection points;
* the file is gzipped (2.1 MB instead of 6.9 MB).

Names, codes and the published centroids (``lat``, ``lng``) are copied unchanged.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from pathlib import Path
from typing import Final

import shapely  # type: ignore[import-untyped]  # no stubs
from shapely.geometry import shape  # type: ignore[import-untyped]  # no stubs

TARGET: Final = Path(__file__).resolve().parent / "data" / "district_boundaries.csv.gz"
COLUMNS: Final = ["code", "name", "lat", "lng", "geometry"]
GRID: Final = 1e-6


def normalise(geojson: str) -> str:
    """The GeoJSON geometry closed, made valid and snapped to the 1e-6° grid."""
    geometry = shape(json.loads(geojson))  # shapely closes open rings
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry, method="structure", keep_collapsed=False)
    geometry = shapely.set_precision(geometry, GRID)
    return shapely.to_geojson(geometry)


def build(source: Path, target: Path = TARGET) -> int:
    """Write the normalised, gzipped copy of ``source`` to ``target``; the number of rows."""
    csv.field_size_limit(1 << 26)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        if next(reader) != COLUMNS:
            raise ValueError(f"{source}: expected header {','.join(COLUMNS)}")
        for code, name, lat, lng, geometry in reader:
            writer.writerow([code, name, lat, lng, normalise(geometry)])
            count += 1
    # mtime=0: the same source gives the same bytes.
    target.write_bytes(gzip.compress(out.getvalue().encode("utf-8"), compresslevel=9, mtime=0))
    return count


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    rows = build(Path(sys.argv[1]))
    print(f"{rows} districts -> {TARGET} ({TARGET.stat().st_size} bytes)")

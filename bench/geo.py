"""District (kecamatan) lookup latency over the whole country (a measurement, not a test).

    .venv/bin/python bench/geo.py                 # 100,000 points of each kind
    .venv/bin/python bench/geo.py --points 20000  # a quick look

No database and no Django settings: :mod:`lapor.regions.geo` alone.

1. Load: the time of the first :func:`~lapor.regions.geo.district_index` call (read the gzipped
   CSV, parse the GeoJSON, prepare the polygons, build the STRtree) and the process's resident
   memory before and after it (``VmRSS``), in a fresh process.
2. Lookups, one :func:`~lapor.regions.geo.district_at` call timed at a time
   (``perf_counter_ns``), over three sets drawn with a fixed seed:

   * ``land``: uniform points inside the kecamatan polygons (a uniform point of Indonesia's
     bounding box, kept when it falls inside a polygon: so weighted by area, as pins are not,
     but covering every island);
   * ``box``: uniform points of the bounding box (lat -11.5…6.5, lng 94.5…141.5), about 85 %
     of them at sea: the exact test, the 5 km fallback search and the refusal;
   * ``coast``: points 0–5 km off a random coastline vertex, in the fallback's range.

3. Print p50/p90/p99/max per set and write ``bench/results/geo-<UTC timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shapely

from lapor.regions import geo

RESULTS = Path(__file__).resolve().parent / "results"
BOX = ((-11.5, 6.5), (94.5, 141.5))


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _box_points(rng: random.Random, count: int) -> list[tuple[float, float]]:
    return [(rng.uniform(*BOX[0]), rng.uniform(*BOX[1])) for _ in range(count)]


def _land_points(rng: random.Random, count: int, index: geo.DistrictIndex) -> list[tuple]:
    found: list[tuple[float, float]] = []
    while len(found) < count:
        batch = _box_points(rng, 20_000)
        lats = [p[0] for p in batch]
        lngs = [p[1] for p in batch]
        hits = index.tree.query(shapely.points(lngs, lats), predicate="intersects")
        found += [batch[i] for i in sorted(set(hits[0].tolist()))]
    return found[:count]


def _coast_points(rng: random.Random, count: int, index: geo.DistrictIndex) -> list[tuple]:
    coords = shapely.get_coordinates(shapely.get_exterior_ring(
        shapely.get_parts(index.geometries)))
    points = []
    for _ in range(count):
        lng, lat = coords[rng.randrange(len(coords))]
        metres, bearing = rng.uniform(0, geo.FALLBACK_METRES), rng.uniform(0, 2 * math.pi)
        dlat = metres * math.cos(bearing) / 111_320
        dlng = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
        points.append((float(lat + dlat), float(lng + dlng)))
    return points


def _time(points: list[tuple[float, float]]) -> dict[str, Any]:
    samples: list[int] = []
    outcomes = {"exact": 0, "nearest": 0, "refused": 0}
    for lat, lng in points:
        start = time.perf_counter_ns()
        try:
            match = geo.district_at(lat, lng)
            kind = "exact" if match.exact else "nearest"
        except geo.LocationOutsideIndonesia:
            kind = "refused"
        samples.append(time.perf_counter_ns() - start)
        outcomes[kind] += 1
    samples.sort()

    def pct(p: float) -> float:
        return samples[min(len(samples) - 1, int(p / 100 * len(samples)))] / 1e6

    return {"points": len(points), **outcomes, "p50_ms": pct(50), "p90_ms": pct(90),
            "p99_ms": pct(99), "max_ms": samples[-1] / 1e6,
            "mean_ms": sum(samples) / len(samples) / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()

    before = _rss_kib()
    start = time.perf_counter()
    index = geo.district_index()
    load_s = time.perf_counter() - start
    after = _rss_kib()
    rng = random.Random(args.seed)
    sets = {"land": _land_points(rng, args.points, index),
            "box": _box_points(rng, args.points),
            "coast": _coast_points(rng, args.points, index)}
    for lat, lng in sets["land"][:1000]:  # warm-up
        geo.district_at(lat, lng)
    results = {name: _time(points) for name, points in sets.items()}
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "shapely": shapely.__version__, "geos": shapely.geos_version_string},
        "districts": len(index.codes), "load_s": round(load_s, 3),
        "rss_before_mib": round(before / 1024, 1), "rss_after_mib": round(after / 1024, 1),
        "index_mib": round((after - before) / 1024, 1), "sets": results,
    }
    print(f"districts {report['districts']}, load {load_s:.3f} s, index "
          f"{report['index_mib']} MiB RSS ({report['rss_before_mib']} → "
          f"{report['rss_after_mib']} MiB)")
    print("| set | points | exact | nearest | refused | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['points']:,} | {r['exact']:,} | {r['nearest']:,} | "
              f"{r['refused']:,} | {r['p50_ms']:.3f} | {r['p90_ms']:.3f} | "
              f"{r['p99_ms']:.3f} | {r['max_ms']:.2f} |")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"geo-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

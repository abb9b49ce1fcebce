"""The kecamatan of a point, on real coordinates (shipped boundaries, lapor.regions.geo)."""

from __future__ import annotations

import csv
import functools
import gzip
import io
import math
import threading

import pytest
import shapely  # type: ignore[import-untyped]  # no stubs
from hypothesis import given, settings
from hypothesis import strategies as st

from lapor.core.errors import ValidationFailed
from lapor.regions import geo
from lapor.regions.geo import (
    FALLBACK_METRES,
    DistrictMatch,
    LocationOutsideIndonesia,
    district_at,
    district_index,
)
from lapor.regions.loader import DATA_DIR

SHIPPED = 7_284


def test_inside_a_kecamatan() -> None:
    # Sangatta Utara, Kutai Timur (the example).
    assert district_at(0.5036, 117.5406) == DistrictMatch("64.08.04", "Sangatta Utara", True, 0)
    assert district_at(-6.1754, 106.8272).code == "31.71.01"  # Monas, Gambir, Jakarta Pusat


def test_on_the_coast() -> None:
    # A vertex of Bontang Utara's coastline: on the boundary counts as inside.
    assert district_at(0.109903, 117.539332) == DistrictMatch(
        "64.74.01", "Bontang Utara", True, 0)
    # The shore 120 m outside the simplified coastline: the nearest boundary.
    match = district_at(0.13, 117.53)
    assert (match.code, match.exact) == ("64.74.01", False)
    assert 100 < match.distance_m < 150


def test_at_sea_near_bontang() -> None:
    match = district_at(0.12, 117.55)  # 1.6 km off the coast of Bontang
    assert (match.code, match.name, match.exact) == ("64.74.01", "Bontang Utara", False)
    assert 1_500 < match.distance_m < 1_800
    far = district_at(0.10, 117.60)  # 4.2 km out: still within the 5 km
    assert (far.code, far.exact) == ("64.74.02", False)
    assert far.distance_m < FALLBACK_METRES


@pytest.mark.parametrize(("lat", "lng"), [
    (0.0, 118.5),  # the middle of the Makassar Strait
    (0.08, 117.66),  # 12 km off Bontang
    (-8.0, 110.0),  # the Indian Ocean south of Java
    (1.29, 103.85),  # Singapore: inside the bounding box, in no kecamatan
    (-8.5569, 125.5603),  # Dili, Timor-Leste
    (48.8566, 2.3522),  # Paris: outside the bounding box
    (0.0, 0.0),
    (91.0, 117.5),  # not even on Earth
])
def test_outside_indonesia_is_refused(lat: float, lng: float) -> None:
    with pytest.raises(LocationOutsideIndonesia) as refused:
        district_at(lat, lng)
    assert refused.value.code == "location_outside_indonesia"
    assert refused.value.status == 400
    assert isinstance(refused.value, ValidationFailed)  # collected with a form's field errors
    assert "Indonesia" in refused.value.message("en")
    assert "Indonesia" in refused.value.message("id")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_numbers_that_are_not_finite_are_invalid(value: float) -> None:
    with pytest.raises(ValidationFailed) as refused:
        district_at(value, 117.5)
    assert refused.value.code == "invalid_coordinates"
    with pytest.raises(ValidationFailed):
        district_at(0.5, value)


def test_shipped_file_licence_and_attribution() -> None:
    index = district_index()
    assert len(index.codes) == SHIPPED
    assert index.codes == tuple(sorted(index.codes))
    assert all(shapely.is_valid(index.geometries))
    with open(DATA_DIR / "districts.csv", encoding="utf-8-sig", newline="") as handle:
        districts = {row["code"] for row in csv.DictReader(handle)}
    assert districts - set(index.codes) == {"72.06.20"}  # missing from the source
    assert set(index.codes) <= districts
    text = gzip.decompress((DATA_DIR / "district_boundaries.csv.gz").read_bytes()).decode()
    assert next(csv.reader(io.StringIO(text))) == ["code", "name", "lat", "lng", "geometry"]
    licence = (DATA_DIR / "LICENSE-boundaries-MIT.md").read_text(encoding="utf-8")
    assert "MIT License" in licence
    assert "cahya dsn" in licence
    attribution = (DATA_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "LICENSE-boundaries-MIT.md" in attribution
    assert "district_boundaries.csv.gz" in attribution


def test_the_index_is_built_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[geo.DistrictIndex] = []
    load = geo.load_index

    def counting_load(path: object) -> geo.DistrictIndex:
        built.append(load(geo.DATA_FILE))
        return built[-1]

    monkeypatch.setattr(geo, "_index", None)
    monkeypatch.setattr(geo, "load_index", counting_load)
    seen: list[geo.DistrictIndex] = []
    threads = [threading.Thread(target=lambda: seen.append(district_index()))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert len(seen) == 4
    assert all(index is built[0] for index in seen)


@functools.cache
def _own_centroids() -> list[int]:
    """Positions of the districts whose published centroid lies inside their own polygon
    (about 7,040; a crescent-shaped district's centroid may lie outside it)."""
    index = district_index()
    return [i for i, (lat, lng) in enumerate(index.centroids)
            if shapely.intersects_xy(index.geometries[i], lng, lat)]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_centroid_inside_its_polygon_maps_back_to_its_district(data: st.DataObject) -> None:
    index = district_index()
    position = data.draw(st.sampled_from(_own_centroids()))
    lat, lng = index.centroids[position]
    match = district_at(lat, lng)
    assert match.exact
    assert match.distance_m == 0
    # Its own code, unless a lower code's polygon overlaps it there (the lowest code wins).
    if match.code != index.codes[position]:
        assert match.code < index.codes[position]
        found = index.codes.index(match.code)
        assert shapely.intersects_xy(index.geometries[found], lng, lat)


@settings(max_examples=200, deadline=None)
@given(lat=st.floats(-11.5, 6.5), lng=st.floats(94.5, 141.5))
def test_any_point_in_the_box_is_a_district_or_refused(lat: float, lng: float) -> None:
    try:
        match = district_at(lat, lng)
    except LocationOutsideIndonesia:
        return
    index = district_index()
    polygon = index.geometries[index.codes.index(match.code)]
    if match.exact:
        assert shapely.intersects_xy(polygon, lng, lat)
    else:
        assert 0 < match.distance_m <= FALLBACK_METRES
        assert not any(shapely.intersects_xy(index.geometries, lng, lat))


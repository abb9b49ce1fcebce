"""``nearest_district``: the district with the nearest reference point (not a polygon test)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pytest_django import DjangoAssertNumQueries

from lapor.regions.models import Region
from lapor.regions.selectors import haversine_km, nearest_district

pytestmark = pytest.mark.django_db

# Test fixtures, made up near the real towns: not survey points or centroids of any source.
FIXTURE_POINTS = {
    "64.08.04": ("0.52", "117.55"),  # Sangatta Utara
    "64.08.12": ("0.43", "117.58"),  # Sangatta Selatan
    "64.72.04": ("-0.50", "117.16"),  # Samarinda Ilir
    "64.72.01": ("-0.59", "117.19"),  # Palaran
}


def place(points: dict[str, tuple[str, str]]) -> None:
    for code, (lat, lng) in points.items():
        updated = Region.objects.filter(code=code).update(
            latitude=Decimal(lat), longitude=Decimal(lng)
        )
        assert updated == 1


@pytest.fixture
def located() -> None:
    place(FIXTURE_POINTS)


def code_of(region: Region | None) -> str | None:
    return None if region is None else region.code


@pytest.mark.usefixtures("located")
@pytest.mark.parametrize(
    ("lat", "lng", "code"),
    [
        ("0.51", "117.54", "64.08.04"),  # north of Sangatta
        ("0.45", "117.57", "64.08.12"),  # south of Sangatta
        ("-0.49", "117.15", "64.72.04"),  # Samarinda centre
        ("-0.60", "117.20", "64.72.01"),  # Palaran
        ("-6.2", "106.8", "64.72.01"),  # Jakarta: beyond every box, still the nearest point
    ],
)
def test_nearest_point_is_picked(lat: str, lng: str, code: str) -> None:
    assert code_of(nearest_district(Decimal(lat), Decimal(lng))) == code
    assert code_of(nearest_district(float(lat), float(lng))) == code


@pytest.mark.usefixtures("located")
def test_a_close_point_needs_one_query(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_num_queries(1):
        assert code_of(nearest_district(Decimal("0.5"), Decimal("117.5"))) == "64.08.04"


def test_only_districts_are_answered() -> None:
    place({"64.08.04": ("0.52", "117.55")})
    Region.objects.filter(code__in=["64", "64.08"]).update(
        latitude=Decimal("0.3"), longitude=Decimal("117.3")
    )
    assert code_of(nearest_district(Decimal("0.3"), Decimal("117.3"))) == "64.08.04"


def test_the_nearest_point_outside_the_first_box_wins() -> None:
    # A sits in the ±1° box's corner (~149 km away), B just outside it (~117 km): B is nearer.
    place({"64.08.01": ("0.95", "117.95"), "64.08.02": ("0.00", "118.05")})
    assert haversine_km(0, 117, 0.95, 117.95) > haversine_km(0, 117, 0, 118.05)
    assert code_of(nearest_district(Decimal("0"), Decimal("117"))) == "64.08.02"


def test_ties_go_to_the_lower_code() -> None:
    place({"64.08.05": ("0.1", "117.1"), "64.08.03": ("-0.1", "117.1")})
    assert code_of(nearest_district(Decimal("0"), Decimal("117.1"))) == "64.08.03"


@pytest.mark.usefixtures("located")
@pytest.mark.parametrize(
    ("lat", "lng"),
    [
        ("48.8566", "2.3522"),  # Paris
        ("0.5", "150"),  # east of Papua
        ("-12", "117"),  # south of the box
        ("7", "117"),  # north of the box
        ("NaN", "117"),
    ],
)
def test_outside_indonesia_is_none(lat: str, lng: str) -> None:
    assert nearest_district(Decimal(lat), Decimal(lng)) is None


def test_no_points_is_none(django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_max_num_queries(3):
        assert nearest_district(Decimal("0.5"), Decimal("117.5")) is None


def test_haversine() -> None:
    assert haversine_km(0, 117, 0, 117) == 0
    # One degree of a great circle is ~111.2 km.
    assert haversine_km(0, 117, 1, 117) == pytest.approx(111.195, abs=0.01)
    # Samarinda -> Sangatta, roughly 115 km as the crow flies.
    assert 100 < haversine_km(-0.50, 117.15, 0.50, 117.55) < 125

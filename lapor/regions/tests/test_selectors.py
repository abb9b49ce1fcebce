from __future__ import annotations

import pytest
from pytest_django import DjangoAssertNumQueries

from lapor.regions.models import Region, RegionLevel
from lapor.regions.selectors import (
    region_ancestors,
    region_children,
    region_get,
    region_search,
)

pytestmark = pytest.mark.django_db


def test_region_get() -> None:
    kutim = region_get("64.08")
    assert kutim is not None
    assert kutim.name == "Kabupaten Kutai Timur"
    assert region_get("99.99") is None
    assert region_get("") is None


def test_region_children_of_none_are_the_provinces() -> None:
    provinces = list(region_children(None))
    assert len(provinces) == 38
    assert all(p.level == RegionLevel.PROVINCE for p in provinces)
    assert provinces[0].code == "11"
    assert provinces[0].name == "Aceh"


def test_region_children_of_a_regency() -> None:
    codes = list(region_children("64.08").values_list("code", flat=True))
    assert codes == [f"64.08.{n:02d}" for n in range(1, 19)]
    assert not region_children("64.08.04").exists()


def test_region_search_orders_by_level_then_name() -> None:
    Region.objects.create(
        code="64.08.04.2001", name="Sangatta Utara", level=RegionLevel.VILLAGE, parent_id="64.08.04"
    )
    results = region_search("  SANGATTA ")
    assert [(r.level, r.name) for r in results] == [
        (RegionLevel.DISTRICT, "Sangatta Selatan"),
        (RegionLevel.DISTRICT, "Sangatta Utara"),
        (RegionLevel.VILLAGE, "Sangatta Utara"),
    ]
    kutai = [r.name for r in region_search("kutai")]
    assert kutai[:3] == [
        "Kabupaten Kutai Barat",
        "Kabupaten Kutai Kartanegara",
        "Kabupaten Kutai Timur",
    ]


def test_region_search_limit_and_empty_query() -> None:
    assert len(region_search("a", limit=5)) == 5
    assert region_search("   ") == []
    assert region_search("kutai", limit=0) == []
    assert region_search("no such region anywhere") == []


def test_region_ancestors_root_first_in_one_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    village = Region.objects.create(
        code="64.08.04.2011", name="Singa Gembara", level=RegionLevel.VILLAGE, parent_id="64.08.04"
    )
    with django_assert_num_queries(1):
        ancestors = region_ancestors(village)
    assert [(r.code, r.name) for r in ancestors] == [
        ("64", "Kalimantan Timur"),
        ("64.08", "Kabupaten Kutai Timur"),
        ("64.08.04", "Sangatta Utara"),
    ]


def test_region_ancestors_of_a_province_is_empty(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    province = region_get("64")
    assert province is not None
    with django_assert_num_queries(0):
        assert region_ancestors(province) == []

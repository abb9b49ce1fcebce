"""Pages and API stay bounded at national scale (issue #21): the long tables show their top
rows, "show all" pages through the rest, the region table goes province → regency →
district on demand. A generated national tree (counters written directly: they are derived
data) stands in for the real one; the assertions count rows, never time."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from lapor.core import clock
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.services import node_create
from lapor.regions.models import Region, RegionLevel
from lapor.stats.maintenance import region_cells_sql, stats_refresh
from lapor.stats.models import StatCell
from lapor.stats.selectors import PAGE_SIZE, TOP_N
from lapor.workspace.tests.helpers import signed_in
from tests.api_client import ApiClient, login
from tests.factories import PASSWORD, Tree, submit

pytestmark = pytest.mark.django_db
PROVINCES, REGENCIES, DISTRICTS, AGENCIES = 3, 5, 8, PAGE_SIZE + 5


def _cell(node: OrgNode, dim: str, value: str, reports: int) -> StatCell:
    month = clock.now().date().replace(day=1)
    return StatCell(node=node, period=month, dim=dim, value=value, reports=reports,
                    followup_eligible=reports, followup_on_time=reports // 2,
                    followup_late=reports // 4, overdue=reports % 3)


def _national(tree: Tree) -> None:
    """3 provinces × 5 regencies × 8 districts with reports, and 55 agencies below the root
    (one of them with 3 reports, a small cell)."""
    cells = []
    for p in range(PROVINCES):
        province = Region.objects.create(code=f"0{p}", name=f"Provinsi Uji {p}",
                                         level=RegionLevel.PROVINCE)
        for r in range(REGENCIES):
            regency = Region.objects.create(code=f"0{p}.0{r}", name=f"Kabupaten Uji {p}{r}",
                                            level=RegionLevel.REGENCY, parent=province)
            for d in range(DISTRICTS):
                district = Region.objects.create(
                    code=f"0{p}.0{r}.0{d}", name=f"Kecamatan Uji {p}{r}{d}",
                    level=RegionLevel.DISTRICT, parent=regency)
                cells.append(_cell(tree.root, "region", district.code, 10 + d))
    for a in range(AGENCIES):
        agency = node_create(code=f"uji-{a:02d}", name=f"Pemerintah Uji {a:02d}",
                             kind=NodeKind.AGENCY, parent=tree.root)
        cells.append(_cell(agency, "all", "", 3 if a == 0 else 20 + a))
    cells.append(_cell(tree.root, "all", "", 9999))
    StatCell.objects.bulk_create(cells)
    with connection.cursor() as cursor:  # the province and regency cells, as the rebuild
        cursor.execute(region_cells_sql(StatCell._meta.db_table))


def _rows(page: str, name: str) -> list[str]:
    table = re.search(rf'data-testid="stats-table-{name}".*?</table>', page, re.S)
    assert table is not None, name
    return re.findall(r'<tr><th scope="row">(.*?)</th>', table.group(0), re.S)


def test_national_pages_render_a_bounded_number_of_rows(tree: Tree) -> None:
    _national(tree)
    staff = signed_in("national").get("/petugas/dasbor/nasional/").content.decode()
    public = Client().get("/statistik/").content.decode()
    for page in (staff, public):
        # Provinces, not the 120 districts; the top agencies, not all 55.
        assert len(_rows(page, "region")) == PROVINCES
        assert len(_rows(page, "units")) == TOP_N
        assert "Kecamatan Uji" not in page
        assert 'data-testid="stats-show-all-units"' in page
        assert f"({AGENCIES})" in page  # "Tampilkan semua (55)"
        assert page.count("<tr>") < 120
        assert len(page.encode()) < 100_000
    assert "/petugas/dasbor/nasional/semua/units/?" in staff
    assert "/statistik/semua/units/?" in public
    # The public page no longer lists every agency in its header.
    assert "stats-agencies" not in public


def test_region_drill_down_province_regency_district(tree: Tree) -> None:
    _national(tree)
    client = signed_in("national")
    top = client.get("/petugas/dasbor/nasional/").content.decode()
    assert "region=01#sec-region" in top  # a province links to its regencies
    regencies = client.get("/petugas/dasbor/nasional/?region=01").content.decode()
    assert [re.sub(r"<.*?>", "", r) for r in _rows(regencies, "region")] == [
        f"Kabupaten Uji 1{r}" for r in range(REGENCIES)]
    assert "region=01.03#sec-region" in regencies
    assert "Kabupaten/kota" in regencies or "Kabupaten atau kota" in regencies
    districts = client.get("/petugas/dasbor/nasional/?region=01.03").content.decode()
    names = [re.sub(r"<.*?>", "", r) for r in _rows(districts, "region")]
    assert names[0] == "Kecamatan Uji 137"  # most reports first
    assert len(names) == DISTRICTS
    assert 'data-testid="stats-drill"' not in districts  # districts are the bottom
    assert "Provinsi Uji 1" in districts
    assert "Kabupaten Uji 13" in districts
    # The API: the same levels, additive fields.
    api = login("national", PASSWORD)
    body = api.get("/stats/nodes/nasional", {"region": "01"}).json()
    assert body["region"]["level"] == 2
    assert body["region"]["trail"] == [{"code": "01", "name": "Provinsi Uji 1"}]
    assert [row["key"] for row in body["tables"]["region"]][:1] == ["01.00"]
    assert body["table_counts"]["region"] == REGENCIES
    assert api.get("/stats/nodes/nasional", {"region": "01.03"}).json()["region"]["level"] == 3
    assert api.get("/stats/nodes/nasional", {"region": "9x"}).status_code == 422
    assert client.get("/petugas/dasbor/nasional/?region=abc").status_code == 422
    assert Client().get("/statistik/?region=02").status_code == 200


def test_show_all_pages_through_every_row(tree: Tree) -> None:
    _national(tree)
    client = signed_in("national")
    first = client.get("/petugas/dasbor/nasional/semua/units/").content.decode()
    assert len(_rows(first, "rows")) == PAGE_SIZE
    assert 'rel="next"' in first
    assert 'rel="prev"' not in first
    second = client.get("/petugas/dasbor/nasional/semua/units/?page=2")
    body = second.content.decode()
    assert len(_rows(body, "rows")) == AGENCIES - PAGE_SIZE
    assert 'rel="prev"' in body
    assert 'rel="next"' not in body
    # With htmx: only the table and its pager.
    fragment = client.get("/petugas/dasbor/nasional/semua/units/?page=2",
                          headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div id="stats-rows">')
    assert "<html" not in fragment
    # Every region of a level, and a sort by a measure.
    regions = client.get("/petugas/dasbor/nasional/semua/region/?region=00&sort=overdue")
    assert len(_rows(regions.content.decode(), "rows")) == REGENCIES
    assert client.get("/petugas/dasbor/nasional/semua/laporan/").status_code == 404
    assert client.get("/petugas/dasbor/nasional/semua/units/?sort=nama").status_code == 422
    # The API pages the same rows.
    api = login("national", PASSWORD)
    page = api.get("/stats/nodes/nasional/rows/units", {"size": 20, "page": 3}).json()
    assert (page["count"], page["pages"], page["page"]) == (AGENCIES, 3, 3)
    assert len(page["rows"]) == AGENCIES - 40
    keys = [r["key"] for p in (1, 2, 3) for r in api.get(
        "/stats/nodes/nasional/rows/units", {"size": 20, "page": p}).json()["rows"]]
    assert sorted(keys) == sorted(f"uji-{a:02d}" for a in range(AGENCIES))
    assert api.get("/stats/nodes/nasional/rows/units", {"page": 99}).json()["page"] == 2
    # Kutai Timur's supervisor reads nothing above Kutai Timur.
    assert signed_in("supervisor_kutim").get(
        "/petugas/dasbor/nasional/semua/units/").status_code == 404
    assert login("supervisor_kutim", PASSWORD).get(
        "/stats/nodes/nasional/rows/units").status_code == 404


def test_public_show_all_keeps_small_cells_suppressed_and_last(tree: Tree) -> None:
    _national(tree)
    body = ApiClient().get("/stats/public/nasional/rows/units",
                           {"sort": "followup_rate", "size": 100}).json()
    assert body["count"] == AGENCIES
    last = body["rows"][-1]
    assert (last["key"], last["suppressed"], last["reports"], last["followup_rate"]) == (
        "uji-00", True, None, None)
    page = Client().get("/statistik/semua/units/?page=2").content.decode()
    assert "kurang dari 5 laporan" in page
    assert len(_rows(page, "rows")) == AGENCIES - PAGE_SIZE
    assert Client().get("/statistik/semua/units/").status_code == 200
    assert Client().get("/statistik/kutim/semua/region/").status_code == 200
    assert Client().get("/statistik/kutim-pupr/semua/units/").status_code == 404
    assert Client().get("/statistik/semua/nama/").status_code == 404


def test_cached_dashboard_follows_every_refresh(tree: Tree, settings: object) -> None:
    """The pages' cache is keyed by the counters' version: a refresh shows at once."""
    settings.LAPOR_STATS_CACHE_SECONDS = 60  # type: ignore[attr-defined]
    cache.clear()
    submit(tree)
    stats_refresh()
    api = login("supervisor_kutim", PASSWORD)
    assert api.get("/stats/nodes/kutim").json()["totals"]["reports"] == 1
    StatCell.objects.filter(node=tree.kutim, dim="all").update(reports=50)
    # Same counters' version: the cached figures (nothing but a refresh writes counters).
    assert api.get("/stats/nodes/kutim").json()["totals"]["reports"] == 1
    submit(tree)
    stats_refresh()
    assert api.get("/stats/nodes/kutim").json()["totals"]["reports"] == 51
    cache.clear()

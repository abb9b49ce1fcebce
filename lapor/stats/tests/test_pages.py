"""Dashboard pages, API and public page: who sees what, small-cell suppression, bad input."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from lapor.core import clock
from lapor.orgs.models import OrgNode
from lapor.reports.models import Report
from lapor.stats.maintenance import stats_refresh
from lapor.stats.models import StatCell
from lapor.workspace.tests.helpers import signed_in
from tests.api_client import ApiClient, login
from tests.factories import PASSWORD, Tree, drive, submit

pytestmark = pytest.mark.django_db
CONFIDENTIAL_TITLE = "Pungutan liar oleh oknum di kantor kecamatan"


def _data(tree: Tree) -> dict[str, Report]:
    """Six web reports (two closed), one SMS report, one confidential one; one training."""
    reports = {f"web{i}": drive(tree, "closed" if i < 2 else "disposed") for i in range(6)}
    reports["sms"] = submit(tree, channel="sms", region_code="64.08.05").report
    reports["secret"] = submit(tree, title=CONFIDENTIAL_TITLE, is_confidential=True,
                               channel="whatsapp").report
    training = drive(tree, "closed", title="Latihan Bimtek jalan berlubang")
    Report.objects.filter(pk=training.pk).update(is_training=True)
    reports["training"] = training
    stats_refresh()
    return reports


def test_staff_dashboard_page(tree: Tree) -> None:
    reports = _data(tree)
    client = signed_in("supervisor_kutim")
    response = client.get("/petugas/dasbor/")
    assert response.status_code == 302
    assert response["Location"] == "/petugas/dasbor/kutim/"
    page = client.get("/petugas/dasbor/kutim/").content.decode()
    assert "Dasbor: Pemerintah Kabupaten Kutai Timur" in page
    assert 'aria-hidden="true"' in page
    assert "<svg" in page
    status_table = re.search(r'data-testid="stats-table-status".*?</table>', page, re.S)
    assert status_table is not None
    assert "Selesai" in status_table.group(0)  # closed, in Indonesian
    # Eight real reports; the training one is in no figure.
    assert '<span class="stats-kpi__value">8</span>' in page
    assert "Latihan Bimtek" not in page
    # Staff see small cells and the overdue list may name reports they can read.
    assert "kurang dari 5 laporan" not in page
    assert reports["web2"].tracking_number not in page  # nothing overdue yet
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/petugas/dasbor/kutim/").content.decode()
    assert "Dashboard: Pemerintah Kabupaten Kutai Timur" in english
    assert "Closed" in english


def test_dashboard_access(tree: Tree) -> None:
    _data(tree)
    pupr = signed_in("supervisor_pupr")
    assert pupr.get("/petugas/dasbor/kutim-pupr/").status_code == 200
    assert pupr.get("/petugas/dasbor/kutim-pupr-binamarga/").status_code == 200
    # Above or beside one's own node: not found, never "forbidden".
    assert pupr.get("/petugas/dasbor/kutim/").status_code == 404
    assert pupr.get("/petugas/dasbor/samarinda/").status_code == 404
    assert pupr.get("/petugas/dasbor/kutim/tabel.csv").status_code == 404
    assert pupr.get("/petugas/dasbor/tidak-ada/").status_code == 404
    # A system administrator reads no report content, so has no dashboard.
    sysadmin = signed_in("sysadmin")
    assert sysadmin.get("/petugas/dasbor/").status_code == 200
    assert sysadmin.get("/petugas/dasbor/nasional/").status_code == 404
    # Not signed in: the sign-in page.
    assert Client().get("/petugas/dasbor/kutim/").status_code == 302


@pytest.mark.parametrize("query", ["from=2026-13", "from=kemarin", "to=1999-01",
                                   "from=2026-05&to=2026-01", "from=2020-01&to=2026-01"])
def test_bad_period_is_a_clear_422(tree: Tree, query: str) -> None:
    client = signed_in("supervisor_kutim")
    cells = StatCell.objects.count()
    response = client.get(f"/petugas/dasbor/kutim/?{query}")
    assert response.status_code == 422
    assert "tidak valid" in response.content.decode()
    assert Client().get(f"/statistik/?{query}").status_code == 422
    assert StatCell.objects.count() == cells


def test_api_dashboard_and_overdue(tree: Tree) -> None:
    _data(tree)
    api = login("supervisor_kutim", PASSWORD)
    body = api.get("/stats/nodes/kutim").json()
    assert body["period"]["to"] == clock.now().strftime("%Y-%m")
    assert set(body["period"]) == {"from", "to"}
    assert body["totals"]["reports"] == 8
    channels = {row["key"]: row["reports"] for row in body["tables"]["channel"]}
    assert channels == {"web": 6, "sms": 1, "whatsapp": 1}
    assert body["totals"]["followed_up"] == 2
    assert body["totals"]["followup_eligible"] == 6
    assert body["totals"]["good"] is False  # 2 of 6 followed up
    assert api.get("/stats/nodes/kutim/overdue").json() == []
    assert api.get("/stats/nodes/samarinda").status_code == 404
    assert api.get("/stats/nodes/kutim", {"from": "2026-1"}).status_code in (400, 422)
    assert api.get("/stats/nodes/kutim", {"from": "2026-1"}).json()["code"]
    assert ApiClient().get("/stats/nodes/kutim").status_code == 401
    assert login("citizen", PASSWORD).get("/stats/nodes/kutim").status_code == 403


def test_public_statistics_suppress_small_cells(tree: Tree) -> None:
    reports = _data(tree)
    body = ApiClient().get("/stats/public/kutim").json()
    assert body["totals"]["reports"] == 8
    channels = {row["key"]: row for row in body["tables"]["channel"]}
    assert channels["web"]["reports"] == 6
    for small in ("sms", "whatsapp"):
        assert channels[small]["suppressed"] is True
        assert channels[small]["reports"] is None
        assert channels[small]["followup_rate"] is None
    # Two follow-ups only: the percentiles would describe two reports.
    assert body["followup_median_days"] is None
    page = Client().get("/statistik/kutim/").content.decode()
    assert "kurang dari 5 laporan" in page
    for report in reports.values():
        assert report.tracking_number not in page
    assert CONFIDENTIAL_TITLE not in page
    assert "Latihan Bimtek" not in page
    national = Client().get("/statistik/")
    assert national.status_code == 200
    assert "Pemerintah Kabupaten Kutai Timur" in national.content.decode()
    # Units and unknown codes have no public page.
    assert Client().get("/statistik/kutim-pupr/").status_code == 404
    assert ApiClient().get("/stats/public/kutim-pupr").status_code == 404
    assert Client().get("/statistik/tidak-ada/").status_code == 404


def test_public_totals_under_five_are_suppressed(tree: Tree) -> None:
    drive(tree, "closed")
    stats_refresh()
    body = ApiClient().get("/stats/public/kutim").json()
    assert body["totals"]["suppressed"] is True
    assert body["totals"]["reports"] is None
    assert body["totals"]["rating_avg"] is None
    assert OrgNode.objects.filter(code="kutim").exists()

"""The SOP document pages: workspace admin (draft, versions, approval, PDFs) and public."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from lapor.orgs.services import sop_update
from lapor.sopdoc.models import SopStatus, SopVersion
from lapor.sopdoc.selectors import sop_latest
from lapor.sopdoc.services import sop_version_approve
from lapor.workspace.tests.helpers import signed_in
from tests.factories import Tree, drive

pytestmark = pytest.mark.django_db
PAGE = "/petugas/admin/kutim/sop/dokumen/"


@pytest.fixture(autouse=True)
def sop_root(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.SOP_STORAGE_ROOT = tmp_path / "sop"  # type: ignore[attr-defined]


def _basic_html_checks(html: str) -> None:
    assert " style=" not in html
    assert "<script>" not in html
    assert "<svg" in html
    assert 'class="sop-flow"' in html
    assert "Mutu baku" in html
    assert html.count("<table") == html.count("</table>")


def test_admin_page_shows_the_draft_and_the_supervisor_approves_it(tree: Tree) -> None:
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, verify_days=2)
    draft = sop_latest(tree.kutim)
    assert draft is not None
    client = signed_in("supervisor_kutim")
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    _basic_html_checks(html)
    assert 'id="form-approve"' in html
    response = client.post(f"{PAGE}{draft.pk}/sahkan/", {
        "approver_name": "Bupati", "approver_position": "Bupati Kutai Timur",
        "effective_date": "2026-12-01"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == SopStatus.APPROVED
    pdf = client.get(f"{PAGE}{draft.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_admin_page_access(tree: Tree) -> None:
    assert signed_in("hub").get(PAGE).status_code == 200
    assert signed_in("liaison_pupr").get(PAGE).status_code == 403
    assert signed_in("hub_samarinda").get(PAGE).status_code == 404
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, verify_days=2)
    draft = sop_latest(tree.kutim)
    assert draft is not None
    response = signed_in("liaison_pupr").post(f"{PAGE}{draft.pk}/sahkan/", {
        "approver_name": "X", "approver_position": "Y", "effective_date": "2026-12-01"})
    assert response.status_code == 403
    assert not SopVersion.objects.filter(status=SopStatus.APPROVED).exists()


def test_local_regulations_enter_the_legal_basis(tree: Tree) -> None:
    client = signed_in("hub")
    response = client.post(f"{PAGE}regulasi/", {
        "regulations": "Peraturan Bupati Kutai Timur tentang Pengelolaan Pengaduan\n"})
    assert response.status_code == 302
    latest = sop_latest(tree.kutim)
    assert latest is not None
    assert latest.local_regulations == [
        "Peraturan Bupati Kutai Timur tentang Pengelolaan Pengaduan"]
    assert "Peraturan Bupati Kutai Timur" in client.get(PAGE).content.decode()


def test_public_page_shows_the_approved_version_and_404_without_one(tree: Tree) -> None:
    public = Client()
    assert public.get("/instansi/kutim/sop/").status_code == 404
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, verify_days=2)
    draft = sop_latest(tree.kutim)
    assert draft is not None
    assert public.get("/instansi/kutim/sop/").status_code == 404  # a draft is not public
    approved = sop_version_approve(actor=tree.actor("hub"), version=draft,
                                   approver_name="Bupati", approver_position="Bupati",
                                   effective_date=date(2026, 12, 1))
    response = public.get("/instansi/kutim/sop/")
    assert response.status_code == 200
    html = response.content.decode()
    _basic_html_checks(html)
    assert approved.number in html
    link = re.search(r'href="(/instansi/kutim/sop/\d+/pdf/)"', html)
    assert link is not None
    assert public.get(link.group(1)).status_code == 200
    assert public.get("/instansi/samarinda/sop/").status_code == 404


@pytest.mark.django_db
def test_the_public_report_links_the_sop_only_once_one_is_approved(tree: Tree) -> None:
    report = drive(tree, "responded", title="Saluran air tersumbat di Jalan Pendidikan")
    page = f"/laporan/{report.tracking_number}/"
    assert "/instansi/kutim/sop/" not in Client().get(page).content.decode()
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, verify_days=2)
    draft = sop_latest(tree.kutim)
    assert draft is not None
    sop_version_approve(actor=tree.actor("hub"), version=draft,
                        approver_name="Drs. H. Ardiansyah Sulaiman", approver_position="Bupati",
                        effective_date=date(2026, 12, 1))
    html = Client().get(page).content.decode()
    assert '<a href="/instansi/kutim/sop/">SOP penanganan pengaduan</a>' in html

"""A report outside the reader's scope, or an unknown address under /petugas/, is the
workspace's own 404 page: staff menu and a way back to the inbox, never the citizen portal's
page (issue #18: a kecamatan officer got "Lacak laporan" and the portal's menu)."""

from __future__ import annotations

import pytest
from django.test import Client

from lapor.orgs.models import NodeKind, Role
from lapor.orgs.services import node_create
from lapor.workspace.tests.helpers import report_url, signed_in
from tests.factories import Tree, drive, make_user

pytestmark = pytest.mark.django_db

PORTAL_ONLY = ('href="/lacak/"', "Buat laporan")


def _kecamatan_officer(tree: Tree) -> Client:
    kecamatan = node_create(code="kutim-kec-sangatta-utara", name="Kecamatan Sangatta Utara",
                            kind=NodeKind.UNIT, parent=tree.kutim, region_id="64.08.04")
    make_user("camat", (kecamatan, Role.LIAISON))
    return signed_in("camat")


def _is_workspace_404(html: str) -> None:
    assert "LAPOR! Petugas" in html
    assert 'data-testid="back-to-inbox"' in html
    assert 'href="/petugas/"' in html
    for text in PORTAL_ONLY:
        assert text not in html


def test_report_outside_scope_is_the_workspace_404(tree: Tree) -> None:
    report = drive(tree, "disposed")  # held by PUPR, not the kecamatan
    client = _kecamatan_officer(tree)
    response = client.get(report_url(report.pk))
    assert response.status_code == 404
    html = response.content.decode()
    _is_workspace_404(html)
    assert report.title not in html
    assert "Kotak masuk" in html  # the staff menu: the officer is signed in
    # The same for an action and an attachment download of that report.
    for url in (report_url(report.pk, "note"), f"{report_url(report.pk)}lampiran/1/"):
        response = client.get(url) if url.endswith("/1/") else client.post(url, {"body": "x"})
        assert response.status_code == 404
        _is_workspace_404(response.content.decode())


def test_unknown_workspace_address_is_the_workspace_404(tree: Tree) -> None:
    response = signed_in("hub").get("/petugas/tidak-ada/")
    assert response.status_code == 404
    html = response.content.decode()
    _is_workspace_404(html)
    assert "Kotak masuk" in html
    # Signed out: the same page, without the staff menu.
    html = Client().get("/petugas/tidak-ada/").content.decode()
    _is_workspace_404(html)
    assert "Keluar" not in html
    # The portal keeps its own page.
    assert "Lacak laporan" in Client().get("/tidak-ada/").content.decode()

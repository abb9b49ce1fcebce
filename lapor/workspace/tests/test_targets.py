"""The dispose/forward target list is grouped (OPD, kecamatan, other) and sorted by name, and
still posts as a plain form (issue #18: 30+ units in tree order)."""

from __future__ import annotations

import re

import pytest

from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.services import node_create
from lapor.workspace.targets import TargetGroup, target_group
from lapor.workspace.tests.helpers import report_url, signed_in
from tests.factories import Tree, drive, submit

pytestmark = pytest.mark.django_db

KECAMATAN = ("Sangatta Utara", "Bengalon", "Muara Wahau", "Kaliorang")


def _kecamatan(tree: Tree) -> list[OrgNode]:
    return [node_create(code=f"kutim-kec-{i}", name=f"Kecamatan {name}", kind=NodeKind.UNIT,
                        parent=tree.kutim, region_id="64.08.04")
            for i, name in enumerate(KECAMATAN)]


def _groups(html: str, form: str) -> list[tuple[str, list[str]]]:
    select = re.search(rf'<select name="node"[^>]*id="{form}-node"[^>]*>(.*?)</select>',
                       html, re.S)
    assert select, f"no target list in the {form} form"
    return [(label, re.findall(r"<option[^>]*>([^<]*)</option>", body))
            for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>',
                                          select.group(1), re.S)]


def test_groups_in_order_and_names_sorted(tree: Tree) -> None:
    _kecamatan(tree)
    node_create(code="kutim-bpbd", name="Badan Penanggulangan Bencana Daerah",
                kind=NodeKind.UNIT, parent=tree.kutim)
    report = submit(tree).report
    html = signed_in("hub").get(report_url(report.pk)).content.decode()
    groups = _groups(html, "dispose")
    assert [label for label, _ in groups] == [
        "Perangkat daerah dan unit kerja (OPD)", "Kecamatan",
        "Unit lain (bidang, UPT, desa/kelurahan)"]
    opd, kecamatan, other = (names for _, names in groups)
    assert opd == ["Badan Penanggulangan Bencana Daerah", "Dinas Kesehatan", "Dinas PUPR"]
    assert kecamatan == sorted(f"Kecamatan {n}" for n in KECAMATAN)
    assert other == ["Bidang Bina Marga — Dinas PUPR"]
    # The type-to-filter script finds its list; the first choice is still empty.
    assert "data-filterable" in html
    assert 'workspace/workspace' in html
    assert re.search(r'id="dispose-node"[^>]*>\s*<option value="" selected>', html)


def test_forward_list_and_national_list(tree: Tree) -> None:
    report = drive(tree, "disposed")
    html = signed_in("liaison_pupr").get(report_url(report.pk)).content.decode()
    assert _groups(html, "forward") == [
        ("Unit lain (bidang, UPT, desa/kelurahan)", ["Bidang Bina Marga — Dinas PUPR"])]
    # A region no hub receives (Gambir, Jakarta): the report waits in the national pool.
    national = submit(tree, target_agency_code=None, region_code="31.71.01").report
    html = signed_in("national").get(report_url(national.pk)).content.decode()
    groups = dict(_groups(html, "dispose"))
    assert groups["Instansi"] == ["Pemerintah Kabupaten Kutai Timur", "Pemerintah Kota Samarinda"]
    # Units of several agencies name their agency.
    assert "Dinas PUPR (Pemerintah Kabupaten Kutai Timur)" in groups[
        "Perangkat daerah dan unit kerja (OPD)"]


def test_grouped_list_posts_without_javascript(tree: Tree) -> None:
    kecamatan = _kecamatan(tree)[0]
    report = submit(tree).report
    client = signed_in("hub")
    response = client.post(report_url(report.pk, "dispose"),
                           {"node": kecamatan.code, "expected_version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.current_node_id == kecamatan.pk


def test_kecamatan_is_told_by_its_official_name(tree: Tree) -> None:
    kecamatan = _kecamatan(tree)[0]
    rsud = node_create(code="kutim-rsud", name="RSUD Kudungga", kind=NodeKind.UNIT,
                       parent=tree.kutim, region_id="64.08.04")
    assert target_group(kecamatan) == TargetGroup.KECAMATAN
    assert target_group(rsud) == TargetGroup.OPD
    assert target_group(tree.bina_marga) == TargetGroup.OTHER
    assert target_group(tree.kutim) == TargetGroup.AGENCY

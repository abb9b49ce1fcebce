"""The SOP document (issue #12): built from the live settings, versioned, approved, published.

docs/sop-document.md describes what is checked here.
"""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pikepdf
import pytest

from lapor.audit.models import AuditEntry
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.demo.loader import load_demo
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.services import day_off_add, node_create, sop_update
from lapor.orgs.signals import sop_changed
from lapor.sopdoc.document import allowed_actions, procedural_actions, sop_document
from lapor.sopdoc.flowchart import flowchart_svg
from lapor.sopdoc.models import SopStatus, SopVersion
from lapor.sopdoc.selectors import sop_current, sop_latest
from lapor.sopdoc.services import sop_draft_refresh, sop_storage, sop_version_approve
from tests.factories import Tree

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[1] / "var" / "test-artifacts" / "sop"
SVG = "{http://www.w3.org/2000/svg}"

KUTIM_LANES = ["Pelapor", "Verifikator instansi (admin koordinator)", "Admin penghubung OPD",
               "Petugas unit", "Pimpinan", "Sistem"]
KUTIM_STEPS = ["submit", "verify", "complete", "hold", "provide_info", "auto_archive",
               "archive", "dispose", "authority", "return", "forward", "acknowledge",
               "supervise", "respond", "reply", "close"]


@pytest.fixture(autouse=True)
def sop_root(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    settings.SOP_STORAGE_ROOT = tmp_path / "sop"  # type: ignore[attr-defined]
    return tmp_path / "sop"


def _symbols(svg: str) -> dict[str, int]:
    root = ET.fromstring(svg)  # noqa: S314  (our own output)
    counts: dict[str, int] = {}
    for el in root.iter():
        for cls in el.get("class", "").split():
            if cls.startswith("sym-"):
                counts[cls] = counts.get(cls, 0) + 1
    return counts


def test_kutai_timur_demo_flowchart_has_every_allowed_transition_and_role() -> None:
    load_demo(reports=0)
    kutim = OrgNode.objects.get(code="kutim")
    document = sop_document(kutim)
    assert [lane.label for lane in document.lanes] == KUTIM_LANES
    assert [step.key for step in document.steps] == KUTIM_STEPS
    assert procedural_actions(document) == allowed_actions(units=True)
    assert {step.lane for step in document.steps} == {lane.key for lane in document.lanes}
    by_key = {step.key: step for step in document.steps}
    assert by_key["verify"].time == "2 HK"  # Kutai Timur verifies within 2 HK (demo SOP)
    assert by_key["acknowledge"].time == "5 HK"
    assert by_key["reply"].time == "10 HK"
    assert "SMS 1708 dengan kata kunci KUTIM" in by_key["submit"].activity
    assert "Inspektorat" in by_key["supervise"].note
    svg = flowchart_svg(document)
    assert _symbols(svg) == {"sym-terminator": 4, "sym-decision": 5, "sym-process": 7}
    root = ET.fromstring(svg)  # noqa: S314
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels.count("Ya") == 5
    assert labels.count("Tidak") == 5
    assert flowchart_svg(document) == svg  # deterministic


def test_agency_without_units_or_supervisor_has_no_forward_row_nor_their_columns(
        tree: Tree) -> None:
    lone = node_create(code="lone", name="Badan Tanpa Unit", kind=NodeKind.AGENCY,
                       parent=tree.root, is_hub=True, region_id="64.08")
    document = sop_document(lone)
    assert [lane.key for lane in document.lanes] == ["reporter", "verifier", "officer",
                                                     "system"]
    keys = [step.key for step in document.steps]
    assert "forward" not in keys
    assert "supervise" not in keys
    assert procedural_actions(document) == allowed_actions(units=False)
    assert _symbols(flowchart_svg(document)) == {"sym-terminator": 4, "sym-decision": 5,
                                                 "sym-process": 5}


def test_user_text_is_escaped_in_the_svg(tree: Tree) -> None:
    odd = node_create(code="odd", name='Dinas <script>&"', kind=NodeKind.AGENCY,
                      parent=tree.root, is_hub=True)
    svg = flowchart_svg(sop_document(odd))
    ET.fromstring(svg)  # noqa: S314  (parses: nothing broke out of its element)


def test_changing_a_deadline_makes_a_new_draft_and_an_unchanged_save_does_not(
        tree: Tree) -> None:
    hub = tree.actor("hub")
    sop_update(actor=hub, agency=tree.kutim, verify_days=3)
    first = sop_latest(tree.kutim)
    assert first is not None
    assert first.status == SopStatus.DRAFT
    count = SopVersion.objects.filter(agency=tree.kutim).count()
    sop_update(actor=hub, agency=tree.kutim, verify_days=3)
    assert SopVersion.objects.filter(agency=tree.kutim).count() == count
    sop_update(actor=hub, agency=tree.kutim, verify_days=1)
    second = sop_latest(tree.kutim)
    assert second is not None
    assert second.pk != first.pk
    assert second.content_sha256 != first.content_sha256
    times = {s["key"]: s["time"] for s in second.content["steps"]}
    assert times["verify"] == "1 HK"
    day_off_add(actor=hub, agency=tree.kutim, day=date(2026, 10, 12), reason="Hari jadi")
    third = sop_latest(tree.kutim)
    assert third is not None
    assert third.pk != second.pk
    assert "12-10-2026: Hari jadi" in third.content["identity"]["days_off"]


def test_sopdoc_refreshes_the_draft_when_orgs_announces_a_change(tree: Tree) -> None:
    """lapor.orgs never imports lapor.sopdoc: it sends ``sop_changed`` and sopdoc's receiver
    (connected in SopdocConfig.ready) makes the draft, once per content."""
    assert not SopVersion.objects.filter(agency=tree.kutim).exists()
    sop_changed.send(sender=OrgNode, node=tree.kutim)
    assert SopVersion.objects.filter(agency=tree.kutim, status=SopStatus.DRAFT).count() == 1
    sop_changed.send(sender=OrgNode, node=tree.kutim)
    assert SopVersion.objects.filter(agency=tree.kutim).count() == 1


def _approve(tree: Tree, who: str = "hub") -> SopVersion:
    draft = sop_draft_refresh(node=tree.kutim) or sop_latest(tree.kutim)
    assert draft is not None
    return sop_version_approve(actor=tree.actor(who), version=draft,
                               approver_name="Drs. H. Ardiansyah Sulaiman, M.Si",
                               approver_position="Bupati Kutai Timur",
                               effective_date=date(2026, 12, 1))


def test_approval_numbers_stores_the_pdf_with_its_hash_and_is_audited(tree: Tree) -> None:
    started = time.monotonic()
    approved = _approve(tree)
    elapsed = time.monotonic() - started
    year = approved.approved_at.year if approved.approved_at else 0
    assert approved.number == f"SOP-KUTIM-{year}-001"
    assert approved.status == SopStatus.APPROVED
    with sop_storage().open(approved.pdf, "rb") as stored:
        pdf = stored.read()
    assert hashlib.sha256(pdf).hexdigest() == approved.pdf_sha256
    entry = AuditEntry.objects.filter(action="sop.approve").get()
    assert entry.target_id == str(approved.pk)
    assert entry.payload["pdf_sha256"] == approved.pdf_sha256
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) >= 2
    print(f"SOP approval incl. PDF rendering: {elapsed:.2f}s")

    sop_update(actor=tree.actor("hub"), agency=tree.kutim, hold_days=5)
    second = _approve(tree, who="supervisor_kutim")
    assert second.number == f"SOP-KUTIM-{year}-002"
    assert sop_storage().exists(approved.pdf)  # the older version stays downloadable


def test_approval_is_refused_to_others_and_for_a_stale_draft(tree: Tree) -> None:
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, verify_days=2)
    draft = sop_latest(tree.kutim)
    assert draft is not None
    for who in ("liaison_pupr", "sysadmin", "hub_samarinda", "supervisor_pupr"):
        with pytest.raises(PermissionDenied):
            sop_version_approve(actor=tree.actor(who), version=draft, approver_name="X",
                                approver_position="Y", effective_date=date(2026, 12, 1))
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, verify_days=1)
    with pytest.raises(ValidationFailed):
        sop_version_approve(actor=tree.actor("hub"), version=draft, approver_name="X",
                            approver_position="Y", effective_date=date(2026, 12, 1))
    assert not SopVersion.objects.filter(status=SopStatus.APPROVED).exists()


def test_kutai_timur_demo_pdf_reads_as_a_document_and_page_one_is_rendered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The demo loader approves the regency's SOP (as its pimpinan), like an official would.
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        load_demo(reports=0)
    # The print stylesheet is all WeasyPrint understands (screen rules live in sop-screen.css):
    # `make run` printed two warnings per rendering before.
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    kutim = OrgNode.objects.get(code="kutim")
    approved = sop_current(kutim)
    assert approved is not None
    assert approved.approved_by is not None
    assert approved.approved_by.username == "bupati"
    assert approved.number.startswith("SOP-KUTIM-")
    with sop_storage().open(approved.pdf, "rb") as stored:
        pdf = stored.read()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) >= 2
        width, height = (float(v) for v in doc.pages[0].mediabox[2:])
        assert width > height  # A4 landscape
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "sop-kutim.pdf").write_bytes(pdf)
    pdftotext, pdftoppm = shutil.which("pdftotext"), shutil.which("pdftoppm")
    # `make system-deps` (run by `make test` and .ci/run) installs poppler-utils.
    assert pdftotext is not None, "pdftotext missing: make system-deps"
    assert pdftoppm is not None, "pdftoppm missing: make system-deps"
    # Fixed argv; the tools were found by shutil.which.
    text = subprocess.run([pdftotext, "-layout", "-", "-"],  # noqa: S603
                          input=pdf, capture_output=True, check=True).stdout.decode()
    for expected in ("PEMERINTAH KABUPATEN KUTAI TIMUR", approved.number,
                     "Bupati Kutai Timur", "Undang-Undang Nomor 25 Tahun 2009",
                     "Mendisposisikan laporan", "Mutu baku"):
        assert expected in text
    subprocess.run([pdftoppm, "-png", "-r", "110", "-f", "1", "-l", "2",  # noqa: S603
                    str(ARTIFACTS / "sop-kutim.pdf"), str(ARTIFACTS / "sop-kutim-page")],
                   check=True)
    assert (ARTIFACTS / "sop-kutim-page-1.png").stat().st_size > 10_000

"""The printed Renaksi: the PDF holds the identity, the activities and the readiness matrix in
words (read back with pdftotext); the workbook opens with openpyxl and holds the rows."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from openpyxl import load_workbook

from lapor.core import clock
from lapor.core.errors import NotFound
from lapor.renaksi import readiness, services
from lapor.renaksi import report as report_module
from lapor.renaksi.models import (
    ActivityKind,
    ActivityStatus,
    Evidence,
    EvidenceKind,
    Indicator,
    Plan,
)
from lapor.renaksi.readiness import MET, NO_DATA, NOT_MET, PARTIAL, Cell, UnitReadiness
from lapor.renaksi.report import gantt_pieces, renaksi_pdf, renaksi_report, renaksi_xlsx
from tests.factories import Tree

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
# 23:30 UTC on Monday 17 August is 07:30 WITA on Tuesday 18 August.
PRINTED = datetime(2026, 8, 17, 23, 30, tzinfo=UTC)

TEXTS = {
    Indicator.LIAISON: "2 dari 2 ber-2FA",
    Indicator.SOP: "Nomor 100/2026",
    Indicator.TRAINING: "3 petugas",
    Indicator.FIRST_REPORT: "12-03-2026",
    Indicator.ON_TIME: "85 persen",
    Indicator.OVERDUE: "0 terlambat",
    Indicator.SATISFACTION: "4,5 dari 5",
}


def _cells(level: str, *, training: str) -> dict[str, Cell]:
    cells: dict[str, Cell] = {i: Cell(indicator=i, level=level, text=TEXTS[i], link="")
                              for i in Indicator}
    cells[Indicator.TRAINING] = Cell(indicator=Indicator.TRAINING, level=training,
                                     text=TEXTS[Indicator.TRAINING], link="")
    return cells


@pytest.fixture
def known_readiness(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed matrix: PUPR meets everything, Dinkes has not trained (the renderer's test; the
    figures themselves are lapor.renaksi.readiness's)."""
    rows = [UnitReadiness(unit=tree.pupr, cells=_cells(MET, training=MET)),
            UnitReadiness(unit=tree.dinkes, cells=_cells(PARTIAL, training=NOT_MET))]
    rows[1].cells[Indicator.SATISFACTION] = Cell(indicator=Indicator.SATISFACTION,
                                                 level=NO_DATA, text="", link="")
    monkeypatch.setattr(readiness, "agency_readiness", lambda agency, units=None: rows)


@pytest.fixture
def plan(tree: Tree, known_readiness: None) -> Plan:
    hub = tree.actor("hub")
    with clock.frozen(datetime(2026, 8, 10, 9, 0, tzinfo=WITA)):
        plan = services.plan_create(actor=hub, agency=tree.kutim, title="Renaksi Kutim 2026",
                                    start_year=2026, end_year=2026)
        done = services.activity_create(
            actor=hub, plan=plan, kind=ActivityKind.SOP, title="Penyusunan SOP pengaduan",
            planned_start=date(2026, 1, 5), planned_end=date(2026, 3, 31),
            unit_codes=[tree.pupr.code, tree.dinkes.code], status=ActivityStatus.DONE,
            done_on=date(2026, 3, 20))
        services.activity_create(
            actor=hub, plan=plan, kind=ActivityKind.BIMTEK, title="Bimtek Dinas PUPR",
            planned_start=date(2026, 4, 1), planned_end=date(2026, 6, 30),
            unit_codes=[tree.pupr.code], owner="liaison_pupr",
            proof_indicator=Indicator.TRAINING)
        services.activity_create(
            actor=hub, plan=plan, kind=ActivityKind.SOSIALISASI, title="Sosialisasi Dinkes",
            planned_start=date(2026, 5, 4), planned_end=date(2026, 7, 31),
            unit_codes=[tree.dinkes.code])
        services.activity_create(
            actor=hub, plan=plan, kind=ActivityKind.DIKLAT, title="Diklat pengelola",
            planned_start=date(2026, 10, 1), planned_end=date(2026, 11, 30))
    Evidence.objects.create(activity=done, kind=EvidenceKind.DOCUMENT, stored_name="a1.pdf",
                            display_name="SK SOP.pdf", content_type="application/pdf",
                            size=10, sha256="0" * 64, created_at=clock.now())
    return plan


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_report_states_and_time_zone(tree: Tree, plan: Plan) -> None:
    with clock.frozen(PRINTED):
        report = renaksi_report(plan, actor=tree.actor("supervisor_kutim"))
    assert report.zone == "WITA"
    assert report.printed_at.date() == date(2026, 8, 18)
    states = {line.activity.title: line.row.state for line in report.lines}
    assert states == {"Penyusunan SOP pengaduan": "done", "Bimtek Dinas PUPR": "proven",
                      "Sosialisasi Dinkes": "late", "Diklat pengelola": "planned"}
    counts = {state: count for state, _, count in report.summary}
    assert counts == {"done": 1, "proven": 1, "in_progress": 0, "planned": 1, "late": 1,
                      "cancelled": 0}
    assert report.lines[0].evidence == 1
    assert report.lines[0].timeline == ["■✓", "", "", ""]
    assert report.lines[2].timeline == ["", "■", "■!", ""]
    assert report.ready_units == 1


def test_only_readers_of_the_whole_plan(tree: Tree, plan: Plan) -> None:
    for who in ("hub_samarinda", "liaison_pupr", "citizen"):
        with pytest.raises(NotFound):
            renaksi_report(plan, actor=tree.actor(who))
    for who in ("hub", "supervisor_kutim", "auditor", "national"):
        assert renaksi_report(plan, actor=tree.actor(who)).total == 4


def test_pdf_holds_the_matrix(tree: Tree, plan: Plan) -> None:
    with clock.frozen(PRINTED):
        pdf = renaksi_pdf(plan, actor=tree.actor("supervisor_kutim"))
    assert pdf.startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext missing: make system-deps"
    text = _words(subprocess.run([pdftotext, "-", "-"],  # noqa: S603  (fixed argv)
                                 input=pdf, capture_output=True, check=True).stdout.decode())
    assert "PEMERINTAH KABUPATEN KUTAI TIMUR" in text
    assert "Renaksi Kutim 2026" in text
    assert "18-08-2026 07:30 WITA" in text
    for title in ("Penyusunan SOP pengaduan", "Bimtek Dinas PUPR", "Sosialisasi Dinkes",
                  "Diklat pengelola"):
        assert title in text
    assert "Terlambat" in text
    # The matrix: every unit, every indicator, each cell's level and text in words.
    for unit in ("Dinas PUPR", "Dinas Kesehatan"):
        assert unit in text
    for _, label in Indicator.choices:
        assert str(label) in text, label
    for words in TEXTS.values():
        assert words in text, words
    assert "Terpenuhi" in text
    assert "Sebagian" in text
    assert "Belum ada data" in text
    assert "Halaman 1 dari" in text
    # The timeline: the programme page's Gantt chart (each activity with its state in words)
    # and the table by quarter.
    assert "1. Penyusunan SOP pengaduan · Selesai" in text
    assert "3. Sosialisasi Dinkes · Terlambat" in text
    assert "Linimasa per triwulan" in text


def test_xlsx_rows_and_types(tree: Tree, plan: Plan) -> None:
    with clock.frozen(PRINTED):
        data = renaksi_xlsx(plan, actor=tree.actor("auditor"))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Ringkasan", "Kegiatan", "Kesiapan"]
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True) if row}
    assert summary["Instansi"] == "Pemerintah Kabupaten Kutai Timur"
    assert f"{summary['Dicetak']:%Y-%m-%d %H:%M}" == "2026-08-18 07:30"  # local, WITA
    assert summary["Zona waktu"] == "WITA"
    assert summary["Terlambat"] == 1
    assert summary["Jumlah"] == 4
    activities = book["Kegiatan"]
    assert activities.freeze_panes == "A2"
    rows = list(activities.iter_rows(values_only=True))
    assert rows[0][:3] == ("No", "Jenis", "Kegiatan")
    assert [r[2] for r in rows[1:]] == ["Penyusunan SOP pengaduan", "Bimtek Dinas PUPR",
                                        "Sosialisasi Dinkes", "Diklat pengelola"]
    first = rows[1]
    assert first[3] == "Dinas PUPR, Dinas Kesehatan"
    assert isinstance(first[5], datetime)
    assert isinstance(first[8], datetime)
    assert first[5].date() == date(2026, 1, 5)
    assert first[8].date() == date(2026, 3, 20)
    assert activities["F2"].is_date
    assert activities["F2"].number_format == "dd-mm-yyyy"
    assert first[9] == 1
    assert rows[2][10] == "Latihan (Bimtek) selesai: terpenuhi"
    assert rows[2][4] == "Liaison Pupr"
    matrix = book["Kesiapan"]
    assert matrix.freeze_panes == "C2"
    lines = list(matrix.iter_rows(values_only=True))
    assert lines[0][4:] == tuple(str(label) for _, label in Indicator.choices)
    # By name (perangkat daerah before kecamatan): Dinas Kesehatan, then Dinas PUPR.
    assert lines[1][1] == "Dinas Kesehatan"
    assert lines[1][2] == "Belum"
    assert lines[1][6] == "✗ Belum: 3 petugas"
    assert lines[1][10] == "– Belum ada data"
    assert lines[2][:4] == ("kutim-pupr", "Dinas PUPR", "Ya", "7 dari 7")
    assert lines[2][4] == "✓ Terpenuhi: 2 dari 2 ber-2FA"
    assert matrix["E3"].fill.fgColor.rgb.endswith("C6EFCE")
    assert matrix["G2"].fill.fgColor.rgb.endswith("FFC7CE")


def test_pdf_with_the_readiness_computed_from_the_system(tree: Tree) -> None:
    """No stand-in: lapor.renaksi.readiness computes the matrix of Kutai Timur's units."""
    with clock.frozen(datetime(2026, 8, 10, 9, 0, tzinfo=WITA)):
        plan = services.plan_create(actor=tree.actor("hub"), agency=tree.kutim,
                                    title="Renaksi Kutim 2026", start_year=2026,
                                    end_year=2026)
    with clock.frozen(PRINTED), translation.override("en"):
        pdf = renaksi_pdf(plan, actor=tree.actor("auditor"))
        book = load_workbook(io.BytesIO(renaksi_xlsx(plan, actor=tree.actor("auditor"))))
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext missing: make system-deps"
    text = _words(subprocess.run([pdftotext, "-", "-"],  # noqa: S603  (fixed argv)
                                 input=pdf, capture_output=True, check=True).stdout.decode())
    assert "Belum ada kegiatan." in text
    for unit in ("Dinas PUPR", "Dinas Kesehatan"):
        assert unit in text
    # PUPR's liaison has two-factor sign-in; nobody trained; no SOP approved; Indonesian
    # even for an English reader (the document's language).
    for words in ("1 dari 1 admin penghubung ber-2FA", "SOP belum disahkan",
                  "Belum ada petugas berlatih", "Belum ada laporan"):
        assert words in text, words
    matrix = list(book["Kesiapan"].iter_rows(values_only=True))
    assert {row[1] for row in matrix[1:3]} == {"Dinas PUPR", "Dinas Kesehatan"}


def test_the_gantt_chart_in_pieces(tree: Tree, plan: Plan,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """An SVG never breaks across pages: the chart is drawn a few activities at a time."""
    monkeypatch.setattr(report_module, "GANTT_ROWS", 3)
    with clock.frozen(PRINTED):
        pieces = gantt_pieces(renaksi_report(plan, actor=tree.actor("hub")))
    assert len(pieces) == 2
    assert pieces[0].count('class="renaksi-gantt__row"') == 3
    assert 'id="gantt2-title">Linimasa Renaksi Kutim 2026, kegiatan 4–4<' in pieces[1]

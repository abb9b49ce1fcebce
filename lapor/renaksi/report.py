"""The printed Renaksi for the pimpinan: a PDF in the style of the SOP document (lapor.sopdoc:
A4 landscape, DejaVu Sans, ruled tables, the agency's name in the heading block, "Halaman n
dari m") and the same content as a workbook (docs/renaksi.md "Printing (PDF, XLSX)").

Both hold: the identity (agency, plan, period, when printed in the agency's time zone and by
whom), the activities counted by state, the activity table (kind, title, units, owner, planned
dates, state, done date, evidence count, proof), the timeline (the programme page's Gantt
chart, lapor.renaksi.gantt, and a table by quarter) and the readiness matrix
(every perangkat daerah and kecamatan × indicator, each cell in words beside its colour).

Only a reader of the whole plan (:func:`lapor.renaksi.permissions.can_read_plan`: the hub,
pimpinan, auditors, the national level) gets them; anyone else gets ``NotFound`` as for the
plan itself. The text is Bahasa Indonesia, as the SOP document's is (an official document of
the agency). WeasyPrint and openpyxl are imported only when a file is made (docs/architecture.md
"lazy imports"), as lapor.sopdoc and lapor.stats do.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone as dj_timezone
from django.utils import translation

from lapor.core import clock
from lapor.core.errors import NotFound
from lapor.core.localtime import zone_abbreviation, zone_info
from lapor.orgs.actors import Actor
from lapor.orgs.models import OrgNode
from lapor.orgs.selectors import sop_for
from lapor.renaksi import readiness
from lapor.renaksi.gantt import Bar, gantt_svg
from lapor.renaksi.models import ActivityKind, Indicator, Plan
from lapor.renaksi.permissions import can_read_plan
from lapor.renaksi.readiness import MET, NO_DATA, NOT_MET, PARTIAL, Cell, UnitReadiness
from lapor.renaksi.selectors import (
    CANCELLED,
    DONE,
    IN_PROGRESS,
    LATE,
    PLANNED,
    PROVEN,
    ActivityRow,
    activities_for,
    activity_rows,
)

CSS_PATH = Path(__file__).parent / "static" / "renaksi" / "report-print.css"

# States in the order of the summary, with their words.
STATE_LABELS: dict[str, str] = {
    DONE: "Selesai", PROVEN: "Selesai (terbukti dari sistem)", IN_PROGRESS: "Berjalan",
    PLANNED: "Direncanakan", LATE: "Terlambat", CANCELLED: "Dibatalkan",
}
# A readiness cell's level in words and as a mark: never colour alone.
LEVEL_LABELS: dict[str, str] = {MET: "Terpenuhi", PARTIAL: "Sebagian", NOT_MET: "Belum",
                                NO_DATA: "Belum ada data"}
LEVEL_MARKS: dict[str, str] = {MET: "✓", PARTIAL: "±", NOT_MET: "✗", NO_DATA: "–"}
# The timeline's marks (explained in its legend).
PLANNED_MARK, DONE_MARK, LATE_MARK = "■", "✓", "!"
ROMAN = ("I", "II", "III", "IV")
# An activity naming more units than this shows the first ones and a count in the PDF.
UNITS_SHOWN = 6
# The matrix lists the perangkat daerah first, then the kecamatan (distrik in Papua), each by
# name, as the programme page's matrix does (lapor.workspace.targets).
KECAMATAN_PREFIXES = ("kecamatan ", "distrik ")
# The Gantt chart is drawn in pieces of this many activities, two side by side on a page (an
# SVG image never breaks across pages).
GANTT_ROWS = 12


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1..4

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        return date.fromordinal(date(self.year, 3 * self.number + 1, 1).toordinal() - 1)

    @property
    def roman(self) -> str:
        return ROMAN[self.number - 1]

    @property
    def label(self) -> str:
        return f"TW {self.roman} {self.year}"

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


@dataclass(frozen=True)
class ActivityLine:
    """One activity as printed."""

    number: int
    row: ActivityRow
    kind: str
    units: list[OrgNode]
    units_text: str  # every unit's name
    units_short: str  # at most UNITS_SHOWN names and a count
    owner: str
    state: str
    evidence: int
    proof: str
    timeline: list[str]  # one mark per quarter of the plan ("" outside the planned dates)

    @property
    def activity(self) -> Any:
        return self.row.activity


@dataclass(frozen=True)
class MatrixCell:
    cell: Cell | None
    level: str
    words: str  # "✓ Terpenuhi: 2 dari 2 ber-2FA"


@dataclass(frozen=True)
class MatrixRow:
    unit: OrgNode
    cells: list[MatrixCell]
    met: int
    ready: bool


@dataclass(frozen=True)
class RenaksiReport:
    plan: Plan
    agency: OrgNode
    zone: str  # WIB / WITA / WIT
    printed_at: datetime  # aware, in the agency's zone
    printed_by: str
    today: date
    lines: list[ActivityLine]
    summary: list[tuple[str, str, int]]  # (state, words, count), every state
    total: int
    quarters: list[Quarter]
    indicators: list[tuple[str, str]]  # (value, words), matrix order
    matrix: list[MatrixRow]

    @property
    def printed_text(self) -> str:
        """The printing moment as the agency reads it (the template's ``date`` filter would
        show it in the site's zone)."""
        return f"{self.printed_at:%d-%m-%Y %H:%M} {self.zone}"

    @property
    def ready_units(self) -> int:
        return sum(1 for r in self.matrix if r.ready)


def _units_short(units: list[OrgNode], all_units: int) -> str:
    if all_units and len(units) == all_units and len(units) > UNITS_SHOWN:
        return f"Semua perangkat daerah dan kecamatan ({len(units)})"
    if len(units) > UNITS_SHOWN:
        names = ", ".join(u.name for u in units[:UNITS_SHOWN])
        return f"{names} dan {len(units) - UNITS_SHOWN} lainnya"
    return ", ".join(u.name for u in units) or "-"


def _timeline(row: ActivityRow, quarters: list[Quarter]) -> list[str]:
    activity = row.activity
    marks = []
    for quarter in quarters:
        mark = ""
        if quarter.start <= activity.planned_end and activity.planned_start <= quarter.end:
            mark = PLANNED_MARK
            if row.state == LATE and quarter.holds(activity.planned_end):
                mark += LATE_MARK
        if quarter.holds(activity.done_on):
            mark += DONE_MARK
        marks.append(mark)
    return marks


def _proof(row: ActivityRow) -> str:
    indicator = row.activity.proof_indicator
    if not indicator:
        return "-"
    met = "terpenuhi" if row.proof_met else "belum terpenuhi"
    return f"{Indicator(indicator).label}: {met}"


def _matrix_order(row: UnitReadiness) -> tuple[bool, str]:
    name = row.unit.name.casefold()
    return name.startswith(KECAMATAN_PREFIXES), name


def matrix_words(cell: Cell | None) -> MatrixCell:
    """A readiness cell in words: its mark, its level and its own text."""
    if cell is None:
        return MatrixCell(cell=None, level=NO_DATA,
                          words=f"{LEVEL_MARKS[NO_DATA]} {LEVEL_LABELS[NO_DATA]}")
    words = f"{LEVEL_MARKS.get(cell.level, '')} {LEVEL_LABELS.get(cell.level, cell.level)}"
    if cell.level == NO_DATA and cell.text:
        words = f"{LEVEL_MARKS[NO_DATA]} {cell.text}"  # "– Belum ada laporan" says it all
    elif cell.text:
        words += f": {cell.text}"
    return MatrixCell(cell=cell, level=cell.level, words=words)


def renaksi_report(plan: Plan, *, actor: Actor) -> RenaksiReport:
    """Everything the PDF and the workbook show (``NotFound`` unless ``actor`` reads the
    whole plan), in Bahasa Indonesia whatever the reader's language: the readiness texts are
    made in it here, as the rest of the document is."""
    if not can_read_plan(actor, plan.agency):
        raise NotFound("not_found")
    with translation.override("id"):
        return _report(plan, actor)


def _report(plan: Plan, actor: Actor) -> RenaksiReport:
    agency = plan.agency
    sop = sop_for(agency)
    printed_at = dj_timezone.localtime(clock.now(), zone_info(sop.timezone))
    today = printed_at.date()
    units_readiness: list[UnitReadiness] = readiness.agency_readiness(agency)
    by_unit = {r.unit.pk: r for r in units_readiness}
    rows = activity_rows(activities_for(actor, plan), today=today, readiness=by_unit)
    quarters = [Quarter(year, n) for year in range(plan.start_year, plan.end_year + 1)
                for n in range(1, 5)]
    kinds = dict(ActivityKind.choices)
    lines = []
    for number, row in enumerate(rows, start=1):
        activity = row.activity
        units = list(activity.units.all())
        owner = activity.owner
        lines.append(ActivityLine(
            number=number, row=row, kind=str(kinds.get(activity.kind, activity.kind)),
            units=units, units_text=", ".join(u.name for u in units) or "-",
            units_short=_units_short(units, len(units_readiness)),
            owner=(owner.display_name or owner.username) if owner is not None else "-",
            state=STATE_LABELS[row.state], evidence=len(activity.evidence.all()),
            proof=_proof(row), timeline=_timeline(row, quarters)))
    counts = Counter(row.state for row in rows)
    indicators = [(str(value), str(label)) for value, label in Indicator.choices]
    matrix = [MatrixRow(unit=r.unit, met=r.met_count, ready=r.ready,
                        cells=[matrix_words(r.cells.get(value)) for value, _ in indicators])
              for r in sorted(units_readiness, key=_matrix_order)]
    user = actor.user
    return RenaksiReport(
        plan=plan, agency=agency, zone=zone_abbreviation(sop.timezone), printed_at=printed_at,
        printed_by=(user.display_name or user.username) if user is not None else "-",
        today=today, lines=lines,
        summary=[(state, words, counts.get(state, 0)) for state, words in STATE_LABELS.items()],
        total=len(rows), quarters=quarters, indicators=indicators, matrix=matrix)


# ---------------------------------------------------------------- PDF


def gantt_pieces(report: RenaksiReport) -> list[Any]:
    """The timeline (:func:`lapor.renaksi.gantt.gantt_svg`, the programme page's chart) in
    pieces of :data:`GANTT_ROWS` activities, in the order of the activity table."""
    plan, lines = report.plan, report.lines
    pieces = []
    for n, start in enumerate(range(0, len(lines), GANTT_ROWS), start=1):
        part = lines[start:start + GANTT_ROWS]
        bars = [Bar(label=f"{line.number}. {line.activity.title}",
                    start=line.activity.planned_start, end=line.activity.planned_end,
                    state=line.row.state, key=str(line.activity.pk)) for line in part]
        counts = Counter(line.row.state for line in part)
        summary = "; ".join(f"{words}: {counts[state]}" for state, words in STATE_LABELS.items()
                            if counts[state])
        pieces.append(gantt_svg(
            bars, start_year=plan.start_year, end_year=plan.end_year, today=report.today,
            title=f"Linimasa {plan.title}, kegiatan {part[0].number}–{part[-1].number}",
            description=f"{len(part)} kegiatan {plan.start_year}–{plan.end_year}. {summary}.",
            state_labels=STATE_LABELS, today_label="hari ini", prefix=f"gantt{n}"))
    return pieces


def renaksi_html(report: RenaksiReport) -> str:
    """The printable HTML (also what the PDF is made of)."""
    years = {q.year for q in report.quarters}
    pieces = gantt_pieces(report)
    return render_to_string("renaksi/report_print.html", {
        "r": report, "levels": [(LEVEL_MARKS[k], v) for k, v in LEVEL_LABELS.items()],
        "gantt_rows": [pieces[i:i + 2] for i in range(0, len(pieces), 2)],
        "marks": {"planned": PLANNED_MARK, "done": DONE_MARK, "late": LATE_MARK},
        "years": [(y, sum(1 for q in report.quarters if q.year == y)) for y in sorted(years)],
    })


def renaksi_pdf(plan: Plan, *, actor: Actor) -> bytes:
    """The PDF (A4 landscape) of ``plan`` for ``actor``, a reader of the whole plan."""
    from weasyprint import CSS, HTML  # noqa: PLC0415  (heavy; only when a PDF is made)

    html = renaksi_html(renaksi_report(plan, actor=actor))
    return HTML(string=html, base_url=str(CSS_PATH.parent)).write_pdf(
        stylesheets=[CSS(filename=str(CSS_PATH))])


# ---------------------------------------------------------------- XLSX

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "dd-mm-yyyy"
MOMENT_FORMAT = "dd-mm-yyyy hh:mm"
# Fills beside the words of a readiness cell (the words carry the meaning).
LEVEL_FILLS = {MET: "C6EFCE", PARTIAL: "FFEB9C", NOT_MET: "FFC7CE", NO_DATA: "EEEEEE"}
HEADER_FILL = "EEEEEE"


def _text(value: str) -> str:
    """Typed text never starts a formula in a spreadsheet (lapor.stats.exports does alike)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def renaksi_xlsx(plan: Plan, *, actor: Actor) -> bytes:
    """The workbook of ``plan`` for ``actor``, a reader of the whole plan: sheets Ringkasan
    (identity and activities by state), Kegiatan (one row per activity, dates as dates) and
    Kesiapan (the readiness matrix in words, coloured), each with a frozen header row."""
    from openpyxl import Workbook  # noqa: PLC0415  (only when a workbook is made)
    from openpyxl.styles import Alignment, Font, PatternFill  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    report = renaksi_report(plan, actor=actor)
    book = Workbook()
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")

    def header(sheet: Any, names: list[str], widths: list[int]) -> None:
        sheet.append(names)
        for i, width in enumerate(widths, start=1):
            cell = sheet.cell(row=sheet.max_row, column=i)
            cell.font, cell.fill, cell.alignment = bold, header_fill, wrap
            sheet.column_dimensions[get_column_letter(i)].width = width

    book.remove(book.worksheets[0])  # the default sheet: each sheet below is named
    summary = book.create_sheet("Ringkasan")
    summary.append(["Laporan Rencana Aksi (Renaksi) SP4N-LAPOR!"])
    summary["A1"].font = Font(bold=True, size=13)
    identity: list[tuple[str, Any]] = [
        ("Instansi", report.agency.name), ("Renaksi", _text(plan.title)),
        ("Periode", f"{plan.start_year}–{plan.end_year}"),
        ("Dicetak", report.printed_at.replace(tzinfo=None)), ("Zona waktu", report.zone),
        ("Dicetak oleh", _text(report.printed_by)),
        ("Unit siap", f"{report.ready_units} dari {len(report.matrix)}"),
    ]
    for label, value in identity:
        summary.append([label, value])
        summary.cell(row=summary.max_row, column=1).font = bold
        if isinstance(value, datetime):
            summary.cell(row=summary.max_row, column=2).number_format = MOMENT_FORMAT
    summary.append([])
    header(summary, ["Keadaan kegiatan", "Jumlah"], [28, 60])
    for _, words, count in report.summary:
        summary.append([words, count])
    summary.append(["Jumlah", report.total])
    summary.cell(row=summary.max_row, column=1).font = bold

    activities = book.create_sheet("Kegiatan")
    header(activities, ["No", "Jenis", "Kegiatan", "Perangkat daerah / kecamatan",
                        "Penanggung jawab", "Rencana mulai", "Rencana selesai", "Keadaan",
                        "Tanggal selesai", "Bukti (berkas)", "Indikator bukti"],
           [5, 22, 40, 50, 22, 14, 14, 18, 14, 10, 36])
    for line in report.lines:
        activity = line.activity
        activities.append([line.number, line.kind, _text(activity.title), line.units_text,
                           _text(line.owner), activity.planned_start, activity.planned_end,
                           line.state, activity.done_on, line.evidence, line.proof])
        row = activities.max_row
        for column in (6, 7, 9):
            activities.cell(row=row, column=column).number_format = DATE_FORMAT
        for column in (3, 4, 11):
            activities.cell(row=row, column=column).alignment = wrap
    activities.freeze_panes = "A2"
    activities.auto_filter.ref = f"A1:K{max(1, activities.max_row)}"

    matrix = book.create_sheet("Kesiapan")
    header(matrix, ["Kode", "Perangkat daerah / kecamatan", "Siap",
                    "Indikator terpenuhi", *(words for _, words in report.indicators)],
           [18, 36, 8, 12, *([30] * len(report.indicators))])
    for unit_row in report.matrix:
        matrix.append([unit_row.unit.code, unit_row.unit.name,
                       "Ya" if unit_row.ready else "Belum",
                       f"{unit_row.met} dari {len(report.indicators)}",
                       *(_text(c.words) for c in unit_row.cells)])
        row = matrix.max_row
        for offset, cell in enumerate(unit_row.cells, start=5):
            target = matrix.cell(row=row, column=offset)
            target.fill = PatternFill("solid", fgColor=LEVEL_FILLS.get(cell.level, HEADER_FILL))
            target.alignment = wrap
    matrix.freeze_panes = "C2"
    matrix.append([])
    matrix.append(["Keterangan: " + "; ".join(f"{LEVEL_MARKS[k]} {v}"
                                              for k, v in LEVEL_LABELS.items())])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

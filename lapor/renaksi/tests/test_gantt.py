"""The programme timeline (lapor.renaksi.gantt): pure SVG from bars, checked as XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from lapor.renaksi.gantt import COLORS, WIDTH, Bar, gantt_svg

NS = {"s": "http://www.w3.org/2000/svg"}
LABELS = {"done": "selesai", "proven": "terbukti", "late": "terlambat",
          "in_progress": "berjalan", "planned": "direncanakan", "cancelled": "dibatalkan"}


def _chart(bars: list[Bar], today: date | None = date(2024, 7, 1)) -> ET.Element:
    svg = gantt_svg(bars, start_year=2023, end_year=2026, today=today, title="Linimasa",
                    description="3 kegiatan", state_labels=LABELS, today_label="hari ini")
    return ET.fromstring(str(svg))  # noqa: S314  (our own output)


BARS = [
    Bar(label="Penyusunan SOP", start=date(2023, 3, 1), end=date(2023, 7, 31), state="done",
        group="SOP", key="1"),
    Bar(label="Sosialisasi <OPD> & kecamatan", start=date(2023, 8, 1),
        end=date(2023, 12, 31), state="late", group="Sosialisasi", key="2"),
    Bar(label="Bimtek Dinas PUPR", start=date(2025, 1, 1), end=date(2025, 3, 31),
        state="planned", group="Sosialisasi", key="3"),
]


def test_accessible_image_with_title_and_description() -> None:
    root = _chart(BARS)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "gantt-title gantt-desc"
    assert root.find("s:title", NS).text == "Linimasa"  # type: ignore[union-attr]
    assert root.find("s:desc", NS).text == "3 kegiatan"  # type: ignore[union-attr]
    # No inline style anywhere (strict CSP): colours are presentation attributes.
    assert not [el for el in root.iter() if "style" in el.attrib]


def test_one_row_per_activity_with_its_state_in_words() -> None:
    root = _chart(BARS)
    rows = root.findall(".//s:g[@class='renaksi-gantt__row']", NS)
    assert [r.get("data-activity") for r in rows] == ["1", "2", "3"]
    assert [r.get("data-state") for r in rows] == ["done", "late", "planned"]
    texts = ["".join(r.find("s:text", NS).itertext()) for r in rows]  # type: ignore[union-attr]
    assert texts[0] == "Penyusunan SOP · selesai"
    # Text is escaped by ElementTree, read back as written.
    assert texts[1] == "Sosialisasi <OPD> & kecamatan · terlambat"
    # Groups are written once each, in the order given.
    group_texts = [t.text for t in root.findall("s:text[@font-size='11']", NS)]
    assert group_texts == ["SOP", "Sosialisasi"]


def test_bars_sit_on_the_year_axis_and_states_differ_beyond_colour() -> None:
    root = _chart(BARS)
    rects = [r.find("s:rect", NS) for r in root.findall(".//s:g[@class='renaksi-gantt__row']",
                                                         NS)]
    done, late, planned = rects
    x = [float(r.get("x")) for r in rects]  # type: ignore[union-attr, arg-type]
    assert x[0] < x[1] < x[2] < WIDTH
    # 2025-01-01 is the start of the third of four years.
    assert abs(x[2] - (4 + (WIDTH - 8) * (date(2025, 1, 1) - date(2023, 1, 1)).days
                       / (date(2027, 1, 1) - date(2023, 1, 1)).days)) < 0.1
    assert done.get("fill") == COLORS["done"]  # type: ignore[union-attr]
    assert late.get("fill") == "url(#gantt-late)"  # type: ignore[union-attr]  # hatched
    assert planned.get("stroke-dasharray")  # type: ignore[union-attr]  # an outline only
    assert root.find(".//s:pattern[@id='gantt-late']", NS) is not None
    years = [t.text for t in root.findall(".//s:g[@class='renaksi-gantt__axis']/s:text", NS)
             if t.text and t.text.isdigit()]
    assert years == ["2023", "2024", "2025", "2026"]


def test_today_line_only_inside_the_period() -> None:
    inside = _chart(BARS, today=date(2024, 7, 1))
    line = inside.find("s:line[@class='renaksi-gantt__today']", NS)
    assert line is not None
    assert "hari ini" in [t.text for t in inside.findall("s:text", NS)]
    assert _chart(BARS, today=date(2030, 1, 1)).find(
        "s:line[@class='renaksi-gantt__today']", NS) is None
    assert _chart(BARS, today=None).find("s:line[@class='renaksi-gantt__today']", NS) is None


def test_dates_outside_the_period_are_clipped_and_empty_chart_draws() -> None:
    bar = Bar(label="Lama", start=date(2020, 1, 1), end=date(2031, 1, 1), state="in_progress")
    root = _chart([bar])
    rect = root.find(".//s:g[@class='renaksi-gantt__row']/s:rect", NS)
    assert rect is not None
    assert float(rect.get("x", "0")) >= 4
    assert float(rect.get("x", "0")) + float(rect.get("width", "0")) <= WIDTH - 4 + 0.01
    empty = _chart([])
    assert empty.findall(".//s:g[@class='renaksi-gantt__row']", NS) == []
    assert float(empty.get("viewBox", "0 0 0 0").split()[3]) > 0


def test_ids_follow_the_prefix() -> None:
    svg = str(gantt_svg(BARS, start_year=2023, end_year=2026, today=None, title="t",
                        description="d", state_labels=LABELS, today_label="x",
                        prefix="unit-gantt"))
    assert 'id="unit-gantt-late"' in svg
    assert "url(#unit-gantt-late)" in svg
    assert 'id="gantt-late"' not in svg

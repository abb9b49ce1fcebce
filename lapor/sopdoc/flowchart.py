"""The SOP flowchart drawn as SVG by code, with :mod:`xml.etree.ElementTree`.

One column per implementer (lane), one row per step; the symbol of each step sits in its lane:
rounded terminator for start/end, rectangle for a process, diamond for a decision. Connectors are
orthogonal lines with arrowheads; decision branches are labelled Ya/Tidak. A page shows a slice of
the rows; a connector to a row on another page ends in an off-page connector (a pentagon with
the target row number), as SOP Administrasi Pemerintahan flowcharts do. Units are millimetres so
the SVG lines up with the HTML table columns of the same widths. Output is deterministic.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from lapor.sopdoc.document import DECISION, PROCESS, TERMINATOR, SopDocument

LANE_W = 22.0  # mm, same as .sop-lane in sopdoc/sop.css
ROW_H = 24.0  # mm, same as .sop-flow tbody tr
SYM_W, SYM_H = 15.0, 8.0
DEC_W, DEC_H = 15.0, 11.0
SVG_NS = "http://www.w3.org/2000/svg"


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _el(parent: ET.Element, tag: str, **attrs: float | str) -> ET.Element:
    return ET.SubElement(parent, tag, {k.replace("_", "-"): _n(v) if isinstance(v, float)
                                       else str(v) for k, v in attrs.items()})


def flowchart_svg(document: SopDocument, rows: range | None = None) -> str:
    """The SVG (a string) of ``rows`` (indexes into ``document.steps``; all when None)."""
    if rows is None:
        rows = range(len(document.steps))
    lanes = [lane.key for lane in document.lanes]
    width, height = LANE_W * len(lanes), ROW_H * len(rows)
    svg = ET.Element("svg", {
        "xmlns": SVG_NS, "width": f"{_n(width)}mm", "height": f"{_n(height)}mm",
        "viewBox": f"0 0 {_n(width)} {_n(height)}", "class": "sop-flowchart",
        "role": "img", "font-family": "DejaVu Sans, sans-serif",
    })
    ET.SubElement(svg, "title").text = (
        f"Diagram alir {document.identity.title} · {document.identity.agency_name}")
    defs = _el(svg, "defs")
    arrow = f"arrow-{rows.start + 1}"  # one id per page: several SVGs share an HTML page
    marker = _el(defs, "marker", id=arrow, viewBox="0 0 10 10", refX=9.0, refY=5.0,
                 markerWidth=3.0, markerHeight=3.0, orient="auto-start-reverse")
    _el(marker, "path", d="M0,0 L10,5 L0,10 z", fill="#000")
    grid = _el(svg, "g", stroke="#999", stroke_width=0.2)
    for i in range(1, len(lanes)):
        _el(grid, "line", x1=LANE_W * i, y1=0.0, x2=LANE_W * i, y2=height)
    for r in range(1, len(rows)):
        _el(grid, "line", x1=0.0, y1=ROW_H * r, x2=width, y2=ROW_H * r)

    index = {step.key: i for i, step in enumerate(document.steps)}
    layout = _Layout(document, lanes, rows, arrow)
    lines = _el(svg, "g", fill="none", stroke="#000", stroke_width=0.35)
    offpage = _el(svg, "g", fill="#fff", stroke="#000", stroke_width=0.3)
    labels = _el(svg, "g", font_size=2.6, fill="#000")
    groups = (lines, offpage, labels)
    for i in rows:
        step = document.steps[i]
        for edge in step.edges:
            target = index.get(edge.target)
            if target is None:
                continue
            j = target
            lanes_hit = {lanes.index(document.steps[k].lane) for k in range(i + 1, j)}
            _connector(layout, groups, i, j, edge.label,
                       right_side=len(step.edges) > 1 and edge is step.edges[1],
                       blocked=bool(lanes_hit & {lanes.index(step.lane),
                                                 lanes.index(document.steps[j].lane)}))
    symbols = _el(svg, "g", fill="#fff", stroke="#000", stroke_width=0.4)
    numbers = _el(svg, "g", font_size=3.0, fill="#000", text_anchor="middle")
    for i in rows:
        x, y = layout.centre(i)
        hw, hh = layout.half(i)
        symbol = document.steps[i].symbol
        if symbol == TERMINATOR:
            _el(symbols, "rect", x=x - hw, y=y - hh, width=2 * hw, height=2 * hh, rx=hh,
                ry=hh, **{"class": "sym sym-terminator"})
        elif symbol == PROCESS:
            _el(symbols, "rect", x=x - hw, y=y - hh, width=2 * hw, height=2 * hh,
                **{"class": "sym sym-process"})
        else:
            points = f"{_n(x)},{_n(y - hh)} {_n(x + hw)},{_n(y)} {_n(x)},{_n(y + hh)} " \
                     f"{_n(x - hw)},{_n(y)}"
            _el(symbols, "polygon", points=points, **{"class": "sym sym-decision"})
        _el(numbers, "text", x=x, y=y + 1.0).text = str(i + 1)
    return ET.tostring(svg, encoding="unicode")


@dataclass(frozen=True)
class _Layout:
    document: SopDocument
    lanes: list[str]
    rows: range
    arrow: str  # id of this page's arrowhead marker

    def centre(self, i: int) -> tuple[float, float]:
        lane = self.lanes.index(self.document.steps[i].lane)
        return LANE_W * lane + LANE_W / 2, ROW_H * (i - self.rows.start) + ROW_H / 2

    def half(self, i: int) -> tuple[float, float]:
        if self.document.steps[i].symbol == DECISION:
            return DEC_W / 2, DEC_H / 2
        return SYM_W / 2, SYM_H / 2


def _connector(layout: _Layout, groups: tuple[ET.Element, ET.Element, ET.Element], i: int,
               j: int, label: str, *, right_side: bool, blocked: bool = False) -> None:
    """One orthogonal connector from step ``i`` to step ``j``. The first edge leaves from the
    bottom of the symbol; a decision's second branch ("Tidak") leaves from its right vertex."""
    lines, offpage, labels = groups
    rows, arrow = layout.rows, layout.arrow
    x1, y1 = layout.centre(i)
    hw1, hh1 = layout.half(i)
    if j not in rows:
        # Off-page connector: a short line down (or right) to a pentagon with the row number.
        sx, sy = (x1 + hw1, y1) if right_side else (x1, y1 + hh1)
        ex, ey = (sx + 6.0, sy) if right_side else (sx, sy + 4.0)
        _el(lines, "path", d=f"M{_n(sx)},{_n(sy)} L{_n(ex)},{_n(ey)}")
        px, py = (ex + 2.5, ey) if right_side else (ex, ey + 2.5)
        pts = f"{_n(px - 2.5)},{_n(py - 2.5)} {_n(px + 2.5)},{_n(py - 2.5)} " \
              f"{_n(px + 2.5)},{_n(py + 1.0)} {_n(px)},{_n(py + 2.5)} {_n(px - 2.5)},{_n(py + 1.0)}"
        _el(offpage, "polygon", points=pts, **{"class": "offpage"})
        _el(labels, "text", x=px, y=py + 0.6, text_anchor="middle",
            font_size=2.2).text = str(j + 1)
        if label:
            lx, ly = (sx + 0.6, sy - 0.8) if right_side else (sx + 0.8, sy + 2.8)
            _el(labels, "text", x=lx, y=ly).text = label
        return
    x2, y2 = layout.centre(j)
    hw2, hh2 = layout.half(j)
    if right_side:
        sx, sy = x1 + hw1, y1
        gutter = max(x1 + hw1, x2 + hw2) + 2.5
        if abs(y2 - y1) < 0.01:
            d = f"M{_n(sx)},{_n(sy)} L{_n(x2 - hw2)},{_n(y2)}"
        else:
            d = (f"M{_n(sx)},{_n(sy)} L{_n(gutter)},{_n(sy)} L{_n(gutter)},{_n(y2)} "
                 f"L{_n(x2 + hw2)},{_n(y2)}")
        _el(lines, "path", d=d, marker_end=f"url(#{arrow})")
        _el(labels, "text", x=sx + 0.6, y=sy - 0.8).text = label
        return
    sx, sy = x1, y1 + hh1
    if j > i and blocked:
        # A symbol of a row in between sits on the straight path: go round it on the left.
        ty = y2 - hh2
        gx = min(x1, x2) - 9.5
        d = (f"M{_n(sx)},{_n(sy)} L{_n(sx)},{_n(sy + 2.0)} L{_n(gx)},{_n(sy + 2.0)} "
             f"L{_n(gx)},{_n(ty - 3.0)} L{_n(x2)},{_n(ty - 3.0)} L{_n(x2)},{_n(ty)}")
    elif j > i:
        ty = y2 - hh2
        mid = ty - 3.0 if abs(x2 - x1) > 0.01 else ty
        d = (f"M{_n(sx)},{_n(sy)} L{_n(sx)},{_n(mid)} L{_n(x2)},{_n(mid)} "
             f"L{_n(x2)},{_n(ty)}")
    else:
        # Back up the table (a loop): out of the bottom, along the left gutter of the lane.
        gutter = min(x1, x2) - max(hw1, hw2) - 2.0
        d = (f"M{_n(sx)},{_n(sy)} L{_n(sx)},{_n(sy + 2.0)} L{_n(gutter)},{_n(sy + 2.0)} "
             f"L{_n(gutter)},{_n(y2)} L{_n(x2 - hw2)},{_n(y2)}")
    _el(lines, "path", d=d, marker_end=f"url(#{arrow})")
    if label:
        _el(labels, "text", x=sx + 0.8, y=sy + 2.8).text = label

"""Dashboard charts drawn as SVG by code (xml.etree.ElementTree escapes every text).

Small on purpose: horizontal bars for categories (labels above their bar, so long names stay
readable on a 320 px phone screen) and columns for trends. The viewBox is 320 units wide and
the CSS lets it grow with the page, so one unit is about one CSS pixel on a phone. Colours
are presentation attributes (no inline style: strict CSP), and WeasyPrint draws the same SVG
in the monthly PDF. Every chart is ``aria-hidden``: the page puts the same numbers in a table
next to it, which is what screen readers read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe

WIDTH = 320
BAR_COLOR = "#1f6f8b"
ALT_COLOR = "#c0392b"
TEXT_COLOR = "#1b1b1b"
AXIS_COLOR = "#9a9a9a"
FONT = "DejaVu Sans, Arial, sans-serif"
MAX_BARS = 12


def _svg(height: int, title: str) -> ET.Element:
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {WIDTH} {height}",
        "class": "stats-chart", "aria-hidden": "true", "focusable": "false",
        "font-family": FONT, "font-size": "12",
    })
    ET.SubElement(svg, "title").text = title
    return svg


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> None:
    el = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}",
                                        "fill": TEXT_COLOR, **attrs})
    el.text = text


def _done(svg: ET.Element) -> SafeString:
    # ElementTree escaped every text and attribute: the markup is safe to embed.
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308


def _short(label: str, limit: int = 44) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(items: Sequence[tuple[str, int | None]], *, title: str) -> SafeString:
    """Horizontal bars, biggest first as given; ``None`` values (suppressed) are skipped."""
    shown = [(label, value) for label, value in items if value is not None][:MAX_BARS]
    row = 34
    svg = _svg(max(row * len(shown), row), title)
    top = max((value for _, value in shown), default=0) or 1
    for i, (label, value) in enumerate(shown):
        y = i * row
        _text(svg, 0, y + 12, _short(label))
        width = (WIDTH - 60) * value / top
        ET.SubElement(svg, "rect", {"x": "0", "y": f"{y + 16}", "height": "12",
                                    "width": f"{max(width, 1):.1f}", "fill": BAR_COLOR,
                                    "rx": "2"})
        _text(svg, width + 6, y + 27, f"{value:,}".replace(",", "."))
    return _done(svg)


def column_chart(items: Sequence[tuple[str, int | None]], *, title: str,
                 highlight: Sequence[int | None] = ()) -> SafeString:
    """Columns over time (months or weeks); at most about eight axis labels are written.
    ``highlight`` draws a second, overlaid series (e.g. followed up) in the alternate colour."""
    height, base, left = 170, 140, 30
    svg = _svg(height, title)
    n = max(len(items), 1)
    step = (WIDTH - left) / n
    values = [v or 0 for _, v in items]
    top = max(values, default=0) or 1
    ET.SubElement(svg, "line", {"x1": str(left), "x2": str(WIDTH), "y1": str(base),
                                "y2": str(base), "stroke": AXIS_COLOR})
    _text(svg, 0, 12, f"{top:,}".replace(",", "."), **{"font-size": "10"})
    _text(svg, 0, base, "0", **{"font-size": "10"})
    every = max(1, -(-n // 8))
    for i, (label, value) in enumerate(items):
        x = left + i * step
        for series, color in ((value, BAR_COLOR),
                              (highlight[i] if i < len(highlight) else None, ALT_COLOR)):
            if series:
                h = (base - 16) * series / top
                inset = 0.15 * step if color == BAR_COLOR else 0.3 * step
                ET.SubElement(svg, "rect", {
                    "x": f"{x + inset:.1f}", "y": f"{base - h:.1f}",
                    "width": f"{max(step - 2 * inset, 1):.1f}", "height": f"{h:.1f}",
                    "fill": color})
        if i % every == 0:
            _text(svg, x + step / 2, base + 16, label, **{"font-size": "10",
                                                         "text-anchor": "middle"})
    return _done(svg)

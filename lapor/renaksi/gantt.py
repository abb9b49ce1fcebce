"""The programme timeline of a Renaksi: a Gantt-like chart drawn as SVG by code, like the
dashboard charts (:mod:`lapor.stats.charts`: ElementTree escapes every text, colours are
presentation attributes, no inline style under the strict CSP).

One row per activity, grouped as the caller gives them (by kind, or one group in date order):
the activity's title and its state in words on a line of its own, the bar from its planned
start to its planned end under it, on an axis of years and quarters of the plan's period. The
state is shown three ways — colour, a fill pattern (hatching for late, dots for in progress,
an outline for planned, crossed for cancelled) and the words — so it never rests on colour
alone. A dashed line marks today. The viewBox is 320 units wide with the labels above their
bars, so the chart stays readable when it shrinks to a 320-pixel phone; the CSS lets it grow
on a desktop. The SVG is an image with a ``<title>`` and a ``<desc>`` (a count per state);
the page puts the same activities in a table beside it.

Pure: no database, no translation lookups — the caller passes every word.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.safestring import SafeString, mark_safe

from lapor.stats.charts import AXIS_COLOR, FONT, TEXT_COLOR

WIDTH = 320
LEFT, RIGHT = 4, 4
AXIS_HEIGHT = 30
GROUP_HEIGHT = 20
ROW_HEIGHT = 32
BAR_HEIGHT = 10
TODAY_COLOR = "#b3261e"

# The derived states of :mod:`lapor.renaksi.selectors`, each with its colour and pattern.
STATES = ("done", "proven", "late", "in_progress", "planned", "cancelled")
COLORS = {
    "done": "#1a7f37",
    "proven": "#0f5c2e",
    "late": "#b42318",
    "in_progress": "#1f6f8b",
    "planned": "#57606a",
    "cancelled": "#8c959f",
}


@dataclass(frozen=True)
class Bar:
    """One activity on the chart."""

    label: str  # the activity's title
    start: date  # planned start
    end: date  # planned end (inclusive)
    state: str  # one of STATES
    group: str = ""  # the group heading it falls under (its kind's name), "" for none
    key: str = ""  # an id for the row (the activity's id), written as data-activity


def _days(a: date, b: date) -> int:
    return (b - a).days


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}",
                                        "fill": TEXT_COLOR, **attrs})
    el.text = text
    return el


def _patterns(svg: ET.Element, prefix: str) -> None:
    """Fill patterns that tell the states apart without colour."""
    defs = ET.SubElement(svg, "defs")
    late = ET.SubElement(defs, "pattern", {"id": f"{prefix}-late", "width": "6", "height": "6",
                                           "patternUnits": "userSpaceOnUse",
                                           "patternTransform": "rotate(45)"})
    ET.SubElement(late, "rect", {"width": "6", "height": "6", "fill": COLORS["late"]})
    ET.SubElement(late, "line", {"x1": "0", "y1": "0", "x2": "0", "y2": "6",
                                 "stroke": "#ffffff", "stroke-width": "2"})
    dots = ET.SubElement(defs, "pattern", {"id": f"{prefix}-in_progress", "width": "5",
                                           "height": "5", "patternUnits": "userSpaceOnUse"})
    ET.SubElement(dots, "rect", {"width": "5", "height": "5", "fill": COLORS["in_progress"]})
    ET.SubElement(dots, "circle", {"cx": "2.5", "cy": "2.5", "r": "1", "fill": "#ffffff"})
    cross = ET.SubElement(defs, "pattern", {"id": f"{prefix}-cancelled", "width": "6",
                                            "height": "6", "patternUnits": "userSpaceOnUse"})
    ET.SubElement(cross, "rect", {"width": "6", "height": "6", "fill": "#eef0f2"})
    ET.SubElement(cross, "path", {"d": "M0,0 L6,6 M6,0 L0,6", "stroke": COLORS["cancelled"],
                                  "stroke-width": "1"})


def _fill(state: str, prefix: str) -> dict[str, str]:
    if state in ("late", "in_progress", "cancelled"):
        return {"fill": f"url(#{prefix}-{state})", "stroke": COLORS[state]}
    if state == "planned":
        return {"fill": "#ffffff", "stroke": COLORS[state], "stroke-width": "1.5",
                "stroke-dasharray": "3 2"}
    return {"fill": COLORS.get(state, COLORS["planned"]), "stroke": COLORS.get(state, "#000")}


def gantt_svg(bars: Sequence[Bar], *, start_year: int, end_year: int, today: date | None,
              title: str, description: str, state_labels: Mapping[str, str],
              today_label: str, prefix: str = "gantt") -> SafeString:
    """The chart of ``bars`` over the years ``start_year``–``end_year`` (inclusive), groups in
    the order given. ``state_labels`` gives the words for each state (shown after each title),
    ``today_label`` the word beside the today line (drawn only when today falls inside the
    period); ``prefix`` makes the ids of the patterns unique on the page."""
    first, last = date(start_year, 1, 1), date(end_year + 1, 1, 1)
    span = max(_days(first, last), 1)
    inner = WIDTH - LEFT - RIGHT

    def x(day: date) -> float:
        day = min(max(day, first), last)
        return LEFT + inner * _days(first, day) / span

    groups: list[str] = []
    for bar in bars:
        if bar.group not in groups:
            groups.append(bar.group)
    group_rows = sum(1 for g in groups if g)
    height = AXIS_HEIGHT + group_rows * GROUP_HEIGHT + max(len(bars), 1) * ROW_HEIGHT + 6

    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {WIDTH} {height}",
        "class": "renaksi-gantt", "role": "img", "focusable": "false",
        "aria-labelledby": f"{prefix}-title {prefix}-desc",
        "font-family": FONT, "font-size": "10",
    })
    ET.SubElement(svg, "title", {"id": f"{prefix}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{prefix}-desc"}).text = description
    _patterns(svg, prefix)

    # The axis: a label per year, a line at each year's start, a tick at each quarter.
    axis = ET.SubElement(svg, "g", {"class": "renaksi-gantt__axis"})
    for year in range(start_year, end_year + 1):
        x0, x1 = x(date(year, 1, 1)), x(date(year + 1, 1, 1))
        _text(axis, (x0 + x1) / 2, 11, str(year), **{"text-anchor": "middle",
                                                      "font-weight": "bold"})
        for month in (4, 7, 10):
            xq = x(date(year, month, 1))
            ET.SubElement(axis, "line", {"x1": f"{xq:.1f}", "x2": f"{xq:.1f}", "y1": "18",
                                         "y2": str(height), "stroke": "#e6e8eb"})
            if inner / (end_year - start_year + 1) >= 60:
                _text(axis, xq, 25, f"Q{(month - 1) // 3 + 1}",
                      **{"text-anchor": "middle", "font-size": "7", "fill": "#57606a"})
        ET.SubElement(axis, "line", {"x1": f"{x0:.1f}", "x2": f"{x0:.1f}", "y1": "0",
                                     "y2": str(height), "stroke": AXIS_COLOR})
    ET.SubElement(axis, "line", {"x1": f"{x(last):.1f}", "x2": f"{x(last):.1f}", "y1": "0",
                                 "y2": str(height), "stroke": AXIS_COLOR})
    ET.SubElement(axis, "line", {"x1": str(LEFT), "x2": str(WIDTH - RIGHT),
                                 "y1": str(AXIS_HEIGHT - 2), "y2": str(AXIS_HEIGHT - 2),
                                 "stroke": AXIS_COLOR})

    y = AXIS_HEIGHT
    for group in groups:
        if group:
            _text(svg, LEFT, y + 14, _short(group, 56), **{"font-weight": "bold",
                                                            "font-size": "11"})
            y += GROUP_HEIGHT
        for bar in (b for b in bars if b.group == group):
            row = ET.SubElement(svg, "g", {"class": "renaksi-gantt__row",
                                           "data-state": bar.state,
                                           **({"data-activity": bar.key} if bar.key else {})})
            state_text = state_labels.get(bar.state, bar.state)
            label = _text(row, LEFT, y + 11, _short(bar.label, 52 - len(state_text)))
            ET.SubElement(label, "tspan", {"fill": COLORS.get(bar.state, TEXT_COLOR),
                                           "font-weight": "bold"}).text = f" · {state_text}"
            x0, x1 = x(bar.start), x(bar.end)
            # The end day is inclusive: the bar reaches the end of that day.
            x1 = min(x1 + inner / span, x(last))
            ET.SubElement(row, "rect", {
                "x": f"{x0:.1f}", "y": str(y + 15), "width": f"{max(x1 - x0, 2):.1f}",
                "height": str(BAR_HEIGHT), "rx": "2", **_fill(bar.state, prefix)})
            y += ROW_HEIGHT

    if today is not None and first <= today < last:
        xt = x(today)
        ET.SubElement(svg, "line", {"x1": f"{xt:.1f}", "x2": f"{xt:.1f}", "y1": "14",
                                    "y2": str(height), "stroke": TODAY_COLOR,
                                    "stroke-width": "1.5", "stroke-dasharray": "4 2",
                                    "class": "renaksi-gantt__today"})
        anchor = "end" if xt > WIDTH / 2 else "start"
        _text(svg, xt + (-3 if anchor == "end" else 3), 20, today_label,
              **{"text-anchor": anchor, "fill": TODAY_COLOR, "font-size": "8",
                 "font-weight": "bold"})

    # ElementTree escaped every text and attribute: the markup is safe to embed.
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308

"""Dashboards as plain data for the API, the pages and the exports, per audience.

The public audience gets aggregates only (no overdue list, no report of any kind) and every
cell counting fewer than :data:`SMALL_CELL` reports is suppressed together with the rates
computed from it: a small count in a district or unit could point at one reporter.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from lapor.stats.figures import Figures
from lapor.stats.selectors import Dashboard, RegionLevelView, Row, TablePage

SMALL_CELL = 5
FIGURE_FIELDS = tuple(Figures.__dataclass_fields__)


def _figures(figures: Figures, *, public: bool) -> dict[str, Any]:
    data = asdict(figures)
    data["suppressed"] = False
    if public and figures.reports < SMALL_CELL:
        data = dict.fromkeys(FIGURE_FIELDS)
        data["suppressed"] = True
    return data


def _row(row: Row, *, public: bool) -> dict[str, Any]:
    return {"key": row.key, "label": row.label, **_figures(row.figures, public=public)}


def board_data(board: Dashboard, *, public: bool) -> dict[str, Any]:
    """Everything the dashboard shows, for ``public`` or staff readers."""
    totals = _figures(board.totals, public=public)
    few_followups = board.totals.followed_up < SMALL_CELL
    hide_percentiles = public and few_followups
    return {
        "node": {"code": board.node.code, "name": board.node.name, "kind": board.node.kind},
        "period": {"from": f"{board.period.start:%Y-%m}", "to": f"{board.period.end:%Y-%m}"},
        "totals": totals,
        "followup_median_days": None if hide_percentiles else board.followup_median,
        "followup_p90_days": None if hide_percentiles else board.followup_p90,
        "tables": {dim: [_row(r, public=public) for r in rows]
                   for dim, rows in board.tables.items()},
        "months": [_row(r, public=public) for r in board.months],
        "weeks": [_row(r, public=public) for r in board.weeks],
        "units": [_row(r, public=public) for r in board.units],
        "overdue_now": (None if public and board.overdue_now < SMALL_CELL
                        else board.overdue_now),
        "table_counts": dict(board.counts),
        "region": region_data(board.region),
    }


def region_data(view: RegionLevelView | None) -> dict[str, Any] | None:
    """Where the region table stands (``None``: every district as stored, the exports)."""
    if view is None:
        return None
    return {"parent": view.parent, "level": view.level, "drill": view.drill,
            "trail": [{"code": code, "name": name} for code, name in view.trail]}


def page_data(page: TablePage, *, public: bool) -> dict[str, Any]:
    """One page of a long table ("show all") for ``public`` or staff readers."""
    return {"table": page.table, "count": page.count, "page": page.page,
            "pages": page.pages, "sort": page.sort, "region": region_data(page.region),
            "rows": [_row(r, public=public) for r in page.rows]}

"""The monthly PDF report of a node (an agency, usually): its figures for the month, a
six-month trend and the ranking of its units, with the same SVG charts as the pages.
WeasyPrint renders the HTML (imported only when a PDF is made, as lapor.sopdoc does)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.template.loader import render_to_string

from lapor.core import clock
from lapor.orgs.models import OrgNode
from lapor.stats import charts
from lapor.stats.forms import RowsForm
from lapor.stats.labels import (
    AGENCIES_TITLE,
    AGENCY_COLUMN,
    CATEGORY_COLUMN,
    REGION_COLUMNS,
    REGION_TITLES,
    SECTION_COLUMNS,
    TABLE_TITLES,
    UNIT_COLUMN,
)
from lapor.stats.presenters import board_data
from lapor.stats.selectors import Period, dashboard

CSS_PATH = Path(__file__).parent / "static" / "stats" / "print.css"
TREND_MONTHS = 6


def _title(data: dict[str, Any], dim: str) -> Any:
    region = data.get("region")
    if dim == "region" and region is not None:
        return REGION_TITLES[region["level"]]
    return TABLE_TITLES[dim]


def chart_set(data: dict[str, Any]) -> dict[str, Any]:
    """The SVG charts of a dashboard's data (counts; suppressed cells are left out)."""
    tables = data["tables"]

    def bars(dim: str) -> Any:
        return charts.bar_chart([(r["label"], r["reports"]) for r in tables[dim]],
                                title=str(_title(data, dim)))

    return {
        "status": bars("status"), "category": bars("category"), "channel": bars("channel"),
        "region": bars("region"), "type": bars("type"),
        "months": charts.column_chart([(r["label"], r["reports"]) for r in data["months"]],
                                      title=str(TABLE_TITLES["months"]),
                                      highlight=[r["followed_up"] for r in data["months"]]),
        "weeks": charts.column_chart([(r["label"], r["reports"]) for r in data["weeks"]],
                                     title=str(TABLE_TITLES["weeks"])),
        "units": charts.bar_chart(
            [(r["label"], None if r["followup_rate"] is None else round(
                100 * r["followup_rate"])) for r in data["units"]],
            title=str(TABLE_TITLES["units"])),
    }


def page_sections(data: dict[str, Any], charts_: dict[str, Any]) -> list[dict[str, Any]]:
    """The breakdown sections (chart and table of one dimension each), in page order, with
    how many rows the whole table has (``count``: more than shown means "show all")."""
    region = data.get("region")
    counts = data.get("table_counts", {})
    return [{"dim": dim, "title": _title(data, dim),
             "column": REGION_COLUMNS[region["level"]] if dim == "region" and region else column,
             "chart": charts_[dim], "rows": data["tables"][dim],
             "count": counts.get(dim, len(data["tables"][dim]))}
            for dim, column in SECTION_COLUMNS]


def rows_context(rows: dict[str, Any], period: Period, *, link_prefix: str,
                 agencies: bool) -> dict[str, Any]:
    """What a "show all" page (``presenters.page_data``) needs around its table: caption,
    first column, the links of its rows (``link_prefix``: a unit's dashboard; a region one
    level down) and the query strings of its pager. ``agencies``: the units are agencies
    (the national public page)."""
    table, region = rows["table"], rows["region"]
    if table == "units":
        caption = AGENCIES_TITLE if agencies else TABLE_TITLES["units"]
        column = AGENCY_COLUMN if agencies else UNIT_COLUMN
    elif table == "region":
        caption, column = REGION_TITLES[region["level"]], REGION_COLUMNS[region["level"]]
    else:
        caption, column = TABLE_TITLES["category"], CATEGORY_COLUMN
    keep = {"from": f"{period.start:%Y-%m}", "to": f"{period.end:%Y-%m}"}
    drill_query = urlencode({**keep, "sort": rows["sort"]})
    if region and region["parent"]:
        keep["region"] = region["parent"]
    return {"caption": caption, "column": column,
            "link_prefix": link_prefix if table == "units" else "",
            "drill_query": drill_query, "page_query": urlencode({**keep, "sort": rows["sort"]}),
            "sort_form": RowsForm(initial={"sort": rows["sort"]})}


def _months_back(month: date, n: int) -> date:
    for _ in range(n):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def pdf_context(node: OrgNode, month: date) -> dict[str, Any]:
    # Every row (a printed report has no "show all"); the regions one level at a time, as
    # on the page (an agency of one regency: its districts).
    data = board_data(dashboard(node, Period(start=month, end=month), top=None), public=False)
    trend = board_data(dashboard(node, Period(start=_months_back(month, TREND_MONTHS - 1),
                                              end=month)), public=False)
    data["months"] = trend["months"]
    charts_ = chart_set(data)
    return {"data": data, "charts": charts_, "sections": page_sections(data, charts_),
            "month": month, "node": node, "generated_at": clock.now()}


def monthly_pdf(node: OrgNode, month: date) -> bytes:
    """The PDF (A4 portrait) of ``node``'s month."""
    from weasyprint import CSS, HTML  # noqa: PLC0415  (heavy; only when a PDF is made)

    html = render_to_string("stats/print.html", pdf_context(node, month))
    return HTML(string=html, base_url=str(CSS_PATH.parent)).write_pdf(
        stylesheets=[CSS(filename=str(CSS_PATH))])

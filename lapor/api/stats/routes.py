"""Statistics API: a node's dashboard for staff, the public statistics, the overdue list.

Staff may read the dashboard of any node inside the subtree of a role that reads reports;
any other node is a 404 (never confirming that it exists elsewhere). The public endpoint
serves the root and agencies with small cells suppressed (docs/statistics.md).

The answers are bounded at national scale (issue #21): the long tables (``units``,
``tables.region``, ``tables.category``) carry their top rows (``top``, default 15), with
``table_counts`` saying how many exist and ``.../rows/{table}`` paging through all of them;
the region table is one level of the region code at a time (``region``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from lapor.api.auth import BearerAuth, request_staff
from lapor.core.api import errors
from lapor.core.errors import NotFound
from lapor.orgs.models import OrgNode
from lapor.orgs.selectors import node_get
from lapor.stats.presenters import SMALL_CELL, board_data, page_data
from lapor.stats.selectors import (
    PAGE_SIZE,
    REGION_CODE,
    TOP_N,
    Period,
    cached_dashboard,
    is_public_node,
    may_view,
    overdue_list,
    period_from,
    table_page,
)

router = Router(tags=["statistics"])
MONTH = r"^\d{4}-\d{2}$"


class PeriodQuery(Schema):
    from_: str | None = Field(default=None, alias="from", pattern=MONTH,
                              description="First month, YYYY-MM (default: 11 months before `to`)")
    to: str | None = Field(default=None, pattern=MONTH,
                           description="Last month, YYYY-MM (default: this month)")


REGION_DESCRIPTION = ("Region table one level below this Kemendagri code: `64` lists the "
                      "province's regencies, `64.08` the regency's districts. Default: the "
                      "provinces, descending by itself while one region holds every report "
                      "(an agency of one regency gets its districts)")


class DashboardQuery(PeriodQuery):
    region: str | None = Field(default=None, pattern=REGION_CODE,
                               description=REGION_DESCRIPTION)
    top: int = Field(default=TOP_N, ge=1, le=100, description=(
        "Rows kept in each long table (`units`, `tables.region`, `tables.category`), best "
        "first; the rest through `/rows/{table}`"))


class RowsQuery(PeriodQuery):
    region: str | None = Field(default=None, pattern=REGION_CODE,
                               description=REGION_DESCRIPTION + " (table `region` only)")
    sort: Literal["rank", "reports", "followup_rate", "overdue"] | None = Field(
        default=None, description=("Order: `rank` (first follow-up on-time rate, then "
                                   "followed-up share, then volume), `reports`, "
                                   "`followup_rate` or `overdue`. Default: `rank` for "
                                   "units, `reports` otherwise"))
    page: int = Field(default=1, ge=1, description="1-based; past the end: the last page")
    size: int = Field(default=PAGE_SIZE, ge=1, le=200, description="Rows per page")


class OverdueQuery(Schema):
    limit: int = Field(default=20, ge=1, le=100)


class FiguresOut(Schema):
    reports: int | None
    followup_eligible: int | None
    followed_up: int | None
    verify_rate: float | None = Field(description="Verified by the deadline / verifications "
                                      "done or overdue")
    followup_rate: float | None = Field(description="First follow-ups on time / done or "
                                        "overdue")
    resolution_rate: float | None
    followed_up_share: float | None = Field(description="Followed up / disposed")
    good: bool | None = Field(description="LAPOR!'s measure: followed up at least half")
    rating_avg: float | None
    rated: int | None
    reopened_share: float | None = Field(description="Reopened / answered with a final "
                                         "follow-up")
    overdue: int | None
    suppressed: bool = Field(description="Public view: fewer than 5 reports, figures hidden")


class RowOut(FiguresOut):
    key: str
    label: str


class NodeOut(Schema):
    code: str
    name: str
    kind: str


class PeriodOut(Schema):
    from_: str = Field(alias="from")
    to: str


class TablesOut(Schema):
    status: list[RowOut]
    category: list[RowOut]
    channel: list[RowOut]
    type: list[RowOut]
    region: list[RowOut]


class StatsRegionTrailOut(Schema):
    code: str
    name: str


class StatsRegionOut(Schema):
    parent: str = Field(description="The region whose sub-regions `tables.region` lists "
                        "(\"\": the provinces)")
    level: int = Field(description="Level of the rows: 1 province, 2 regency, 3 district")
    drill: bool = Field(description="Whether a row can be opened one level further down "
                        "(pass its key as `region`)")
    trail: list[StatsRegionTrailOut] = Field(description="From the province down to `parent`")


class StatsTableCountsOut(Schema):
    units: int
    region: int
    category: int


class DashboardOut(Schema):
    node: NodeOut
    period: PeriodOut
    totals: FiguresOut
    followup_median_days: int | None
    followup_p90_days: int | None
    tables: TablesOut
    months: list[RowOut]
    weeks: list[RowOut]
    units: list[RowOut] = Field(description="Units directly below, by first follow-up "
                                "on-time rate")
    overdue_now: int | None
    table_counts: StatsTableCountsOut = Field(description=(
        "Rows of each long table before the `top` cut: `units`, `tables.region` (at its "
        "level), `tables.category`. The full table: `/rows/{table}`"))
    region: StatsRegionOut | None = Field(description="Where the region table stands")


class StatsRowsOut(Schema):
    table: str
    count: int = Field(description="Rows in the whole table")
    page: int
    pages: int
    sort: str
    region: StatsRegionOut | None = Field(description="Table `region`: where it stands")
    rows: list[RowOut]


class OverdueOut(Schema):
    report_id: int
    tracking_number: str
    title: str
    status: str
    node_name: str
    staff_due_at: datetime
    working_days_late: int


def _staff_node(request: HttpRequest, code: str) -> OrgNode:
    actor = request_staff(request)
    node = node_get(code)
    if node is None or not may_view(actor, node):
        raise NotFound("not_found")
    return node


@router.get("/stats/nodes/{code}", auth=BearerAuth(),
            response={200: DashboardOut, **errors(401, 403, 404, 422)}, by_alias=True,
            summary="Dashboard figures of a node's subtree (staff)")
def node_dashboard(request: HttpRequest, code: str,
                   query: Query[DashboardQuery]) -> dict[str, Any]:
    node = _staff_node(request, code)
    return board_data(cached_dashboard(node, period_from(query.from_, query.to), top=query.top,
                                region=query.region), public=False)


def _rows(node: OrgNode, period: Period, table: str, query: RowsQuery, *,
          public: bool) -> dict[str, Any]:
    page = table_page(node, period, table, region=query.region, sort=query.sort,
                      page=query.page, size=query.size,
                      small_last=SMALL_CELL if public else 0)
    return page_data(page, public=public)


TABLE = Literal["units", "region", "category"]


@router.get("/stats/nodes/{code}/rows/{table}", auth=BearerAuth(),
            response={200: StatsRowsOut, **errors(401, 403, 404, 422)}, by_alias=True,
            summary="One page of a dashboard's long table: all units, regions or "
                    "categories (staff)")
def node_rows(request: HttpRequest, code: str, table: TABLE,
              query: Query[RowsQuery]) -> dict[str, Any]:
    node = _staff_node(request, code)
    return _rows(node, period_from(query.from_, query.to), table, query, public=False)


@router.get("/stats/nodes/{code}/overdue", auth=BearerAuth(),
            response={200: list[OverdueOut], **errors(401, 403, 404, 422)},
            summary="Longest-overdue open reports of a node's subtree (staff)")
def node_overdue(request: HttpRequest, code: str,
                 query: Query[OverdueQuery]) -> list[Any]:
    node = _staff_node(request, code)
    return list(overdue_list(node, limit=query.limit))


@router.get("/stats/public/{code}",
            response={200: DashboardOut, **errors(404, 422)}, by_alias=True,
            summary="Public statistics of the national total or an agency")
def public_dashboard(request: HttpRequest, code: str,
                     query: Query[DashboardQuery]) -> dict[str, Any]:
    node = _public_node(code)
    return board_data(cached_dashboard(node, period_from(query.from_, query.to), top=query.top,
                                region=query.region), public=True)


@router.get("/stats/public/{code}/rows/{table}",
            response={200: StatsRowsOut, **errors(404, 422)}, by_alias=True,
            summary="One page of the public statistics' long table: all agencies (or "
                    "units), regions or categories")
def public_rows(request: HttpRequest, code: str, table: TABLE,
                query: Query[RowsQuery]) -> dict[str, Any]:
    """Small cells suppressed as on the dashboard; rows under 5 reports come last, by
    name, whatever the order (their place must not tell a hidden rate)."""
    node = _public_node(code)
    return _rows(node, period_from(query.from_, query.to), table, query, public=True)


def _public_node(code: str) -> OrgNode:
    node = node_get(code)
    if node is None or not is_public_node(node):
        raise NotFound("not_found")
    return node

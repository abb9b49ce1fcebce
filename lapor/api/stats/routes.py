"""Statistics API: a node's dashboard for staff, the public statistics, the overdue list.

Staff may read the dashboard of any node inside the subtree of a role that reads reports;
any other node is a 404 (never confirming that it exists elsewhere). The public endpoint
serves the root and agencies with small cells suppressed (docs/statistics.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from lapor.api.auth import BearerAuth, request_staff
from lapor.core.api import errors
from lapor.core.errors import NotFound
from lapor.orgs.models import OrgNode
from lapor.orgs.selectors import node_get
from lapor.stats.presenters import board_data
from lapor.stats.selectors import (
    dashboard,
    is_public_node,
    may_view,
    overdue_list,
    period_from,
)

router = Router(tags=["statistics"])
MONTH = r"^\d{4}-\d{2}$"


class PeriodQuery(Schema):
    from_: str | None = Field(default=None, alias="from", pattern=MONTH,
                              description="First month, YYYY-MM (default: 11 months before `to`)")
    to: str | None = Field(default=None, pattern=MONTH,
                           description="Last month, YYYY-MM (default: this month)")


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
                   query: Query[PeriodQuery]) -> dict[str, Any]:
    node = _staff_node(request, code)
    return board_data(dashboard(node, period_from(query.from_, query.to)), public=False)


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
                     query: Query[PeriodQuery]) -> dict[str, Any]:
    node = node_get(code)
    if node is None or not is_public_node(node):
        raise NotFound("not_found")
    return board_data(dashboard(node, period_from(query.from_, query.to)), public=True)

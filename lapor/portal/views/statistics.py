"""The public statistics page under /statistik/ (docs/statistics.md "Public page").

Aggregates only: no report, title, tracking number or overdue list; every cell under five
reports is suppressed (lapor.stats.presenters). National total at /statistik/, one agency at
/statistik/<code>/; a unit, a training space or an unknown code is a 404. The long tables
show their top rows; /statistik/[<code>/]semua/<table>/ pages through all of them.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from lapor.core.errors import ValidationFailed, message_for
from lapor.core.language import active_language
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.selectors import node_get, node_root
from lapor.stats.forms import BoardForm, PeriodForm, RowsForm
from lapor.stats.pdf import chart_set, page_sections, rows_context
from lapor.stats.presenters import SMALL_CELL, board_data, page_data
from lapor.stats.selectors import (
    LONG_TABLES,
    Period,
    cached_dashboard,
    is_public_node,
    period_from,
    table_page,
)


def _public_node(code: str | None) -> OrgNode:
    node = node_root() if code is None else node_get(code)
    if node is None or not is_public_node(node):
        raise Http404("node")
    return node


def _query(request: HttpRequest, form: BoardForm) -> tuple[Period, dict[str, Any]]:
    if not form.is_valid():
        raise ValidationFailed("validation_error", field=next(iter(form.errors)))
    d = form.cleaned_data
    return period_from(d["from_"] or None, d["to"] or None), d


def _bad_input(exc: ValidationFailed) -> HttpResponse:
    return HttpResponse(message_for(exc.code, active_language()), status=exc.status,
                        content_type="text/plain; charset=utf-8")


@require_GET
def statistics(request: HttpRequest, code: str | None = None) -> HttpResponse:
    node = _public_node(code)
    try:
        period, query = _query(request, BoardForm(request.GET))
    except ValidationFailed as exc:
        return _bad_input(exc)
    data = board_data(cached_dashboard(node, period, region=query["region"] or None), public=True)
    charts = chart_set(data)
    return render(request, "stats/public.html", {
        "nav": "statistics", "node": node, "data": data, "charts": charts,
        "sections": page_sections(data, charts), "period": period,
        "period_form": PeriodForm(initial={"from_": f"{period.start:%Y-%m}",
                                           "to": f"{period.end:%Y-%m}"}),
        "is_root": node.kind == NodeKind.ROOT, "rows_url": _rows_url(node),
        "region_param": query["region"],
    })


def _rows_url(node: OrgNode) -> str:
    """The prefix of the node's "show all" pages (``<prefix><table>/``)."""
    if node.kind == NodeKind.ROOT:
        return reverse("portal:stats:public_rows", args=["units"])[:-len("units/")]
    return reverse("portal:stats:public_node_rows", args=[node.code, "units"])[:-len("units/")]


@require_GET
def table_rows(request: HttpRequest, table: str, code: str | None = None) -> HttpResponse:
    """A long table's "show all" page: every agency (or unit), region or category, paged;
    with htmx only the table and its pager. Rows under five reports are suppressed and come
    last, by name, whatever the order."""
    node = _public_node(code)
    if table not in LONG_TABLES:
        raise Http404("table")
    try:
        period, query = _query(request, RowsForm(request.GET))
    except ValidationFailed as exc:
        return _bad_input(exc)
    page = table_page(node, period, table, region=query["region"] or None,
                      sort=query["sort"] or None, page=query["page"] or 1,
                      small_last=SMALL_CELL)
    rows = page_data(page, public=True)
    is_root = node.kind == NodeKind.ROOT
    # Agencies have a public page, their units do not.
    link = reverse("portal:stats:public") if is_root else ""
    context = {"nav": "statistics", "node": node, "period": period, "rows": rows,
               "is_root": is_root, **rows_context(rows, period, link_prefix=link,
                                                  agencies=is_root)}
    if request.headers.get("HX-Request"):
        return render(request, "stats/_rows.html", context)
    return render(request, "stats/public_rows.html", context)

"""Staff dashboard pages under /petugas/dasbor/ (docs/statistics.md "Pages").

Every view passes the workspace gate (signed in, second factor, staff role) and then asks one
question: may this actor read statistics of this node (a reading role on it or above)?
Otherwise the node does not exist for them (404).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from lapor.core import clock
from lapor.core.errors import ValidationFailed
from lapor.orgs.models import OrgNode
from lapor.orgs.selectors import node_get
from lapor.privacy.services import can_reveal
from lapor.reports.deadlines import calendar_for
from lapor.stats import exports
from lapor.stats.forms import BoardForm, IdentityExportForm, ListFilterForm, PeriodForm, RowsForm
from lapor.stats.pdf import chart_set, monthly_pdf, page_sections, rows_context
from lapor.stats.presenters import board_data, page_data
from lapor.stats.selectors import (
    LONG_TABLES,
    Period,
    cached_dashboard,
    dashboard,
    may_view,
    overdue_list,
    period_from,
    stats_nodes_for,
    table_page,
)
from lapor.workspace.access import StaffRequest, staff_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _node(request: StaffRequest, code: str) -> OrgNode:
    node = node_get(code)
    if node is None or not may_view(request.actor, node):
        raise Http404("node")
    return node


def _invalid(form: Any) -> ValidationFailed:
    field = next(iter(form.errors), "validation_error")
    return ValidationFailed("validation_error", field="from" if field == "from_" else field)


def _period(request: StaffRequest) -> Period:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        raise _invalid(form)
    return period_from(form.cleaned_data["from_"] or None, form.cleaned_data["to"] or None)


def _board_query(request: StaffRequest, form_class: type[BoardForm] = BoardForm,
                 ) -> tuple[Period, dict[str, Any]]:
    form = form_class(request.GET)
    if not form.is_valid():
        raise _invalid(form)
    d = form.cleaned_data
    return period_from(d["from_"] or None, d["to"] or None), d


def _crumbs(request: StaffRequest, node: OrgNode) -> list[OrgNode]:
    ids = node.path_ids
    nodes = {n.pk: n for n in OrgNode.objects.filter(pk__in=ids)}
    return [nodes[i] for i in ids if i in nodes and may_view(request.actor, nodes[i])]


@require_GET
@staff_required
def dashboard_index(request: StaffRequest) -> HttpResponse:
    nodes = stats_nodes_for(request.actor)
    if not nodes:
        return render(request, "stats/dashboard.html", {"nav": "dashboard", "node": None})
    return redirect("workspace:stats:dashboard", code=nodes[0].code)


@require_GET
@staff_required
def dashboard_page(request: StaffRequest, code: str) -> HttpResponse:
    node = _node(request, code)
    period, query = _board_query(request)
    data = board_data(cached_dashboard(node, period, region=query["region"] or None), public=False)
    charts = chart_set(data)
    context = {
        "nav": "dashboard", "node": node, "data": data, "charts": charts,
        "sections": page_sections(data, charts),
        "period": period, "period_form": PeriodForm(initial={
            "from_": f"{period.start:%Y-%m}", "to": f"{period.end:%Y-%m}"}),
        "list_form": ListFilterForm(initial={
            "from_": f"{period.start:%Y-%m}", "to": f"{period.end:%Y-%m}"}),
        "identity_form": IdentityExportForm() if can_reveal(request.actor.user) else None,
        "overdue": overdue_list(node), "crumbs": _crumbs(request, node),
        "top_nodes": stats_nodes_for(request.actor),
        "rows_url": reverse("workspace:stats:rows", args=[node.code, "units"])[:-len("units/")],
        "region_param": query["region"],
    }
    return render(request, "stats/dashboard.html", context)


@require_GET
@staff_required
def table_rows(request: StaffRequest, code: str, table: str) -> HttpResponse:
    """A long table's "show all" page (units, regions, categories), paged; with htmx only
    the table and its pager (``#stats-rows``)."""
    node = _node(request, code)
    if table not in LONG_TABLES:
        raise Http404("table")
    period, query = _board_query(request, RowsForm)
    page = table_page(node, period, table, region=query["region"] or None,
                      sort=query["sort"] or None, page=query["page"] or 1)
    rows = page_data(page, public=False)
    context = {"nav": "dashboard", "node": node, "period": period, "rows": rows,
               "crumbs": _crumbs(request, node),
               **rows_context(rows, period, link_prefix=reverse("workspace:stats:index"),
                              agencies=False)}
    if request.headers.get("HX-Request"):
        return render(request, "stats/_rows.html", context)
    return render(request, "stats/rows.html", context)


def _filename(node: OrgNode, period: Period, kind: str, fmt: str) -> str:
    return f"lapor-{kind}-{node.code}-{period.start:%Y-%m}-{period.end:%Y-%m}.{fmt}"


def _attachment(response: HttpResponse | StreamingHttpResponse, name: str) -> Any:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@staff_required
def tables_export(request: StaffRequest, code: str, fmt: str) -> HttpResponse:
    node = _node(request, code)
    period = _period(request)
    # Every row of every table, the region table by district as stored ("show all").
    tables = exports.dashboard_tables(board_data(dashboard(node, period, top=None, detail=True),
                                                 public=False))
    name = _filename(node, period, "tabel", fmt)
    if fmt == "xlsx":
        return _attachment(HttpResponse(exports.xlsx(tables), content_type=XLSX), name)
    return _attachment(HttpResponse(exports.tables_csv(tables),
                                    content_type="text/csv; charset=utf-8"), name)


def _zone(node: OrgNode) -> ZoneInfo:
    return calendar_for(node, around=clock.now()).tz


@require_http_methods(["GET", "POST"])
@staff_required
def list_export(request: StaffRequest, code: str, fmt: str) -> HttpResponse | Any:
    """The node's reports as CSV/XLSX. GET: without identities. POST (reveal permission and
    a reason): with identities, audited, each read recorded."""
    node = _node(request, code)
    form = ListFilterForm(request.GET)
    if not form.is_valid():
        raise _invalid(form)
    d = form.cleaned_data
    filters = exports.ListFilters(
        period=period_from(d["from_"] or None, d["to"] or None), status=d["status"],
        category=d["category"], channel=d["channel"], type=d["type"], region=d["region"])
    tz = _zone(node)
    qs = exports.report_scope(request.actor, node, filters, tz)
    reason = None
    if request.method == "POST":
        reason = exports.authorise_identity_export(
            actor=request.actor, node=node, qs=qs, reason=request.POST.get("reason", ""))
    header = exports.list_header(identity=reason is not None)
    rows = exports.list_rows(request.actor, qs, identity_reason=reason)
    name = _filename(node, filters.period, "laporan", fmt)
    if fmt == "xlsx":
        table = exports.Table("reports", "Laporan", header, list(rows))
        return _attachment(HttpResponse(exports.xlsx([table]), content_type=XLSX), name)
    if reason is not None:
        # Identity reads are recorded as they happen: finish them inside this request.
        text = "".join(exports.list_csv(header, rows))
        return _attachment(HttpResponse(text, content_type="text/csv; charset=utf-8"), name)
    return _attachment(StreamingHttpResponse(exports.list_csv(header, rows),
                                             content_type="text/csv; charset=utf-8"), name)


@require_GET
@staff_required
def pdf_export(request: StaffRequest, code: str, month: str) -> HttpResponse:
    node = _node(request, code)
    first = period_from(month, month).start
    if first > clock.now().date().replace(day=1):
        raise ValidationFailed("validation_error", field="month")
    response = HttpResponse(monthly_pdf(node, first), content_type="application/pdf")
    return _attachment(response, f"lapor-bulanan-{node.code}-{first:%Y-%m}.pdf")

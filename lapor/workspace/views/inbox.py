"""The inbox: reports waiting at one node the staff member holds a role on.

Tabs (all / due today / due soon / overdue) and their counts come from the stored deadlines
(``Report.staff_due_at``) in one aggregate query; the list is keyset-paginated. The filter form
is a plain GET form; with htmx it swaps only the results (``#inbox-results``) and pushes the URL.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from lapor.categories.selectors import categories_active
from lapor.core import clock
from lapor.core.errors import ValidationFailed
from lapor.core.language import active_language
from lapor.orgs.actors import READER_ROLES
from lapor.orgs.models import OrgNode
from lapor.reports import presenters, selectors
from lapor.reports.deadlines import clock_for
from lapor.reports.models import Channel
from lapor.reports.zones import report_zones
from lapor.workdays.due import DUE_SOON_WORKING_DAYS, Due, DueBounds
from lapor.workspace.access import StaffRequest, staff_required
from lapor.workspace.forms import InboxFilterForm

PAGE_SIZE = 25


def reader_nodes(request: StaffRequest) -> list[OrgNode]:
    """The nodes the actor reads reports on (the node picker), by depth then name."""
    ids = {a.node_id for a in request.actor.assignments if a.role in READER_ROLES}
    return list(OrgNode.objects.filter(pk__in=ids, is_active=True).order_by("depth", "name"))


# The row badge of each due class (lapor.workdays.due); the tabs filter in the database.
_BADGES = {Due.OVERDUE: "late", Due.TODAY: "today", Due.SOON: "soon"}


def _badge(item: dict[str, Any], bounds: DueBounds) -> str:
    due = bounds.classify(item["staff_due_at"])
    return _BADGES[due] if due is not None else ""


@require_GET
@staff_required
def inbox(request: StaffRequest) -> HttpResponse:
    nodes = reader_nodes(request)
    lang = active_language()
    form = InboxFilterForm(
        request.GET or None,
        categories=[(c.code, c.name(lang)) for c in categories_active()],
        channels=list(Channel.choices),
    )
    # Invalid filters are dropped one by one (shown with their error); the valid ones apply.
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the fields that are valid
        data = form.cleaned_data
    node = nodes[0] if nodes else None
    if data.get("node"):
        node = next((n for n in nodes if n.code == data["node"]), None)
        if node is None:
            raise Http404("node")
    context: dict[str, Any] = {"form": form, "nodes": nodes, "node": node, "nav": "inbox"}
    if node is None:
        return render(request, "workspace/inbox.html", context)
    tab = data.get("tab") or "all"
    filters = selectors.InboxFilters(
        status=[data["status"]] if data.get("status") else None,
        category=data.get("category") or None,
        region=data.get("region") or None,
        channel=data.get("channel") or None,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        include_subtree=bool(data.get("subtree")),
        due=None if tab == "all" else tab,
    )
    now = clock.now()
    bounds = selectors.due_bounds(node, now=now)
    counts = selectors.inbox_counts(request.actor, node, filters, bounds=bounds)
    try:
        page = selectors.inbox(request.actor, node=node, filters=filters,
                               cursor=data.get("cursor") or None, limit=PAGE_SIZE,
                               bounds=bounds)
    except ValidationFailed:
        page = selectors.inbox(request.actor, node=node, filters=filters, cursor=None,
                               limit=PAGE_SIZE, bounds=bounds)
    calendar = clock_for(node, around=now)[1]
    rows = []
    zones = report_zones(page.items)
    for report in page.items:
        item = presenters.list_item(report, lang)
        rows.append({**item, "badge": _badge(item, bounds), "zone": zones[report.pk]})
    params = request.GET.copy()
    params.pop("cursor", None)
    params.pop("tab", None)
    tab_query = params.urlencode()
    next_query = None
    if page.next_cursor:
        following = request.GET.copy()
        following["cursor"] = page.next_cursor
        next_query = following.urlencode()
    context.update({
        "tab": tab, "counts": counts, "rows": rows,
        "calendar": calendar, "tab_query": tab_query, "next_query": next_query,
        "first_page": not data.get("cursor"),
        "tabs": [("all", counts["all"]), ("today", counts["today"]),
                 ("soon", counts["soon"]), ("overdue", counts["overdue"])],
        "soon_days": DUE_SOON_WORKING_DAYS,
    })
    template = "workspace/inbox.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == (
        "inbox-results"
    ):
        template = "workspace/_inbox_results.html"
    return render(request, template, context)

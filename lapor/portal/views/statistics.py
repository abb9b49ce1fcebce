"""The public statistics page under /statistik/ (docs/statistics.md "Public page").

Aggregates only: no report, title, tracking number or overdue list; every cell under five
reports is suppressed (lapor.stats.presenters). National total at /statistik/, one agency at
/statistik/<code>/; a unit, a training space or an unknown code is a 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from lapor.core.errors import ValidationFailed, message_for
from lapor.core.language import active_language
from lapor.orgs.models import NodeKind
from lapor.orgs.selectors import node_get, node_root
from lapor.stats.forms import PeriodForm
from lapor.stats.pdf import chart_set, page_sections
from lapor.stats.presenters import board_data
from lapor.stats.selectors import dashboard, is_public_node, period_from, public_agencies


@require_GET
def statistics(request: HttpRequest, code: str | None = None) -> HttpResponse:
    node = node_root() if code is None else node_get(code)
    if node is None or not is_public_node(node):
        raise Http404("node")
    form = PeriodForm(request.GET)
    try:
        if not form.is_valid():
            raise ValidationFailed("validation_error", field=next(iter(form.errors)))
        period = period_from(form.cleaned_data["from_"] or None,
                             form.cleaned_data["to"] or None)
    except ValidationFailed as exc:
        return HttpResponse(message_for(exc.code, active_language()), status=exc.status,
                            content_type="text/plain; charset=utf-8")
    data = board_data(dashboard(node, period), public=True)
    charts = chart_set(data)
    return render(request, "stats/public.html", {
        "nav": "statistics", "node": node, "data": data, "charts": charts,
        "sections": page_sections(data, charts), "period": period,
        "period_form": PeriodForm(initial={"from_": f"{period.start:%Y-%m}",
                                           "to": f"{period.end:%Y-%m}"}),
        "agencies": public_agencies(), "is_root": node.kind == NodeKind.ROOT,
    })

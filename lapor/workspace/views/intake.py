"""The walk-in/phone desk page in the workspace (``/petugas/laporan-langsung/``, lapor.intake)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from lapor.categories.selectors import categories_active
from lapor.core.errors import ApplicationError
from lapor.core.language import active_language
from lapor.intake.walk_in import desks_of, walk_in_submit
from lapor.regions.selectors import region_children, region_get
from lapor.workspace.access import StaffRequest, error_text, staff_required
from lapor.workspace.forms import WalkInForm


def _regions(desks: list[Any]) -> list[tuple[str, str]]:
    """Suggestions for the region field: each desk agency's region and its districts."""
    out: list[tuple[str, str]] = []
    for desk in desks:
        code = desk.agency.region_id if desk.agency is not None else None
        region = region_get(code) if code else None
        if region is None:
            continue
        out.append((region.code, region.name))
        out.extend((r.code, r.name) for r in region_children(region.code)[:100])
    return out


def _page(request: StaffRequest, form: WalkInForm, desks: list[Any],
          status: int = 200) -> HttpResponse:
    return render(request, "intake/walk_in.html", {
        "form": form, "regions": _regions(desks), "nav": "walk_in"}, status=status)


@never_cache
@staff_required
def walk_in(request: StaffRequest) -> HttpResponse:
    desks = desks_of(request.actor)
    if not desks:
        raise DjangoPermissionDenied("permission_denied")
    language = active_language()
    choices: dict[str, Any] = {
        "desks": [(d.code, d.name) for d in desks],
        "categories": [(c.code, c.name(language)) for c in categories_active()],
    }
    if request.method != "POST":
        return _page(request, WalkInForm(**choices), desks)
    form = WalkInForm(request.POST, **choices)
    if not form.is_valid():
        return _page(request, form, desks, status=422)
    data = form.cleaned_data
    try:
        result = walk_in_submit(
            actor=request.actor, desk_code=data["desk"] or "", channel=data["channel"],
            type=data["type"], title=data["title"], body=data["body"],
            region_code=data["region_code"], category_code=data["category"] or None,
            incident_date=data["incident_date"], address=data["address"],
            is_anonymous=data["is_anonymous"], is_confidential=data["is_confidential"],
            reporter_name=data["reporter_name"], reporter_email=data["reporter_email"],
            reporter_phone=data["reporter_phone"], reporter_nik=data["reporter_nik"])
    except ApplicationError as exc:
        if exc.status == 403:
            raise
        for one in exc.errors or [exc]:  # every refusal of the report at once
            name = WalkInForm.SERVICE_FIELDS.get(one.field or "", one.field)
            form.add_error(name if name in form.fields else None, error_text(one))
        return _page(request, form, desks, status=422)
    # The access code is shown on this answer only (never stored in clear, never cached).
    return render(request, "intake/walk_in_done.html", {
        "report": result.report, "access_code": result.access_code, "nav": "walk_in"})

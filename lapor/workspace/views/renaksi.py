"""The Renaksi pages under /petugas/renaksi/ (docs/renaksi.md "Pages").

- the list of plans the actor sees (:func:`lapor.renaksi.selectors.plans_for`), with the form
  for a new plan for the hub;
- a plan's programme: its timeline (:func:`lapor.renaksi.gantt.gantt_svg`) and the table of
  its activities; the hub adds, changes and deletes activities and uploads their evidence;
- the readiness matrix (units × indicators, :func:`lapor.renaksi.readiness.agency_readiness`);
- one unit's page: its readiness in detail and the activities involving it. A liaison officer
  or unit officer, who reads only their own unit and activities, lands there.

Every view passes the workspace gate, then starts from what the actor may see: another
agency's plan, an activity or unit the actor does not read is a 404. Writes are for
:func:`lapor.renaksi.permissions.can_write_plan` (others who read the plan get 403); each POST
calls one service and redirects (POST-redirect-GET), or shows the form again with the
service's refusal next to the field it names.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lapor.core.errors import ApplicationError
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.selectors import agencies_administered, role_assignments_in
from lapor.renaksi import evidence as renaksi_evidence
from lapor.renaksi import selectors, services
from lapor.renaksi.gantt import Bar, gantt_svg
from lapor.renaksi.models import Activity, ActivityKind, Indicator, Plan
from lapor.renaksi.permissions import (
    UNIT_ROLES,
    can_read_plan,
    can_read_unit,
    can_write_plan,
)
from lapor.renaksi.presenters import evidence_download as renaksi_evidence_download
from lapor.renaksi.readiness import MET, NO_DATA, NOT_MET, PARTIAL, UnitReadiness, agency_readiness
from lapor.renaksi.report import renaksi_pdf, renaksi_xlsx
from lapor.workspace.access import StaffRequest, error_text, staff_required
from lapor.workspace.renaksi_forms import (
    ActivityForm,
    ConfirmDeleteForm,
    EvidenceForm,
    PlanForm,
)
from lapor.workspace.targets import target_group

NAV = "renaksi"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BY_KIND, BY_DATE = "jenis", "tanggal"


def state_labels() -> dict[str, str]:
    """The words of each derived state (lapor.renaksi.selectors), in the page's language."""
    return {
        selectors.DONE: _("done"),
        selectors.PROVEN: _("proven by the system"),
        selectors.LATE: _("late"),
        selectors.IN_PROGRESS: _("in progress"),
        selectors.PLANNED: _("planned"),
        selectors.CANCELLED: _("cancelled"),
    }


def level_labels() -> dict[str, str]:
    """The words of each readiness level, shown beside the colour of a cell."""
    return {MET: _("met"), PARTIAL: _("partly"), NOT_MET: _("not met"),
            NO_DATA: _("no data")}


# ---------------------------------------------------------------------------------------------
# Helpers


def _plan(request: StaffRequest, plan_id: int) -> Plan:
    return selectors.plan_for(request.actor, plan_id)  # NotFound → the workspace 404


def _require_writer(request: StaffRequest, plan: Plan) -> None:
    if not can_write_plan(request.actor, plan.agency):
        raise DjangoPermissionDenied


def _activity(request: StaffRequest, plan: Plan, activity_id: int) -> Activity:
    activity = selectors.activity_for(request.actor, activity_id)
    if activity.plan_id != plan.pk:
        raise Http404("activity")
    return activity


def _writable_agencies(request: StaffRequest) -> list[OrgNode]:
    """The agencies whose plans the actor may create (the agencies they administer)."""
    return [a for a in agencies_administered(request.actor)
            if a.kind == NodeKind.AGENCY and can_write_plan(request.actor, a)]


def _owner_choices(agency: OrgNode) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for ra in role_assignments_in(agency).filter(user__is_active=True):
        name = ra.user.display_name or ra.user.username
        seen.setdefault(ra.user.username, f"{name} ({ra.user.username}) — {ra.node.name}")
    return sorted(seen.items(), key=lambda c: c[1].casefold())


def _activity_form(plan: Plan, data: Any = None, **kwargs: Any) -> ActivityForm:
    return ActivityForm(data, units=services.plan_units(plan.agency),
                        owners=_owner_choices(plan.agency), prefix_id="activity", **kwargs)


def _form_error(form: Any, exc: ApplicationError, aliases: dict[str, str] | None = None,
                ) -> None:
    field = (aliases or {}).get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, error_text(exc))


def _readiness(plan: Plan, activities: list[Activity]) -> dict[int, UnitReadiness]:
    """The readiness of the units named by activities with a proof indicator (only those)."""
    units: dict[int, OrgNode] = {}
    for activity in activities:
        if activity.proof_indicator:
            for unit in activity.units.all():
                units[unit.pk] = unit
    if not units:
        return {}
    return {r.unit.pk: r for r in agency_readiness(plan.agency, units=list(units.values()))}


def _own_units(request: StaffRequest, agency: OrgNode) -> list[OrgNode]:
    """The agency's units a liaison or unit officer works in (their node or one above it)."""
    paths = [a.node_path for a in request.actor.assignments if a.role in UNIT_ROLES]
    return [u for u in services.plan_units(agency)
            if any(p.startswith(u.path) for p in paths)]


def _rows(request: StaffRequest, plan: Plan, today: date) -> list[selectors.ActivityRow]:
    activities = selectors.activities_for(request.actor, plan)
    return selectors.activity_rows(activities, today=today,
                                   readiness=_readiness(plan, activities))


def _gantt(plan: Plan, rows: list[selectors.ActivityRow], *, today: date, order: str) -> Any:
    labels = state_labels()
    kinds = dict(ActivityKind.choices)
    if order == BY_KIND:
        rank = {k: i for i, k in enumerate(ActivityKind.values)}
        ordered = sorted(rows, key=lambda r: (rank.get(r.activity.kind, 99),
                                              r.activity.planned_start, r.activity.pk))
    else:
        ordered = list(rows)
    bars = [Bar(label=r.activity.title, start=r.activity.planned_start,
                end=r.activity.planned_end, state=r.state, key=str(r.activity.pk),
                group=str(kinds.get(r.activity.kind, r.activity.kind)) if order == BY_KIND
                else "")
            for r in ordered]
    counts = Counter(r.state for r in rows)
    summary = "; ".join(f"{labels[s]}: {counts[s]}" for s in labels if counts[s])
    description = ngettext(
        "%(count)d activity from %(start)s to %(end)s. %(summary)s.",
        "%(count)d activities from %(start)s to %(end)s. %(summary)s.", len(rows)) % {
        "count": len(rows), "start": plan.start_year, "end": plan.end_year,
        "summary": summary or "—"}
    return gantt_svg(bars, start_year=plan.start_year, end_year=plan.end_year, today=today,
                     title=_("Timeline of %(plan)s") % {"plan": plan.title},
                     description=description, state_labels=labels, today_label=_("today"))


def _base_context(request: StaffRequest, plan: Plan, section: str) -> dict[str, Any]:
    return {"nav": NAV, "section": section, "plan": plan, "agency": plan.agency,
            "may_write": can_write_plan(request.actor, plan.agency),
            "reads_whole": can_read_plan(request.actor, plan.agency),
            "own_units": _own_units(request, plan.agency),
            "state_labels": state_labels()}


# ---------------------------------------------------------------------------------------------
# The list of plans


def _index_page(request: StaffRequest, form: PlanForm | None = None,
                status: int = 200) -> HttpResponse:
    plans = list(selectors.plans_for(request.actor))
    agencies = _writable_agencies(request)
    entries = []
    for plan in plans:
        entries.append({"plan": plan, "whole": can_read_plan(request.actor, plan.agency),
                        "units": _own_units(request, plan.agency)})
    context = {"nav": NAV, "entries": entries,
               "form": (form or PlanForm(agencies=agencies, prefix_id="plan"))
               if agencies else None}
    return render(request, "workspace/renaksi/index.html", context, status=status)


@require_GET
@staff_required
def index(request: StaffRequest) -> HttpResponse:
    """The plans; a liaison or unit officer of one unit in one plan lands on that unit."""
    plans = list(selectors.plans_for(request.actor))
    if len(plans) == 1 and not can_read_plan(request.actor, plans[0].agency) \
            and not _writable_agencies(request):
        units = _own_units(request, plans[0].agency)
        if len(units) == 1:
            return redirect("workspace:renaksi:unit", plan_id=plans[0].pk, code=units[0].code)
    return _index_page(request)


@require_POST
@staff_required
def plan_create(request: StaffRequest) -> HttpResponse:
    agencies = _writable_agencies(request)
    if not agencies:
        raise DjangoPermissionDenied
    form = PlanForm(request.POST, agencies=agencies, prefix_id="plan")
    if not form.is_valid():
        return _index_page(request, form, status=422)
    d = form.cleaned_data
    agency = next(a for a in agencies if a.code == d["agency"])
    try:
        plan = services.plan_create(actor=request.actor, agency=agency, title=d["title"],
                                    start_year=d["start_year"], end_year=d["end_year"],
                                    description=d["description"])
    except ApplicationError as exc:
        _form_error(form, exc)
        return _index_page(request, form, status=exc.status)
    messages.success(request, _("The plan is created. Add its activities."))
    return redirect("workspace:renaksi:plan", plan_id=plan.pk)


def _plan_edit_page(request: StaffRequest, plan: Plan, form: PlanForm,
                    status: int = 200) -> HttpResponse:
    context = {**_base_context(request, plan, "programme"), "form": form}
    return render(request, "workspace/renaksi/plan_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def plan_edit(request: StaffRequest, plan_id: int) -> HttpResponse:
    """The hub changes a plan's title, period and description (its agency stays)."""
    plan = _plan(request, plan_id)
    _require_writer(request, plan)
    agencies = [plan.agency]
    if request.method == "GET":
        initial = {"agency": plan.agency.code, "title": plan.title,
                   "start_year": plan.start_year, "end_year": plan.end_year,
                   "description": plan.description}
        return _plan_edit_page(request, plan, PlanForm(initial=initial, agencies=agencies,
                                                       prefix_id="plan"))
    form = PlanForm(request.POST, agencies=agencies, prefix_id="plan")
    if not form.is_valid():
        return _plan_edit_page(request, plan, form, status=422)
    d = form.cleaned_data
    try:
        services.plan_update(actor=request.actor, plan=plan, title=d["title"],
                             start_year=d["start_year"], end_year=d["end_year"],
                             description=d["description"])
    except ApplicationError as exc:
        _form_error(form, exc)
        return _plan_edit_page(request, plan, form, status=exc.status)
    messages.success(request, _("The plan is saved."))
    return redirect("workspace:renaksi:plan", plan_id=plan.pk)


# ---------------------------------------------------------------------------------------------
# The programme page


@require_GET
@staff_required
def plan_page(request: StaffRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    today = services.agency_today(plan.agency)
    order = BY_DATE if request.GET.get("urutan") == BY_DATE else BY_KIND
    rows = _rows(request, plan, today)
    counts = Counter(r.state for r in rows)
    context = {
        **_base_context(request, plan, "programme"), "rows": rows, "today": today,
        "order": order, "gantt": _gantt(plan, rows, today=today, order=order),
        "counts": [(label, counts[state], state) for state, label in state_labels().items()
                   if counts[state]],
        "kinds": dict(ActivityKind.choices), "indicators": dict(Indicator.choices),
    }
    return render(request, "workspace/renaksi/plan.html", context)


# ---------------------------------------------------------------------------------------------
# Activities (the hub writes)


def _activity_page(request: StaffRequest, plan: Plan, activity: Activity, *,
                   evidence_form: EvidenceForm | None = None, status: int = 200,
                   ) -> HttpResponse:
    today = services.agency_today(plan.agency)
    full = next((a for a in selectors.activities_for(request.actor, plan)
                 if a.pk == activity.pk), activity)
    row = selectors.activity_rows([full], today=today, readiness=_readiness(plan, [full]))[0]
    context = {**_base_context(request, plan, "programme"), "row": row, "activity": full,
               "kinds": dict(ActivityKind.choices), "indicators": dict(Indicator.choices),
               "evidence_form": evidence_form or EvidenceForm(prefix_id="evidence"),
               "delete_form": ConfirmDeleteForm(prefix_id="delete")}
    return render(request, "workspace/renaksi/activity.html", context, status=status)


@require_GET
@staff_required
def activity_page(request: StaffRequest, plan_id: int, activity_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    return _activity_page(request, plan, _activity(request, plan, activity_id))


def _edit_page(request: StaffRequest, plan: Plan, form: ActivityForm,
               activity: Activity | None, status: int = 200) -> HttpResponse:
    context = {**_base_context(request, plan, "programme"), "form": form,
               "activity": activity}
    return render(request, "workspace/renaksi/activity_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def activity_create(request: StaffRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    _require_writer(request, plan)
    if request.method == "GET":
        return _edit_page(request, plan, _activity_form(plan), None)
    form = _activity_form(plan, request.POST)
    if not form.is_valid():
        return _edit_page(request, plan, form, None, status=422)
    c = form.changes()
    try:
        activity = services.activity_create(
            actor=request.actor, plan=plan, kind=str(c["kind"]), title=str(c["title"]),
            planned_start=form.cleaned_data["planned_start"],
            planned_end=form.cleaned_data["planned_end"],
            unit_codes=form.cleaned_data["units"], owner=form.cleaned_data["owner"] or None,
            description=str(c["description"]), proof_indicator=str(c["proof_indicator"]),
            status=str(c["status"]), done_on=form.cleaned_data["done_on"])
    except ApplicationError as exc:
        _form_error(form, exc)
        return _edit_page(request, plan, form, None, status=exc.status)
    messages.success(request, _("The activity is added."))
    return redirect("workspace:renaksi:activity", plan_id=plan.pk, activity_id=activity.pk)


@require_http_methods(["GET", "POST"])
@staff_required
def activity_edit(request: StaffRequest, plan_id: int, activity_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    activity = _activity(request, plan, activity_id)
    _require_writer(request, plan)
    if request.method == "GET":
        initial = {"kind": activity.kind, "title": activity.title,
                   "description": activity.description,
                   "units": [u.code for u in activity.units.all()],
                   "owner": activity.owner.username if activity.owner else "",
                   "planned_start": activity.planned_start,
                   "planned_end": activity.planned_end, "status": activity.status,
                   "done_on": activity.done_on, "proof_indicator": activity.proof_indicator}
        return _edit_page(request, plan, _activity_form(plan, initial=initial), activity)
    form = _activity_form(plan, request.POST)
    if not form.is_valid():
        return _edit_page(request, plan, form, activity, status=422)
    try:
        services.activity_update(actor=request.actor, activity=activity,
                                 changes=form.changes())
    except ApplicationError as exc:
        _form_error(form, exc)
        return _edit_page(request, plan, form, activity, status=exc.status)
    messages.success(request, _("The activity is saved."))
    return redirect("workspace:renaksi:activity", plan_id=plan.pk, activity_id=activity.pk)


@require_POST
@staff_required
def activity_delete(request: StaffRequest, plan_id: int, activity_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    activity = _activity(request, plan, activity_id)
    _require_writer(request, plan)
    form = ConfirmDeleteForm(request.POST, prefix_id="delete")
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm the deletion."))
        return redirect("workspace:renaksi:activity", plan_id=plan.pk, activity_id=activity.pk)
    services.activity_delete(actor=request.actor, activity=activity)
    messages.success(request, _("The activity is deleted."))
    return redirect("workspace:renaksi:plan", plan_id=plan.pk)


@require_POST
@staff_required
def evidence_add(request: StaffRequest, plan_id: int, activity_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    activity = _activity(request, plan, activity_id)
    _require_writer(request, plan)
    form = EvidenceForm(request.POST, request.FILES, prefix_id="evidence")
    if not form.is_valid():
        return _activity_page(request, plan, activity, evidence_form=form, status=422)
    data, filename = form.upload()
    try:
        renaksi_evidence.evidence_add(actor=request.actor, activity=activity, data=data,
                                      filename=filename, kind=form.cleaned_data["kind"])
    except ApplicationError as exc:
        _form_error(form, exc)
        return _activity_page(request, plan, activity, evidence_form=form, status=exc.status)
    messages.success(request, _("The evidence is uploaded."))
    return redirect("workspace:renaksi:activity", plan_id=plan.pk, activity_id=activity.pk)


@require_GET
@staff_required
def evidence_download(request: StaffRequest, plan_id: int, activity_id: int,
                      evidence_id: int) -> FileResponse:
    plan = _plan(request, plan_id)
    activity = _activity(request, plan, activity_id)
    if not activity.evidence.filter(pk=evidence_id).exists():
        raise Http404("evidence")
    return renaksi_evidence_download(request.actor, evidence_id)


@require_POST
@staff_required
def evidence_delete(request: StaffRequest, plan_id: int, activity_id: int,
                    evidence_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    activity = _activity(request, plan, activity_id)
    _require_writer(request, plan)
    if not activity.evidence.filter(pk=evidence_id).exists():
        raise Http404("evidence")
    renaksi_evidence.evidence_delete(actor=request.actor, evidence_id=evidence_id)
    messages.success(request, _("The evidence is deleted."))
    return redirect("workspace:renaksi:activity", plan_id=plan.pk, activity_id=activity.pk)


# ---------------------------------------------------------------------------------------------
# Readiness: the matrix and one unit


@require_GET
@staff_required
def matrix(request: StaffRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    # The whole agency for its readers; a liaison or unit officer: their own unit(s).
    units = (services.plan_units(plan.agency) if can_read_plan(request.actor, plan.agency)
             else _own_units(request, plan.agency))
    # Perangkat daerah first, then the kecamatan, each by name (as the dispose list).
    rows = sorted(agency_readiness(plan.agency, units=units) if units else [],
                  key=lambda r: (target_group(r.unit), r.unit.name.casefold()))
    context = {**_base_context(request, plan, "matrix"), "rows": rows,
               "indicators": Indicator.choices, "levels": level_labels(),
               "ready_count": sum(1 for r in rows if r.ready)}
    return render(request, "workspace/renaksi/matrix.html", context)


@require_GET
@staff_required
def unit_page(request: StaffRequest, plan_id: int, code: str) -> HttpResponse:
    plan = _plan(request, plan_id)
    unit = next((u for u in services.plan_units(plan.agency) if u.code == code), None)
    if unit is None or not can_read_unit(request.actor, unit):
        raise Http404("unit")
    today = services.agency_today(plan.agency)
    readiness = agency_readiness(plan.agency, units=[unit])
    rows = [r for r in _rows(request, plan, today)
            if any(u.pk == unit.pk for u in r.activity.units.all())]
    context = {**_base_context(request, plan, "unit"), "unit": unit,
               "readiness": readiness[0] if readiness else None, "rows": rows,
               "today": today, "levels": level_labels(),
               "indicators": dict(Indicator.choices), "kinds": dict(ActivityKind.choices)}
    return render(request, "workspace/renaksi/unit.html", context)


# ---------------------------------------------------------------------------------------------
# Printing for the pimpinan (lapor.renaksi.report; docs/renaksi.md "Printing")


def _print_name(plan: Plan, today: date, fmt: str) -> str:
    return f"renaksi-{plan.agency.code}-{plan.start_year}-{plan.end_year}-{today:%Y%m%d}.{fmt}"


@require_GET
@staff_required
def plan_print(request: StaffRequest, plan_id: int, fmt: str) -> HttpResponse:
    """The programme as a PDF or a workbook, for whoever reads the whole plan (a liaison
    officer, who reads only their unit, gets the 404)."""
    plan = _plan(request, plan_id)
    if not can_read_plan(request.actor, plan.agency):
        raise Http404("plan")
    today = services.agency_today(plan.agency)
    if fmt == "pdf":
        response = HttpResponse(renaksi_pdf(plan, actor=request.actor),
                                content_type="application/pdf")
    else:
        response = HttpResponse(renaksi_xlsx(plan, actor=request.actor), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_print_name(plan, today, fmt)}"'
    response["Cache-Control"] = "no-store"
    return response

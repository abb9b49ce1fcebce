"""Agency administration: SOP settings (deadlines, SMS keyword, days off, routing rules,
escalation chain) and the roles of users in the agency's subtree.

Only for those :func:`lapor.orgs.permissions.can_edit_sop` allows on the agency; staff of the
agency without that right get 403, everyone else 404. Each POST calls one service.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lapor.accounts.models import User
from lapor.categories.selectors import category_get
from lapor.core.errors import ApplicationError, ValidationFailed
from lapor.orgs import services
from lapor.orgs.models import (
    DayOff,
    EscalationStep,
    NodeKind,
    OrgNode,
    Role,
    RoutingRule,
    tree_order,
)
from lapor.orgs.permissions import can_edit_sop, can_manage_roles
from lapor.orgs.selectors import (
    agencies_administered,
    node_get,
    node_subtree,
    role_assignments_in,
    sop_for,
)
from lapor.workspace import forms
from lapor.workspace.access import StaffRequest, error_text, staff_required


def _agency(request: StaffRequest, code: str) -> OrgNode:
    node = node_get(code)
    if node is None or node.kind not in (NodeKind.AGENCY, NodeKind.ROOT):
        raise Http404("agency")
    if not can_edit_sop(request.actor, node):
        # Staff of this agency learn nothing new from a 403; anyone else gets a 404.
        if any(a.node_path.startswith(node.path) for a in request.actor.assignments):
            raise DjangoPermissionDenied
        raise Http404("agency")
    return node


@require_GET
@staff_required
def admin_index(request: StaffRequest) -> HttpResponse:
    agencies = agencies_administered(request.actor)
    if not agencies:
        raise DjangoPermissionDenied
    return render(request, "workspace/admin/index.html", {"agencies": agencies, "nav": "admin"})


def _sop_forms(agency: OrgNode) -> dict[str, django_forms.Form]:
    sop = sop_for(agency)
    rules = RoutingRule.objects.filter(agency=agency).select_related("category", "target")
    chain = EscalationStep.objects.filter(agency=agency).select_related("node")
    return {
        "settings": forms.SopForm(prefix_id="settings", initial={
            "verify_days": sop.verify_days, "first_followup_days": sop.first_followup_days,
            "reply_window_days": sop.reply_window_days, "hold_days": sop.hold_days,
            "escalate_after_days": sop.escalate_after_days, "timezone": sop.timezone,
            "urgent_max_days": sop.urgent_max_days, "sms_keyword": sop.sms_keyword or "",
            "receives_region_reports": sop.receives_region_reports}),
        "day_off": forms.DayOffForm(prefix_id="day_off"),
        "routing": forms.RoutingForm(prefix_id="routing", initial={"rules": "\n".join(
            f"{r.category.code if r.category else ''},{r.region_prefix},{r.target.code},"
            f"{r.priority}" for r in rules)}),
        "escalation": forms.EscalationForm(prefix_id="escalation", initial={
            "nodes": "\n".join(s.node.code for s in chain)}),
    }


def _sop_page(request: StaffRequest, agency: OrgNode, *,
              failed: tuple[str, django_forms.Form] | None = None,
              status: int = 200) -> HttpResponse:
    form_set = _sop_forms(agency)
    if failed is not None:
        form_set[failed[0]] = failed[1]
    context = {"agency": agency, "forms": form_set, "zone": sop_for(agency).timezone,
               "days_off": list(DayOff.objects.filter(node=agency).order_by("date")),
               "nav": "admin", "section": "sop"}
    return render(request, "workspace/admin/sop.html", context, status=status)


@require_GET
@staff_required
def sop_page(request: StaffRequest, code: str) -> HttpResponse:
    return _sop_page(request, _agency(request, code))


def _resolve_rules(rules: list[tuple[str, str, str, int]]) -> list[tuple[int | None, str,
                                                                           OrgNode, int]]:
    resolved = []
    for category_code, region, target_code, priority in rules:
        category = category_get(category_code) if category_code else None
        if category_code and category is None:
            raise ValidationFailed("unknown_category", field="rules")
        target = node_get(target_code)
        if target is None:
            raise ValidationFailed("unknown_node", field="rules")
        resolved.append((category.pk if category else None, region, target, priority))
    return resolved


def _resolve_nodes(codes: list[str]) -> list[OrgNode]:
    nodes = []
    for code in codes:
        node = node_get(code)
        if node is None:
            raise ValidationFailed("unknown_node", field="nodes")
        nodes.append(node)
    return nodes


def _sop_perform(request: StaffRequest, agency: OrgNode, name: str, data: dict[str, Any]) -> None:
    actor = request.actor
    if name == "settings":
        services.sop_update(actor=actor, agency=agency, **data)
    elif name == "day_off":
        services.day_off_add(actor=actor, agency=agency, day=data["day"], reason=data["reason"])
    elif name == "day_off_remove":
        services.day_off_remove(actor=actor, agency=agency, day=data["day"])
    elif name == "routing":
        services.routing_rules_replace(actor=actor, agency=agency,
                                       rules=_resolve_rules(data["rules"]))
    else:
        services.escalation_chain_replace(actor=actor, agency=agency,
                                          nodes=_resolve_nodes(data["nodes"]))


_SOP_FORMS: dict[str, type[django_forms.Form]] = {
    "settings": forms.SopForm, "day_off": forms.DayOffForm,
    "day_off_remove": forms.DayOffRemoveForm, "routing": forms.RoutingForm,
    "escalation": forms.EscalationForm,
}


@require_POST
@staff_required
def sop_action(request: StaffRequest, code: str, form_name: str) -> HttpResponse:
    agency = _agency(request, code)
    form_class = _SOP_FORMS.get(form_name)
    if form_class is None:
        raise Http404(form_name)
    form = form_class(request.POST, prefix_id=form_name)  # type: ignore[call-arg]
    shown = "day_off" if form_name == "day_off_remove" else form_name
    if not form.is_valid():
        return _sop_page(request, agency, failed=(shown, form), status=422)
    try:
        _sop_perform(request, agency, form_name, form.cleaned_data)
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, error_text(exc))
        if form_name == "day_off_remove":
            messages.error(request, error_text(exc))
            return redirect("workspace:admin_sop", code=agency.code)
        return _sop_page(request, agency, failed=(shown, form), status=exc.status)
    messages.success(request, _("The SOP settings are saved."))
    return redirect("workspace:admin_sop", code=agency.code)


def _users_page(request: StaffRequest, agency: OrgNode, *,
                form: forms.RoleGrantForm | None = None, status: int = 200) -> HttpResponse:
    nodes = tree_order(node_subtree(agency).filter(is_active=True))
    form = form or forms.RoleGrantForm(prefix_id="grant")
    forms.set_choices(form, "node", [(n.code, f"{'— ' * max(0, n.depth - 1)}{n.name}")
                                     for n in nodes])
    roles = [r for r in Role if can_manage_roles(request.actor, agency, r)]
    forms.set_choices(form, "role", [(r.value, r.label) for r in roles])
    assignments = [
        {"row": a, "can_revoke": can_manage_roles(request.actor, a.node, a.role)
         and a.user_id != getattr(request.actor.user, "pk", None)}
        for a in role_assignments_in(agency)
    ]
    return render(request, "workspace/admin/users.html",
                  {"agency": agency, "form": form, "assignments": assignments,
                   "nav": "admin", "section": "users"}, status=status)


@require_GET
@staff_required
def users_page(request: StaffRequest, code: str) -> HttpResponse:
    return _users_page(request, _agency(request, code))


@require_POST
@staff_required
def role_grant(request: StaffRequest, code: str) -> HttpResponse:
    agency = _agency(request, code)
    form = forms.RoleGrantForm(request.POST, prefix_id="grant")
    forms.set_choices(form, "node", [(n.code, n.code) for n in node_subtree(agency)])
    forms.set_choices(form, "role", list(Role.choices))
    if not form.is_valid():
        return _users_page(request, agency, form=form, status=422)
    data = form.cleaned_data
    user = User.objects.filter(username=data["username"], is_active=True).first()
    node = node_get(data["node"])
    try:
        if user is None:
            raise ValidationFailed("not_found", field="username")
        if node is None:
            raise ValidationFailed("unknown_node", field="node")
        services.role_grant(actor=request.actor, user=user, node=node, role=data["role"])
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, error_text(exc))
        return _users_page(request, agency, form=form, status=exc.status)
    messages.success(request, _("The role is granted."))
    return redirect("workspace:admin_users", code=agency.code)


@require_POST
@staff_required
def role_revoke(request: StaffRequest, code: str) -> HttpResponse:
    agency = _agency(request, code)
    form = forms.RoleRevokeForm(request.POST)
    if not form.is_valid():
        raise Http404("assignment")
    try:
        services.role_revoke(actor=request.actor, assignment_id=form.cleaned_data["assignment"])
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404("assignment") from exc
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The role is revoked."))
    return redirect("workspace:admin_users", code=agency.code)

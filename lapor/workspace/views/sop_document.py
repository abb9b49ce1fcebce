"""The SOP document in the agency admin: the current draft, the versions, approval and PDFs.

Visible to those who may edit the agency's SOP or approve it
(:func:`lapor.sopdoc.services.can_approve_sop`); staff of the agency without either right get
403, everyone else 404. Each POST calls one service.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from lapor.core import clock
from lapor.core.errors import ApplicationError
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.permissions import can_edit_sop
from lapor.orgs.selectors import node_get
from lapor.sopdoc import selectors, services
from lapor.sopdoc.document import sop_document
from lapor.sopdoc.models import SopVersion
from lapor.sopdoc.render import sop_html_fragment
from lapor.workspace.access import StaffRequest, error_text, staff_required


class ApproveForm(forms.Form):
    approver_name = forms.CharField(label=gettext_lazy("Approving official (name)"),
                                    max_length=200)
    approver_position = forms.CharField(label=gettext_lazy("Position"), max_length=200)
    effective_date = forms.DateField(label=gettext_lazy("Effective date"),
                                     widget=forms.DateInput(attrs={"type": "date"}))


class RegulationsForm(forms.Form):
    regulations = forms.CharField(
        label=gettext_lazy("Local regulations (one per line)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


def _agency(request: StaffRequest, code: str) -> OrgNode:
    node = node_get(code)
    if node is None or node.kind not in (NodeKind.AGENCY, NodeKind.ROOT):
        raise Http404("agency")
    actor = request.actor
    if not (can_edit_sop(actor, node) or services.can_approve_sop(actor, node)):
        if any(a.node_path.startswith(node.path) for a in actor.assignments):
            raise DjangoPermissionDenied
        raise Http404("agency")
    return node


def _page(request: StaffRequest, agency: OrgNode, *, approve: ApproveForm | None = None,
          status: int = 200) -> HttpResponse:
    draft = selectors.sop_draft(agency)
    preview = draft or SopVersion(agency=agency, content=sop_document(agency).as_json(),
                                  created_at=clock.now())
    latest = selectors.sop_latest(agency)
    context = {
        "agency": agency, "nav": "admin", "section": "sop_document",
        "draft": draft, "document_html": sop_html_fragment(preview),
        "versions": list(selectors.sop_versions(agency).order_by("-created_at", "-id")),
        "may_approve": services.can_approve_sop(request.actor, agency),
        "may_edit": can_edit_sop(request.actor, agency),
        "approve_form": approve or ApproveForm(),
        "regulations_form": RegulationsForm(initial={
            "regulations": "\n".join(latest.local_regulations) if latest else ""}),
    }
    return render(request, "workspace/admin/sop_document.html", context, status=status)


@require_GET
@staff_required
def sop_document_page(request: StaffRequest, code: str) -> HttpResponse:
    return _page(request, _agency(request, code))


@require_POST
@staff_required
def sop_document_refresh(request: StaffRequest, code: str) -> HttpResponse:
    agency = _agency(request, code)
    if not can_edit_sop(request.actor, agency):
        raise DjangoPermissionDenied
    services.sop_draft_refresh(node=agency)
    return redirect("workspace:admin_sop_document", code=agency.code)


@require_POST
@staff_required
def sop_document_regulations(request: StaffRequest, code: str) -> HttpResponse:
    agency = _agency(request, code)
    form = RegulationsForm(request.POST)
    if form.is_valid():
        try:
            services.sop_local_regulations_set(
                actor=request.actor, agency=agency,
                regulations=form.cleaned_data["regulations"].splitlines())
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
    return redirect("workspace:admin_sop_document", code=agency.code)


@require_POST
@staff_required
def sop_document_approve(request: StaffRequest, code: str, version_id: int) -> HttpResponse:
    agency = _agency(request, code)
    version = selectors.sop_versions(agency).filter(pk=version_id).first()
    if version is None:
        raise Http404("version")
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _page(request, agency, approve=form, status=422)
    try:
        approved = services.sop_version_approve(actor=request.actor, version=version,
                                                **form.cleaned_data)
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, error_text(exc))
        return _page(request, agency, approve=form, status=exc.status)
    messages.success(request, _("SOP %(number)s is approved.") % {"number": approved.number})
    return redirect("workspace:admin_sop_document", code=agency.code)


@require_GET
@staff_required
def sop_document_pdf(request: StaffRequest, code: str, version_id: int) -> FileResponse:
    agency = _agency(request, code)
    version = selectors.sop_versions(agency).filter(pk=version_id).exclude(pdf="").first()
    if version is None:
        raise Http404("version")
    return FileResponse(services.sop_storage().open(version.pdf, "rb"), as_attachment=True,
                        filename=f"{version.number}.pdf", content_type="application/pdf")

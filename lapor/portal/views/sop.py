"""An agency's approved SOP document, in public: HTML and the PDFs of every approved version."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from lapor.orgs.models import NodeKind
from lapor.orgs.selectors import node_get
from lapor.sopdoc import selectors
from lapor.sopdoc.models import SopStatus
from lapor.sopdoc.render import sop_html_fragment
from lapor.sopdoc.services import sop_storage


def sop_public(request: HttpRequest, code: str) -> HttpResponse:
    agency = node_get(code)
    if agency is None or agency.kind not in (NodeKind.AGENCY, NodeKind.ROOT):
        raise Http404("agency")
    current = selectors.sop_current(agency)
    if current is None:
        raise Http404("sop")
    approved = selectors.sop_versions(agency).filter(status=SopStatus.APPROVED).order_by(
        "-approved_at", "-id")
    return render(request, "portal/sop.html", {
        "agency": agency, "current": current, "versions": list(approved),
        "document_html": sop_html_fragment(current)})


def sop_public_pdf(request: HttpRequest, code: str, version_id: int) -> FileResponse:
    agency = node_get(code)
    if agency is None:
        raise Http404("agency")
    version = selectors.sop_versions(agency).filter(
        pk=version_id, status=SopStatus.APPROVED).exclude(pdf="").first()
    if version is None:
        raise Http404("version")
    return FileResponse(sop_storage().open(version.pdf, "rb"), as_attachment=True,
                        filename=f"{version.number}.pdf", content_type="application/pdf")

"""The report form and its one-time confirmation page (POST/redirect/GET)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from lapor.attachments.services import attachment_add
from lapor.categories.selectors import categories_active
from lapor.core import ratelimit
from lapor.core.errors import ApplicationError, Conflict, PayloadTooLarge, TooManyRequests
from lapor.orgs.actors import reporter_actor
from lapor.orgs.models import NodeKind
from lapor.orgs.selectors import nodes_list
from lapor.portal import support
from lapor.portal.forms import ReportForm
from lapor.portal.views.regions import picker_context
from lapor.reports.submission import report_submit
from lapor.search.duplicates import similar_public_draft

PICKER_ACTIONS = ("region_search", "region_children")


def _choices() -> dict[str, list[tuple[str, str]]]:
    lang = support.language()
    return {
        "categories": [(c.code, c.name(lang)) for c in categories_active()],
        "agencies": list(nodes_list(kind=NodeKind.AGENCY).values_list("code", "name")),
    }


def _render(request: HttpRequest, form: ReportForm, **extra: Any) -> HttpResponse:
    data = form.data if form.is_bound else {}
    picker = picker_context(query=str(data.get("region_q", "")),
                            code=str(data.get("region_code", "")),
                            action=str(data.get("action", "")))
    return render(request, "portal/report_form.html", {
        "form": form, **picker, "max_files": settings.LAPOR_ATTACHMENTS_PER_REPORT,
        "max_megabytes": settings.LAPOR_ATTACHMENT_MAX_BYTES // (1024 * 1024), **extra,
    })


def _read(upload: UploadedFile) -> bytes:
    if upload.size is not None and upload.size > settings.LAPOR_ATTACHMENT_MAX_BYTES:
        raise PayloadTooLarge("attachment_too_large", field="file")
    return upload.read(settings.LAPOR_ATTACHMENT_MAX_BYTES + 1)


def attach_files(*, report_id: int, uploads: list[UploadedFile], user: Any,
                 limit: int) -> list[dict[str, str]]:
    """Add each file as the reporter; the refusals (file name and why) are returned, never
    raised: the report is already acknowledged and stays."""
    refused: list[dict[str, str]] = []
    actor = reporter_actor(report_id=report_id, user=user)
    for index, upload in enumerate(uploads):
        name = upload.name or "?"
        try:
            if index >= limit:
                raise Conflict("attachment_limit_reached")
            attachment_add(actor=actor, report_id=report_id, data=_read(upload), filename=name)
        except ApplicationError as exc:
            refused.append({"name": name, "reason": support.error_text(exc)})
    return refused


def report_form(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, ReportForm(**_choices()))
    form = ReportForm(request.POST, **_choices())
    action = request.POST.get("action", "")
    if action in PICKER_ACTIONS:
        # The no-JavaScript region search: the same form back, everything typed kept (files
        # cannot be kept by a browser: the page says so).
        return _render(request, form, files_dropped=bool(request.FILES))
    if not form.is_valid():
        return _render(request, form)
    data = form.cleaned_data
    if action != "submit_anyway":
        # "Similar reports already exist: support one instead?" (lapor.search.duplicates)
        similar = similar_public_draft(title=data["title"], body=data["body"],
                                       region_code=data["region_code"],
                                       category_code=data["category"] or None)
        if similar:
            return _render(request, form, similar=similar, files_dropped=bool(request.FILES))
    actor = support.citizen(request)
    try:
        result = report_submit(
            actor=actor, type=data["type"] or "", title=data["title"], body=data["body"],
            region_code=data["region_code"], incident_date=data["incident_date"],
            latitude=data["latitude"], longitude=data["longitude"], address=data["address"],
            category_code=data["category"] or None,
            target_agency_code=data["target_agency"] or None,
            is_anonymous=data["is_anonymous"], is_confidential=data["is_confidential"],
            reporter_name=data["reporter_name"], reporter_email=data["reporter_email"],
            reporter_phone=data["reporter_phone"], reporter_nik=data["reporter_nik"],
            origin=ratelimit.Origin(address=ratelimit.client_ip(request)),
        )
    except ApplicationError as exc:
        support.add_error(form, exc, ReportForm.SERVICE_FIELDS)
        response = _render(request, form, files_dropped=bool(request.FILES))
        if isinstance(exc, TooManyRequests):  # the form comes back with everything typed
            response.status_code = 429
            response["Retry-After"] = str(exc.retry_after)
        return response
    report = result.report
    refused = attach_files(report_id=report.pk, uploads=request.FILES.getlist("attachments"),
                           user=actor.user, limit=settings.LAPOR_ATTACHMENTS_PER_REPORT)
    request.session[support.SUBMITTED_KEY] = {
        "tracking_number": report.tracking_number, "access_code": result.access_code,
        "refused": refused, "confidential": report.is_confidential,
        "anonymous": report.is_anonymous,
    }
    support.remember_proven(request, report.pk)
    return redirect("portal:submitted")


@never_cache
def submitted(request: HttpRequest) -> HttpResponse:
    """Shows the access code once: it leaves the session as it is read."""
    shown = request.session.pop(support.SUBMITTED_KEY, None)
    return render(request, "portal/submitted.html", {"shown": shown})

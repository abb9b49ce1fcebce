"""The report page and its actions: one POST URL per action, each calling one service.

Every request first finds the report through ``report_for_staff`` (another agency's report is a
404 before anything else). A POST carries ``expected_version``; success redirects back with a
message (POST/redirect/GET); a refusal re-renders the page with the message next to the form
and the input kept, with the refusal's HTTP status (never a 500).
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from lapor.attachments import presenters as attachment_presenters
from lapor.attachments import selectors as attachment_selectors
from lapor.core import clock
from lapor.core.errors import ApplicationError
from lapor.core.language import active_language
from lapor.orgs.selectors import routing_suggestion
from lapor.privacy.identity import Identity
from lapor.privacy.services import identity_reveal
from lapor.reports import presenters, replication, selectors
from lapor.reports.deadlines import clock_for
from lapor.reports.models import Report
from lapor.reports.permissions import can_read
from lapor.search.suggestions import verifier_suggestions
from lapor.workspace import forms
from lapor.workspace.access import StaffRequest, error_text, staff_required
from lapor.workspace.actions import (
    ACTIONS,
    available_actions,
    disposition_targets,
    forward_targets,
)
from lapor.workspace.targets import target_choices

DEADLINE_LABELS = (
    ("verify_due_at", gettext_noop("Verify and dispose by")),
    ("hold_due_at", gettext_noop("Reporter's answer due by")),
    ("followup_due_at", gettext_noop("First follow-up due by")),
    ("resolution_due_at", gettext_noop("Resolution due by")),
    ("reply_due_at", gettext_noop("Reporter's reply window ends")),
)


def _blank_forms(request: StaffRequest, report: Report, allowed: set[str]) -> dict[str, Any]:
    result: dict[str, django_forms.Form] = {}
    for name in sorted(allowed - {"reveal"}):
        spec = ACTIONS[name]
        initial: dict[str, Any] = {"expected_version": report.version}
        result[name] = spec.form(initial=initial, prefix_id=name)  # type: ignore[call-arg]
    if "reveal" in allowed:
        result["reveal"] = forms.RevealForm(prefix_id="reveal")
    return result


def _prepare(request: StaffRequest, report: Report, form_set: dict[str, Any]) -> dict[str, Any]:
    """Choices that depend on the report (disposition and forward targets, the routing
    suggestion)."""
    extra: dict[str, Any] = {}
    if "dispose" in form_set:
        targets = disposition_targets(request.actor, report)
        form_set["dispose"].fields["node"].widget.choices = target_choices(targets)
        agency = report.agency or report.target_agency
        suggestion = routing_suggestion(agency=agency, category_id=report.category_id,
                                        region_code=report.region_id) if agency else None
        extra["suggestion"] = suggestion
        if suggestion is not None and not form_set["dispose"].is_bound:
            form_set["dispose"].initial["node"] = suggestion.code
    if "forward" in form_set:
        form_set["forward"].fields["node"].widget.choices = target_choices(
            forward_targets(report))
    if "archive" in form_set or "dispose" in form_set:
        # For the verifier (lapor.search): duplicate candidates with their score, routing
        # suggestions with confidence, and the spam score with its signals.
        extra.update(verifier_suggestions(request.actor, report))
    return extra


def _render(
    request: StaffRequest,
    report_id: int,
    *,
    failed: tuple[str, django_forms.Form] | None = None,
    revealed: Identity | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    report = selectors.report_for_staff(actor, report_id)
    view = presenters.staff_view(report, active_language(), actor=actor)
    allowed = available_actions(actor, report)
    form_set = _blank_forms(request, report, allowed)
    if failed is not None:
        form_set[failed[0]] = failed[1]
    extra = _prepare(request, report, form_set)
    calendar = clock_for(report.current_node, around=clock.now())[1]
    attachments = attachment_selectors.attachments_for_staff(actor, report.pk)[1]
    running = presenters.running_deadlines(report)
    deadlines = [(_(label), view["deadlines"][key], key in running)
                 for key, label in DEADLINE_LABELS if view["deadlines"][key] is not None]
    context = {
        "report": view,
        "forms": form_set,
        "zone": view["time_zone"],
        "calendar": calendar,
        "deadlines": deadlines,
        "attachments": [attachment_presenters.staff_item(report, a) for a in attachments],
        "revealed": revealed,
        "failed": failed[0] if failed else None,
        "nav": "inbox",
        "held_elsewhere": replication.held_elsewhere(report),
        **extra,
    }
    return render(request, "workspace/report.html", context, status=status)


@require_GET
@staff_required
def report_page(request: StaffRequest, report_id: int) -> HttpResponse:
    return _render(request, report_id)


def _form_error(form: django_forms.Form, error: ApplicationError) -> None:
    if error.code == "concurrent_update":
        text = _("This report was just changed by someone else: reload the page and try "
                 "again.")
    else:
        text = error_text(error)
    field = error.field
    if field == "file" and "photos" in form.fields:
        field = "photos"  # a follow-up's photo refused by the attachment checks
    form.add_error(field if field in form.fields else None, text)


@require_POST
@staff_required
def report_action(request: StaffRequest, report_id: int, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404(action)
    actor = request.actor
    report = selectors.report_for_staff(actor, report_id)
    form = spec.form(request.POST, request.FILES, prefix_id=action)  # type: ignore[call-arg]
    if not form.is_valid():
        return _render(request, report.pk, failed=(action, form), status=422)
    try:
        spec.perform(actor, report, form.cleaned_data)
    except ApplicationError as exc:
        _form_error(form, exc)
        return _render(request, report.pk, failed=(action, form), status=exc.status)
    messages.success(request, _(spec.success))
    if not can_read(actor, report):
        # Passed up to a tier above: the report has left the actor's pool and view.
        return redirect("workspace:inbox")
    return redirect("workspace:report", report_id=report.pk)


@require_POST
@staff_required
def reveal(request: StaffRequest, report_id: int) -> HttpResponse:
    """Open the reporter's identity (needs the reveal permission and a written reason; the
    service records and audits it). Shown in this answer only: no redirect, nothing stored."""
    report = selectors.report_for_staff(request.actor, report_id)
    form = forms.RevealForm(request.POST, prefix_id="reveal")
    if not form.is_valid():
        return _render(request, report.pk, failed=("reveal", form), status=422)
    try:
        identity = identity_reveal(actor=request.actor, report_id=report.pk,
                                   reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        _form_error(form, exc)
        return _render(request, report.pk, failed=("reveal", form), status=exc.status)
    response = _render(request, report.pk, revealed=identity)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@staff_required
def attachment_download(request: StaffRequest, report_id: int, attachment_id: int) -> (
    FileResponse
):
    """The attachments app's staff download: same selector (404 outside), same response."""
    report, attachment = attachment_selectors.attachment_for_staff(
        request.actor, report_id, attachment_id)
    return attachment_presenters.download(
        attachment, name=attachment_presenters.staff_name(report, attachment))

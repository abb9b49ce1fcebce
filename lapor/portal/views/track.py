"""Tracking a report: its public status by number, and with the access code the whole thread.

Pages under /lacak/<number>/ count a look-up of a *distinct* tracking number per client
address (reading the same report again is free), and the access code goes through the same
gate as the API's (:mod:`lapor.reports.access`): wrong codes slow down only the address that
typed them. A correct code is remembered in the session as "this browser
proved report N" (:mod:`lapor.portal.support`); the code itself is never stored.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lapor.attachments import presenters as attachment_presenters
from lapor.attachments import selectors as attachment_selectors
from lapor.attachments.permissions import accepts_uploads
from lapor.core import ratelimit
from lapor.core.errors import (
    ApplicationError,
    Conflict,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
)
from lapor.core.language import active_language
from lapor.federation.commands import command_forward
from lapor.notifications import push
from lapor.orgs.actors import Actor, reporter_actor
from lapor.portal import support
from lapor.portal.forms import AccessCodeForm, AttachForm, MessageForm, ReplyForm, TrackForm
from lapor.portal.views.submit import attach_files
from lapor.reports import access, feed, presenters, selectors, services, submission
from lapor.reports.models import Report
from lapor.reports.states import Action, Status, reporter_write_action


def track_start(request: HttpRequest) -> HttpResponse:
    """The tracking-number form (GET); a valid number leads to its page."""
    form = TrackForm(request.GET or None)
    if form.is_bound and form.is_valid():
        number = submission.normalise_tracking_number(form.cleaned_data["tracking_number"])
        if submission.tracking_number_valid(number):
            return redirect("portal:track", tracking_number=number)
        form.add_error("tracking_number",
                       _("This is not a valid tracking number: check the 12 digits."))
    return render(request, "portal/track_start.html", {"form": form})


def _reporter(request: HttpRequest, report: Report) -> Actor | None:
    """The reporter actor if this browser proved the report or its account owns it."""
    if report.pk in support.proven_ids(request):
        return reporter_actor(report_id=report.pk)
    return access.reporter_by_account(support.citizen(request), report)


def _page(request: HttpRequest, report: Report, *, status: int = 200,
          public: dict[str, Any] | None = None, **forms: Any) -> HttpResponse:
    lang = active_language()
    actor = _reporter(request, report)
    public_view = public if public is not None else presenters.public_view(report, lang)
    context: dict[str, Any] = {
        "report": report, "public": public_view, "zone": public_view["time_zone"],
        "proven": actor is not None,
        "listed": feed.is_public(report),
        "code_form": forms.get("code_form") or AccessCodeForm(),
    }
    if actor is not None:
        context.update({
            "full": presenters.reporter_view(report, lang),
            "attachments": [attachment_presenters.reporter_item(a)
                            for a in attachment_selectors.attachments_for_reporter(report)],
            "message_form": forms.get("message_form") or MessageForm(),
            "reply_form": forms.get("reply_form") or ReplyForm(),
            "attach_form": forms.get("attach_form") or AttachForm(),
            "can_message": reporter_write_action(report.status) is not None,
            "can_reply": report.status == Status.RESPONDED,
            "can_attach": accepts_uploads(report),
            "on_hold": reporter_write_action(report.status) == Action.PROVIDE_INFO,
            "by_account": actor.user is not None,
            # Web Push opt-in (portal/_push_optin.html); "" when the deployment has no key.
            "push_key": push.public_key(),
        })
    return render(request, "portal/track.html", context, status=status)


@support.friendly_errors
def track(request: HttpRequest, tracking_number: str) -> HttpResponse:
    # The look-up reads only what the public view needs (issue #21); the reporter's whole
    # view, shown to the browser that proved the report or the account that filed it, reads
    # the whole report.
    report = access.looked_up_from_request(request, tracking_number)
    if report.tracking_number != tracking_number:
        return redirect("portal:track", tracking_number=report.tracking_number)
    if _reporter(request, report) is not None:
        return _page(request, selectors.report_by_tracking(report.tracking_number))
    return _page(request, report,
                 public=presenters.public_view_cached(report, active_language()))


@require_POST
@support.friendly_errors
def track_code(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """Check an access code through the gate the API uses (lapor.reports.access)."""
    report = access.report_from_request(request, tracking_number)
    form = AccessCodeForm(request.POST)
    if not form.is_valid():
        return _page(request, report, code_form=form)
    try:
        access.reporter_by_access_code(
            tracking_number=report.tracking_number, access_code=form.cleaned_data["access_code"],
            address=ratelimit.client_ip(request))
    except NotAuthenticated as exc:
        form.add_error("access_code", support.error_text(exc))
        return _page(request, report, code_form=form)
    except TooManyRequests as exc:
        return support.too_many(request, exc, zone=support.report_zone(report))
    support.remember_proven(request, report.pk)
    messages.success(request, _("Access code accepted. This device now shows your whole "
                                "report until you tell it to forget it."))
    return redirect("portal:track", tracking_number=report.tracking_number)


def _proven(request: HttpRequest, tracking_number: str) -> tuple[Report, Actor | None]:
    report = access.report_from_request(request, tracking_number)
    return report, _reporter(request, report)


def _back(report: Report) -> HttpResponse:
    return redirect(reverse("portal:track", args=[report.tracking_number]) + "#percakapan")


def _held_by_peer(exc: ApplicationError) -> bool:
    return isinstance(exc, Conflict) and exc.code == "held_by_peer"


def _forwarded(request: HttpRequest, report: Report, action: str,
               args: dict[str, Any]) -> HttpResponse:
    """The report is handled on another federated instance: the reporter's action is sent
    there (lapor.federation.commands) and the page says so."""
    command_forward(report=report, action=action, args=args)
    messages.success(request, _("Sent to the system of the agency handling your report; the "
                                "status updates in a moment."))
    return _back(report)


def _ask_code(request: HttpRequest, report: Report) -> HttpResponse:
    messages.error(request, _("Enter your access code first."))
    return redirect("portal:track", tracking_number=report.tracking_number)


@require_POST
@support.friendly_errors
def track_message(request: HttpRequest, tracking_number: str) -> HttpResponse:
    report, actor = _proven(request, tracking_number)
    if actor is None:
        return _ask_code(request, report)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _page(request, report, message_form=form)
    body = form.cleaned_data.get("body", "")
    try:
        services.report_reporter_write(actor=actor, report_id=report.pk, body=body)
    except ApplicationError as exc:
        if _held_by_peer(exc):
            return _forwarded(request, report, "write", {"body": body})
        support.add_error(form, exc)
        return _page(request, report, message_form=form)
    messages.success(request, _("Your message was sent to the officers."))
    return _back(report)


@require_POST
@support.friendly_errors
def track_reply(request: HttpRequest, tracking_number: str) -> HttpResponse:
    report, actor = _proven(request, tracking_number)
    if actor is None:
        return _ask_code(request, report)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        # E.g. a comment that was not UTF-8: never accept with the comment silently dropped.
        return _page(request, report, reply_form=form)
    data = form.cleaned_data
    decision = data.get("decision")
    if decision not in ("accept", "reopen"):
        form.add_error("decision", _("Choose whether your problem is resolved."))
        return _page(request, report, reply_form=form)
    try:
        services.report_reporter_reply(actor=actor, report_id=report.pk,
                                       accept=decision == "accept", rating=data.get("rating"),
                                       body=data.get("body") or "")
    except ApplicationError as exc:
        if _held_by_peer(exc):
            return _forwarded(request, report, "reply", {
                "accept": decision == "accept", "rating": data.get("rating"),
                "body": data.get("body") or ""})
        support.add_error(form, exc)
        return _page(request, report, reply_form=form)
    if decision == "accept":
        messages.success(request, _("Thank you. The report is closed with your rating."))
    else:
        messages.success(request, _("The report is back with the agency, with a new deadline."))
    return _back(report)


@require_POST
@support.friendly_errors
def track_attach(request: HttpRequest, tracking_number: str) -> HttpResponse:
    report, actor = _proven(request, tracking_number)
    if actor is None:
        return _ask_code(request, report)
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, report, attach_form=form)
    refused = attach_files(report_id=report.pk, uploads=[form.cleaned_data["file"]],
                           user=actor.user, limit=1)
    if refused:
        form.add_error("file", refused[0]["reason"])
        return _page(request, report, attach_form=form)
    messages.success(request, _("The file was added to your report."))
    return _back(report)


@support.friendly_errors
def track_download(
    request: HttpRequest, tracking_number: str, attachment_id: int
) -> HttpResponseBase:
    report, actor = _proven(request, tracking_number)
    if actor is None:
        raise NotFound("not_found")
    attachment = attachment_selectors.attachment_for_reporter(report, attachment_id)
    return attachment_presenters.download(
        attachment, name=attachment_presenters.original_name(attachment))


@require_POST
@support.friendly_errors
def track_forget(request: HttpRequest, tracking_number: str) -> HttpResponse:
    report = access.report_from_request(request, tracking_number)
    support.forget_proven(request, report.pk)
    messages.success(request, _("This device no longer shows the whole report. You need the "
                                "access code to see it again."))
    return redirect("portal:track", tracking_number=report.tracking_number)


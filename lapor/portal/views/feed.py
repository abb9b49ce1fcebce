"""The public feed and a public report's page, with "dukung" (support)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from lapor.attachments import presenters as attachment_presenters
from lapor.attachments import selectors as attachment_selectors
from lapor.categories.selectors import categories_active
from lapor.core import ratelimit
from lapor.core.errors import Conflict, ValidationFailed
from lapor.core.language import active_language
from lapor.core.pagination import Page
from lapor.orgs.models import NodeKind
from lapor.orgs.selectors import nodes_list
from lapor.portal import support
from lapor.portal.forms import FeedForm, status_choices
from lapor.reports import feed as public
from lapor.reports import presenters, services
from lapor.search.selectors import (
    public_feed,
    public_report_number,
    tracking_number_in,
    tracking_number_typo,
)
from lapor.sopdoc.selectors import sop_current


def _form(request: HttpRequest) -> FeedForm:
    lang = active_language()
    return FeedForm(
        request.GET,
        categories=[(c.code, c.name(lang)) for c in categories_active()],
        agencies=list(nodes_list(kind=NodeKind.AGENCY).order_by("name")
                      .values_list("code", "name")),
        statuses=status_choices(public.PUBLIC_STATUSES, lang),
    )


def _open_number(request: HttpRequest, number: str) -> HttpResponse:
    """A tracking number typed in the search box opens its report: the public page when it
    has one, else the tracking page (which shows any report's status, and 404 for a number
    nobody was given)."""
    if public_report_number(number):
        url = reverse("portal:report", args=[number])
    else:
        url = reverse("portal:track", args=[number])
    if getattr(request, "htmx", None):
        return HttpResponseClientRedirect(url)  # htmx would swap the page into the list
    return redirect(url)


@vary_on_headers("HX-Request")
def feed(request: HttpRequest) -> HttpResponse:
    """Newest public reports; a plain GET form, which htmx turns into an in-place update."""
    form = _form(request)
    form.is_valid()  # invalid filters are left out (cleaned_data keeps the valid ones)
    data = form.cleaned_data
    number = tracking_number_in(data.get("q") or "")
    if number is not None:
        return _open_number(request, number)
    q = data.get("q") or ""
    filters = public.FeedFilters(**{k: data.get(k) or "" for k in
                                    ("category", "region", "status", "agency")})
    cursor = request.GET.get("cursor") or None
    problem = ""
    try:
        page = public_feed(q, filters, cursor=cursor)
        support.with_zones(page.items)
    except ValidationFailed as exc:
        problem = support.error_text(exc)
        page = Page(items=[], next_cursor=None)
    if not page.items and not problem and tracking_number_typo(q):
        problem = _("This looks like a tracking number, but one of its 12 digits is wrong: "
                    "check them.")
    context = {"form": form, "page": page, "problem": problem, "cursor": cursor,
               "filtered": any(data.get(k) for k in ("q", "category", "region", "status",
                                                     "agency"))}
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return render(request, "portal/_feed_results.html", context)
    return render(request, "portal/feed.html", context)


@support.friendly_errors
def report_page(request: HttpRequest, tracking_number: str) -> HttpResponse:
    report = public.public_report(tracking_number)
    public_view = presenters.public_view(report, active_language())
    return render(request, "portal/report_public.html", {
        "report": report,
        "public": public_view,
        "zone": public_view["time_zone"],
        "attachments": attachment_selectors.attachments_public(report),
        "agency_has_sop": report.agency is not None and sop_current(report.agency) is not None,
    })


@require_POST
@support.friendly_errors
def report_support(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """One "dukung" per supporter (account, else client address); lookups are rate-limited."""
    ratelimit.throttle_lookup(ratelimit.client_ip(request), tracking_number)
    report = public.public_report(tracking_number)
    key = public.supporter_key(request, support.citizen(request))
    try:
        report.support_count = services.report_support(report_id=report.pk, supporter_key=key)
        text = _("Thank you for your support.")
    except Conflict as exc:
        text = support.error_text(exc)
    if getattr(request, "htmx", None):
        return render(request, "portal/_support.html", {"report": report, "note": text})
    messages.info(request, text)
    return redirect("portal:report", tracking_number=report.tracking_number)


@support.friendly_errors
def public_download(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    attachment = attachment_selectors.attachment_public(attachment_id)
    return attachment_presenters.download(
        attachment, name=attachment_presenters.neutral_name(attachment), public=True)

"""The home page: what LAPOR! is, how a report travels, live figures, newest public reports."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from lapor.portal import support
from lapor.portal.appstrings import app_strings
from lapor.reports import feed
from lapor.stats.selectors import home_figures

NEWEST = 5


def home(request: HttpRequest) -> HttpResponse:
    newest = support.with_zones(feed.public_reports(feed.FeedFilters(), limit=NEWEST).items)
    return render(request, "portal/home.html", {
        "stats": home_figures(), "newest": newest, "app_strings": app_strings(),
        "app": {"track_url": reverse("portal:track", args=["000000000000"]).replace(
            "000000000000", "NUMBER"), "form_url": reverse("portal:report_form")}})

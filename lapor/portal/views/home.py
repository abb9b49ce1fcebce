"""The home page, also the installed app's start page: "Kirim laporan" first, the reports this
phone filed (filled on the device), public reports near the citizen (asked for on a tap),
then what LAPOR! is, how a report travels, live figures and the newest public reports."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from lapor.portal import support
from lapor.portal.appstrings import app_strings
from lapor.reports import feed
from lapor.stats.selectors import home_figures

NEWEST = 5
NEARBY_RADIUS_KM = 3  # "Laporan di sekitar saya" (GET /api/v1/reports/nearby)


def home(request: HttpRequest) -> HttpResponse:
    newest = support.with_zones(feed.public_reports(feed.FeedFilters(), limit=NEWEST).items)
    return render(request, "portal/home.html", {
        "stats": home_figures(), "newest": newest, "nearby_radius_km": NEARBY_RADIUS_KM,
        "app_strings": app_strings(),
        "app": {"track_url": reverse("portal:track", args=["000000000000"]).replace(
            "000000000000", "NUMBER"), "form_url": reverse("portal:report_form")}})

"""The home page: what LAPOR! is, how a report travels, live figures, newest public reports."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lapor.reports import feed
from lapor.stats.selectors import home_figures

NEWEST = 5


def home(request: HttpRequest) -> HttpResponse:
    newest = feed.public_reports(feed.FeedFilters(), limit=NEWEST).items
    return render(request, "portal/home.html", {"stats": home_figures(), "newest": newest})

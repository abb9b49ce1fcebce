"""Words for the citizen pages: timeline entries, report types, file sizes."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.conf import settings

from lapor.categories.models import Category
from lapor.core.language import active_language
from lapor.orgs.actors import ActorKind
from lapor.portal.forms import type_label
from lapor.portal.support import citizen
from lapor.reports.presenters import status_label
from lapor.reports.states import ArchiveReason
from lapor.web.templatetags.lapor_ui import local_date, local_datetime

register = template.Library()


@register.filter
def report_type(value: str) -> str:
    return type_label(value)


@register.filter
def archive_reason(value: str) -> str:
    try:
        return str(ArchiveReason(value).label)
    except ValueError:
        return value


@register.filter
def kilobytes(size: int) -> str:
    return f"{max(1, round(size / 1024))} KB"


@register.filter
def status_text(status: str) -> str:
    """The status label in the page's language (lapor.reports.presenters.status_label)."""
    return status_label(status, active_language())


@register.filter
def category_name(category: Category | None) -> str:
    return category.name(active_language()) if category is not None else ""


_NAV = {
    "report_form": "report", "submitted": "report",
    "track_start": "track", "track": "track",
    "feed": "feed", "report": "feed",
    "signup": "account", "login": "account", "my_reports": "account",
}


@register.simple_tag(takes_context=True)
def portal_nav(context: template.Context) -> str:
    """The menu entry of the current page (for ``aria-current``)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "portal":
        return ""
    return _NAV.get(match.url_name or "", "")


@register.simple_tag(takes_context=True)
def is_citizen(context: template.Context) -> bool:
    """A signed-in citizen account (a staff session counts as signed out on the portal)."""
    request = context.get("request")
    return request is not None and citizen(request).kind == ActorKind.REPORTER


@register.simple_tag
def site_operator() -> str:
    return str(settings.LAPOR_SITE_OPERATOR)


@register.filter
def when(value: datetime | None, zone: str | None = None) -> str:
    """Date and time with its zone abbreviation: in ``zone`` (the report's zone, see
    ``support.report_zone``) when given, else ``LAPOR_DEFAULT_TIMEZONE``."""
    return local_datetime(value, zone or settings.LAPOR_DEFAULT_TIMEZONE)


@register.filter
def day(value: datetime | None, zone: str | None = None) -> str:
    """The date in ``zone`` (a listed report's zone, ``support.with_zones``), else in
    ``LAPOR_DEFAULT_TIMEZONE``."""
    return local_date(value, zone or settings.LAPOR_DEFAULT_TIMEZONE)

"""The read side of GeoReport v2: categories as services, public reports as requests.

Every request read starts from :func:`lapor.reports.feed.public_scope`: confidential reports,
reports not yet verified and archived ones (spam included) never appear, and no reporter
identity is ever read (an anonymous reporter's one included).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse

from lapor.attachments.models import SERVABLE_SCAN_STATUSES, Attachment
from lapor.categories.models import Category
from lapor.categories.selectors import categories_active, category_get
from lapor.open311.models import Submission
from lapor.open311.render import Open311Error
from lapor.reports.feed import public_scope
from lapor.reports.models import Report, ReportEvent, ReportType, Visibility
from lapor.reports.states import Status
from lapor.reports.submission import normalise_tracking_number
from lapor.reports.visibility import kinds_with_text_for

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (discovery "changeset").
CHANGESET = datetime(2026, 11, 29, tzinfo=UTC)
# Spec: "Default query limit is a span of 90 days or first 1000 requests returned".
RESULTS_MAX = 1000
DESCRIPTION_MAX = 4000
# GeoReport's status_notes: the newest text the public may read (lapor.reports.visibility),
# in practice a public follow-up.
STATUS_NOTE_KINDS = tuple(kinds_with_text_for(Visibility.PUBLIC))
REGION_ATTRIBUTE, TYPE_ATTRIBUTE = "region_code", "report_type"
OPEN, CLOSED = "open", "closed"


# ---------------------------------------------------------------- discovery and services


def discovery(endpoint_url: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": settings.LAPOR_OPEN311_CONTACT,
        "key_service": "Keys are issued by the operator of this site "
                       "(command: lapor open311 key add NAME).",
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": endpoint_url,
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name_id,
        "description": f"{category.name_en}. Target penyelesaian: "
                       f"{category.resolution_days} hari kerja.",
        # Every service has the attributes of :func:`attributes` (region, report type).
        "metadata": True,
        "type": "realtime",
        "keywords": category.name_en,
        "group": category.parent.name_id if category.parent is not None else "",
    }


def services() -> list[dict[str, Any]]:
    return [_service(c) for c in categories_active().select_related("parent")]


def service_get(code: str) -> Category:
    category = category_get(code)
    if category is None:
        raise Open311Error(404, "service_code provided was not found")
    return category


def attributes() -> list[dict[str, Any]]:
    """The extra fields every service takes (attribute[code]=value in a POST)."""
    default_region = settings.LAPOR_OPEN311_DEFAULT_REGION
    return [
        {
            "variable": True,
            "code": REGION_ATTRIBUTE,
            "datatype": "string",
            "required": not default_region,
            "datatype_description": "Kode wilayah Kemendagri, eg 64.08.04 (kecamatan)",
            "order": 1,
            "description": "Wilayah kejadian (Kemendagri region code); if absent, lat/long "
                           "map to the nearest kecamatan when reference points are loaded"
                           + (f"; default {default_region}" if default_region else ""),
        },
        {
            "variable": True,
            "code": TYPE_ATTRIBUTE,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 2,
            "description": "Jenis laporan (report type); default complaint",
            "values": [{"key": value, "name": str(label)} for value, label in ReportType.choices],
        },
    ]


def service_definition(code: str) -> dict[str, Any]:
    return {"service_code": service_get(code).code, "attributes": attributes()}


# ---------------------------------------------------------------- requests


def _requests_scope() -> QuerySet[Report]:
    newest_note = (
        ReportEvent.objects.filter(report=OuterRef("pk"), visibility=Visibility.PUBLIC,
                                   kind__in=STATUS_NOTE_KINDS)
        .exclude(body="").order_by("-created_at", "-id").values("body")[:1]
    )
    # The first file staff published (the rule of lapor.attachments.selectors' public scope;
    # the report is already known not to be confidential).
    first_public_file = (
        Attachment.objects.filter(report=OuterRef("pk"), is_public=True,
                                  scan_status__in=SERVABLE_SCAN_STATUSES)
        .order_by("created_at", "id").values("id")[:1]
    )
    return (
        public_scope().select_related("region", "category", "agency")
        .annotate(status_notes=Subquery(newest_note), public_file=Subquery(first_public_file))
    )


def _request(report: Report, request: HttpRequest) -> dict[str, Any]:
    closed = report.status == Status.CLOSED
    category = report.category
    media_url = ""
    public_file = getattr(report, "public_file", None)
    if public_file is not None:
        media_url = request.build_absolute_uri(
            reverse("portal:public_download", args=[public_file]))
    item: dict[str, Any] = {
        "service_request_id": report.tracking_number,
        "status": CLOSED if closed else OPEN,
        "status_notes": getattr(report, "status_notes", None) or "",
        "service_name": category.name_id if category is not None else "",
        "service_code": category.code if category is not None else "",
        "description": report.body[:DESCRIPTION_MAX],
        "agency_responsible": report.agency.name if report.agency is not None else "",
        "service_notice": f"Status LAPOR!: {Status(report.status).label}",
        "requested_datetime": report.submitted_at,
        "updated_datetime": (report.closed_at or report.updated_at) if closed
        else report.updated_at,
        "expected_datetime": report.resolution_due_at,
        "address": ", ".join(p for p in (report.address, report.region.name) if p),
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": media_url,
    }
    return item


def requests_search(
    request: HttpRequest, *, ids: list[str], codes: list[str], statuses: list[str],
    window: tuple[datetime, datetime],
) -> list[dict[str, Any]]:
    """Public requests, newest first, at most :data:`RESULTS_MAX`. ``ids`` (tracking numbers)
    overrides every other filter, as the specification says."""
    qs = _requests_scope()
    if ids:
        qs = qs.filter(tracking_number__in=[normalise_tracking_number(i) for i in ids])
    else:
        qs = qs.filter(submitted_at__gte=window[0], submitted_at__lte=window[1])
        if codes:
            qs = qs.filter(category__code__in=codes)
        if len(set(statuses)) == 1:  # both open and closed: no filter
            closed = qs.filter(status=Status.CLOSED)
            qs = closed if statuses[0] == CLOSED else qs.exclude(status=Status.CLOSED)
    reports = qs.order_by("-submitted_at", "-id")[:RESULTS_MAX]
    return [_request(r, request) for r in reports]


def request_one(request: HttpRequest, service_request_id: str) -> list[dict[str, Any]]:
    """One public request, as a list of one (the specification's answer shape)."""
    number = normalise_tracking_number(service_request_id)
    report = _requests_scope().filter(tracking_number=number).first()
    if report is None:
        raise Open311Error(404, "service_request_id provided was not found")
    return [_request(report, request)]


def token_lookup(token: str) -> list[dict[str, Any]]:
    """Lapor answers a POST with the request id at once and issues no separate token; a
    client that polls ``tokens/{token}`` with the id it received gets that id back. Only
    requests received through Open311 are known here (public or not: the id is the
    client's own, and the answer reveals nothing but the id)."""
    number = normalise_tracking_number(token)
    if not Submission.objects.filter(report__tracking_number=number).exists():
        raise Open311Error(404, "token provided was not found")
    return [{"service_request_id": number, "token": number}]

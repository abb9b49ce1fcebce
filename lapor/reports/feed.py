"""The public side of reports: the feed, one public report, the home page figures, "dukung".

What the public may see (DOMAIN.md "Privacy"): never a confidential (rahasia) report, and only
reports a verifier has already accepted (disposed and after). Unverified reports may still be
spam, abusive or name people, so they are not published until a verifier has looked at them;
archived reports are rejected ones. Anyone can still follow any report's status by tracking
number (:func:`lapor.reports.presenters.public_view`).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from lapor.core.errors import NotFound, ValidationFailed
from lapor.core.pagination import Page, keyset_page
from lapor.core.ratelimit import client_ip
from lapor.orgs.actors import Actor
from lapor.regions.geo import haversine_m
from lapor.reports.models import PUBLIC_STATUSES, Report
from lapor.reports.states import Status

# Statuses the public feed shows: verified and handed to an agency, up to closed.
FOLLOWED_UP_STATUSES = (Status.RESPONDED, Status.CLOSED)
FEED_PAGE_SIZE = 20
FEED_FIELDS = (
    "id", "tracking_number", "type", "title", "body", "status", "submitted_at",
    "support_count", "is_confidential",
    "region__code", "region__name",
    "category__code", "category__name_id", "category__name_en",
    "agency__code", "agency__name",
)


@dataclass(frozen=True)
class FeedFilters:
    category: str = ""
    region: str = ""
    status: str = ""
    agency: str = ""


@dataclass(frozen=True)
class PublicStats:
    total: int
    followed_up: int
    active_agencies: int

    @property
    def followed_up_percent(self) -> int:
        return round(100 * self.followed_up / self.total) if self.total else 0


def public_scope() -> QuerySet[Report]:
    """Every report the public may read: not confidential, verified (see the module doc), and
    never a training space's practice report (lapor.training)."""
    return Report.objects.filter(is_confidential=False, status__in=PUBLIC_STATUSES,
                                 is_training=False)


def is_public(report: Report) -> bool:
    """Is ``report`` in :func:`public_scope`? The same rule on a loaded report, without a
    query (the tracking page's "see it in the public reports" link)."""
    return (not report.is_confidential and report.status in PUBLIC_STATUSES
            and not report.is_training)


def public_filtered(filters: FeedFilters) -> QuerySet[Report]:
    """Public reports narrowed by the feed's filters.

    ``category`` matches a category or its children; ``region`` is a Kemendagri code prefix
    (``64.08`` covers every district of Kutai Timur); ``status`` must be a public status;
    ``agency`` is the responsible agency's code. The words typed in the feed's search box are
    lapor.search's part (:func:`lapor.search.selectors.public_feed`).
    """
    qs = public_scope()
    if filters.status:
        if filters.status not in PUBLIC_STATUSES:
            raise ValidationFailed("validation_error", field="status")
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(
            Q(category__code=filters.category) | Q(category__parent__code=filters.category)
        )
    if filters.region:
        # "64.08" must not match "64.081": a code or a code followed by a dot.
        region = filters.region.strip(". ")
        qs = qs.filter(Q(region_id=region) | Q(region__code__startswith=f"{region}."))
    if filters.agency:
        qs = qs.filter(agency__code=filters.agency)
    return qs


def public_reports(
    filters: FeedFilters, *, cursor: str | None = None, limit: int = FEED_PAGE_SIZE
) -> Page[Report]:
    """Public reports, newest first, keyset-paginated, filtered (:func:`public_filtered`)."""
    qs = public_filtered(filters).select_related("region", "category", "agency")
    return keyset_page(qs.only(*FEED_FIELDS), field="submitted_at", cursor=cursor, limit=limit)


def public_report(tracking_number: str) -> Report:
    """One public report for its page; confidential, unverified or unknown: 404 alike."""
    report = (
        public_scope().select_related("region", "category", "agency")
        .filter(tracking_number=tracking_number).first()
    )
    if report is None:
        raise NotFound("not_found")
    return report


# "Laporan di sekitar saya" (public_nearby): how precise a public answer may be about where.
NEARBY_GRID = 0.01  # degrees: a report's position is snapped to this grid (≈ 1.1 km) first
NEARBY_ROUND_M = 100  # distances are then rounded to this
NEARBY_RADIUS_MIN_KM = 1.0
NEARBY_RADIUS_MAX_KM = 10.0
NEARBY_LIMIT = 20
NEARBY_SCAN = 500  # newest public reports with coordinates looked at in the box, at most
KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class NearbyReport:
    report: Report
    distance_m: int


def _snapped(value: Decimal | float) -> float:
    return round(float(value) / NEARBY_GRID) * NEARBY_GRID


def public_nearby(
    *, latitude: float, longitude: float, radius_km: float, limit: int = NEARBY_LIMIT
) -> list[NearbyReport]:
    """Public reports (:func:`public_scope`) within ``radius_km`` of a point, nearest first,
    then newest.

    The public pages never show where a report is beyond its region (kecamatan), so this
    answer says no more than "about how far": each report's stored position is snapped to a
    0.01° grid (≈ 1.1 km) before anything is computed, the radius test included, and the
    distance is rounded to 100 m. Asking from many points or with many radii therefore finds
    at most the grid cell, never the point. The radius is clamped to 1–10 km. A bounding box on
    the indexed coordinates (``report_public_location``) keeps it to a few rows.
    """
    radius_km = min(max(radius_km, NEARBY_RADIUS_MIN_KM), NEARBY_RADIUS_MAX_KM)
    # The box holds every report whose snapped point can be within the radius: half a grid
    # cell more on each side than the radius.
    dlat = radius_km / KM_PER_DEGREE + NEARBY_GRID
    cos_lat = max(math.cos(math.radians(latitude)), 0.01)
    dlon = radius_km / (KM_PER_DEGREE * cos_lat) + NEARBY_GRID
    rows = (
        public_scope()
        .filter(latitude__range=(Decimal(f"{latitude - dlat:.6f}"),
                                 Decimal(f"{latitude + dlat:.6f}")),
                longitude__range=(Decimal(f"{longitude - dlon:.6f}"),
                                  Decimal(f"{longitude + dlon:.6f}")))
        .select_related("region", "category", "agency")
        .only(*FEED_FIELDS, "latitude", "longitude")
        .order_by("-submitted_at", "-id")[:NEARBY_SCAN]
    )
    found = []
    for report in rows:
        if report.latitude is None or report.longitude is None:  # excluded by the box
            continue
        metres = haversine_m(latitude, longitude, _snapped(report.latitude),
                            _snapped(report.longitude))
        if metres <= radius_km * 1000:
            rounded = int(round(metres / NEARBY_ROUND_M) * NEARBY_ROUND_M)
            found.append(NearbyReport(report=report, distance_m=rounded))
    found.sort(key=lambda n: (n.distance_m, -n.report.submitted_at.timestamp(), -n.report.pk))
    return found[:limit]


def public_stats() -> PublicStats:
    """The home page figures in one aggregate query: reports received (all, confidential ones
    included: a count reveals nothing), the share followed up or closed, and the number of
    agencies handling at least one report. Training spaces' practice reports never count."""
    row = Report.objects.filter(is_training=False).aggregate(
        total=Count("id"),
        followed_up=Count("id", filter=Q(status__in=FOLLOWED_UP_STATUSES)),
        agencies=Count("agency", distinct=True),
    )
    return PublicStats(total=row["total"], followed_up=row["followed_up"],
                       active_agencies=row["agencies"])


def supporter_key(request: HttpRequest, actor: Actor) -> str:
    """Keyed hash of who supports ("dukung"): the account if signed in, else the client address.

    The address is :func:`lapor.core.ratelimit.client_ip`, so behind ``LAPOR_PROXY_COUNT``
    reverse proxies every citizen is not counted as the proxy. Shared by the API and the portal.
    """
    who = f"user:{actor.user.pk}" if actor.user is not None else f"ip:{client_ip(request)}"
    return supporter_key_for(who)


def supporter_key_for(who: str) -> str:
    """The keyed hash of a supporter named ``user:<id>``, ``ip:<address>`` or ``report:<id>``
    (the reporter of a duplicate merged into the report, lapor.reports.merge)."""
    key = hashlib.sha256(f"lapor.support:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, who.encode(), hashlib.sha256).hexdigest()

"""The one time zone every time about a report is shown in (docs/lifecycle.md "Time zones").

Until a report is disposed it belongs to the place it is about: the zone of its region (a
Kutai Timur report reads WITA even while it waits in the national pool, whose clock is WIB).
Once disposed it belongs to the agency that holds it: that agency's SOP zone (a report about a
WIT region disposed to a WIB ministry reads WIB from then on). A report handed back to a
verification pool ("bukan wewenang") is undisposed again and reads its region's zone.
Archived reports were never disposed (DOMAIN.md "Lifecycle"); closed ones were.

Deadlines keep the calendar of the agency whose clock set them (lapor.reports.deadlines); they are
shown as the date they end on, with this zone (lapor.core.localtime.format_deadline).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from lapor.orgs.models import NodeKind, Sop
from lapor.orgs.selectors import node_agency_or_root, sop_for
from lapor.regions.zones import region_zone
from lapor.reports.models import Report
from lapor.reports.states import Status

# Statuses before disposition: the report is in a verification pool (or was archived there).
_UNDISPOSED = frozenset({Status.SUBMITTED, Status.ON_HOLD, Status.ARCHIVED})
_DEFAULT_ZONE = str(Sop._meta.get_field("timezone").default)


def is_undisposed(status: str) -> bool:
    return status in _UNDISPOSED


def report_zone(report: Report) -> str:
    """``WIB``, ``WITA`` or ``WIT``: the zone of ``report``'s region until it is disposed, then
    of the agency holding it (``report.agency``: a disposition sets it to the agency of the
    node disposed to, and forwards stay inside that agency). One SOP read after disposition,
    none before."""
    if is_undisposed(report.status):
        return region_zone(report.region_id)
    if report.agency_id is None:
        return sop_for(node_agency_or_root(report.current_node)).timezone
    return agency_zone(report.agency_id)


def agency_zone(agency_id: int) -> str:
    """The SOP zone of the agency ``agency_id``, else the national root's
    (:func:`lapor.orgs.selectors.sop_for`'s rule), else the SOP's default: one query, without
    loading the agency (the tracking lookup's report carries only its id)."""
    zones = dict(Sop.objects.filter(Q(node_id=agency_id) | Q(node__kind=NodeKind.ROOT))
                 .values_list("node_id", "timezone"))
    if agency_id in zones:
        return zones[agency_id]
    return next(iter(zones.values()), _DEFAULT_ZONE)


def report_zones(reports: Iterable[Report]) -> dict[int, str]:
    """``report_zone`` of many reports at once (lists, feeds, digests): report id → zone, with
    at most one query (the SOPs of the agencies holding the disposed ones)."""
    reports = list(reports)
    owners = {r.pk: r.agency_id for r in reports if not is_undisposed(r.status)}
    zones: dict[int, str] = {}
    national = "WIB"
    if owners:
        wanted = {o for o in owners.values() if o is not None}
        for node_id, kind, zone in Sop.objects.filter(
                Q(node_id__in=wanted) | Q(node__kind=NodeKind.ROOT)).values_list(
                    "node_id", "node__kind", "timezone"):
            zones[node_id] = zone
            if kind == NodeKind.ROOT:
                national = zone
    result: dict[int, str] = {}
    for report in reports:
        if report.pk not in owners:
            result[report.pk] = region_zone(report.region_id)
        else:
            owner = owners[report.pk]
            result[report.pk] = zones.get(owner, national) if owner is not None else national
    return result


def zone_for_status(*, status: str, region_code: str | None, agency_zone: str | None) -> str:
    """The same rule on plain values (exports read rows, not models): ``agency_zone`` is the
    SOP zone of the agency holding the report (None: the national root's, WIB by default)."""
    if is_undisposed(status):
        return region_zone(region_code)
    return agency_zone or "WIB"

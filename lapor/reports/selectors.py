"""Reads over reports. Staff reads start from :func:`reports_visible_to` (habit 5)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet

from lapor.core import clock
from lapor.core.errors import NotFound, ValidationFailed
from lapor.core.pagination import Page, keyset_page
from lapor.orgs.actors import Actor
from lapor.orgs.models import OrgNode
from lapor.reports.deadlines import calendar_for
from lapor.reports.models import Disposition, Report, ReportEvent, Visibility
from lapor.reports.permissions import reports_visible_to
from lapor.reports.states import OPEN_STATUSES, Status

INBOX_MAX_LIMIT = 100
LIST_FIELDS = (
    "id", "tracking_number", "type", "title", "status", "channel", "is_anonymous",
    "is_confidential", "submitted_at", "staff_due_at",
    "region__code", "region__name",
    "category__code", "category__name_id", "category__name_en",
    "current_node__code", "current_node__name",
)
_JAKARTA = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class InboxFilters:
    status: Sequence[str] | None = None
    overdue: bool | None = None
    due_soon: bool | None = None
    category: str | None = None
    region: str | None = None
    channel: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    include_subtree: bool = False
    # Inbox tab by the stored ``staff_due_at``: "overdue", "today" or "soon" (see due_bounds).
    due: str | None = None


def report_for_staff(actor: Actor, report_id: int) -> Report:
    """A report for the staff view; 404 for anyone who may not read it (never a 403)."""
    report = (
        reports_visible_to(actor)
        .select_related("region", "category", "tier", "agency", "current_node", "target_agency")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise NotFound("not_found")
    return report


def report_by_tracking(tracking_number: str) -> Report:
    """A report by tracking number (public tracking, reporter pages); a training space's
    practice report is unknown here, as anywhere public (lapor.training)."""
    report = (
        Report.objects.filter(is_training=False)
        .select_related("region", "category", "agency", "current_node")
        .filter(tracking_number=tracking_number)
        .first()
    )
    if report is None:
        raise NotFound("not_found")
    return report


def report_events(report: Report, *, visibilities: Collection[str]) -> list[ReportEvent]:
    return list(
        ReportEvent.objects.filter(report=report, visibility__in=visibilities)
        .select_related("actor_node", "actor")
        .order_by("created_at", "id")
    )


STAFF_VISIBILITIES = {Visibility.PUBLIC, Visibility.REPORTER, Visibility.INTERNAL}
REPORTER_VISIBILITIES = {Visibility.PUBLIC, Visibility.REPORTER}
PUBLIC_VISIBILITIES = {Visibility.PUBLIC}


def report_dispositions(report: Report) -> list[Disposition]:
    return list(
        Disposition.objects.filter(report=report).select_related("node", "disposed_from")
        .order_by("created_at", "id")
    )


DUE_SOON_WORKING_DAYS = 2
DUE_TABS = ("overdue", "today", "soon")


@dataclass(frozen=True)
class DueBounds:
    """Moments that split the stored deadlines into inbox tabs (UTC, aware)."""

    now: datetime
    end_of_today: datetime  # 23:59:59 local of today, in the node's agency calendar
    soon_until: datetime  # end of the DUE_SOON_WORKING_DAYS-th working day after today


def due_bounds(node: OrgNode, *, now: datetime | None = None) -> DueBounds:
    now = now or clock.now()
    calendar = calendar_for(node, around=now)
    return DueBounds(now=now, end_of_today=calendar.deadline(now, 0),
                     soon_until=calendar.deadline(now, DUE_SOON_WORKING_DAYS))


def _due_q(tab: str, bounds: DueBounds) -> Q:
    """Overdue: past the stored deadline. Today: due before the end of today (local). Soon:
    due after today, within the next ``DUE_SOON_WORKING_DAYS`` working days."""
    if tab == "overdue":
        return Q(staff_due_at__lt=bounds.now)
    if tab == "today":
        return Q(staff_due_at__gte=bounds.now, staff_due_at__lte=bounds.end_of_today)
    if tab == "soon":
        return Q(staff_due_at__gt=bounds.end_of_today, staff_due_at__lte=bounds.soon_until)
    raise ValidationFailed("validation_error", field="due")


def _inbox_scope(actor: Actor, *, node: OrgNode, filters: InboxFilters) -> QuerySet[Report]:
    """Every report of the inbox of ``node`` matching ``filters`` except the due tab."""
    qs: QuerySet[Report] = reports_visible_to(actor)
    if filters.include_subtree:
        qs = qs.filter(current_node__path__startswith=node.path)
    else:
        qs = qs.filter(current_node=node)
    statuses = filters.status or sorted(OPEN_STATUSES)
    unknown = set(statuses) - set(Status.values)
    if unknown:
        raise ValidationFailed("validation_error", field="status")
    qs = qs.filter(status__in=statuses)
    if filters.category:
        qs = qs.filter(
            Q(category__code=filters.category) | Q(category__parent__code=filters.category)
        )
    if filters.region:
        # ``region_id__startswith`` is refused by Django 6 on a foreign key: go through the code.
        qs = qs.filter(region__code__startswith=filters.region)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.date_from:
        qs = qs.filter(submitted_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        qs = qs.filter(submitted_at__lt=_start_of(filters.date_to + timedelta(days=1)))
    return qs


def inbox(
    actor: Actor,
    *,
    node: OrgNode,
    filters: InboxFilters,
    cursor: str | None,
    limit: int,
    bounds: DueBounds | None = None,
) -> Page[Report]:
    """Reports sitting at ``node`` (or in its subtree), newest first, keyset-paginated.

    Open statuses only unless ``filters.status`` names others. ``overdue`` and ``due_soon``
    compare the stored ``staff_due_at`` with now and with the end of the next working day of
    the node's agency calendar; ``due`` picks one inbox tab (see :func:`_due_q`).
    """
    if not 1 <= limit <= INBOX_MAX_LIMIT:
        raise ValidationFailed("validation_error", field="limit")
    qs = _inbox_scope(actor, node=node, filters=filters)
    now = clock.now()
    if filters.overdue is not None:
        qs = qs.filter(staff_due_at__lt=now) if filters.overdue else qs.exclude(
            staff_due_at__lt=now
        )
    if filters.due_soon:
        soon = calendar_for(node, around=now).deadline(now, 1)
        qs = qs.filter(staff_due_at__gte=now, staff_due_at__lte=soon)
    if filters.due:
        qs = qs.filter(_due_q(filters.due, bounds or due_bounds(node, now=now)))
    # Only what a list row shows: no bodies, no deadlines but the holder's.
    qs = qs.select_related("region", "category", "current_node").only(*LIST_FIELDS)
    return keyset_page(qs, field="submitted_at", cursor=cursor, limit=limit)


def inbox_counts(
    actor: Actor, node: OrgNode, filters: InboxFilters, *, bounds: DueBounds | None = None
) -> dict[str, int]:
    """How many reports each inbox tab holds ("all" and :data:`DUE_TABS`), from the stored
    deadlines, in one aggregate query (``filters.due`` is ignored: every tab is counted)."""
    bounds = bounds or due_bounds(node)
    qs = _inbox_scope(actor, node=node, filters=filters)
    return qs.aggregate(
        all=Count("pk"),
        **{tab: Count("pk", filter=_due_q(tab, bounds)) for tab in DUE_TABS},
    )


def _start_of(day: date) -> datetime:
    # Date filters are calendar days in Jakarta time, the national reference.
    return datetime.combine(day, time.min, tzinfo=_JAKARTA)

"""Reads over reports. Staff reads start from :func:`reports_visible_to` (habit 5)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from lapor.core import clock
from lapor.core.errors import NotFound, ValidationFailed
from lapor.core.pagination import Page, keyset_page
from lapor.core.precompiled import Precompiled
from lapor.orgs.actors import Actor
from lapor.orgs.models import OrgNode
from lapor.reports.deadlines import calendar_for
from lapor.reports.models import Disposition, Report, ReportEvent, Visibility
from lapor.reports.permissions import reports_visible_to
from lapor.reports.states import OPEN_STATUSES, Status
from lapor.workdays.due import DUE_ORDER, RUNNING, Due, DueBounds
from lapor.workdays.due import due_bounds as workdays_due_bounds

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
    # Inbox tab by the stored ``staff_due_at``: "overdue", "today" or "soon" (lapor.workdays.due).
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


# What a public look-up reads of the report (issue #21): the public view's fields, what the
# portal asks to know whether the browser is the reporter, and the parts of its public
# version (lapor.reports.presenters.public_version). ``last_event_id`` is the newest event of
# any visibility: a new event (a follow-up, a message, a system note) changes it.
LOOKUP_FIELDS = (
    "id", "tracking_number", "type", "status", "submitted_at", "is_confidential",
    "is_training", "region_id", "agency_id", "current_node_id", "reporter_user_id",
    "version", "updated_at",
)
# In the model's column order, as Model.from_db takes a subset of the fields.
_LOOKUP_COLUMNS = [f.attname for f in Report._meta.concrete_fields if f.attname in LOOKUP_FIELDS]
_LOOKUP = Precompiled(Report, lambda number: (
    Report.objects.filter(is_training=False, tracking_number=number)
    .annotate(last_event_id=Subquery(
        ReportEvent.objects.filter(report=OuterRef("pk")).order_by("-id").values("id")[:1]))
    .values_list(*_LOOKUP_COLUMNS, "last_event_id")[:1]))


def report_for_lookup(tracking_number: str) -> Report:
    """The report a public tracking look-up shows, in one precompiled query without joins:
    only :data:`LOOKUP_FIELDS` (and ``last_event_id``) are loaded; any other field is read
    from the database when first used, so callers that show more (the reporter's whole view)
    use :func:`report_by_tracking`. A training space's practice report is unknown here."""
    rows = _LOOKUP.rows(tracking_number)
    if not rows:
        raise NotFound("not_found")
    *values, last_event_id = rows[0]
    report = Report.from_db(Report.objects.db, _LOOKUP_COLUMNS, values)
    report.last_event_id = last_event_id  # type: ignore[attr-defined]
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


# The inbox tabs besides "all", in the words of lapor.workdays.due.
DUE_TABS = tuple(d.value for d in DUE_ORDER)


def due_bounds(node: OrgNode, *, now: datetime | None = None) -> DueBounds:
    """The due classes at ``now`` on the calendar of ``node``'s agency (lapor.workdays.due)."""
    now = now or clock.now()
    return workdays_due_bounds(calendar_for(node, around=now), now)


def _due_q(tab: str, bounds: DueBounds) -> Q:
    """One inbox tab (overdue / today / soon), as :mod:`lapor.workdays.due` defines it."""
    if tab not in DUE_TABS:
        raise ValidationFailed("validation_error", field="due")
    return Q(**bounds.lookups(Due(tab)))


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

    Open statuses only unless ``filters.status`` names others. ``overdue``, ``due_soon`` (due
    today or soon) and ``due`` (one inbox tab) read the stored ``staff_due_at`` with the words
    of :mod:`lapor.workdays.due` on the node's agency calendar.
    """
    if not 1 <= limit <= INBOX_MAX_LIMIT:
        raise ValidationFailed("validation_error", field="limit")
    qs = _inbox_scope(actor, node=node, filters=filters)
    if filters.overdue is not None or filters.due_soon or filters.due:
        at = bounds or due_bounds(node)
        if filters.overdue is not None:
            overdue = Q(**at.lookups(Due.OVERDUE))
            qs = qs.filter(overdue) if filters.overdue else qs.exclude(overdue)
        if filters.due_soon:
            qs = qs.filter(**at.lookups(RUNNING))
        if filters.due:
            qs = qs.filter(_due_q(filters.due, at))
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

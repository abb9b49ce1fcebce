"""Dashboard reads: every figure of a node's subtree from that node's own counters.

No report is scanned here: the breakdowns, rates and trends sum at most (months × values)
rows of :class:`StatCell`; the ranking reads the children's cells; the overdue list is an
index range over the open facts of the subtree's nodes. Training reports have no fact and so
are in no figure.

Pages stay bounded at national scale (issue #21): the long tables (units, regions,
categories) carry their top :data:`TOP_N` rows, with the full table behind
:func:`table_page` (paged) and the exports; the region table aggregates one level of the
Kemendagri code at a time (provinces, then a province's regencies, then a regency's
districts), descending by itself while a single region holds everything (so an agency of
one regency shows its districts at once).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Left

from lapor.categories.models import Category
from lapor.core import clock
from lapor.core.errors import ValidationFailed
from lapor.core.language import ENGLISH, active_language
from lapor.orgs.actors import READER_ROLES, Actor, ActorKind
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.selectors import node_root
from lapor.regions.models import Region
from lapor.reports.feed import FOLLOWED_UP_STATUSES, PublicStats, public_stats
from lapor.stats.facts import Calendars
from lapor.stats.figures import Figures, empty, nearest_rank, summed
from lapor.stats.labels import CHANNEL_LABELS, STATUS_LABELS, TYPE_LABELS
from lapor.stats.models import MEASURES, REGION_DIMS, ReportFact, StatCell, StatsState

MAX_MONTHS = 36
DEFAULT_MONTHS = 12
BREAKDOWNS = ("status", "category", "channel", "type", "region")
OVERDUE_LIMIT = 20
# The long tables of a page show their top rows; "show all" pages them.
TOP_N = 15
PAGE_SIZE = 50
LONG_TABLES = ("units", "region", "category")
# Sort orders of a long table: the measure it is ranked by.
SORTS = ("rank", "reports", "followup_rate", "overdue")
# Width of a region code per level: province "64", regency "64.08", district "64.08.04".
REGION_WIDTHS = (2, 5, 8)
REGION_CODE = r"^\d{2}(\.\d{2}){0,2}$"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    figures: Figures


@dataclass(frozen=True)
class Period:
    start: date  # first day of the first month
    end: date  # first day of the last month (inclusive)

    @property
    def last_day(self) -> date:
        following = (self.end.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)

    def months(self) -> list[date]:
        out, month = [], self.start
        while month <= self.end:
            out.append(month)
            month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        return out

    @property
    def query(self) -> str:
        return f"from={self.start:%Y-%m}&to={self.end:%Y-%m}"


@dataclass
class Dashboard:
    node: OrgNode
    period: Period
    totals: Figures
    followup_median: int | None
    followup_p90: int | None
    tables: dict[str, list[Row]] = field(default_factory=dict)
    months: list[Row] = field(default_factory=list)
    weeks: list[Row] = field(default_factory=list)
    units: list[Row] = field(default_factory=list)
    overdue_now: int = 0
    # Rows of each long table before the top-N cut (units, region, category).
    counts: dict[str, int] = field(default_factory=dict)
    region: RegionLevelView | None = None


@dataclass(frozen=True)
class RegionLevelView:
    """Where the region table stands: the rows are the regions one level below ``parent``
    ("" = the provinces); ``trail`` is (code, name) from the province down to ``parent``;
    ``drill`` says whether a row links one level further down."""

    parent: str
    level: int  # 1 province, 2 regency, 3 district (RegionLevel)
    trail: tuple[tuple[str, str], ...]
    drill: bool


@dataclass(frozen=True)
class TablePage:
    table: str
    rows: list[Row]
    count: int
    page: int
    pages: int
    sort: str
    region: RegionLevelView | None


def _month(value: str, name: str) -> date:
    try:
        parsed = datetime.strptime(value, "%Y-%m")  # noqa: DTZ007  (a calendar month, no time)
    except ValueError as exc:
        raise ValidationFailed("validation_error", field=name) from exc
    if parsed.year < 2000:
        raise ValidationFailed("validation_error", field=name)
    return parsed.date()


def period_from(start: str | None, end: str | None, *, today: date | None = None) -> Period:
    """The month range of ``from``/``to`` (``YYYY-MM``); by default the last 12 months."""
    today = today or clock.now().date()
    last = _month(end, "to") if end else today.replace(day=1)
    if start:
        first = _month(start, "from")
    else:
        first = last
        for _ in range(DEFAULT_MONTHS - 1):
            first = (first - timedelta(days=1)).replace(day=1)
    period = Period(start=first, end=last)
    if first > last or len(period.months()) > MAX_MONTHS:
        raise ValidationFailed("validation_error", field="from")
    return period


# ---------------------------------------------------------------- access


def stats_nodes_for(actor: Actor) -> list[OrgNode]:
    """The nodes whose dashboards ``actor`` may open at the top: its reading roles' nodes.
    (Every node below them too, see :func:`may_view`.)"""
    if actor.kind != ActorKind.STAFF:
        return []
    ids = {a.node_id for a in actor.assignments if a.role in READER_ROLES}
    return list(OrgNode.objects.filter(pk__in=ids, is_active=True).order_by("depth", "name"))


def may_view(actor: Actor, node: OrgNode) -> bool:
    return actor.kind == ActorKind.STAFF and any(
        a.role in READER_ROLES and node.path.startswith(a.node_path) for a in actor.assignments)


def is_public_node(node: OrgNode) -> bool:
    """Public statistics exist for the national total and for each real agency; never for a
    training space (lapor.training: its agency is the root of a ``TrainingSpace``)."""
    if node.kind == NodeKind.ROOT:
        return True
    if node.kind != NodeKind.AGENCY or not node.is_active:
        return False
    if apps.is_installed("lapor.training"):
        return OrgNode.objects.filter(pk=node.pk, training_space__isnull=True).exists()
    return True


def public_agencies() -> list[OrgNode]:
    """The agencies listed on the public statistics page."""
    qs = OrgNode.objects.filter(kind=NodeKind.AGENCY, is_active=True)
    if apps.is_installed("lapor.training"):
        qs = qs.filter(training_space__isnull=True)
    return list(qs.order_by("name"))


# ---------------------------------------------------------------- labels


def _labels(dim: str, keys: list[str]) -> dict[str, str]:
    if dim == "status":
        return {k: str(STATUS_LABELS.get(k, k)) for k in keys}
    if dim == "type":
        return {k: str(TYPE_LABELS.get(k, k)) for k in keys}
    if dim == "channel":
        return {k: str(CHANNEL_LABELS.get(k, k)) for k in keys}
    if dim == "category":
        english = active_language() == ENGLISH
        names = {str(c.pk): (c.name_en if english else c.name_id)
                 for c in Category.objects.filter(pk__in=[int(k) for k in keys if k])}
        return {k: names.get(k, "—") for k in keys}
    if dim == "region":
        names = dict(Region.objects.filter(code__in=keys).values_list("code", "name"))
        return {k: names.get(k, k or "—") for k in keys}
    return {k: k for k in keys}


def _measures(row: Any) -> dict[str, int]:
    return {name: row[name] for name in MEASURES}


def _rows(dim: str, grouped: dict[str, dict[str, int]]) -> list[Row]:
    labels = _labels(dim, list(grouped))
    rows = [Row(key=k, label=labels[k], figures=Figures.of(m)) for k, m in grouped.items()
            if m["reports"] > 0]
    return sorted(rows, key=lambda r: (-r.figures.reports, r.label))


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _ranking_key(row: Row) -> tuple[Any, ...]:
    f = row.figures
    return (f.followup_rate is None, -(f.followup_rate or 0), -(f.followed_up_share or 0),
            -f.reports, row.label)


def _sums() -> dict[str, Sum]:
    return {name: Sum(name) for name in MEASURES}


def _cells(node: OrgNode, period: Period) -> QuerySet[StatCell]:
    """``node``'s month cells of ``period`` (the ``statcell_key`` index: node, dim, period)."""
    return StatCell.objects.filter(node=node, period__gte=period.start, period__lte=period.end)


def _sorted(rows: list[Row], sort: str) -> list[Row]:
    if sort == "rank":
        return sorted(rows, key=_ranking_key)
    if sort == "followup_rate":
        return sorted(rows, key=lambda r: (r.figures.followup_rate is None,
                                           -(r.figures.followup_rate or 0),
                                           -r.figures.reports, r.label))
    if sort == "overdue":
        return sorted(rows, key=lambda r: (-r.figures.overdue, -r.figures.reports, r.label))
    return sorted(rows, key=lambda r: (-r.figures.reports, r.label))


def default_sort(table: str) -> str:
    return "rank" if table == "units" else "reports"


# ---------------------------------------------------------------- regions


def region_level_of(parent: str) -> int:
    """The level of the rows below ``parent``: provinces below "", regencies below a
    province, districts below a regency (and below a district: that district)."""
    return {0: 1, 2: 2}.get(len(parent), 3)


def _region_grouped(node: OrgNode, period: Period, parent: str) -> dict[str, dict[str, int]]:
    """The region cells of ``node`` summed one level below ``parent`` (in SQL: at most one
    row per region of that level leaves the database). The provinces and a province's
    regencies read their own counters (:data:`REGION_DIMS`: 38 or 514 rows a month at the
    root, whatever the number of districts); a regency's districts, the district cells."""
    level = region_level_of(parent)
    if level <= len(REGION_DIMS):
        qs = _cells(node, period).filter(dim=REGION_DIMS[level - 1][0])
        key: Any = F("value")
    else:
        qs = _cells(node, period).filter(dim="region")
        key = Left("value", REGION_WIDTHS[level - 1])
    if parent:
        qs = qs.filter(Q(value=parent) | Q(value__startswith=parent + "."))
    grouped = qs.annotate(key=key).values("key").annotate(**_sums()).order_by()
    return {r["key"]: m for r in grouped if (m := _measures(r))["reports"] > 0}


def _region_rows(node: OrgNode, period: Period, parent: str | None,
                 ) -> tuple[RegionLevelView, list[Row]]:
    """The region table one level below ``parent``; ``None``: from the top, descending while
    a single region holds every report."""
    auto = parent is None
    current = parent or ""
    grouped = _region_grouped(node, period, current)
    while auto and len(grouped) == 1:
        only = next(iter(grouped))
        if not only or len(only) <= len(current) or len(only) >= REGION_WIDTHS[-1]:
            break
        current = only
        grouped = _region_grouped(node, period, current)
    prefixes = [current[:w] for w in REGION_WIDTHS if w <= len(current)]
    names = dict(Region.objects.filter(code__in=prefixes).values_list("code", "name"))
    level = region_level_of(current)
    view = RegionLevelView(parent=current, level=level,
                           trail=tuple((c, names.get(c, c)) for c in prefixes),
                           drill=level < len(REGION_WIDTHS))
    return view, _rows("region", grouped)


# ---------------------------------------------------------------- dashboard


def _unit_rows(node: OrgNode, period: Period) -> list[Row]:
    below = OrgNode.objects.filter(parent=node, is_active=True)
    children = {c.pk: c for c in below.only("pk", "code", "name")}
    # A subquery, not a list of ids: one nested loop over the children's statcell_key ranges.
    unit_rows = (StatCell.objects.filter(node_id__in=below.values("pk"), dim="all",
                                         period__gte=period.start, period__lte=period.end)
                 .values("node_id").annotate(**_sums()).order_by())
    return [Row(key=children[r["node_id"]].code, label=children[r["node_id"]].name,
                figures=Figures.of(m)) for r in unit_rows if (m := _measures(r))["reports"]]


def _category_rows(node: OrgNode, period: Period) -> list[Row]:
    cells = (_cells(node, period).filter(dim="category").values("value").annotate(**_sums())
             .order_by())
    return _rows("category", {c["value"]: _measures(c) for c in cells})


def dashboard(node: OrgNode, period: Period, *, top: int | None = TOP_N,
              region: str | None = None, detail: bool = False) -> Dashboard:
    """Every figure of ``node``'s subtree for reports submitted within ``period``.

    The long tables (:data:`LONG_TABLES`) keep their first ``top`` rows (``None``: all);
    ``board.counts`` says how many there are. The region table is one level below
    ``region`` (``None``: from the top, see :func:`_region_rows`); ``detail`` instead lists
    every district as stored (the exports).
    """
    short = [d for d in BREAKDOWNS if d not in ("region", "category")]
    if detail:
        short.append("region")
    month_cells = (_cells(node, period).filter(dim__in=["all", "fu_days", *short])
                   .values("dim", "value").annotate(**_sums()).order_by())
    by_dim: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for row in month_cells:
        by_dim[row["dim"]][row["value"]] = _measures(row)
    totals = by_dim.get("all", {}).get("", empty())
    histogram = {int(k): m["reports"] for k, m in by_dim.get("fu_days", {}).items()}
    board = Dashboard(
        node=node, period=period, totals=Figures.of(totals),
        followup_median=nearest_rank(histogram, 0.5),
        followup_p90=nearest_rank(histogram, 0.9),
    )
    tables = {dim: _rows(dim, by_dim.get(dim, {})) for dim in short}
    tables["category"] = _category_rows(node, period)
    if not detail:
        board.region, tables["region"] = _region_rows(node, period, region)
    board.units = _sorted(_unit_rows(node, period), "rank")
    board.counts = {"units": len(board.units), "region": len(tables["region"]),
                    "category": len(tables["category"])}
    if top is not None:
        board.units = board.units[:top]
        for dim in ("region", "category"):
            tables[dim] = tables[dim][:top]
    board.tables = {dim: tables[dim] for dim in BREAKDOWNS}
    # Trends.
    monthly = {c["period"]: c for c in StatCell.objects.filter(
        node=node, dim="all", period__gte=period.start, period__lte=period.end,
    ).values("period", *MEASURES)}
    board.months = [
        Row(key=f"{m:%Y-%m}", label=f"{m:%m/%Y}", figures=Figures.of(
            _measures(monthly[m]) if m in monthly else empty()))
        for m in period.months()]
    weekly: dict[date, list[dict[str, int]]] = defaultdict(list)
    for cell in StatCell.objects.filter(node=node, dim="day", period__gte=period.start,
                                        period__lte=period.last_day).values("period", *MEASURES):
        weekly[_week_start(cell["period"])].append(_measures(cell))
    board.weeks = [Row(key=f"{w:%Y-%m-%d}", label=f"{w:%d/%m/%Y}",
                       figures=Figures.of(summed(weekly[w]))) for w in sorted(weekly)]
    overdue = StatCell.objects.filter(node=node, dim="all").aggregate(n=Sum("overdue"))["n"]
    board.overdue_now = overdue or 0
    return board


def counters_version() -> str | None:
    """Changes whenever the counters may have: every refresh and rebuild moves
    ``refreshed_at`` in the transaction that writes them. ``None`` before the first one."""
    state = StatsState.objects.filter(pk=1).values_list(
        "refreshed_at", "rebuilt_at", "last_event_id").first()
    if state is None or state[0] is None:
        return None
    return f"{state[0].timestamp()}:{state[1] and state[1].timestamp()}:{state[2]}"


def cached_dashboard(node: OrgNode, period: Period, *, top: int | None = TOP_N,
                     region: str | None = None) -> Dashboard:
    """:func:`dashboard`, kept in the process cache for ``LAPOR_STATS_CACHE_SECONDS`` under
    the counters' version: a refresh or a rebuild makes a new key, so a figure is never
    older than the counters (which follow the reports within about a minute). The pages and
    the API read this; the exports and the PDF compute afresh."""
    seconds = settings.LAPOR_STATS_CACHE_SECONDS
    version = counters_version() if seconds else None
    if version is None:
        return dashboard(node, period, top=top, region=region)
    # Labels are translated when the board is built: the language is part of the key.
    key = f"stats:board:{node.pk}:{period.query}:{top}:{region}:{active_language()}:{version}"
    board = cache.get(key)
    if board is None:
        board = dashboard(node, period, top=top, region=region)
        cache.set(key, board, seconds)
    return board


def table_page(node: OrgNode, period: Period, table: str, *, region: str | None = None,
               sort: str | None = None, page: int = 1, size: int = PAGE_SIZE,
               small_last: int = 0) -> TablePage:
    """One page of a long table ("show all"): ``units``, ``region`` (one level below
    ``region``, as on the dashboard) or ``category``, ordered by ``sort`` (default: the
    units by compliance, the others by volume). ``small_last``: rows under that many
    reports go last, by name, whatever the order (the public view: a suppressed row's
    place must not tell its hidden rate). A page past the end is the last page."""
    if table not in LONG_TABLES:
        raise ValidationFailed("validation_error", field="table")
    sort = sort or default_sort(table)
    if sort not in SORTS:
        raise ValidationFailed("validation_error", field="sort")
    view = None
    if table == "units":
        rows = _unit_rows(node, period)
    elif table == "region":
        view, rows = _region_rows(node, period, region)
    else:
        rows = _category_rows(node, period)
    rows = _sorted(rows, sort)
    if small_last:
        rows = ([r for r in rows if r.figures.reports >= small_last]
                + sorted((r for r in rows if r.figures.reports < small_last),
                         key=lambda r: r.label))
    pages = max(1, -(-len(rows) // size))
    page = min(max(page, 1), pages)
    return TablePage(table=table, rows=rows[(page - 1) * size: page * size], count=len(rows),
                     page=page, pages=pages, sort=sort, region=view)


@dataclass(frozen=True)
class OverdueItem:
    report_id: int
    tracking_number: str
    title: str
    status: str
    status_label: str
    node_name: str
    staff_due_at: datetime
    working_days_late: int


# Up to this many nodes, the overdue list walks each node's own index range (fact_node_due)
# instead of the national one (fact_open_due): a unit's few overdue reports are not found by
# reading the whole country's, longest overdue first, until twenty of them are the unit's.
SMALL_SUBTREE = 300


def _longest_overdue(node_ids: list[int], now: datetime, limit: int) -> list[int]:
    """The ``limit`` longest-overdue open facts of ``node_ids``: per node, the first
    ``limit`` of its ``fact_node_due`` range, merged (PostgreSQL: a LATERAL join)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.report_id FROM unnest(%s::bigint[]) AS n(id) CROSS JOIN LATERAL ("
            " SELECT report_id, staff_due_at FROM stats_reportfact"
            " WHERE node_id = n.id AND is_open AND staff_due_at < %s"
            " ORDER BY staff_due_at, report_id LIMIT %s) f"
            " ORDER BY f.staff_due_at, f.report_id LIMIT %s",
            [node_ids, now, limit, limit])
        return [row[0] for row in cursor.fetchall()]


def overdue_list(node: OrgNode, *, limit: int = OVERDUE_LIMIT) -> list[OverdueItem]:
    """The longest-overdue open reports of ``node``'s subtree (``staff_due_at < now``).

    Staff only: titles are report content. Callers check :func:`may_view` first.
    """
    now = clock.now()
    subtree = OrgNode.objects.filter(path__startswith=node.path).values("pk")
    facts = ReportFact.objects.filter(is_open=True, staff_due_at__lt=now)
    ids = list(subtree.values_list("pk", flat=True)[:SMALL_SUBTREE + 1])
    if connection.vendor == "postgresql" and len(ids) <= SMALL_SUBTREE:
        facts = facts.filter(report_id__in=_longest_overdue(ids, now, limit))
    else:
        facts = facts.filter(node_id__in=subtree)
    rows = list(facts.order_by("staff_due_at", "report_id")
                .values("report_id", "report__tracking_number", "report__title", "status",
                        "node_id", "node__name", "staff_due_at")[:limit])
    calendars = Calendars(only={r["node_id"] for r in rows})
    items = []
    for r in rows:
        due = r["staff_due_at"]
        assert due is not None  # noqa: S101  (narrowing: filtered on staff_due_at < now)
        owner = calendars.node(r["node_id"]).owner_id
        calendar = calendars.calendar(owner, now.year)
        items.append(OverdueItem(
            report_id=r["report_id"], tracking_number=r["report__tracking_number"],
            title=r["report__title"], status=r["status"],
            status_label=str(STATUS_LABELS.get(r["status"], r["status"])),
            node_name=r["node__name"], staff_due_at=due,
            working_days_late=calendar.working_days_used(due, now)))
    return items


def home_figures() -> PublicStats:
    """The public home page's figures from the counters the worker keeps: the national root's
    status cells and, per agency, whether it has any report (an index probe each), so the
    page costs the same at ten reports or ten million. Until the first refresh has run (a
    new installation), the live aggregate over the reports (:func:`feed.public_stats`).
    Confidential reports are counted (a count reveals nothing); practice reports never are."""
    if not StatsState.objects.filter(refreshed_at__isnull=False).exists():
        return public_stats()
    by_status = dict(StatCell.objects.filter(node=node_root(), dim="status")
                     .values("value").annotate(n=Sum("reports")).values_list("value", "n"))
    agencies = OrgNode.objects.filter(kind=NodeKind.AGENCY, training_space__isnull=True).filter(
        Exists(StatCell.objects.filter(node=OuterRef("pk"), dim="all", reports__gt=0))).count()
    return PublicStats(total=sum(by_status.values()),
                       followed_up=sum(by_status.get(s, 0) for s in FOLLOWED_UP_STATUSES),
                       active_agencies=agencies)


def counters_by_node(node_ids: list[int], *, first_day: date, last_day: date,
                     ) -> dict[int, dict[str, int]]:
    """The summed counters (:data:`MEASURES`; :meth:`Figures.of` makes the figures) of each
    node's subtree for reports submitted from ``first_day`` to
    ``last_day`` (local days, inclusive), from the nodes' own day cells: the same counters and
    definitions as the dashboards, for a window that is not whole months (lapor.renaksi's
    last 90 days). One query whatever the number of nodes; a node without a report is
    missing."""
    rows = (StatCell.objects.filter(node_id__in=node_ids, dim="day", period__gte=first_day,
                                    period__lte=last_day)
            .values("node_id").annotate(**_sums()).order_by())
    return {r["node_id"]: m for r in rows if (m := _measures(r))["reports"]}


def overdue_by_node(node_ids: list[int]) -> dict[int, int]:
    """Each node's subtree's open reports past their staff deadline now (the dashboards'
    "overdue now", :attr:`Dashboard.overdue_now`). One query; nodes with none are missing."""
    rows = (StatCell.objects.filter(node_id__in=node_ids, dim="all", overdue__gt=0)
            .values("node_id").annotate(n=Sum("overdue")).order_by())
    return {r["node_id"]: r["n"] for r in rows if r["n"]}

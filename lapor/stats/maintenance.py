"""Keeping the summary tables current: incremental refresh and full rebuild.

The refresh (every minute, by the worker's scheduler; ``lapor stats refresh`` by hand) reads
the report events appended since its watermark and the facts whose deadline has just passed,
recomputes those reports' facts, and applies the difference (old contribution out, new one in)
to the counters of the report's node and every ancestor. It never scans the report table.

The rebuild (``lapor stats rebuild``) recomputes every fact and counter from the reports: the
recovery path, and the step after rows were written around the services (bulk loads).

Both hold the :class:`StatsState` row lock, so two workers never apply the same change twice.
Training reports (``Report.is_training``) never get a fact.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce

from lapor.core import clock
from lapor.reports.models import Report, ReportEvent
from lapor.reports.states import Action
from lapor.stats.facts import FACT_FIELDS, REPORT_FIELDS, Calendars, compute_fact
from lapor.stats.models import MEASURES, ReportFact, StatCell, StatsState, StepState

logger = logging.getLogger(__name__)

type CellKey = tuple[int, str, date, str]  # node, dim, period, value
type Vector = list[int]

EVENT_BATCH = 5_000
FACT_BATCH = 2_000
REBUILD_BATCH = 5_000
# Events younger than this are read again by the next refresh: a transaction that committed
# after a later one (ids are handed out before commit) is never skipped.
EVENT_LAG = timedelta(minutes=2)
# Breakdown dimensions kept per month: (dim, fact field).
MONTH_DIMS = (("all", None), ("status", "status"), ("category", "category_id"),
              ("channel", "channel"), ("type", "type"), ("region", "region"),
              ("fu_days", "followup_days"))


def _ancestors(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _vector(fact: dict[str, Any]) -> Vector:
    verify, followup, resolution = fact["verify"], fact["followup"], fact["resolution"]
    rating = fact["rating"]
    values = {
        "reports": 1,
        "verify_on_time": verify == StepState.ON_TIME,
        "verify_late": verify == StepState.LATE,
        "verify_overdue": verify == StepState.OVERDUE,
        "followup_eligible": fact["followup_eligible"],
        "followup_on_time": followup == StepState.ON_TIME,
        "followup_late": followup == StepState.LATE,
        "followup_overdue": followup == StepState.OVERDUE,
        "resolution_on_time": resolution == StepState.ON_TIME,
        "resolution_late": resolution == StepState.LATE,
        "resolution_overdue": resolution == StepState.OVERDUE,
        "responded": fact["responded"],
        "reopened": fact["reopened"],
        "rated": rating is not None,
        "rating_sum": rating or 0,
        "overdue": fact["overdue"],
    }
    return [int(values[name]) for name in MEASURES]


def _dim_value(fact: dict[str, Any], field: str | None) -> str | None:
    if field is None:
        return ""
    value = fact[field]
    if field == "followup_days" and value is None:
        return None  # no follow-up yet: not in the histogram
    return "" if value is None else str(value)


def _contributions(fact: dict[str, Any]) -> Iterable[tuple[CellKey, Vector]]:
    vector = _vector(fact)
    for node_id in _ancestors(fact["node_path"]):
        for dim, field in MONTH_DIMS:
            value = _dim_value(fact, field)
            if value is not None:
                yield (node_id, dim, fact["month"], value), vector
        yield (node_id, "day", fact["day"], ""), vector


def _add(deltas: dict[CellKey, Vector], fact: dict[str, Any], sign: int) -> None:
    for key, vector in _contributions(fact):
        cell = deltas[key]
        for i, v in enumerate(vector):
            cell[i] += sign * v


def _apply(deltas: dict[CellKey, Vector]) -> None:
    """Add ``deltas`` to the counters (caller holds the state lock)."""
    deltas = {k: v for k, v in deltas.items() if any(v)}
    if not deltas:
        return
    pairs = sorted({(node, period) for node, _, period, _ in deltas})
    existing: dict[CellKey, StatCell] = {}
    for start in range(0, len(pairs), 200):
        condition = Q()
        for node, period in pairs[start:start + 200]:
            condition |= Q(node_id=node, period=period)
        for cell in StatCell.objects.filter(condition):
            existing[(cell.node_id, cell.dim, cell.period, cell.value)] = cell
    changed: list[StatCell] = []
    created: list[StatCell] = []
    for key, delta in deltas.items():
        found = existing.get(key)
        if found is None:
            node, dim, period, value = key
            created.append(StatCell(node_id=node, dim=dim, period=period, value=value,
                                    **dict(zip(MEASURES, delta, strict=True))))
            continue
        for name, d in zip(MEASURES, delta, strict=True):
            setattr(found, name, getattr(found, name) + d)
        changed.append(found)
    StatCell.objects.bulk_update(changed, list(MEASURES), batch_size=500)
    StatCell.objects.bulk_create(created, batch_size=500)


def _fact_values(fact: ReportFact) -> dict[str, Any]:
    return {name: getattr(fact, name) for name in FACT_FIELDS}


def _reopened(report_ids: Iterable[int]) -> set[int]:
    return set(ReportEvent.objects.filter(report_id__in=list(report_ids), kind=Action.REOPEN)
               .values_list("report_id", flat=True))


def facts_refresh(report_ids: Iterable[int], *, now: datetime,
                  calendars: Calendars | None = None) -> int:
    """Recompute the facts of ``report_ids`` and move the counters by the difference.
    Returns how many facts changed. The caller holds the state lock."""
    ids = sorted(set(report_ids))
    if not ids:
        return 0
    calendars = calendars or Calendars()
    rows = {r["id"]: r for r in Report.objects.filter(pk__in=ids, is_training=False)
            .values(*REPORT_FIELDS)}
    reopened = _reopened(rows)
    old = {f.report_id: f for f in ReportFact.objects.filter(report_id__in=ids)}
    deltas: dict[CellKey, Vector] = defaultdict(lambda: [0] * len(MEASURES))
    to_create: list[ReportFact] = []
    to_update: list[ReportFact] = []
    to_delete: list[int] = []
    for report_id in ids:
        previous = old.get(report_id)
        previous_values = _fact_values(previous) if previous is not None else None
        row = rows.get(report_id)
        if row is None:
            if previous_values is not None:  # the report is gone: take its share out
                _add(deltas, previous_values, -1)
                to_delete.append(report_id)
            continue
        values = compute_fact(row, reopened=report_id in reopened, now=now,
                              calendars=calendars)
        if values == previous_values:
            continue
        if previous is not None and previous_values is not None:
            _add(deltas, previous_values, -1)
            for name, value in values.items():
                setattr(previous, name, value)
            to_update.append(previous)
        else:
            to_create.append(ReportFact(report_id=report_id, **values))
        _add(deltas, values, +1)
    ReportFact.objects.filter(report_id__in=to_delete).delete()
    ReportFact.objects.bulk_update(to_update, list(FACT_FIELDS), batch_size=500)
    ReportFact.objects.bulk_create(to_create, batch_size=500)
    _apply(deltas)
    return len(to_create) + len(to_update) + len(to_delete)


def _locked_state() -> StatsState:
    StatsState.objects.get_or_create(pk=1)
    return StatsState.objects.select_for_update().get(pk=1)


@dataclass(frozen=True)
class RefreshResult:
    events: int
    due: int
    changed: int


def stats_refresh() -> RefreshResult:
    """One incremental step: new events since the watermark, and facts whose deadline passed."""
    with transaction.atomic():
        state = _locked_state()
        now = clock.now()
        events = list(ReportEvent.objects.filter(pk__gt=state.last_event_id).order_by("pk")
                      .values_list("pk", "report_id", "created_at")[:EVENT_BATCH])
        due = list(ReportFact.objects.filter(next_check_at__lte=now)
                   .order_by("next_check_at").values_list("report_id", flat=True)[:FACT_BATCH])
        changed = facts_refresh([e[1] for e in events] + due, now=now)
        watermark = state.last_event_id
        for event_id, _, created_at in events:
            if created_at > now - EVENT_LAG:
                break
            watermark = event_id
        if len(events) == EVENT_BATCH:
            watermark = events[-1][0]  # a burst: move on rather than re-read the same batch
        state.last_event_id = watermark
        state.refreshed_at = now
        state.save(update_fields=["last_event_id", "refreshed_at"])
    if changed:
        logger.info("stats refresh: events=%d due=%d changed=%d", len(events), len(due), changed)
    return RefreshResult(events=len(events), due=len(due), changed=changed)


def _aggregates() -> dict[str, Any]:
    return {
        "reports": Count("pk"),
        **{f"{step}_{name}": Count("pk", filter=Q(**{step: state}))
           for step in ("verify", "followup", "resolution")
           for name, state in (("on_time", StepState.ON_TIME), ("late", StepState.LATE),
                               ("overdue", StepState.OVERDUE))},
        "followup_eligible": Count("pk", filter=Q(followup_eligible=True)),
        "responded": Count("pk", filter=Q(responded=True)),
        "reopened": Count("pk", filter=Q(reopened=True)),
        "rated": Count("rating"),
        "rating_sum": Coalesce(Sum("rating"), 0),
        "overdue": Count("pk", filter=Q(overdue=True)),
    }


def _cells_from_facts(calendars: Calendars) -> int:
    """Every counter, from the facts: grouped per node in the database, fanned out to the
    ancestors here (the tree is small next to the facts)."""
    totals: dict[CellKey, Vector] = defaultdict(lambda: [0] * len(MEASURES))
    dims = [*MONTH_DIMS, ("day", None)]
    for dim, field in dims:
        period = "day" if dim == "day" else "month"
        group = ["node_id", period] + ([field] if field else [])
        qs = ReportFact.objects.all()
        if field == "followup_days":
            qs = qs.filter(followup_days__isnull=False)
        for row in qs.values(*group).annotate(**_aggregates()).order_by():
            value = "" if field is None or row[field] is None else str(row[field])
            vector = [row[name] for name in MEASURES]
            for node_id in _ancestors(calendars.node(row["node_id"]).path):
                cell = totals[(node_id, dim, row[period], value)]
                for i, v in enumerate(vector):
                    cell[i] += v
    StatCell.objects.bulk_create(
        (StatCell(node_id=n, dim=d, period=p, value=v, **dict(zip(MEASURES, vec, strict=True)))
         for (n, d, p, v), vec in totals.items()),
        batch_size=2_000,
    )
    return len(totals)


@dataclass(frozen=True)
class RebuildResult:
    facts: int
    cells: int


def stats_rebuild(*, progress: Any = None) -> RebuildResult:
    """Recompute every fact and counter from the reports (one transaction)."""
    with transaction.atomic():
        state = _locked_state()
        now = clock.now()
        calendars = Calendars()
        state.last_event_id = ReportEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        StatCell.objects.all().delete()
        ReportFact.objects.all().delete()
        facts = 0
        last_id = 0
        while True:
            rows = list(Report.objects.filter(pk__gt=last_id, is_training=False)
                        .order_by("pk").values(*REPORT_FIELDS)[:REBUILD_BATCH])
            if not rows:
                break
            last_id = rows[-1]["id"]
            reopened = set(ReportEvent.objects.filter(
                report_id__gte=rows[0]["id"], report_id__lte=last_id, kind=Action.REOPEN,
            ).values_list("report_id", flat=True))
            ReportFact.objects.bulk_create(
                [ReportFact(report_id=r["id"], **compute_fact(
                    r, reopened=r["id"] in reopened, now=now, calendars=calendars))
                 for r in rows], batch_size=REBUILD_BATCH)
            facts += len(rows)
            if progress is not None:
                progress(facts)
        cells = _cells_from_facts(calendars)
        state.rebuilt_at = state.refreshed_at = now
        state.save(update_fields=["last_event_id", "rebuilt_at", "refreshed_at"])
    return RebuildResult(facts=facts, cells=cells)

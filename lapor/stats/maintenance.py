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

import dataclasses
import logging
import multiprocessing
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min

from lapor.core import clock
from lapor.reports.models import Report, ReportEvent
from lapor.reports.states import Action
from lapor.stats import workers as rebuild_workers
from lapor.stats.facts import FACT_FIELDS, REPORT_FIELDS, Calendars, compute_fact
from lapor.stats.models import (
    MEASURES,
    REGION_DIMS,
    ReportFact,
    StatCell,
    StatsState,
    StepState,
)
from lapor.stats.ranges import fact_rows

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
        for dim, width in REGION_DIMS:  # the province's and the regency's cells
            yield (node_id, dim, fact["month"], fact["region"][:width]), vector
        yield (node_id, "day", fact["day"], ""), vector


def _add(deltas: dict[CellKey, Vector], fact: dict[str, Any], sign: int) -> None:
    for key, vector in _contributions(fact):
        cell = deltas[key]
        for i, v in enumerate(vector):
            cell[i] += sign * v


def _apply(deltas: dict[CellKey, Vector]) -> None:
    """Add ``deltas`` to the counters (caller holds the state lock).

    One ``INSERT … ON CONFLICT (statcell_key) DO UPDATE SET m = m + excluded.m`` per batch
    (PostgreSQL and SQLite alike): the cells that change are written, nothing is read first.
    Reading every cell of each touched (node, month) to add in Python cost ~0.1 s of CPU per
    changed report at 1,000,000 reports (the root's month has thousands of cells; issue #21).
    """
    rows = [(key, delta) for key, delta in sorted(deltas.items()) if any(delta)]
    if not rows:
        return
    table = connection.ops.quote_name(StatCell._meta.db_table)
    columns = ["node_id", "dim", "period", "value", *MEASURES]
    quoted = [connection.ops.quote_name(c) for c in columns]
    updates = ", ".join(f"{q} = {table}.{q} + excluded.{q}"
                        for q in quoted[4:])
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    adapt = connection.ops.adapt_datefield_value
    # Sorted keys: two writers would take the rows' locks in the same order (the caller's
    # lock already makes the refresh single, this keeps it safe if that ever changes).
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _UPSERT_BATCH):
            batch = rows[start:start + _UPSERT_BATCH]
            params: list[Any] = []
            for (node, dim, period, value), delta in batch:
                params.extend([node, dim, adapt(period), value, *delta])
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(quoted)}) VALUES "  # noqa: S608
                f"{', '.join([row_sql] * len(batch))} "
                f"ON CONFLICT (node_id, dim, period, value) DO UPDATE SET {updates}",
                params)


# Rows per upsert statement: 20 columns each, under SQLite's 32,766 parameters.
_UPSERT_BATCH = 500


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


def _locked_state(*, skip_locked: bool = False) -> StatsState | None:
    """The state row, locked until the transaction ends; ``None`` when ``skip_locked`` and
    another transaction (a rebuild) holds it."""
    StatsState.objects.get_or_create(pk=1)
    return StatsState.objects.select_for_update(skip_locked=skip_locked).filter(pk=1).first()


@dataclass(frozen=True)
class RefreshResult:
    events: int
    due: int
    changed: int


def stats_refresh() -> RefreshResult:
    """One incremental step: new events since the watermark, and facts whose deadline passed."""
    with transaction.atomic():
        state = _locked_state(skip_locked=True)
        if state is None:  # a rebuild is running: it leaves its watermark for the next refresh
            return RefreshResult(events=0, due=0, changed=0)
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


def _write_facts(table: str, facts: list[tuple[Any, ...]]) -> None:
    """Insert fact rows (``report_id`` then :data:`FACT_FIELDS`) into ``table``: COPY on
    PostgreSQL, the ORM elsewhere (``table`` is then the model's own)."""
    if connection.vendor != "postgresql":
        ReportFact.objects.bulk_create(
            [ReportFact(report_id=f[0], **dict(zip(FACT_FIELDS, f[1:], strict=True)))
             for f in facts], batch_size=500)
        return
    columns = ", ".join(("report_id", *FACT_FIELDS))  # the fields' names are their columns
    with connection.cursor() as cursor, \
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for fact in facts:
            copy.write_row(fact)


def _facts_from_reports(table: str, calendars: Calendars, now: datetime, *,
                        workers: int = 1, progress: Any = None) -> int:
    """Every fact, from the reports, in id ranges of :data:`REBUILD_BATCH`, into the empty
    ``table``. With ``workers`` > 1 (PostgreSQL), spawned processes compute the ranges'
    facts from their own connections (committed reports) and this process writes them, in
    order, into its transaction."""
    bounds = Report.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return 0
    ranges = [(low, min(low + REBUILD_BATCH, bounds["high"]))
              for low in range(bounds["low"] - 1, bounds["high"], REBUILD_BATCH)]
    facts = 0
    if workers > 1 and connection.vendor == "postgresql":
        context = multiprocessing.get_context("spawn")
        with context.Pool(workers, initializer=rebuild_workers.start,
                          initargs=(connection.settings_dict["NAME"], now)) as pool:
            for rows in pool.imap(rebuild_workers.rows, ranges):
                _write_facts(table, rows)
                facts += len(rows)
                if progress is not None:
                    progress(facts)
        return facts
    for low, high in ranges:
        rows = fact_rows(low, high, now=now, calendars=calendars)
        _write_facts(table, rows)
        facts += len(rows)
        if progress is not None:
            progress(facts)
    return facts


class _Shadow:
    """A PostgreSQL table rebuilt beside the live one and swapped in at the end of the
    transaction, so readers keep the old rows (MVCC) until the commit instead of waiting
    on a TRUNCATE's lock. The shadow is loaded bare (columns, defaults, NOT NULL and CHECK
    constraints); the live table's indexes, primary and unique keys and foreign keys are
    added once at the end (one sort per index, one join per foreign key, instead of per-row
    index maintenance and per-row foreign-key triggers); its grants are copied. Everything
    is in the caller's transaction: a failure leaves the live table as it was."""

    def __init__(self, model: type[Any]) -> None:
        self.table = model._meta.db_table
        self.name = f"{self.table}_rebuild"

    def create(self, cursor: Any) -> None:
        cursor.execute(f"CREATE TABLE {self.name} (LIKE {self.table} INCLUDING DEFAULTS "
                       "INCLUDING IDENTITY INCLUDING CONSTRAINTS)")

    def swap(self, cursor: Any) -> None:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') "
            "ORDER BY position(contype::text IN 'puf'), conname",
            [self.table])
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class c ON c.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid "
            "AND k.conrelid = x.indrelid) ORDER BY c.relname", [self.table])
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT grantee, privilege_type FROM information_schema.role_table_grants "
            "WHERE table_name = %s AND grantee <> current_user", [self.table])
        grants = cursor.fetchall()
        renames = []
        for n, (name, definition) in enumerate(constraints):
            temporary = f"{self.name}_c{n}"
            cursor.execute(f"ALTER TABLE {self.name} ADD CONSTRAINT {temporary} {definition}")
            renames.append(f"ALTER TABLE {self.table} RENAME CONSTRAINT {temporary} TO {name}")
        for n, (name, definition) in enumerate(indexes):
            temporary = f"{self.name}_i{n}"
            body = re.sub(r"^CREATE (UNIQUE )?INDEX \S+ ON \S+ ",
                          rf"CREATE \1INDEX {temporary} ON {self.name} ", definition)
            cursor.execute(body)
            renames.append(f"ALTER INDEX {temporary} RENAME TO {name}")
        # Foreign-key checks still pending in this transaction would refuse the DROP: run
        # them now (Django's constraints are deferrable, initially deferred).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"DROP TABLE {self.table}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"ALTER TABLE {self.name} RENAME TO {self.table}")
        for statement in renames:
            cursor.execute(statement)
        for grantee, privilege in grants:
            role = "PUBLIC" if grantee == "PUBLIC" else connection.ops.quote_name(grantee)
            cursor.execute(f"GRANT {privilege} ON {self.table} TO {role}")
        cursor.execute(f"ANALYZE {self.table}")


def _measure_sql() -> str:
    """The counters of :data:`MEASURES` as SQL aggregates over facts (same order)."""
    def count_if(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    steps = {f"{step}_{name}": count_if(f"{step} = {int(state)}")
             for step in ("verify", "followup", "resolution")
             for name, state in (("on_time", StepState.ON_TIME), ("late", StepState.LATE),
                                 ("overdue", StepState.OVERDUE))}
    sql = {
        "reports": "COUNT(*)",
        **steps,
        "followup_eligible": count_if("followup_eligible"),
        "responded": count_if("responded"),
        "reopened": count_if("reopened"),
        "rated": "COUNT(rating)",
        "rating_sum": "COALESCE(SUM(rating), 0)",
        "overdue": count_if("overdue"),
    }
    return ", ".join(f"{sql[name]} AS {name}" for name in MEASURES)


def _cells_from_facts(facts: str, cells: str, calendars: Calendars) -> int:
    """Every counter, from the facts, in the database: the facts grouped per node and cell
    (one GROUP BY per dimension), joined to a temporary table of (node, ancestor) pairs and
    summed again per ancestor. Nothing proportional to the facts passes through Python."""
    node_sums = []
    for dim, column in [*MONTH_DIMS, ("day", None)]:  # the fact fields' names are columns
        period = "day" if dim == "day" else "month"
        value = f"COALESCE(CAST({column} AS TEXT), '')" if column else "''"
        where = f" WHERE {column} IS NOT NULL" if column == "followup_days" else ""
        group = ", ".join(["node_id", period, *([column] if column else [])])
        node_sums.append(
            f"SELECT node_id, '{dim}' AS dim, {period} AS period, {value} AS value, "  # noqa: S608
            f"{_measure_sql()} FROM {facts}{where} GROUP BY {group}")
    measures = ", ".join(MEASURES)
    sums = ", ".join(f"SUM(s.{name})" for name in MEASURES)
    pairs = [(node_id, ancestor) for node_id, info in calendars.nodes.items()
             for ancestor in _ancestors(info.path)]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE stats_rebuild_ancestor "
                       "(node_id bigint NOT NULL, ancestor_id bigint NOT NULL)")
        for start in range(0, len(pairs), 500):
            chunk = pairs[start:start + 500]
            cursor.execute("INSERT INTO stats_rebuild_ancestor VALUES "  # noqa: S608
                           + ", ".join(["(%s, %s)"] * len(chunk)),
                           [n for pair in chunk for n in pair])
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE stats_rebuild_ancestor")
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(
            f"INSERT INTO {cells} (node_id, dim, period, value, {measures}) "  # noqa: S608
            f"SELECT a.ancestor_id, s.dim, s.period, s.value, {sums} "
            f"FROM ({' UNION ALL '.join(node_sums)}) s "
            "JOIN stats_rebuild_ancestor a ON a.node_id = s.node_id "
            "GROUP BY a.ancestor_id, s.dim, s.period, s.value")
        count = cursor.rowcount
        cursor.execute("DROP TABLE stats_rebuild_ancestor")
        cursor.execute(region_cells_sql(cells))
        count += cursor.rowcount
    return count


def region_cells_sql(cells: str) -> str:
    """The statement adding the province and regency cells (:data:`REGION_DIMS`) to the
    table ``cells``, summed from its district cells: what the refresh keeps, one row per
    (node, month, code prefix). The rebuild runs it on its shadow table."""
    measures = ", ".join(MEASURES)
    sums = ", ".join(f"SUM({name})" for name in MEASURES)
    selects = [
        f"SELECT node_id, '{dim}', period, SUBSTR(value, 1, {width}), {sums} "  # noqa: S608
        f"FROM {cells} WHERE dim = 'region' GROUP BY node_id, period, SUBSTR(value, 1, {width})"
        for dim, width in REGION_DIMS]
    return (f"INSERT INTO {cells} (node_id, dim, period, value, {measures}) "
            + " UNION ALL ".join(selects))


@dataclass(frozen=True)
class RebuildResult:
    facts: int
    cells: int
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)  # per phase


def stats_rebuild(*, workers: int = 1, progress: Any = None) -> RebuildResult:
    """Recompute every fact and counter from the reports, in one transaction. On PostgreSQL
    both tables are built aside and swapped in at the commit (:class:`_Shadow`), and
    ``workers`` processes may compute the facts; the refresh skips its turns meanwhile and
    catches up from the rebuild's watermark."""
    with transaction.atomic():
        state = _locked_state()
        assert state is not None  # noqa: S101  (waited for, never skipped)
        now = clock.now()
        calendars = Calendars()
        state.last_event_id = ReportEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        shadows: tuple[_Shadow, ...] = ()
        if connection.vendor == "postgresql":
            shadows = (_Shadow(ReportFact), _Shadow(StatCell))
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds
                for shadow in shadows:
                    shadow.create(cursor)
            facts_table, cells_table = (shadow.name for shadow in shadows)
        else:
            StatCell.objects.all().delete()
            ReportFact.objects.all().delete()
            facts_table, cells_table = ReportFact._meta.db_table, StatCell._meta.db_table
        seconds: dict[str, float] = {}
        started = time.monotonic()
        facts = _facts_from_reports(facts_table, calendars, now, workers=workers,
                                    progress=progress)
        seconds["facts"] = time.monotonic() - started
        cells = _cells_from_facts(facts_table, cells_table, calendars)
        seconds["cells"] = time.monotonic() - started - seconds["facts"]
        with connection.cursor() as cursor:
            for shadow in shadows:
                shadow.swap(cursor)
        state.rebuilt_at = state.refreshed_at = now
        state.save(update_fields=["last_event_id", "rebuilt_at", "refreshed_at"])
        seconds["indexes_and_swap"] = time.monotonic() - started - sum(seconds.values())
    seconds["commit"] = time.monotonic() - started - sum(seconds.values())
    return RebuildResult(facts=facts, cells=cells, seconds=seconds)

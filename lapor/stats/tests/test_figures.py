"""Every dashboard figure, computed by hand on the known data set (scenario.py).

Kutai Timur holds A–N (14 reports); S (Samarinda), P (national pool) and the training report
are outside it. At NOW (Mon 27 July 2026, 10:00 WITA; July 2026 has no national holiday):

* verification due Thu 9 July (3 HK after Mon 6 July): A still waits (overdue); D archived
  and E–L, N verified on 6 July (on time); K verified 7 July (on time); M verified 13 July
  (late); B is fresh, C on hold → on time 10 of 12.
* first follow-up due Mon 13 July (5 HK; N: 2 HK, its category's resolution tier, so Wed 8
  July): H, I, L, M same day (0 HK), J after 2 HK (on time), K on 16 July (7 HK after 7 July,
  late), N on 9 July (3 HK, late); E, F, G never (overdue) → 5 on time of 10; 7 of 10
  followed up: "good" (≥ 50 %). Working days: [0, 0, 0, 0, 2, 3, 7] → median 0, p90 7.
* resolution due Fri 24 July (14 HK): E, F, G overdue; H, I, J, M on time; N late (due 8
  July, answered 9 July); K and L (reopened 7 July, new due 27 July) still within → 4 of 8.
* ratings 5 (I), 2 (J), 4 (M) → 11/3; reopened L of 6 responded (H, I, J, L, M, N) → 1/6.
* overdue now: A, E, F, G.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import date
from importlib import import_module
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection, transaction

from lapor.core import clock
from lapor.reports.models import Report
from lapor.stats.maintenance import RefreshResult, facts_refresh, stats_rebuild, stats_refresh
from lapor.stats.models import REGION_DIMS, ReportFact, StatCell, StatsState
from lapor.stats.selectors import dashboard, overdue_list, period_from
from lapor.stats.tests.scenario import NOW, build
from tests.factories import Tree

pytestmark = pytest.mark.django_db
JULY = period_from("2026-07", "2026-07")


def _table(board: object, dim: str) -> dict[str, int]:
    return {row.key: row.figures.reports for row in board.tables[dim]}  # type: ignore[attr-defined]


def test_kutai_timur_figures(tree: Tree) -> None:
    s = build(tree)
    with clock.frozen(NOW):
        stats_refresh()
        board = dashboard(tree.kutim, JULY)
    t = board.totals
    assert t.reports == 14
    assert _table(board, "status") == {"submitted": 2, "on_hold": 1, "archived": 1,
                                       "disposed": 2, "in_progress": 3, "responded": 2,
                                       "closed": 3}
    assert _table(board, "channel") == {"web": 12, "sms": 1, "whatsapp": 1}
    assert _table(board, "type") == {"complaint": 13, "aspiration": 1}
    assert _table(board, "category") == {str(tree.category.pk): 13, str(tree.urgent.pk): 1}
    assert _table(board, "region") == {"64.08.04": 13, "64.08.05": 1}
    labels = {row.key: row.label for row in board.tables["region"]}
    assert labels == {"64.08.04": "Sangatta Utara", "64.08.05": "Sangkulirang"}
    assert t.verify_rate == pytest.approx(10 / 12)
    assert t.followup_eligible == 10
    assert t.followed_up == 7
    assert t.followup_rate == pytest.approx(5 / 10)
    assert t.followed_up_share == pytest.approx(0.7)
    assert t.good is True
    assert t.resolution_rate == pytest.approx(4 / 8)
    assert (board.followup_median, board.followup_p90) == (0, 7)
    assert t.rating_avg == pytest.approx(11 / 3)
    assert t.rated == 3
    assert t.reopened_share == pytest.approx(1 / 6)
    assert t.overdue == 4
    assert board.overdue_now == 4
    # Trends: everything was submitted in the week of 6 July but B (week of 27 July).
    assert [(row.key, row.figures.reports) for row in board.weeks] == [
        ("2026-07-06", 13), ("2026-07-27", 1)]
    assert [(row.key, row.figures.reports) for row in board.months] == [("2026-07", 14)]
    # Ranking of the units below Kutai Timur: PUPR (E–M, F at its Bina Marga) first.
    assert [(row.key, row.figures.reports) for row in board.units] == [
        ("kutim-pupr", 9), ("kutim-dinkes", 1)]
    pupr = board.units[0].figures
    assert pupr.followup_rate == pytest.approx(5 / 9)  # H, I, J, L, M of 9 (K late)
    assert board.units[1].figures.followup_rate == 0.0  # N late
    # The overdue list: the same four, longest overdue first (A's deadline came first).
    with clock.frozen(NOW):
        items = overdue_list(tree.kutim)
    numbers = [item.tracking_number for item in items]
    assert numbers[0] == s.reports["A"].tracking_number
    assert sorted(numbers) == sorted(s.reports[k].tracking_number for k in "AEFG")
    assert items[0].working_days_late == 12  # 9 July → 27 July: 10–24 July (11 HK) + 27th


def test_subtree_and_root(tree: Tree) -> None:
    build(tree)
    with clock.frozen(NOW):
        stats_refresh()
        pupr = dashboard(tree.pupr, JULY)
        root = dashboard(tree.root, JULY)
        samarinda = dashboard(tree.samarinda, JULY)
    # PUPR's subtree holds E–M; F sits at Bina Marga, below it.
    assert pupr.totals.reports == 9
    assert [(row.key, row.figures.reports) for row in pupr.units] == [
        ("kutim-pupr-binamarga", 1)]
    # The root holds everything real: 14 + Samarinda + the national pool; never training.
    assert root.totals.reports == 16
    assert samarinda.totals.reports == 1


def test_training_reports_are_in_no_figure(tree: Tree) -> None:
    s = build(tree)
    with clock.frozen(NOW):
        stats_refresh()
    assert not StatCell.objects.filter(reports__lt=0).exists()
    with clock.frozen(NOW):
        board = dashboard(tree.kutim, JULY)
        items = overdue_list(tree.root, limit=100)
    # The practice report was closed with rating 5; counting it would give 15 and 16/4.
    assert board.totals.reports == 14
    assert board.totals.rating_avg == pytest.approx(11 / 3)
    assert s.reports["training"].tracking_number not in {i.tracking_number for i in items}


def test_time_passing_moves_deadline_figures(tree: Tree) -> None:
    """K and L fall due at the end of Mon 27 July (WITA): the refresh notices without any
    new event."""
    build(tree, training=False)
    with clock.frozen(NOW):
        stats_refresh()
    tuesday = date(2026, 7, 28)
    with clock.frozen(NOW.replace(day=tuesday.day)):
        result = stats_refresh()
        board = dashboard(tree.kutim, JULY)
    assert (result.events, result.due) == (0, 2)  # no new event; K and L fell due
    assert board.totals.overdue == 6  # A, E, F, G + K, L
    assert board.totals.resolution_rate == pytest.approx(4 / 10)


def _cells() -> set[tuple[object, ...]]:
    return {tuple(row) for row in StatCell.objects.exclude(reports=0).values_list(
        "node_id", "period", "dim", "value", "reports", "verify_on_time", "verify_late",
        "verify_overdue", "followup_eligible", "followup_on_time", "followup_late",
        "followup_overdue", "resolution_on_time", "resolution_late",
        "resolution_overdue", "responded", "reopened", "rated", "rating_sum", "overdue")}


def test_rebuild_equals_incremental(tree: Tree) -> None:
    build(tree)
    with clock.frozen(NOW):
        stats_refresh()
        incremental, facts = _cells(), _facts()
        result = stats_rebuild()
    assert result.facts == 16
    assert _cells() == incremental
    assert _facts() == facts
    assert incremental


def test_refresh_twice_changes_nothing(tree: Tree) -> None:
    build(tree, training=False)
    with clock.frozen(NOW):
        stats_refresh()
        before = list(StatCell.objects.order_by("pk").values())
        again = stats_refresh()
    assert again.changed == 0
    assert list(StatCell.objects.order_by("pk").values()) == before


def test_stats_command(tree: Tree) -> None:
    build(tree, training=False)
    out = StringIO()
    with clock.frozen(NOW):
        call_command("stats", "refresh", stdout=out)
        call_command("stats", "rebuild", stdout=out)
        board = dashboard(tree.kutim, JULY)
    assert "refreshed: 16 facts changed" in out.getvalue()
    assert "rebuilt: 16 facts" in out.getvalue()
    assert board.totals.reports == 14


def _facts() -> list[tuple[object, ...]]:
    return list(ReportFact.objects.order_by("report_id").values_list())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rebuild_with_worker_processes_equals_in_process(tree: Tree) -> None:
    """``--workers 2``: spawned processes compute the facts from their own connections;
    the facts and counters are those of the in-process rebuild."""
    build(tree)
    with clock.frozen(NOW):
        stats_rebuild()
        facts, cells = _facts(), _cells()
        result = stats_rebuild(workers=2)
    assert result.facts == 16
    assert _facts() == facts
    assert _cells() == cells
    assert len(facts) == 16


def _schema(table: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass UNION ALL SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = %s ORDER BY 1", [table, table])
        return cursor.fetchall()


@pytest.mark.postgres
def test_rebuild_keeps_the_tables_keys_indexes_and_grants(tree: Tree) -> None:
    """On PostgreSQL the rebuild swaps in tables built aside: same constraints and indexes
    (names and definitions), same grants, and the refresh skips its turn meanwhile."""
    build(tree)
    tables = [ReportFact._meta.db_table, StatCell._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles "
                       "WHERE rolname = 'lapor_test_reader') THEN CREATE ROLE lapor_test_reader; "
                       "END IF; END $$")
        cursor.execute(f"GRANT SELECT ON {tables[1]} TO lapor_test_reader")
    before = {t: _schema(t) for t in tables}
    with clock.frozen(NOW):
        stats_rebuild()
    assert {t: _schema(t) for t in tables} == before
    assert len(before[tables[0]]) >= 10  # pk, 2 foreign keys, 5 checks, 5 indexes
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege('lapor_test_reader', %s, 'SELECT')",
                       [tables[1]])
        assert cursor.fetchone() == (True,)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_refresh_skips_its_turn_while_a_rebuild_holds_the_state(tree: Tree) -> None:
    build(tree, training=False)
    with clock.frozen(NOW):
        stats_refresh()
    holder = threading.Event()
    release = threading.Event()

    def rebuild_in_progress() -> None:
        try:
            with transaction.atomic():
                StatsState.objects.select_for_update().get(pk=1)
                holder.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=rebuild_in_progress)
    thread.start()
    try:
        assert holder.wait(10)
        started = time.monotonic()
        skipped = stats_refresh()
        waited = time.monotonic() - started
    finally:
        release.set()
        thread.join()
    assert skipped == RefreshResult(events=0, due=0, changed=0)
    assert waited < 5  # it did not wait for the lock (the holder keeps it up to 10 s)


def _region_sums() -> dict[tuple[object, ...], int]:
    """The district cells summed per (node, month, province or regency code), by hand."""
    sums: dict[tuple[object, ...], int] = defaultdict(int)
    for node, period, value, reports in StatCell.objects.filter(dim="region").values_list(
            "node_id", "period", "value", "reports"):
        for dim, width in REGION_DIMS:
            sums[(node, period, dim, value[:width])] += reports
    return {k: v for k, v in sums.items() if v}


def _region_cells() -> dict[tuple[object, ...], int]:
    return {(node, period, dim, value): reports for node, period, dim, value, reports
            in StatCell.objects.filter(dim__in=[d for d, _ in REGION_DIMS]).exclude(reports=0)
            .values_list("node_id", "period", "dim", "value", "reports")}


def test_province_and_regency_cells_sum_the_districts(tree: Tree) -> None:
    """The refresh keeps the province and regency counters equal to the district cells
    summed by code prefix, also when a report moves to another region; the rebuild builds
    the same; the region table reads them (a report whose region is a regency, Samarinda's
    64.72, is counted under its own code)."""
    s = build(tree)
    with clock.frozen(NOW):
        stats_refresh()
    assert _region_cells() == _region_sums()
    root = tree.root.pk
    assert {k[3]: v for k, v in _region_cells().items() if k[0] == root} == {
        "64": 15, "31": 1, "64.08": 14, "64.72": 1, "31.71": 1}
    # A report moves from Kutai Timur to Jakarta (written around the services: its fact is
    # recomputed by hand, as the refresh would after an event).
    moved = s.reports["H"]
    Report.objects.filter(pk=moved.pk).update(region_id="31.71.01")
    with clock.frozen(NOW):
        facts_refresh([moved.pk], now=NOW)
        incremental = _cells()
        assert _region_cells() == _region_sums()
        national = dashboard(tree.root, JULY)
        province = dashboard(tree.root, JULY, region="64")
        regency = dashboard(tree.root, JULY, region="64.08")
        stats_rebuild()
    assert _cells() == incremental
    assert _table(national, "region") == {"64": 14, "31": 2}
    assert _table(province, "region") == {"64.08": 13, "64.72": 1}
    assert _table(regency, "region") == {"64.08.04": 12, "64.08.05": 1}
    assert {r.key: r.label for r in province.tables["region"]}["64.08"] == "Kabupaten Kutai Timur"


def test_migration_derives_the_region_cells_from_the_district_cells(tree: Tree) -> None:
    """Existing counters (before the province and regency cells existed) get them from the
    data migration's one statement: the same cells the refresh keeps."""
    build(tree)
    with clock.frozen(NOW):
        stats_refresh()
    kept = _cells()
    StatCell.objects.filter(dim__in=[d for d, _ in REGION_DIMS]).delete()
    migration = import_module("lapor.stats.migrations.0003_region_cells")
    editor = SimpleNamespace(connection=connection)  # what the functions use of it
    migration.derive(django_apps, editor)
    assert _cells() == kept
    migration.remove(django_apps, editor)
    assert not StatCell.objects.filter(dim__in=[d for d, _ in REGION_DIMS]).exists()

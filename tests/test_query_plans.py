"""Query plans on a large reports table (issue #10, PostgreSQL): the key reads use indexes,
never a sequential scan of ``reports_report``.

60,000 reports are cloned in SQL from one real report (spread over four units, five statuses,
a year of submission times, some confidential), the table is analysed, and each query is
captured exactly as the application sends it and run under ``EXPLAIN (FORMAT JSON)``.

The clones are made once for the module (``big``), inside a transaction that each test's own
transaction nests in as a savepoint, so what a test changes is undone after it and the clones
after the module; then the table is vacuumed (tests.postgres.vacuum).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from lapor.core import clock
from lapor.orgs.actors import actor_for_user
from lapor.regions.models import Region, RegionLevel
from lapor.reports import feed, selectors
from lapor.reports.models import Report
from lapor.search import backends as search_backends
from lapor.search import selectors as search_selectors
from tests.factories import Tree, drive, make_tree
from tests.postgres import vacuum

ROWS = 60_000
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _clone(template: Report, nodes: list[int]) -> None:
    """ROWS copies of ``template`` with varied holder, status, time, deadline and privacy."""
    overrides = {
        "tracking_number": "lpad((900000000000 + g)::text, 12, '0')",
        "current_node_id": f"(ARRAY{nodes})[1 + g %% {len(nodes)}]",
        "status": "(ARRAY['submitted','disposed','in_progress','responded','closed'])[1 + g %% 5]",
        "submitted_at": "t.submitted_at - g * interval '9 minutes'",
        "updated_at": "t.submitted_at - g * interval '9 minutes'",
        # Open reports have a deadline, about 2% of them past; responded/closed ones have none.
        "staff_due_at": ("CASE WHEN g %% 5 < 3 THEN now() + ((g %% 500) - 10) * interval '1 hour'"
                         " END"),
        "verify_due_at": "NULL",
        "closed_at": "NULL",
        "is_confidential": "g %% 7 = 0",
        # The clones have no disposition rows (the template's hop stays the template's).
        "disposition_nodes": "''",
    }
    columns = [str(f.column) for f in Report._meta.concrete_fields if f.column != "id"]
    values = [overrides.get(c, f't."{c}"') for c in columns]
    with connection.cursor() as cur:
        cur.execute(
            f'INSERT INTO reports_report ({", ".join(f'"{c}"' for c in columns)}) '  # noqa: S608
            f'SELECT {", ".join(values)} FROM reports_report t, generate_series(1, %s) g '
            "WHERE t.id = %s", [ROWS, template.pk])
        cur.execute("ANALYZE reports_report")
    search_backends.word_stats_clear()  # statistics read while the table was small
    search_selectors.scope_estimates_clear()


def _captured(call: Callable[[], Any]) -> list[tuple[str, Any]]:
    sent: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if '"reports_report"' in sql and sql.lstrip().upper().startswith("SELECT"):
            sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        call()
    assert sent, "the call sent no query on reports_report"
    return sent


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _scans_of_reports(sql: str, params: Any) -> list[str]:
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0][0]["Plan"]
    return [node["Node Type"] for node in _nodes(plan)
            if node.get("Relation Name") == "reports_report"]


@pytest.fixture(scope="module")
def big(django_db_setup: None, django_db_blocker: Any) -> Iterator[Tree]:
    """The tree (tests.factories) and 60,000 reports, once per module and worker (about 20
    s each time on a slow machine). Rolled back after the module's last test."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            tree = make_tree()
            template = drive(tree, "disposed")
            _clone(template, [tree.kutim.pk, tree.pupr.pk, tree.bina_marga.pk, tree.dinkes.pk])
            assert Report.objects.count() == ROWS + 1
            # Fire the clones' deferred foreign-key checks now, once: otherwise each test's
            # teardown (Django's TestCase checks constraints before its rollback) fires them
            # again inside its savepoint, seconds every time.
            connection.check_constraints()
            yield tree
            transaction.set_rollback(True)
        # The undone rows stay in the table and its indexes until a vacuum.
        vacuum(["reports_report"])


def _assert_indexed(name: str, call: Callable[[], Any]) -> None:
    for sql, params in _captured(call):
        scans = _scans_of_reports(sql, params)
        assert "Seq Scan" not in scans, f"{name}: {scans}\n{sql}"


def test_key_reads_use_indexes_on_a_large_table(big: Tree) -> None:
    hub = actor_for_user(big.users["hub"])
    liaison = actor_for_user(big.users["liaison_pupr"])

    def inbox(actor: Any, node: Any, pages: int) -> Any:
        cursor = None
        for _ in range(pages):
            cursor = selectors.inbox(actor, node=node, filters=selectors.InboxFilters(),
                                     cursor=cursor, limit=50).next_cursor
        return selectors.inbox(actor, node=node, filters=selectors.InboxFilters(),
                               cursor=cursor, limit=50)

    def public(pages: int) -> Any:
        cursor = None
        for _ in range(pages):
            cursor = feed.public_reports(feed.FeedFilters(), cursor=cursor).next_cursor
        return feed.public_reports(feed.FeedFilters(), cursor=cursor)

    number = Report.objects.order_by("-id").values_list("tracking_number", flat=True)[0]
    _assert_indexed("inbox, page 1", lambda: inbox(liaison, big.pupr, 0))
    _assert_indexed("inbox, page 40", lambda: inbox(liaison, big.pupr, 40))
    _assert_indexed("hub inbox, overdue tab", lambda: selectors.inbox(
        hub, node=big.kutim, filters=selectors.InboxFilters(overdue=True), cursor=None,
        limit=50))
    _assert_indexed("public feed, page 1", lambda: public(0))
    _assert_indexed("public feed, page 40", lambda: public(40))
    _assert_indexed("tracking lookup", lambda: selectors.report_by_tracking(number))
    _assert_indexed("overdue count (nilai merah)", lambda: Report.objects.filter(
        staff_due_at__lt=clock.now()).count())


def test_reports_near_me_use_the_location_index(big: Tree) -> None:
    """"Laporan di sekitar saya" (feed.public_nearby): a bounding box over the public reports'
    coordinates, spread here over Kalimantan Timur (0.01° steps: 400 latitudes from -1.5°, 150
    longitudes from 116.3°, counted from the first id), reads the partial index
    ``report_public_location``, never the whole table."""
    with connection.cursor() as cur:
        cur.execute("WITH first AS (SELECT min(id) AS id FROM reports_report) "
                    "UPDATE reports_report SET "
                    "latitude = -1.5 + ((reports_report.id - first.id) % 400) * 0.01, "
                    "longitude = 116.3 + ((reports_report.id - first.id) / 400) * 0.01 "
                    "FROM first")
        cur.execute("ANALYZE reports_report")
    found = feed.public_nearby(latitude=0.5036, longitude=117.5406, radius_km=3)
    assert found
    assert all(n.distance_m <= 3000 for n in found)
    for sql, params in _captured(lambda: feed.public_nearby(
            latitude=0.5036, longitude=117.5406, radius_km=3)):
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cur.fetchone()[0][0]["Plan"]
        indexes = {node.get("Index Name") for node in _nodes(plan)}
        assert "report_public_location" in indexes, plan


def _index_names(sql: str, params: Any) -> set[str]:
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0][0]["Plan"]
    return {node["Index Name"] for node in _nodes(plan) if "Index Name" in node}


def test_search_reads_the_newest_matches_from_indexes(big: Tree) -> None:
    """Issue 21, PostgreSQL with RUM: a query every report matches (the cloned text) walks
    the public feed's index newest first; one that matches nothing (and the national
    reader's) asks the RUM index (``report_search_rum``) in time order. Never a scan of the
    table, never a sort of every match."""
    if not search_backends.rum_ready():
        pytest.skip("the RUM extension (postgresql-15-rum) is not installed")
    broad = _captured(lambda: search_selectors.search_public(
        "jalan berlubang", search_selectors.SearchFilters()))
    narrow = _captured(lambda: search_selectors.search_public(
        "jembatan gantung", search_selectors.SearchFilters()))
    for name, sent in (("broad", broad), ("narrow", narrow)):
        for sql, params in sent:
            assert "Seq Scan" not in _scans_of_reports(sql, params), f"{name}: {sql}"
    assert any("report_public_feed" in _index_names(s, p) for s, p in broad)
    assert any("report_search_rum" in _index_names(s, p) for s, p in narrow)


def test_staff_search_reads_the_scope_inside_the_text_index(big: Tree) -> None:
    """Issue 21, the scope index (migrations search.0005 and 0006): a hub's broad query
    ("jalan berlubang": every cloned report) is answered by one scan of
    ``report_search_scope_hops`` (the words AND the hub's nodes, hops included), which does
    not scan the table."""
    search_backends.forget_rum()
    if not (search_backends.rum_ready() and search_backends.scope_index_ready()):
        pytest.skip("the RUM extension (postgresql-15-rum) is not installed")
    with connection.cursor() as cur:  # 1 % of the reports stay Kutai Timur's
        cur.execute("UPDATE reports_report SET current_node_id = %s, tier_id = %s, "
                    "agency_id = %s WHERE id %% 100 <> 0",
                    [big.samarinda_dishub.pk, big.samarinda.pk, big.samarinda.pk])
        cur.execute("ANALYZE reports_report")
    search_backends.word_stats_clear()
    hub = actor_for_user(big.users["hub"])
    page = search_selectors.search_staff(hub, "jalan berlubang",
                                         search_selectors.SearchFilters())
    assert len(page.items) == search_selectors.PAGE_SIZE
    sent = _captured(lambda: search_selectors.search_staff(
        hub, "jalan berlubang", search_selectors.SearchFilters()))
    for sql, params in sent:
        assert "Seq Scan" not in _scans_of_reports(sql, params), sql
    used = [_index_names(s, p) for s, p in sent]
    assert any("report_search_scope_hops" in names for names in used), used
    # With a status filter too: never a walk of the (status, submitted_at) index checking
    # the words and nodes on every row of other agencies (at 10 M: 176,000 rows, 566 ms).
    # The page's query runs with index scans off (``scope_scan``), and so does its EXPLAIN.
    disposed = search_selectors.SearchFilters(status="disposed")
    statements: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        search_selectors.search_staff(hub, "jalan berlubang", disposed)
    at = next(i for i, (sql, _) in enumerate(statements) if "lapor_scope_lexemes" in sql)
    assert statements[at - 1][0] == "SET LOCAL enable_indexscan = off"
    assert statements[at + 1][0] == "SET LOCAL enable_indexscan TO DEFAULT"
    with search_backends.scope_scan(), connection.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + statements[at][0], statements[at][1])
        nodes = list(_nodes(cur.fetchone()[0][0]["Plan"]))
    used = {(node["Node Type"], node.get("Index Name")) for node in nodes}
    assert ("Bitmap Index Scan", "report_search_scope_hops") in used, used
    assert not any(kind in {"Index Scan", "Index Only Scan"} for kind, _ in used), used


WRAPPED = """("reports_report"."search_vector" || ''::tsvector) @@"""


def test_a_region_filter_checks_a_common_phrase_on_the_regions_rows(
        big: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 21, a region filter with a phrase commoner in the whole table than the region's
    reports: the text is checked on the region's rows (the region index, then each row),
    not intersected with the text index, whose bitmap at ten million reports held a million
    matches for a regency of 6,887 reports (480 ms against 15 ms). A rare phrase still asks
    the text index."""
    if not search_backends.rum_ready():
        pytest.skip("the RUM extension (postgresql-15-rum) is not installed")
    template = Report.objects.order_by("pk").first()
    assert template is not None
    other = (Region.objects.filter(level=RegionLevel.DISTRICT).exclude(code=template.region_id)
             .order_by("code").first())
    assert other is not None
    # About 1 % of the reports in another district: every 97th id, so their statuses and
    # privacy (the clone's number modulo 5 and 7) vary wherever the ids start.
    with connection.cursor() as cur:
        cur.execute("UPDATE reports_report SET region_id = %s WHERE id %% 97 = 0", [other.code])
        cur.execute("ANALYZE reports_report")
    search_backends.word_stats_clear()
    search_selectors.scope_estimates_clear()  # another test's table size, kept five minutes
    district = search_selectors.SearchFilters(region=other.code)
    page = search_selectors.search_public("jalan berlubang", district)
    assert len(page.items) == search_selectors.PAGE_SIZE
    assert {hit.report.region_id for hit in page.items} == {other.code}
    sent = _captured(lambda: search_selectors.search_public("jalan berlubang", district))
    common = [_index_names(s, p) for s, p in sent]
    assert not any("report_search_rum" in names for names in common), common
    assert any(any("region" in name for name in names) for names in common), common
    assert any(WRAPPED in sql for sql, _ in sent)
    # A phrase rarer in the table than the region's reports leaves the text index to the
    # planner (the column as the index has it). Every clone has the same words, so the
    # statistics give any word a large share: the share is set here (0.01 %: 6 reports).
    monkeypatch.setattr(search_selectors, "pg_word_share", lambda text: 0.0001)
    rare = _captured(lambda: search_selectors.search_public("jembatan gantung", district))
    assert not any(WRAPPED in sql for sql, _ in rare)
    assert any('"search_vector" @@' in sql for sql, _ in rare)

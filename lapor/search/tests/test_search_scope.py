"""Staff search with the reader's scope inside the text index (issue 21, migrations
search.0005 and 0006): the scope path returns exactly what ``reports_visible_to`` and the
text give, newest first, for every kind of reader; a report outside the scope is never
returned; every report's ``disposition_nodes`` are its dispositions' nodes."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection

from lapor.core import clock
from lapor.orgs.actors import Actor, actor_for_user
from lapor.orgs.models import Role
from lapor.reports import services
from lapor.reports.models import Report
from lapor.reports.permissions import reports_visible_to, visible_nodes
from lapor.search import backends, selectors
from lapor.training.services import training_space_create
from lapor.training.tests.helpers import trainee
from tests.factories import Tree, drive, submit

migration = importlib.import_module("lapor.search.migrations.0006_search_scope_hops")
backfill = importlib.import_module("lapor.reports.migrations.0011_disposition_nodes")
pytestmark = pytest.mark.postgres

NO_HUB = "31.71.01"  # a region without a hub: the national pool verifies
TEXTS = (
    "Sampah menumpuk di pasar induk",
    "Jalan berlubang dekat sekolah dasar",
    "Akta kelahiran anak belum terbit",
    "Sampah dan jalan berlubang di gang",
)
QUERIES = ("sampah", "jalan berlubang", "akta kelahiran", "sampah jalan", "jembatan gantung",
           "latihan")


@pytest.fixture
def scope_index(db: None) -> None:
    backends.forget_rum()
    if connection.vendor != "postgresql" or not (backends.rum_ready()
                                                 and backends.scope_index_ready()):
        pytest.skip("PostgreSQL with the RUM extension and the scope index")


def _world(tree: Tree) -> dict[str, Any]:
    """Reports of two hub agencies in every state, some forwarded, confidential or
    anonymous; two reports seen by a unit only through a disposition hop (handed back as
    not theirs, then disposed elsewhere: once inside Kutai Timur, once to Samarinda by the
    national pool); national-pool reports; a training space's practice reports."""
    start = clock.now() - timedelta(days=6)
    step = iter(range(10_000))

    def at() -> Any:
        return start + timedelta(minutes=7 * next(step))

    national, hub = tree.actor("national"), tree.actor("hub")
    made: dict[str, Any] = {}
    for n, status in enumerate(("submitted", "disposed", "in_progress", "closed",
                                "archived", "on_hold")):
        for k, text in enumerate(TEXTS):
            drive(tree, status, at=at(), title=text, forwarded=status != "submitted" and k % 2 == 0,
                  is_confidential=(n + k) % 5 == 0, is_anonymous=(n + k) % 3 == 0)
    for k, text in enumerate(TEXTS):
        with clock.frozen(at()):
            report = submit(tree, target_agency_code=tree.samarinda.code, region_code="64.72",
                            title=text, is_confidential=k == 1).report
            services.report_dispose(actor=tree.actor("hub_samarinda"), report_id=report.pk,
                                    node_code=tree.samarinda_dishub.code)
        with clock.frozen(at()):
            submit(tree, target_agency_code=None, region_code=NO_HUB, title=text,
                   is_anonymous=k == 2)
    with clock.frozen(at()):  # national pool → PUPR → handed back → Samarinda
        travelled = submit(tree, target_agency_code=None, region_code=NO_HUB,
                           title="Sampah menumpuk di jalan berlubang").report
        services.report_dispose(actor=national, report_id=travelled.pk,
                                node_code=tree.pupr.code)
        services.report_return(actor=tree.actor("liaison_pupr"), report_id=travelled.pk,
                               reason="Bukan wewenang Dinas PUPR")
        services.report_dispose(actor=national, report_id=travelled.pk,
                                node_code=tree.samarinda_dishub.code)
    with clock.frozen(at()):  # Kutai Timur: PUPR → handed back → Dinas Kesehatan
        moved = submit(tree, title="Sampah medis menumpuk", is_confidential=True).report
        services.report_dispose(actor=hub, report_id=moved.pk, node_code=tree.pupr.code)
        services.report_return(actor=tree.actor("liaison_pupr"), report_id=moved.pk,
                               reason="Bukan wewenang Dinas PUPR")
        services.report_dispose(actor=hub, report_id=moved.pk, node_code=tree.dinkes.code)
    space = training_space_create(actor=hub, agency=tree.kutim, name="Bimtek", report_count=6)
    made.update(travelled=travelled, moved=moved, space=space)
    return made


def _readers(tree: Tree, world: dict[str, Any]) -> dict[str, Actor]:
    names = ("hub", "liaison_pupr", "officer_pupr", "liaison_binamarga", "liaison_dinkes",
             "supervisor_kutim", "supervisor_pupr", "hub_samarinda", "liaison_samarinda",
             "national", "auditor", "sysadmin", "citizen")
    readers = {name: tree.actor(name) for name in names}
    space = world["space"]
    readers["trainee"] = actor_for_user(trainee(tree, space, (space.root, Role.HUB_VERIFIER)))
    return readers


def _reference(actor: Actor, query: str) -> list[int]:
    """The rule itself: reports_visible_to, the words through the plain GIN index, newest
    first."""
    parsed = selectors.parse_query(query)
    found = backends.PostgresBackend().match(reports_visible_to(actor), parsed.text,
                                             parsed.stems)
    return list(found.order_by("-submitted_at", "-pk").values_list("pk", flat=True))


def _all_pages(actor: Actor, query: str, limit: int,
               filters: selectors.SearchFilters | None = None) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = selectors.search_staff(actor, query, filters or selectors.SearchFilters(),
                                      cursor=cursor, limit=limit)
        seen += [h.report.pk for h in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen


@pytest.mark.usefixtures("scope_index")
def test_scope_path_returns_exactly_the_readers_matches(
        tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    world = _world(tree)
    readers = _readers(tree, world)
    calls: list[int] = []
    real = selectors._scoped_matches

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "_scoped_matches", spy)
    checked = 0
    for name, actor in readers.items():
        for query in QUERIES:
            expected = _reference(actor, query)
            for limit in (2, 5, 50):
                assert _all_pages(actor, query, limit) == expected, (name, query, limit)
            checked += bool(expected)
    assert checked > 30  # the data makes most (reader, query) pairs non-empty
    assert calls  # readers below the root took the scope path
    # The hop-only reports: PUPR's readers find them, through their hops' lexemes.
    for name in ("liaison_pupr", "officer_pupr", "supervisor_pupr"):
        found = _all_pages(readers[name], "sampah menumpuk", 4)
        assert {world["travelled"].pk, world["moved"].pk} <= set(found), name
    # The same answers from the old path (the reader's ids / scope filter on each match).
    monkeypatch.setattr(selectors, "scope_index_ready", lambda using="default": False)
    for name, actor in readers.items():
        for query in QUERIES:
            assert _all_pages(actor, query, 3) == _reference(actor, query), (name, query)


@pytest.mark.usefixtures("scope_index")
def test_scope_path_never_returns_a_report_outside_the_scope(tree: Tree) -> None:
    world = _world(tree)
    readers = _readers(tree, world)
    for name, actor in readers.items():
        visible = set(reports_visible_to(actor).values_list("pk", flat=True))
        for query in QUERIES:
            assert set(_all_pages(actor, query, 7)) <= visible, (name, query)
    # Concretely: Dinas Kesehatan never sees PUPR's, Samarinda's or the national pool's
    # reports; Kutai Timur never sees Samarinda's confidential one; no real reader sees a
    # practice report, and the trainee sees only those.
    dinkes = set(_all_pages(readers["liaison_dinkes"], "jalan berlubang", 5))
    assert dinkes <= set(Report.objects.filter(current_node=tree.dinkes)
                         .values_list("pk", flat=True)) | set(
        Report.objects.filter(dispositions__node=tree.dinkes).values_list("pk", flat=True))
    secret = Report.objects.get(region_id="64.72", is_confidential=True)
    assert secret.pk not in _all_pages(readers["hub"], "jalan berlubang", 5)
    assert secret.pk in _all_pages(readers["hub_samarinda"], "jalan berlubang", 5)
    practice = set(Report.objects.filter(is_training=True).values_list("pk", flat=True))
    assert practice
    for name in ("hub", "supervisor_kutim", "national", "liaison_pupr"):
        for query in QUERIES:
            assert not practice & set(_all_pages(readers[name], query, 9)), (name, query)
    for query in QUERIES:
        assert set(_all_pages(readers["trainee"], query, 9)) <= practice
    assert selectors.search_staff(readers["sysadmin"], "sampah",
                                  selectors.SearchFilters()).items == []


@pytest.mark.usefixtures("scope_index")
def test_scope_path_keeps_filters_and_the_estimate(tree: Tree) -> None:
    world = _world(tree)
    hub = _readers(tree, world)["hub"]
    filters = selectors.SearchFilters(status="disposed")
    expected = [pk for pk in _reference(hub, "sampah")
                if Report.objects.get(pk=pk).status == "disposed"]
    assert expected
    assert _all_pages(hub, "sampah", 2, filters) == expected
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_report")
    backends.word_stats_clear()
    page = selectors.search_staff(hub, "sampah", selectors.SearchFilters())
    assert selectors.estimated_total(page) is not None


@pytest.mark.django_db
def test_every_report_names_its_dispositions_nodes(tree: Tree) -> None:
    """``Report.disposition_nodes`` is what the scope index reads for the hops: after
    dispositions, forwards, a hand-back and a second disposition elsewhere, each report
    lists its dispositions' nodes, each once, in the order first reached."""
    world = _world(tree)

    def check() -> None:
        checked = 0
        for report in Report.objects.prefetch_related("dispositions"):
            hops = [str(d.node_id) for d in sorted(report.dispositions.all(),
                                                   key=lambda d: d.pk)]
            assert report.disposition_nodes.split() == list(dict.fromkeys(hops)), report.pk
            checked += len(hops) > 1
        assert checked > 5

    check()
    # The migration that added the column fills it the same way from the rows.
    Report.objects.update(disposition_nodes="")
    backfill.backfill(django_apps, type("Editor", (), {"connection": connection})())
    check()
    travelled = Report.objects.get(pk=world["travelled"].pk)
    assert travelled.disposition_nodes.split()[0] == str(tree.pupr.pk)
    assert travelled.current_node_id != tree.pupr.pk


@pytest.mark.django_db
def test_scope_lexemes_are_the_tier_agency_current_node_and_hops(tree: Tree) -> None:
    """The index expression's function: one ``~<id>`` lexeme per node a report names (a
    missing agency names none, a node named twice is one lexeme), and the staff rule's nodes
    are the reader's subtrees."""
    assert visible_nodes(tree.actor("national")) is None
    assert visible_nodes(tree.actor("sysadmin")) == []
    assert visible_nodes(tree.actor("citizen")) == []
    assert set(visible_nodes(tree.actor("liaison_pupr")) or []) == {tree.pupr.pk,
                                                                   tree.bina_marga.pk}
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT lapor_scope_lexemes(5, NULL, 5, '')::text, "
                       "lapor_scope_lexemes(1, 2, 3, '3 4 12')::text")
        assert cursor.fetchone() == ("'~5'", "'~1' '~12' '~2' '~3' '~4'")


class _Editor:
    def __init__(self, vendor: str) -> None:
        self.connection = type("C", (), {"vendor": vendor, "alias": "default"})()
        self.sent: list[str] = []

    def execute(self, sql: str) -> None:
        self.sent.append(sql)


def test_migration_builds_concurrently_on_postgresql_only() -> None:
    assert migration.Migration.atomic is False
    editor = _Editor("sqlite")
    migration.forward(None, editor)
    assert editor.sent == []
    editor = _Editor("postgresql")
    migration.forward(None, editor)
    # The new index is valid before the old one goes.
    assert editor.sent == [migration.FUNCTION, migration.INDEX,
                           "DROP INDEX CONCURRENTLY IF EXISTS report_search_scope"]
    assert "CONCURRENTLY" in migration.INDEX

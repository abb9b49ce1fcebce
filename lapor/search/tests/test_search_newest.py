"""Newest-first search on PostgreSQL with RUM (issue 21): no cap, newest first, pages that
cover every match once whichever way a page was read (walk, RUM index, reader's ids), the
scope kept, an estimate instead of a count; and the fallback when RUM is not there."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.test import Client, override_settings

from lapor.core import clock
from lapor.core.errors import ValidationFailed
from lapor.orgs.actors import actor_for_user
from lapor.search import backends, checks, selectors
from tests.factories import Tree, drive

migration = importlib.import_module("lapor.search.migrations.0003_search_newest_first")


@pytest.fixture
def rum(db: None) -> None:
    if connection.vendor != "postgresql" or not backends.rum_ready():
        pytest.skip("PostgreSQL with the RUM extension (postgresql-15-rum)")


def _all_pages(call: Any, limit: int = 3) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = call(cursor=cursor, limit=limit)
        seen += [h.report.pk for h in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen


@pytest.mark.postgres
@pytest.mark.usefixtures("rum")
@override_settings(LAPOR_SEARCH_MAX_MATCHES=2)
def test_broad_query_is_answered_newest_first(tree: Tree) -> None:
    start = clock.now() - timedelta(days=3)
    made = [drive(tree, "disposed", at=start + timedelta(hours=i),
                  title=f"Sampah menumpuk di pasar {i}") for i in range(5)]
    secret = drive(tree, "disposed", at=start + timedelta(hours=9), title="Sampah menumpuk",
                   is_confidential=True)
    page = selectors.search_public("sampah menumpuk", selectors.SearchFilters())
    assert [h.report.pk for h in page.items] == [r.pk for r in reversed(made)]
    assert secret.pk not in [h.report.pk for h in page.items]
    assert all(h.score > 0 for h in page.items)
    assert isinstance(page, selectors.SearchPage)
    assert page.estimated_total is not None
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_report")  # the statistics the estimate reads
    backends._word_stats.clear()
    answer = Client().get("/api/v1/search/reports", {"q": "sampah"})
    assert answer.status_code == 200
    assert len(answer.json()["items"]) == 5
    assert answer.json()["estimated_total"] >= 1


@pytest.mark.postgres
@pytest.mark.usefixtures("rum")
@pytest.mark.parametrize("walk_rows", [2, 4, 2_000])
def test_pages_cover_every_match_once_walked_or_indexed(
        tree: Tree, monkeypatch: pytest.MonkeyPatch, walk_rows: int) -> None:
    """Whether the first rows come from walking the newest reports (a walk of 2 or 4 rows
    ends inside the matches) or from the RUM index, every match appears once, in order."""
    monkeypatch.setattr(selectors, "WALK_ROWS", walk_rows)
    monkeypatch.setattr(selectors, "estimated_rows", lambda qs: 1_000)  # "broad": walk
    start = clock.now() - timedelta(days=2)
    made = [drive(tree, "disposed", at=start + timedelta(minutes=i),
                  title=f"Drainase tersumbat nomor {i}").pk for i in range(7)]
    drive(tree, "disposed", at=start + timedelta(minutes=3, seconds=30), title="Lampu mati")
    seen = _all_pages(lambda **kw: selectors.search_public(
        "drainase", selectors.SearchFilters(), **kw))
    assert seen == list(reversed(made))


@pytest.mark.postgres
@pytest.mark.usefixtures("rum")
def test_staff_search_newest_first_within_the_scope(tree: Tree) -> None:
    start = clock.now() - timedelta(days=2)
    made = [drive(tree, "submitted", at=start + timedelta(minutes=i),
                  title=f"Jembatan kayu lapuk {i}").pk for i in range(4)]
    hub = actor_for_user(tree.users["hub"])
    seen = _all_pages(lambda **kw: selectors.search_staff(
        hub, "jembatan lapuk", selectors.SearchFilters(), **kw), limit=2)
    assert seen == list(reversed(made))
    # Unverified reports are never public, however the query is read.
    assert selectors.search_public("jembatan lapuk", selectors.SearchFilters()).items == []


class _Editor:
    """A schema editor that records statements and refuses ``CREATE EXTENSION``."""

    def __init__(self) -> None:
        self.connection = type("C", (), {"vendor": "postgresql", "alias": "default"})()
        self.sent: list[str] = []

    def execute(self, sql: str) -> None:
        if sql.startswith("CREATE EXTENSION"):
            raise DatabaseError('could not open extension control file "rum.control"')
        self.sent.append(sql)


@pytest.mark.django_db
def test_migration_falls_back_to_gin_without_rum(caplog: pytest.LogCaptureFixture) -> None:
    editor = _Editor()
    migration.forward(None, editor)
    assert editor.sent == [migration.STATISTICS, migration.RECENT]  # no RUM index
    assert "RUM extension is not available" in caplog.text


@override_settings(LAPOR_SEARCH_MAX_MATCHES=2)
def test_without_rum_broad_queries_are_refused_as_before(
        tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite, or PostgreSQL without RUM: ranked, and the cap refuses a broad query."""
    monkeypatch.setattr(selectors, "rum_ready", lambda using="default": False)
    for i in range(3):
        drive(tree, "disposed", title=f"Sampah menumpuk {i}")
    with pytest.raises(ValidationFailed) as refused:
        selectors.search_public("sampah", selectors.SearchFilters())
    assert refused.value.code == "query_too_broad"


@pytest.mark.django_db
def test_rum_ready_is_false_off_postgresql_or_without_the_index() -> None:
    backends.forget_rum()
    if connection.vendor != "postgresql":
        assert backends.rum_ready() is False
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = %s",
                           [backends.RUM_INDEX])
            assert backends.rum_ready() is bool(cursor.fetchone()[0])
    backends.forget_rum()


def test_check_warns_when_postgresql_lacks_the_rum_index(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection, "vendor", "postgresql")
    monkeypatch.setattr(checks, "rum_ready", lambda alias: False)
    assert [m.id for m in checks.rum_index_check(databases=["default"])] == ["search.W001"]
    monkeypatch.setattr(checks, "rum_ready", lambda alias: True)
    assert checks.rum_index_check(databases=["default"]) == []

"""Inbox tabs and counts from the stored deadlines, filters, htmx partial, query count."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lapor.core import clock
from lapor.workspace.tests.helpers import signed_in
from tests.factories import Tree, submit

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
NOW = datetime(2026, 8, 12, 10, 0, tzinfo=WITA)  # a Wednesday


def _count(html: str, tab: str) -> int:
    marker = f'data-testid="count-{tab}">'
    start = html.index(marker) + len(marker)
    return int(html[start:html.index("<", start)])


@pytest.fixture
def inbox_reports(tree: Tree) -> dict[str, str]:
    """Reports waiting for Kutai Timur's verifier (3 HK each, WITA calendar)."""
    made = {
        # Submitted Mon 3 Aug: due Thu 6 Aug → overdue on Wed 12 Aug.
        "overdue": submit(tree, at=datetime(2026, 8, 3, 9, 0, tzinfo=WITA), title="Lampu mati"),
        # Fri 7 Aug: due Wed 12 Aug 23:59 → due today.
        "today": submit(tree, at=datetime(2026, 8, 7, 9, 0, tzinfo=WITA), title="Got tersumbat"),
        # Mon 10 Aug: due Thu 13 Aug → due soon (within 2 HK after today).
        "soon": submit(tree, at=datetime(2026, 8, 10, 9, 0, tzinfo=WITA), title="Sampah"),
        # Wed 12 Aug: due Tue 18 Aug (17 Aug is Independence Day) → none of the due tabs.
        "later": submit(tree, at=datetime(2026, 8, 12, 8, 0, tzinfo=WITA), title="Trotoar"),
    }
    return {k: v.report.tracking_number for k, v in made.items()}


def test_tabs_count_and_filter_by_stored_deadline(tree: Tree,
                                                  inbox_reports: dict[str, str]) -> None:
    client = signed_in("hub")
    with clock.frozen(NOW):
        html = client.get("/petugas/").content.decode()
        assert [_count(html, t) for t in ("all", "today", "soon", "overdue")] == [4, 1, 1, 1]
        for tab in ("today", "soon", "overdue"):
            page = client.get("/petugas/", {"tab": tab}).content.decode()
            shown = {k for k, number in inbox_reports.items() if number in page}
            assert shown == {tab}, (tab, shown)
        assert "badge--late" in html
        assert "badge--today" in html
        assert "badge--soon" in html
        # Due dates are shown in the agency's zone with working days left.
        assert "WITA" in html
        assert "hari kerja" in html


def test_filters_narrow_list_and_counts(tree: Tree, inbox_reports: dict[str, str]) -> None:
    client = signed_in("hub")
    with clock.frozen(NOW):
        html = client.get("/petugas/", {"node": "kutim", "date_from": "2026-08-10"}).content
        text = html.decode()
        assert _count(text, "all") == 2
        assert _count(text, "overdue") == 0
        assert inbox_reports["overdue"] not in text
        assert inbox_reports["soon"] in text
        assert "Trotoar" in client.get("/petugas/", {"region": "64.08"}).content.decode()
        none = client.get("/petugas/", {"region": "64.72"}).content.decode()
        assert _count(none, "all") == 0
        # An invalid filter is dropped with its error; the others still apply.
        bad = client.get("/petugas/", {"region": "x'; --", "date_from": "2026-08-10"})
        assert bad.status_code == 200
        assert _count(bad.content.decode(), "all") == 2


def test_htmx_request_gets_only_the_results(tree: Tree, inbox_reports: dict[str, str]) -> None:
    client = signed_in("hub")
    with clock.frozen(NOW):
        response = client.get("/petugas/", {"tab": "overdue"},
                              headers={"HX-Request": "true", "HX-Target": "inbox-results"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'data-testid="tab-overdue"' in html
    assert inbox_reports["overdue"] in html
    assert inbox_reports["today"] not in html


def test_node_picker_only_offers_own_nodes(tree: Tree, inbox_reports: dict[str, str]) -> None:
    client = signed_in("liaison_pupr")
    assert client.get("/petugas/", {"node": "kutim"}).status_code == 404
    assert client.get("/petugas/", {"node": "samarinda"}).status_code == 404
    html = client.get("/petugas/", {"node": "kutim-pupr"}).content.decode()
    assert _count(html, "all") == 0


def test_keyset_pages(tree: Tree) -> None:
    for i in range(27):
        submit(tree, at=datetime(2026, 8, 3, 9, i, tzinfo=WITA), title=f"Laporan nomor {i:02d}")
    client = signed_in("hub")
    with clock.frozen(NOW):
        first = client.get("/petugas/").content.decode()
        assert "Laporan nomor 26" in first
        assert "Laporan nomor 01" not in first
        start = first.index('rel="next"')
        href = first[first.rindex('href="', 0, start) + 6:first.index('"', first.rindex(
            'href="', 0, start) + 6)].replace("&amp;", "&")
        second = client.get("/petugas/" + href).content.decode()
        assert "Laporan nomor 01" in second
        assert "Laporan nomor 26" not in second


def _inbox_queries(client: Client) -> None:
    with clock.frozen(NOW):
        assert client.get("/petugas/", {"subtree": "on"}).status_code == 200


def test_inbox_query_count_does_not_grow_with_rows(
    tree: Tree, django_assert_max_num_queries: object
) -> None:
    client = signed_in("hub")
    for i in range(2):
        submit(tree, at=datetime(2026, 8, 10, 9, i, tzinfo=WITA))
    with CaptureQueriesContext(connection) as few:
        _inbox_queries(client)
    for i in range(20):
        submit(tree, at=datetime(2026, 8, 11, 9, i, tzinfo=WITA))
    with django_assert_max_num_queries(len(few)):  # type: ignore[operator]
        _inbox_queries(client)
    assert len(few) <= 20

"""Query budgets (issue #10): the number of SQL queries an endpoint sends does not grow with
its page size, the rows it lists or the length of a report's timeline.

Each test measures a request with little to show and the same request with much more, and
asserts the same number of queries (an N+1 would add one per row)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lapor.core import clock, ratelimit
from lapor.reports import presenters, services
from lapor.workspace.tests.helpers import signed_in
from tests.api_client import login
from tests.factories import PASSWORD, Tree, drive, reporter_of, submit

pytestmark = pytest.mark.django_db
ROWS = 24


def queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, getattr(response, "content", b"")[:500]
    return len(captured)


def _reports(tree: Tree, status: str, n: int) -> None:
    for i in range(n):
        drive(tree, status, title=f"Jalan rusak di ruas nomor {i}")


def test_staff_inbox_api_does_not_grow_with_page_size(tree: Tree) -> None:
    for _ in range(ROWS):
        submit(tree)
    api = login("hub", PASSWORD)
    small = queries(lambda: api.get("/inbox?node=kutim&limit=2"))
    large = queries(lambda: api.get(f"/inbox?node=kutim&limit={ROWS}"))
    assert large == small


def test_workspace_inbox_page_does_not_grow_with_rows(tree: Tree) -> None:
    client = signed_in("hub")
    submit(tree)
    few = queries(lambda: client.get("/petugas/"))
    for _ in range(ROWS):
        submit(tree)
    assert queries(lambda: client.get("/petugas/")) == few


def test_public_feed_and_home_do_not_grow_with_rows(tree: Tree) -> None:
    client = Client()
    _reports(tree, "disposed", 1)
    feed, home = queries(lambda: client.get("/laporan/")), queries(lambda: client.get("/"))
    _reports(tree, "disposed", ROWS)
    assert queries(lambda: client.get("/laporan/")) == feed
    assert queries(lambda: client.get("/")) == home


def test_report_pages_do_not_grow_with_the_timeline(tree: Tree,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Counted, not timed: no random prune on a rate-counter write, and every lookup in one
    # rate window (a minute boundary during the test would create a new counter row).
    monkeypatch.setattr(ratelimit, "_PRUNE_ON_WRITE_RATE", 0.0)
    report = drive(tree, "in_progress")
    reporter = reporter_of(report)
    staff = tree.actor("liaison_pupr")
    api = login("liaison_pupr", PASSWORD)
    workspace = signed_in("liaison_pupr")
    client = Client()
    number = report.tracking_number

    window = clock.now()

    def measure() -> tuple[int, ...]:
        # The uncached public view each time (a changed report misses the cache anyway).
        presenters.public_views_clear()
        with clock.frozen(window):
            return (queries(lambda: client.get(f"/laporan/{number}/")),
                    queries(lambda: client.get(f"/api/v1/track/{number}")),
                    queries(lambda: api.get(f"/reports/{report.pk}")),
                    queries(lambda: workspace.get(f"/petugas/laporan/{report.pk}/")))

    measure()  # warm: the first lookup creates the visitor's rate counter, later ones update it
    before = measure()
    for i in range(8):
        services.report_follow_up(actor=staff, report_id=report.pk,
                                  body=f"Tim sudah turun ke lokasi, tahap {i}.", final=False,
                                  public=True)
        services.report_reporter_message(actor=reporter, report_id=report.pk,
                                         body=f"Terima kasih, mohon kabari lagi {i}.")
        services.report_note(actor=staff, report_id=report.pk, body=f"Catatan internal {i}.")
    assert measure() == before


def test_open311_requests_do_not_grow_with_rows(tree: Tree) -> None:
    client = Client()
    _reports(tree, "disposed", 1)
    json_few = queries(lambda: client.get("/open311/v2/requests.json"))
    xml_few = queries(lambda: client.get("/open311/v2/requests.xml"))
    _reports(tree, "disposed", ROWS)
    assert queries(lambda: client.get("/open311/v2/requests.json")) == json_few
    assert queries(lambda: client.get("/open311/v2/requests.xml")) == xml_few


def test_notifications_and_outbox_lists_do_not_grow_with_page_size(tree: Tree) -> None:
    for _ in range(ROWS):
        drive(tree, "disposed")  # each disposal notifies PUPR's liaison in the app
    liaison = login("liaison_pupr", PASSWORD)
    small = queries(lambda: liaison.get("/notifications?limit=2"))
    assert queries(lambda: liaison.get(f"/notifications?limit={ROWS}")) == small
    admin = login("sysadmin", PASSWORD)
    small = queries(lambda: admin.get("/outbox/messages?status=pending&limit=2"))
    assert queries(lambda: admin.get(f"/outbox/messages?status=pending&limit={ROWS}")) == small

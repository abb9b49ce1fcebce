"""Public pages and dashboards read from a replica; everything else from the primary
(lapor.core.dbrouting, docs/deploy.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import resolve

from lapor.core import dbrouting
from lapor.reports.models import Report
from tests.factories import Tree, drive
from tests.servers import app_server, database_url, http, process_env


@pytest.fixture
def replica_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbrouting, "replica_configured", lambda: True)


def test_route_patterns() -> None:
    patterns = ["portal:feed", "open311:*"]
    assert dbrouting.route_matches("portal:feed", patterns)
    assert dbrouting.route_matches("open311:requests", patterns)
    assert not dbrouting.route_matches("portal:track", patterns)
    assert not dbrouting.route_matches("workspace:inbox", patterns)


def test_router_reads_primary_unless_marked_or_unconfigured(db: None) -> None:
    router = dbrouting.ReplicaRouter()
    assert router.db_for_read(Report) is None  # no replica configured here
    with dbrouting.replica_reads():
        assert router.db_for_read(Report) is None
    assert router.db_for_write(Report) == "default"
    assert router.allow_migrate("default", "reports") is True
    assert router.allow_migrate("replica", "reports") is False


@pytest.mark.usefixtures("replica_on")
@pytest.mark.django_db(transaction=True)
def test_router_sends_marked_reads_to_the_replica_outside_transactions() -> None:
    router = dbrouting.ReplicaRouter()
    assert router.db_for_read(Report) is None
    with dbrouting.replica_reads():
        assert router.db_for_read(Report) == "replica"
        with transaction.atomic():
            # Inside a transaction on the primary, reads see its own writes.
            assert router.db_for_read(Report) is None
    assert router.db_for_read(Report) is None


def _run(path: str, method: str = "get", cookies: dict[str, str] | None = None,
         ) -> tuple[bool, HttpResponse]:
    """Send a request through the middleware; tell whether the view read from the replica."""
    seen: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(dbrouting._use_replica.get())
        return HttpResponse("ok")

    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies or {})
    request.resolver_match = resolve(path)
    def handler(r: HttpRequest) -> HttpResponse:
        middleware.process_view(r, view, (), {})
        return view(r)

    middleware = dbrouting.ReplicaReadsMiddleware(handler)
    response = middleware(request)
    assert dbrouting._use_replica.get() is False  # reset after the response
    return seen[0], response


@pytest.mark.usefixtures("replica_on")
def test_middleware_marks_public_reads_only() -> None:
    assert _run("/laporan/")[0] is True
    assert _run("/open311/v2/requests.json")[0] is True
    assert _run("/lacak/123456789012/")[0] is False  # tracking: primary
    assert _run("/petugas/")[0] is False  # staff: primary
    assert _run("/laporan/", method="post")[0] is False
    # A visitor who has just written is pinned to the primary.
    assert _run("/laporan/", cookies={dbrouting.PIN_COOKIE: "1"})[0] is False


@pytest.mark.usefixtures("replica_on")
def test_a_write_pins_the_visitor_to_the_primary() -> None:
    _, response = _run("/laporan/123456789012/dukung/", method="post")
    cookie = response.cookies[dbrouting.PIN_COOKIE]
    assert int(cookie["max-age"]) > 0
    assert cookie["httponly"]
    _, read = _run("/laporan/")
    assert dbrouting.PIN_COOKIE not in read.cookies


@contextlib.contextmanager
def _copy_of_test_database() -> Iterator[str]:
    """A second database on the same server holding a snapshot of the test database: it plays
    a replica that has not caught up yet."""
    source = connection.settings_dict["NAME"]
    name = f"{source}_replica"
    connections.close_all()
    admin = psycopg.connect(database_url("postgres"), autocommit=True)
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        # A template must have no other session: end any left by earlier tests' threads or
        # processes on this worker's own test database.
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", [source])
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        yield database_url(name)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lagging_replica_serves_public_pages_and_nothing_else(tree: Tree) -> None:
    old = drive(tree, "disposed", title="Lampu jalan mati di Sangatta Utara")
    with _copy_of_test_database() as replica_url:
        # Written after the snapshot: only the primary has them.
        Report.objects.filter(pk=old.pk).update(title="Lampu jalan sudah menyala lagi")
        new = drive(tree, "disposed", title="Drainase tersumbat di Bengalon")
        env = process_env(DJANGO_SETTINGS_MODULE="lapor.config.settings_test",
                          DATABASE_REPLICA_URL=replica_url)
        with app_server(env) as base:
            feed = http(f"{base}/laporan/").body.decode()
            assert "Lampu jalan mati di Sangatta Utara" in feed  # the replica's snapshot
            assert "Drainase tersumbat" not in feed
            assert http(f"{base}/laporan/{new.tracking_number}/").status == 404
            # Tracking and the API's writes read the primary.
            track = http(f"{base}/api/v1/track/{new.tracking_number}")
            assert track.status == 200
            support = http(f"{base}/api/v1/track/{old.tracking_number}/support",
                           method="POST", body=b"{}",
                           headers={"Content-Type": "application/json"})
            assert support.status in (200, 201), support.body
            pin = support.headers.get_all("Set-Cookie") or []
            assert any(c.startswith(f"{dbrouting.PIN_COOKIE}=1") for c in pin)
            # With the pin, the same public pages come from the primary.
            cookie = {"Cookie": f"{dbrouting.PIN_COOKIE}=1"}
            assert http(f"{base}/laporan/{new.tracking_number}/", headers=cookie).status == 200
            pinned_feed = http(f"{base}/laporan/", headers=cookie).body.decode()
            assert "Lampu jalan sudah menyala lagi" in pinned_feed
            assert "Drainase tersumbat di Bengalon" in pinned_feed
    assert Report.objects.get(pk=old.pk).support_count == 1

"""Rate limits of reporter lookups: distinct tracking numbers per client address, and wrong
access codes per client address (per tracking number and overall); never per tracking number
alone (lapor.core.ratelimit, lapor.reports.access, counted in the database)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from lapor.core import clock, ratelimit
from lapor.core.errors import TooManyRequests
from lapor.core.models import RateCounter
from tests.factories import Tree, submit

API = "/api/v1"


def _get(path: str, *, ip: str = "198.51.100.7", code: str | None = None) -> Any:
    headers = {"X-Access-Code": code} if code else {}
    return Client().get(API + path, headers=headers, REMOTE_ADDR=ip)


pytestmark = pytest.mark.usefixtures("rate_window")


def _wrong(code: str) -> str:
    return ("B" if code[0] != "B" else "C") + code[1:]


def test_wrong_codes_slow_down_only_the_address_that_typed_them(tree: Tree) -> None:
    """Issue 18: tracking numbers are public, so ten wrong codes from a stranger must not
    lock the reporter out. The stranger's address waits; any other address gets in at once."""
    submitted = submit(tree)
    number = submitted.report.tracking_number
    bad = _wrong(submitted.access_code)
    stranger = "198.51.100.66"
    for attempt in range(10):
        response = _get(f"/track/{number}/full", code=bad, ip=stranger)
        assert response.status_code == 401, attempt
        assert response.json()["code"] == "invalid_access_code"
    eleventh = _get(f"/track/{number}/full", code=bad, ip=stranger)
    assert eleventh.status_code == 429
    body = eleventh.json()
    assert body["code"] == "access_code_attempts"
    assert 0 < int(eleventh["Retry-After"]) <= 3600
    assert body["detail"] == {"retry_after": int(eleventh["Retry-After"])}
    assert "alamat jaringan ini" in body["message"]
    # The stranger cannot go on guessing, not even with the right code ...
    assert _get(f"/track/{number}/full", code=submitted.access_code,
                ip=stranger).status_code == 429
    # ... but the reporter, from their own address, gets in at once.
    right = _get(f"/track/{number}/full", code=submitted.access_code, ip="203.0.113.20")
    assert right.status_code == 200
    assert right.json()["tracking_number"] == number
    # The public lookup still answers the stranger; a new hour forgives them.
    assert _get(f"/track/{number}", ip=stranger).status_code == 200
    with clock.frozen(clock.now() + timedelta(hours=1, minutes=1)):
        assert _get(f"/track/{number}/full", code=submitted.access_code,
                    ip=stranger).status_code == 200


def test_wrong_codes_spread_over_addresses_never_refuse_the_right_code(tree: Tree) -> None:
    """Many addresses guessing one report (a botnet, or the reported official's friends) do
    not shut its reporter out either: an 80-bit code is not guessed, so nothing counts per
    tracking number alone."""
    submitted = submit(tree)
    number = submitted.report.tracking_number
    for attempt in range(25):
        response = _get(f"/track/{number}/full", code=_wrong(submitted.access_code),
                        ip=f"10.0.3.{attempt}")
        assert response.status_code == 401, attempt
    assert _get(f"/track/{number}/full", code=submitted.access_code,
                ip="10.0.4.1").status_code == 200


def test_posting_with_wrong_codes_is_throttled_as_well(tree: Tree) -> None:
    submitted = submit(tree)
    number = submitted.report.tracking_number
    path = f"{API}/track/{number}/messages"

    def post(code: str, ip: str) -> int:
        return Client().post(path, {"body": "Apakah sudah ditangani?"},
                             content_type="application/json",
                             headers={"X-Access-Code": code}, REMOTE_ADDR=ip).status_code

    statuses = [post(_wrong(submitted.access_code), "10.0.2.1") for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    assert post(submitted.access_code, "10.0.2.2") == 200


@override_settings(LAPOR_RATE_CODE_FAILURES_PER_IP_HOUR=3)
def test_wrong_codes_are_limited_per_address_across_tracking_numbers(tree: Tree) -> None:
    reports = [submit(tree) for _ in range(4)]
    for item in reports[:3]:
        number = item.report.tracking_number
        assert _get(f"/track/{number}/full", code=_wrong(item.access_code)).status_code == 401
    last = reports[3]
    response = _get(f"/track/{last.report.tracking_number}/full", code=last.access_code)
    assert response.status_code == 429
    assert response.json()["code"] == "access_code_attempts"
    assert _get(f"/track/{last.report.tracking_number}/full", code=last.access_code,
                ip="203.0.113.5").status_code == 200


def _numbers(count: int) -> list[str]:
    """Distinct (invalid) twelve-digit numbers: scanning tries numbers like these."""
    return [f"{100000000000 + i}" for i in range(count)]


@override_settings(LAPOR_RATE_LOOKUPS_PER_MINUTE=5)
def test_lookups_of_distinct_numbers_are_limited_per_address(tree: Tree) -> None:
    number = submit(tree).report.tracking_number
    assert _get(f"/track/{number}").status_code == 200
    for other in _numbers(4):
        assert _get(f"/track/{other}").status_code == 404
    limited = _get("/track/999999999999")
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 0 < int(limited["Retry-After"]) <= 61
    assert limited.json()["detail"] == {"retry_after": int(limited["Retry-After"])}
    # Asking again does not get a refused number through ...
    assert _get("/track/999999999999").status_code == 429
    # ... while a number this address already looked up still answers (the reporter's own).
    assert _get(f"/track/{number}").status_code == 200
    assert _get(f"/track/{number}/full", code="x" * 19).status_code == 401
    # Other addresses are not affected; a new minute is a new window.
    assert _get("/track/999999999999", ip="203.0.113.5").status_code == 404
    with clock.frozen(clock.now() + timedelta(minutes=1)):
        assert _get("/track/999999999999").status_code == 404


def test_default_limit_is_thirty_distinct_numbers_per_minute(tree: Tree) -> None:
    statuses = [_get(f"/track/{number}").status_code for number in _numbers(31)]
    assert statuses == [404] * 30 + [429]


def test_reading_one_report_again_and_again_is_not_scanning(tree: Tree) -> None:
    """Issue 18: the many citizens behind one carrier-grade NAT address reading (and
    reloading) their reports must not run into 429: repeated look-ups of a number are free."""
    submitted = submit(tree)
    number = submitted.report.tracking_number
    statuses = {_get(f"/track/{number}").status_code for _ in range(40)}
    statuses |= {_get(f"/track/{number}/full", code=submitted.access_code).status_code
                 for _ in range(10)}
    assert statuses == {200}


def test_counters_are_keyed_by_hash_and_pruned(db: None) -> None:
    limit = ratelimit.Limit("test", 2, 60)
    ratelimit.hit(limit, "192.0.2.1")
    ratelimit.hit(limit, "192.0.2.1")
    with pytest.raises(TooManyRequests):
        ratelimit.hit(limit, "192.0.2.1")
    row = RateCounter.objects.get()
    assert row.count == 3
    assert "192.0.2.1" not in row.key
    assert ratelimit.prune() == 0
    with clock.frozen(clock.now() + timedelta(minutes=2)):
        assert ratelimit.prune() == 1
    assert not RateCounter.objects.exists()


@override_settings(LAPOR_PROXY_COUNT=1)
def test_client_address_behind_a_trusted_proxy() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1",
                                   HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.44")
    assert ratelimit.client_ip(request) == "192.0.2.44"
    direct = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    assert ratelimit.client_ip(direct) == "10.0.0.1"


def test_client_address_ignores_forwarded_for_without_proxies() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert ratelimit.client_ip(request) == "192.0.2.9"


def test_lookup_endpoints_document_429(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, method in [("/api/v1/track/{tracking_number}", "get"),
                         ("/api/v1/track/{tracking_number}/full", "get"),
                         ("/api/v1/track/{tracking_number}/reply", "post"),
                         ("/api/v1/track/{tracking_number}/messages", "post"),
                         ("/api/v1/track/{tracking_number}/support", "post")]:
        assert "429" in paths[path][method]["responses"], path


@pytest.mark.django_db
def test_the_lookup_counter_read_sees_what_increment_wrote() -> None:
    """DatabaseBackend.count is a written-out statement (issue #21): same key and window as
    increment, on SQLite and PostgreSQL alike (aware datetimes adapted the same way)."""
    store = ratelimit.DatabaseBackend()
    start = clock.now().replace(second=0, microsecond=0)
    end = start + timedelta(minutes=1)
    assert store.count("k", start) == 0
    store.increment("k", start, end)
    store.increment("k", start, end)
    assert store.count("k", start) == 2
    assert store.count("k", start + timedelta(minutes=1)) == 0
    assert store.count("other", start) == 0
    assert RateCounter.objects.get(key="k", window_start=start).count == 2


@pytest.mark.django_db(transaction=True)
def test_a_first_lookup_counts_and_marks_in_one_statement_outside_a_transaction() -> None:
    """Outside any transaction (as in a web request) the address's counter and the number's
    "seen" mark are one statement, with the relaxed commit in the same query string on
    PostgreSQL (issue #21); a number refused is never marked, and the session keeps its
    synchronous commits."""
    store = ratelimit.DatabaseBackend()
    start = clock.now().replace(second=0, microsecond=0)
    end = start + timedelta(minutes=1)
    with CaptureQueriesContext(connection) as sent:
        assert store.increment_and_mark("address", "seen-1", start, end, 2) == 1
    assert len(sent) == 1 if connection.vendor == "postgresql" else 2
    assert store.increment_and_mark("address", "seen-2", start, end, 2) == 2
    assert store.increment_and_mark("address", "seen-3", start, end, 2) == 3  # refused
    counts = dict(RateCounter.objects.values_list("key", "count"))
    assert counts == {"address": 3, "seen-1": 1, "seen-2": 1}
    assert store.increment_many([("b", start, end), ("a", start, end)]) == [1, 1]
    assert store.increment("a", start, end) == 2
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)


@override_settings(LAPOR_RATE_LOOKUPS_PER_MINUTE=2)
@pytest.mark.django_db(transaction=True)
def test_lookups_outside_a_transaction_refuse_the_third_number() -> None:
    address = "198.51.100.9"
    for number in ("100000000001", "100000000002"):
        ratelimit.throttle_lookup(address, number)
    with pytest.raises(TooManyRequests):
        ratelimit.throttle_lookup(address, "100000000003")
    with pytest.raises(TooManyRequests):  # refused, so not marked as seen
        ratelimit.throttle_lookup(address, "100000000003")
    ratelimit.throttle_lookup(address, "100000000001")  # seen: free

"""Rate limits of reporter lookups: per client address, and wrong access codes per tracking
number and per address (lapor.core.ratelimit, counted in the database)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings

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


def test_brute_forcing_an_access_code_is_throttled(tree: Tree) -> None:
    submitted = submit(tree)
    number = submitted.report.tracking_number
    bad = _wrong(submitted.access_code)
    for attempt in range(10):
        # Spread over addresses so only the per-tracking-number limit can bite.
        response = _get(f"/track/{number}/full", code=bad, ip=f"10.0.0.{attempt}")
        assert response.status_code == 401, attempt
        assert response.json()["code"] == "invalid_access_code"
    eleventh = _get(f"/track/{number}/full", code=bad, ip="10.0.1.1")
    assert eleventh.status_code == 429
    assert eleventh.json()["code"] == "rate_limited"
    assert 0 < int(eleventh["Retry-After"]) <= 3600
    # Now even the right code waits: guessing cannot go on.
    right = _get(f"/track/{number}/full", code=submitted.access_code, ip="10.0.1.2")
    assert right.status_code == 429
    # Other reports are not affected, and the public lookup still answers.
    other = submit(tree)
    assert _get(f"/track/{other.report.tracking_number}/full",
                code=other.access_code).status_code == 200
    assert _get(f"/track/{number}").status_code == 200
    # A new hour, a new window.
    with clock.frozen(clock.now() + timedelta(hours=1, minutes=1)):
        assert _get(f"/track/{number}/full", code=submitted.access_code).status_code == 200


def test_posting_with_wrong_codes_is_throttled_as_well(tree: Tree) -> None:
    submitted = submit(tree)
    number = submitted.report.tracking_number
    path = f"{API}/track/{number}/messages"
    statuses = []
    for attempt in range(11):
        response = Client().post(path, {"body": "Apakah sudah ditangani?"},
                                 content_type="application/json",
                                 headers={"X-Access-Code": _wrong(submitted.access_code)},
                                 REMOTE_ADDR=f"10.0.2.{attempt}")
        statuses.append(response.status_code)
    assert statuses == [401] * 10 + [429]


@override_settings(LAPOR_RATE_CODE_FAILURES_PER_IP_HOUR=3)
def test_wrong_codes_are_limited_per_address_across_tracking_numbers(tree: Tree) -> None:
    reports = [submit(tree) for _ in range(4)]
    for item in reports[:3]:
        number = item.report.tracking_number
        assert _get(f"/track/{number}/full", code=_wrong(item.access_code)).status_code == 401
    last = reports[3]
    response = _get(f"/track/{last.report.tracking_number}/full", code=last.access_code)
    assert response.status_code == 429
    assert _get(f"/track/{last.report.tracking_number}/full", code=last.access_code,
                ip="203.0.113.5").status_code == 200


@override_settings(LAPOR_RATE_LOOKUPS_PER_MINUTE=5)
def test_tracking_lookups_are_limited_per_address(tree: Tree) -> None:
    number = submit(tree).report.tracking_number
    for _ in range(5):
        assert _get(f"/track/{number}").status_code == 200
    limited = _get(f"/track/{number}")
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 0 < int(limited["Retry-After"]) <= 61
    # Invalid numbers count too (enumeration), other addresses are not affected.
    assert _get("/track/000000000000").status_code == 429
    assert _get(f"/track/{number}", ip="203.0.113.5").status_code == 200
    with clock.frozen(clock.now() + timedelta(minutes=1)):
        assert _get(f"/track/{number}").status_code == 200


def test_default_limit_is_thirty_lookups_per_minute(tree: Tree) -> None:
    statuses = [_get("/track/000000000000").status_code for _ in range(31)]
    assert statuses == [404] * 30 + [429]


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

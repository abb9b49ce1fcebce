"""A region's numbers from before its link: handed to the national instance at ``upstream
set`` (``POST /api/v1/federation/numbers``), reserved there, never drawn there."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from lapor.audit.models import AuditEntry
from lapor.core import clock
from lapor.federation import transport
from lapor.federation.models import Link, LinkRole, MirroredReport, Origin, SharedKey
from lapor.federation.services import peer_add, upstream_set, upstream_set_detail
from lapor.federation.signing import signature, signed_headers, signing_key, token_new
from lapor.federation.tests.stub_peer import Received, national, stub_peer
from lapor.federation.transport import PeerFailed
from lapor.reports import numbering
from lapor.reports.models import NumberLane, Report, ReservedNumber
from lapor.reports.submission import new_tracking_number, tracking_number_of
from tests.factories import Tree, submit

NUMBERS = "/api/v1/federation/numbers"
KEY = base64.b64encode(bytes(range(32))).decode()
HELLO = {"agency": "kutim", "lane": 4, "reserved_numbers": [], "access_code_key": KEY}

# Only the entries the test writes (conftest.no_auto_journal).
pytestmark = pytest.mark.usefixtures("no_auto_journal")


def _post(token: str, body: Any, *, agency: str = "kutim") -> Any:
    raw = json.dumps(body).encode()
    headers = signed_headers(agency_code=agency, key=signing_key(token), method="POST",
                             path=NUMBERS, body=raw, token=token)
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    return Client(enforce_csrf_checks=True).post(NUMBERS, data=raw,
                                                 content_type="application/json", **meta)


def _reserved() -> list[str]:
    return sorted(ReservedNumber.objects.values_list("number", flat=True))


# ---------------------------------------------------------------- the national's endpoint


def test_the_endpoint_reserves_the_numbers_and_counts_earlier_collisions(
        tree: Tree, caplog: pytest.LogCaptureFixture) -> None:
    link, token = peer_add(agency_code="kutim", url="https://region.example")
    own = submit(tree).report.tracking_number  # issued here before the link
    # A copy received from this region carries the region's number: no collision.
    copy = submit(tree).report
    MirroredReport.objects.create(report=copy, link=link, origin=Origin.PEER,
                                  created_at=clock.now())
    fresh = [tracking_number_of(7), tracking_number_of(123_456_789)]
    with caplog.at_level(logging.WARNING, logger="lapor.federation.services"):
        response = _post(token, {"numbers": [own, copy.tracking_number, *fresh, fresh[0]]})
    assert response.status_code == 200, response.content
    assert response.json() == {"reserved": 4, "already_issued": 1,
                               "already_issued_numbers": [own]}
    assert _reserved() == sorted([own, copy.tracking_number, *fresh])
    assert own in caplog.text
    entry = AuditEntry.objects.get(action="federation.numbers_reserved")
    assert entry.payload == {"agency": "kutim", "reserved": 4, "already_issued": 1}
    # Sent again (a re-run of upstream set): the same answer, still one row each.
    again = _post(token, {"numbers": fresh})
    assert again.json() == {"reserved": 2, "already_issued": 0, "already_issued_numbers": []}
    assert len(_reserved()) == 4


_VALID = tracking_number_of(42)
_BAD_CHECK = _VALID[:11] + str((int(_VALID[11]) + 1) % 10)


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"numbers": [_VALID, _BAD_CHECK]}, "invalid_entry", "numbers.1"),
    ({"numbers": [_VALID[:11]]}, "invalid_entry", "numbers.0"),
    ({"numbers": [_VALID + "0"]}, "invalid_entry", "numbers.0"),
    ({"numbers": [f"{_VALID[:4]}-{_VALID[4:8]}-{_VALID[8:]}"]}, "invalid_entry", "numbers.0"),
    # Arabic-Indic digits are digits to str.isdigit, not ASCII.
    ({"numbers": ["".join(chr(0x660 + int(c)) for c in _VALID)]}, "invalid_entry",
     "numbers.0"),
    ({"numbers": [int(_VALID)]}, "invalid_entry", "numbers.0"),
    ({"numbers": [None]}, "invalid_entry", "numbers.0"),
    ({"numbers": [["x"]]}, "invalid_entry", "numbers.0"),
    ({"numbers": _VALID}, "required", "numbers"),
    ({}, "required", "numbers"),
    ([_VALID], "required", "numbers"),
    ({"numbers": [_VALID] * (transport.NUMBERS_BATCH + 1)}, "request_too_large", "numbers"),
])
def test_a_bad_body_is_a_422_with_a_code_and_stores_nothing(
        tree: Tree, body: Any, code: str, field: str) -> None:
    _, token = peer_add(agency_code="kutim", url="https://region.example")
    response = _post(token, body)
    assert response.status_code == 422, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not ReservedNumber.objects.exists()


def test_only_a_region_may_send_numbers(tree: Tree) -> None:
    peer_add(agency_code="kutim", url="https://region.example")
    # Another token (not this link's): refused before anything is read.
    assert _post(token_new(), {"numbers": [_VALID]}).json()["code"] == "unknown_peer"
    # Unsigned.
    response = Client().post(NUMBERS, data={"numbers": [_VALID]},
                             content_type="application/json")
    assert response.status_code == 401
    assert not ReservedNumber.objects.exists()


def test_a_region_answers_no_numbers_request(tree: Tree) -> None:
    token = token_new()
    with stub_peer(national(HELLO)) as upstream:
        upstream_set(url=upstream.url, agency_code="kutim", token=token)
    # Signed by the national instance with the link's key (no bearer): still refused.
    raw = json.dumps({"numbers": [_VALID]}).encode()
    headers = signed_headers(agency_code="kutim", key=signing_key(token), method="POST",
                             path=NUMBERS, body=raw)
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    response = Client().post(NUMBERS, data=raw, content_type="application/json", **meta)
    assert response.status_code == 401
    assert response.json()["code"] == "unknown_peer"
    assert not ReservedNumber.objects.exists()


def test_the_endpoint_is_described_in_openapi(tree: Tree) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"][NUMBERS]["post"]
    assert "invalid_entry" in operation["description"]
    assert "requestBody" in operation
    assert set(operation["responses"]) >= {"200", "401", "422"}


# ---------------------------------------------------------------- the national's drawing


def _draws(monkeypatch: pytest.MonkeyPatch, values: list[int]) -> list[int]:
    """``secrets.randbelow`` answers ``values`` in turn; returns the bounds it was asked."""
    asked: list[int] = []
    answers: Iterator[int] = iter(values)

    def randbelow(n: int) -> int:
        asked.append(n)
        return next(answers)

    monkeypatch.setattr(numbering.secrets, "randbelow", randbelow)
    return asked


def test_the_national_never_draws_a_reserved_number(tree: Tree,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    peer_add(agency_code="kutim", url="https://region.example")  # gives lane 1 away
    # Values in lane 0 and lane 2 (after the given lane 1: the draw skips it).
    first, second = 5_000, numbering.LANE_SIZE + 77
    numbering.numbers_reserve([tracking_number_of(first),
                               tracking_number_of(second + numbering.LANE_SIZE)])
    asked = _draws(monkeypatch, [first, second, 9])
    assert new_tracking_number() == tracking_number_of(9)
    assert len(asked) == 3  # both reserved draws refused


def test_a_reserved_number_is_refused_without_any_lane(tree: Tree,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Reserved rows alone (no lane row) are enough: the check does not depend on lanes.
    assert not NumberLane.objects.exists()
    numbering.numbers_reserve([tracking_number_of(11)])
    _draws(monkeypatch, [11, 11, 12])
    report = submit(tree).report
    assert report.tracking_number == tracking_number_of(12)


# ---------------------------------------------------------------- the region's upstream set


def test_upstream_set_sends_the_existing_numbers_signed(tree: Tree) -> None:
    reports = [submit(tree).report for _ in range(3)]
    token = token_new()
    with stub_peer(national(HELLO)) as upstream:
        done = upstream_set_detail(url=upstream.url, agency_code="kutim", token=token)
    hello, numbers = upstream.received
    assert (hello.method, hello.path) == ("GET", "/api/v1/federation/hello")
    assert (numbers.method, numbers.path) == ("POST", NUMBERS)
    assert numbers.json() == {"numbers": [r.tracking_number for r in reports]}
    assert numbers.headers["Authorization"] == f"Bearer {token}"
    assert numbers.headers["X-Lapor-Link"] == "kutim"
    assert numbers.headers["X-Lapor-Signature"] == signature(
        key=signing_key(token), timestamp=numbers.headers["X-Lapor-Timestamp"],
        method="POST", path=NUMBERS, body=numbers.body)
    assert (done.numbers_sent, done.reserved, done.already_issued) == (3, 3, 0)
    assert done.link.lane == 4
    assert AuditEntry.objects.get(action="federation.upstream_set").payload[
        "numbers_sent"] == 3


def test_upstream_set_sends_in_batches_and_skips_copies_and_bad_numbers(
        tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "NUMBERS_BATCH", 2)
    mine = [submit(tree).report for _ in range(3)]
    legacy = submit(tree).report  # a number without a valid check digit: never drawn there
    Report.objects.filter(pk=legacy.pk).update(tracking_number="100000000000")
    token = token_new()
    with stub_peer(national(HELLO)) as upstream:
        link = upstream_set(url=upstream.url, agency_code="kutim", token=token)
    sent = [n for got in upstream.received if got.method == "POST"
            for n in got.json()["numbers"]]
    assert [len(got.json()["numbers"]) for got in upstream.received
            if got.method == "POST"] == [2, 1]
    assert sent == [r.tracking_number for r in mine]
    # Run again (new URL, say) with a copy received from the national instance here: its
    # number is the national's own and is not sent back.
    copy = submit(tree).report
    MirroredReport.objects.create(report=copy, link=link, origin=Origin.PEER,
                                  created_at=clock.now())
    with stub_peer(national(HELLO)) as upstream:
        done = upstream_set_detail(url=upstream.url, agency_code="kutim", token=token)
    resent = [n for got in upstream.received if got.method == "POST"
              for n in got.json()["numbers"]]
    assert resent == [r.tracking_number for r in mine]
    assert done.numbers_sent == 3
    assert Link.objects.get().url == upstream.url


@pytest.mark.parametrize(("status", "answer", "code"), [
    (422, {"code": "invalid_entry"}, "invalid_entry"),
    (500, {}, "peer_error"),
    (200, {"reserved": "3"}, "peer_error"),
])
def test_upstream_set_stores_nothing_when_the_numbers_are_refused(
        tree: Tree, status: int, answer: dict[str, Any], code: str) -> None:
    submit(tree)

    def refuse_numbers(got: Received) -> tuple[int, dict[str, Any]]:
        return (200, HELLO) if got.method == "GET" else (status, answer)

    token = token_new()
    with stub_peer(refuse_numbers) as upstream, pytest.raises(PeerFailed) as refused:
        upstream_set(url=upstream.url, agency_code="kutim", token=token)
    assert refused.value.code == code
    assert not Link.objects.exists()
    assert not NumberLane.objects.exists()
    assert not SharedKey.objects.exists()
    # Re-runnable: once the national instance takes them, the link is made.
    with stub_peer(national(HELLO)) as upstream:
        link = upstream_set(url=upstream.url, agency_code="kutim", token=token)
    assert link.role == LinkRole.UPSTREAM
    assert NumberLane.objects.get(mine=True).lane == 4


def test_cli_upstream_set_warns_of_numbers_already_issued(tree: Tree) -> None:
    reports = [submit(tree).report for _ in range(2)]
    taken = reports[1].tracking_number

    def collide(numbers: list[str]) -> dict[str, Any]:
        return {"reserved": len(numbers), "already_issued": 1,
                "already_issued_numbers": [taken]}

    out = io.StringIO()
    with stub_peer(national(HELLO, reserved=collide)) as upstream:
        call_command("federation", "upstream", "set", "--url", upstream.url, "--agency",
                     "kutim", "--token", token_new(), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1] == "2 existing tracking number(s) sent, 2 reserved on the national instance."
    assert lines[2].startswith("Warning: 1 tracking number(s) of this instance were already "
                               "issued by the national instance")
    assert lines[2].endswith(f": {taken}")
    assert Link.objects.filter(role=LinkRole.UPSTREAM).exists()


@pytest.mark.django_db(transaction=True)
def test_the_regions_client_and_the_nationals_endpoint_agree(tree: Tree,
                                                             live_server: Any) -> None:
    # Over real HTTP (one database plays the national instance): the path, the signature,
    # the body and the answer as the region's transport reads them.
    link, token = peer_add(agency_code="kutim", url="https://region.example")
    own = submit(tree).report.tracking_number
    answer = transport.numbers_send(url=live_server.url, agency_code="kutim", token=token,
                                    numbers=[own, _VALID])
    assert answer == transport.NumbersAnswer(reserved=2, already_issued=1,
                                             already_issued_numbers=[own])
    assert _reserved() == sorted([own, _VALID])
    with pytest.raises(PeerFailed) as refused:
        transport.numbers_send(url=live_server.url, agency_code="kutim", token=token,
                               numbers=[_BAD_CHECK])
    assert (refused.value.detail["peer_code"], refused.value.http_status) == (
        "invalid_entry", 422)
    assert link.role == LinkRole.PEER

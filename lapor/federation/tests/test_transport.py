"""Pushing the journal to a real local HTTP server standing in for the other instance, through
the outbox; the handshake of ``upstream set``."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from lapor.federation import keys
from lapor.federation.journal import journal_append, outbox_key
from lapor.federation.models import EntryKind, Link, LinkRole, SharedKey
from lapor.federation.services import upstream_set
from lapor.federation.signing import signature, signing_key, token_new
from lapor.federation.tasks import any_backlog, push_backlogs
from lapor.federation.tests.stub_peer import Received, journal_ack, stub_peer
from lapor.federation.transport import JOURNAL_PATH, PeerFailed, push
from lapor.notifications.dispatcher import dispatch
from lapor.notifications.models import OutboxMessage, OutboxStatus
from lapor.reports import numbering
from lapor.reports.models import NumberLane, ReservedNumber
from tests.factories import Tree, submit

KEY = base64.b64encode(bytes(range(32))).decode()

# Only the entries the test writes (conftest.no_auto_journal).
pytestmark = pytest.mark.usefixtures("no_auto_journal")


def _link(tree: Tree, url: str, token: str) -> Link:
    """A region's upstream link to ``url`` made through the real handshake (stub national)."""
    def hello(got: Received) -> tuple[int, dict[str, Any]]:
        return 200, {"agency": "kutim", "lane": 7, "reserved_numbers": [],
                     "access_code_key": KEY}

    with stub_peer(hello) as national:
        link = upstream_set(url=national.url, agency_code="kutim", token=token)
    Link.objects.filter(pk=link.pk).update(url=url)
    link.refresh_from_db()
    return link


def test_upstream_set_signs_the_handshake_and_stores_the_answer(tree: Tree) -> None:
    token = token_new()
    number = "1" + str(numbering.lane_bounds(3)[0] + 5).zfill(10) + "7"

    def hello(got: Received) -> tuple[int, dict[str, Any]]:
        return 200, {"agency": "kutim", "lane": 3, "reserved_numbers": [number],
                     "access_code_key": KEY}

    with stub_peer(hello) as national:
        link = upstream_set(url=national.url + "/", agency_code="kutim", token=token)
    got = national.received[0]
    assert (got.method, got.path) == ("GET", "/api/v1/federation/hello")
    assert got.headers["Authorization"] == f"Bearer {token}"
    assert got.headers["X-Lapor-Link"] == "kutim"
    assert got.headers["X-Lapor-Signature"] == signature(
        key=signing_key(token), timestamp=got.headers["X-Lapor-Timestamp"], method="GET",
        path="/api/v1/federation/hello", body=b"")
    assert (link.role, link.lane, link.url) == (LinkRole.UPSTREAM, 3, national.url)
    assert NumberLane.objects.get(mine=True).lane == 3
    assert list(ReservedNumber.objects.values_list("number", flat=True)) == [number]
    assert keys.shared_access_code_key() == bytes(range(32))


@pytest.mark.parametrize(("status", "answer", "code"), [
    (401, {"code": "unknown_peer"}, "unknown_peer"),
    (200, {"agency": "samarinda", "lane": 1, "reserved_numbers": [],
           "access_code_key": KEY}, "peer_error"),
    (500, {}, "peer_error"),
])
def test_upstream_set_stores_nothing_when_the_handshake_fails(
        tree: Tree, status: int, answer: dict[str, Any], code: str) -> None:
    with stub_peer(lambda got: (status, answer)) as national, \
            pytest.raises(PeerFailed) as refused:
        upstream_set(url=national.url, agency_code="kutim", token=token_new())
    assert (refused.value.detail["peer_code"] or refused.value.code) in (code, "")
    assert refused.value.code == code
    assert not Link.objects.exists()
    assert not NumberLane.objects.exists()
    assert not SharedKey.objects.exists()


def test_upstream_set_unreachable(tree: Tree) -> None:
    with stub_peer(journal_ack) as gone:
        url = gone.url
    with pytest.raises(PeerFailed) as refused:
        upstream_set(url=url, agency_code="kutim", token=token_new())
    assert refused.value.code == "peer_unreachable"
    assert not Link.objects.exists()


def test_outbox_row_pushes_the_backlog_signed(tree: Tree) -> None:
    token = token_new()
    with stub_peer(journal_ack) as national:
        link = _link(tree, national.url, token)
        report = submit(tree).report
        for _ in range(3):
            journal_append(link=link, report=report, kind=EntryKind.REPORT)
        assert any_backlog()
        result = dispatch(worker="test")
    assert result.sent >= 3  # the three rows (and the reporter's acknowledgement)
    assert result.retried == result.dead == 0
    assert len(national.received) == 1  # one batch carried all three
    got = national.received[0]
    assert got.path == JOURNAL_PATH
    assert [e["seq"] for e in got.json()["entries"]] == [1, 2, 3]
    assert got.headers["Idempotency-Key"] == "kutim:1-3"
    assert got.headers["X-Lapor-Signature"] == signature(
        key=signing_key(token), timestamp=got.headers["X-Lapor-Timestamp"], method="POST",
        path=JOURNAL_PATH, body=got.body)
    link.refresh_from_db()
    assert link.sent_through == 3
    assert link.last_success_at is not None
    assert link.last_error == ""
    assert set(OutboxMessage.objects.filter(key__startswith=f"fed:{link.pk}:")
               .values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert not any_backlog()


def test_batches_of_the_configured_size(tree: Tree, settings: Any) -> None:
    settings.LAPOR_FEDERATION_BATCH = 2
    with stub_peer(journal_ack) as national:
        link = _link(tree, national.url, token_new())
        report = submit(tree).report
        for _ in range(5):
            journal_append(link=link, report=report, kind=EntryKind.REPORT)
        result = push(link)
    assert [len(r.json()["entries"]) for r in national.received] == [2, 2, 1]
    assert (result.sent, result.received_through, result.backlog) == (5, 5, 0)


def test_peer_down_is_retried_then_delivered(tree: Tree) -> None:
    answers = iter([(503, {"code": "database_unavailable"})])

    def flaky(got: Received) -> tuple[int, dict[str, Any]]:
        return next(answers, None) or journal_ack(got)

    with stub_peer(flaky) as national:
        link = _link(tree, national.url, token_new())
        journal_append(link=link, report=submit(tree).report, kind=EntryKind.REPORT)
        first = dispatch(worker="test")
        row = OutboxMessage.objects.get(key=outbox_key(link.pk, 1))
        assert first.retried == 1
        assert row.status == OutboxStatus.PENDING
        assert row.last_error == "http_503 database_unavailable"
        link.refresh_from_db()
        assert link.last_error == "http_503 database_unavailable"
        assert link.sent_through == 0
        # The scheduler's safety net pushes the backlog without waiting for the row's backoff.
        assert push_backlogs() == {"links": 1, "failed": 0, "sent": 1}
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    link.refresh_from_db()
    assert (link.sent_through, link.last_error) == (1, "")


def test_a_refused_entry_keeps_the_rest_waiting(tree: Tree) -> None:
    def refuse_second(got: Received) -> tuple[int, dict[str, Any]]:
        return 200, {"received_through": 1, "error": "unknown_node"}

    with stub_peer(refuse_second) as national:
        link = _link(tree, national.url, token_new())
        report = submit(tree).report
        for _ in range(3):
            journal_append(link=link, report=report, kind=EntryKind.REPORT)
        result = push(link)
    assert (result.sent, result.backlog) == (1, 2)
    link.refresh_from_db()
    assert link.last_error == "peer refused entry 2: unknown_node"
    statuses = dict(OutboxMessage.objects.filter(key__startswith=f"fed:{link.pk}:")
                    .values_list("key", "status"))
    assert statuses[outbox_key(link.pk, 1)] == OutboxStatus.SENT
    assert statuses[outbox_key(link.pk, 3)] == OutboxStatus.PENDING


def test_peer_ahead_of_the_journal_is_an_error_not_a_loss(tree: Tree) -> None:
    with stub_peer(lambda got: (200, {"received_through": 50})) as national:
        link = _link(tree, national.url, token_new())
        journal_append(link=link, report=submit(tree).report, kind=EntryKind.REPORT)
        with pytest.raises(PeerFailed):
            push(link)
    link.refresh_from_db()
    assert link.sent_through == 0
    assert link.last_error.startswith("peer_ahead")
    assert json.dumps(link.last_error)  # secret-free text


def test_large_snapshots_go_in_smaller_requests(tree: Tree, monkeypatch: pytest.MonkeyPatch
                                                ) -> None:
    from lapor.federation import mirror, transport  # noqa: PLC0415

    monkeypatch.setattr(transport, "BODY_MAX", 3000)
    monkeypatch.setattr(mirror, "snapshot_entries", lambda link, entries: [
        {"seq": e.seq, "kind": e.kind, "body": "x" * 1000} for e in entries])
    acked: list[int] = []
    monkeypatch.setattr(mirror, "entries_acknowledged",
                        lambda link, entries: acked.extend(e.seq for e in entries),
                        raising=False)
    with stub_peer(journal_ack) as national:
        link = _link(tree, national.url, token_new())
        report = submit(tree).report
        for _ in range(5):
            journal_append(link=link, report=report, kind=EntryKind.REPORT)
        result = push(link)
    assert all(len(r.body) <= 3000 for r in national.received)
    assert [e["seq"] for r in national.received for e in r.json()["entries"]] == [1, 2, 3, 4, 5]
    assert (result.sent, result.backlog) == (5, 0)
    assert acked == [1, 2, 3, 4, 5]

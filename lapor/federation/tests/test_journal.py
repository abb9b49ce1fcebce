"""The journal: seqs and outbox rows written with the entry; applied in order, once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from lapor.federation.journal import journal_append, outbox_key
from lapor.federation.models import EntryKind, JournalEntry, Link
from lapor.federation.receive import journal_receive
from lapor.federation.services import peer_add
from lapor.notifications.models import Audience, Channel, OutboxMessage
from tests.factories import Tree, submit

# Only the entries the test writes (conftest.no_auto_journal).
pytestmark = pytest.mark.usefixtures("no_auto_journal")


@pytest.fixture
def link(tree: Tree) -> Link:
    return peer_add(agency_code="kutim", url="https://region.example")[0]


@pytest.fixture
def applied(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    seen: list[int] = []
    from lapor.federation import mirror  # noqa: PLC0415

    monkeypatch.setattr(mirror, "apply_entry", lambda link, entry: seen.append(entry["seq"]))
    return seen


def test_append_takes_the_next_seq_and_writes_the_outbox_row(tree: Tree, link: Link) -> None:
    report = submit(tree).report
    first = journal_append(link=link, report=report, kind=EntryKind.REPORT)
    second = journal_append(link=link, report=report, kind=EntryKind.COMMAND,
                            payload={"action": "reply", "args": {"body": "x"}, "version": 3})
    assert (first.seq, second.seq) == (1, 2)
    assert Link.objects.get(pk=link.pk).next_seq == 3
    assert second.payload["action"] == "reply"
    row = OutboxMessage.objects.get(key=outbox_key(link.pk, 2))
    assert (row.channel, row.audience, row.agency_id) == (
        Channel.FEDERATION, Audience.PEER, tree.kutim.pk)
    assert row.payload == {"link": link.pk, "seq": 2}


def test_append_rolls_back_with_the_caller(tree: Tree, link: Link) -> None:
    report = submit(tree).report

    def change() -> None:
        with transaction.atomic():
            journal_append(link=link, report=report, kind=EntryKind.REPORT)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change()
    assert not JournalEntry.objects.exists()
    assert not OutboxMessage.objects.filter(channel=Channel.FEDERATION).exists()
    assert Link.objects.get(pk=link.pk).next_seq == 1


def _entries(*seqs: int) -> list[dict[str, Any]]:
    return [{"seq": n, "kind": "report"} for n in seqs]


def test_receive_applies_in_order_whatever_the_order_sent(link: Link,
                                                         applied: list[int]) -> None:
    assert journal_receive(link, _entries(3, 1, 2)) == 3
    assert applied == [1, 2, 3]


def test_receive_acknowledges_repeats_without_applying(link: Link,
                                                       applied: list[int]) -> None:
    journal_receive(link, _entries(1, 2))
    assert journal_receive(link, _entries(1, 2)) == 2
    assert journal_receive(link, _entries(2, 3)) == 3
    assert applied == [1, 2, 3]


def test_receive_stops_at_a_gap(link: Link, applied: list[int]) -> None:
    assert journal_receive(link, _entries(1, 3, 4)) == 1
    assert applied == [1]
    assert journal_receive(link, _entries(2, 3, 4)) == 4
    assert applied == [1, 2, 3, 4]


def test_receive_rolls_back_a_failed_entry_and_stops(link: Link, tree: Tree,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from lapor.federation import mirror  # noqa: PLC0415

    def apply(link: Link, entry: dict[str, Any]) -> None:
        # Writes something, then fails: the write must not survive.
        tree.kutim.__class__.objects.filter(pk=tree.dinkes.pk).update(name="changed")
        if entry["seq"] == 1:
            raise KeyError("a bug")

    monkeypatch.setattr(mirror, "apply_entry", apply)
    assert journal_receive(link, _entries(1, 2)) == 0
    tree.dinkes.refresh_from_db()
    assert tree.dinkes.name != "changed"
    assert Link.objects.get(pk=link.pk).last_error == "entry 1: error_KeyError"

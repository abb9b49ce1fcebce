"""The scheduler's per-minute push of links with a backlog."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lapor.config.scheduler import tick
from lapor.core import clock
from lapor.core.models import PeriodicRun
from lapor.federation.journal import journal_append
from lapor.federation.models import EntryKind, Link
from lapor.federation.services import peer_add
from lapor.federation.tests.stub_peer import journal_ack, stub_peer
from lapor.notifications.models import OutboxMessage
from tests.factories import Tree, submit

# Only the entries the test writes (conftest.no_auto_journal).
pytestmark = pytest.mark.usefixtures("no_auto_journal")


def test_tick_pushes_a_backlog_once_per_minute(tree: Tree) -> None:
    link, _ = peer_add(agency_code="kutim", url="https://kutim.example")
    with clock.frozen(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)):
        tick("worker-a")  # nothing waiting: no federation slot claimed
    assert not PeriodicRun.objects.filter(task="federation.push").exists()
    with stub_peer(journal_ack) as region:
        Link.objects.filter(pk=link.pk).update(url=region.url)
        report = submit(tree).report
        journal_append(link=link, report=report, kind=EntryKind.REPORT)
        # The outbox row died (say): only the scheduler's push is left to send the entry.
        OutboxMessage.objects.filter(key__startswith="fed:").update(status="dead")
        with clock.frozen(datetime(2026, 3, 2, 1, 1, tzinfo=UTC)):
            # The test settings run tasks immediately: the push happens inside tick().
            tick("worker-a")
            tick("worker-b")
    assert len(region.received) == 1
    assert Link.objects.get(pk=link.pk).sent_through == 1
    assert PeriodicRun.objects.filter(task="federation.push").count() == 1

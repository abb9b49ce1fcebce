"""Several dispatchers at once (PostgreSQL, real connections): every row is delivered, none
twice (``FOR UPDATE SKIP LOCKED`` claims with a lease)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import override_settings

from lapor.notifications.dispatcher import DispatchResult, dispatch
from lapor.notifications.models import CallbackEndpoint, OutboxMessage
from lapor.notifications.tests.fakes import fake_provider
from tests.factories import Tree, submit
from tests.test_escalation_concurrency import DUMMY_TASKS, race


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DUMMY_TASKS, LAPOR_OUTBOX_BATCH=5)
def test_three_dispatchers_share_the_queue_without_repeats(tree: Tree) -> None:
    with fake_provider() as provider:
        CallbackEndpoint.objects.create(node=tree.kutim, name="SIPP", url=provider.url,
                                        secret="k", created_at=datetime.now(UTC))
        for _ in range(40):
            submit(tree, reporter_email="")
        assert OutboxMessage.objects.filter(status="pending").count() == 40
        results = race(*(lambda n=n: dispatch(worker=f"w{n}") for n in range(3)))
        assert all(isinstance(r, DispatchResult) for r in results), results
        assert sum(r.sent for r in results) == 40
        assert len(provider.received) == 40  # no row was sent twice
        assert set(provider.delivered.values()) == {1}
        assert OutboxMessage.objects.filter(status="sent").count() == 40

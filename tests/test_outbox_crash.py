"""A worker killed with SIGKILL in the middle of a delivery: after a restart the provider has
the message exactly once (PostgreSQL; real worker processes, a real local HTTP provider).

The provider records the callback, then takes 30 s to answer the first request; the worker is
SIGKILLed while it waits. The row stays leased (pending, one attempt). A new worker takes it
once the lease (3 s here) has passed, delivers again with the same Idempotency-Key, and the
provider acknowledges the repeat without processing it twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import override_settings

from lapor.notifications.models import CallbackEndpoint, OutboxMessage
from lapor.notifications.tests.fakes import fake_provider
from tests.factories import Tree, submit

DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def worker(name: str) -> subprocess.Popen[bytes]:
    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/"
           f"{settings['NAME']}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lapor.config.settings_test",
           "DATABASE_URL": url, "LAPOR_OUTBOX_LEASE_SECONDS": "3"}
    return subprocess.Popen(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "lapor.cli", "outbox", "dispatch", "--loop", "--interval",
         "0.3", "--worker", name],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DUMMY_TASKS)
def test_sigkill_mid_delivery_then_restart_delivers_once(tree: Tree) -> None:
    with fake_provider(sleep_first=30) as provider:
        CallbackEndpoint.objects.create(node=tree.kutim, name="SIPP", url=provider.url,
                                        secret="k", created_at=datetime.now(UTC))
        submit(tree, reporter_email="")
        row = OutboxMessage.objects.get()
        assert row.channel == "webhook"

        first = worker("first")
        try:
            wait_for(lambda: len(provider.received) == 1)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            first.kill()
        row.refresh_from_db()
        assert (row.status, row.attempts, row.claimed_by) == ("pending", 1, "first")
        assert row.claimed_until is not None

        second = worker("second")
        try:
            wait_for(lambda: OutboxMessage.objects.get(pk=row.pk).status == "sent")
        finally:
            second.terminate()
            second.wait(timeout=10)
        row.refresh_from_db()
        assert (row.status, row.attempts, row.claimed_by) == ("sent", 2, "second")
        assert provider.received == [row.key, row.key]  # at least once on the wire …
        assert provider.delivered == {row.key: 1}  # … exactly once at the provider

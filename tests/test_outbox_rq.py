"""The broker engine: RQ on the real Redis (127.0.0.1:6379) through django-tasks-rq.

A committed state change enqueues one dispatch job on Redis (after commit, never before); a
real ``rqworker --burst`` process with django-tasks-rq's job class runs it against PostgreSQL
and the callback reaches the provider once. ``lapor worker --burst`` picks the same engine from
``LAPOR_TASKS_BACKEND=rq``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
import redis
from django.db import connection, transaction
from django.test import override_settings

from lapor.notifications.models import CallbackEndpoint, OutboxMessage
from lapor.notifications.tests.fakes import fake_provider
from tests.factories import Tree, submit

REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, flushed by the test
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
RQ_QUEUES = {"default": {"URL": REDIS_URL}}


@pytest.fixture
def redis_db() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("LAPOR_REQUIRE_REDIS"):  # .ci/run starts Redis and sets this
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    client.flushdb()
    return client


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/"
           f"{settings['NAME']}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lapor.config.settings",
           "DATABASE_URL": url, "LAPOR_TASKS_BACKEND": "rq", "LAPOR_REDIS_URL": REDIS_URL}
    return subprocess.run(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "lapor.cli", *args], env=env, capture_output=True,
        timeout=120, check=False,
    )


def queued(client: redis.Redis) -> int:
    return int(client.llen("rq:queue:default"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=RQ_TASKS, RQ_QUEUES=RQ_QUEUES)
def test_dispatch_round_trip_through_rq(tree: Tree, redis_db: redis.Redis) -> None:
    with fake_provider() as provider:
        CallbackEndpoint.objects.create(node=tree.kutim, name="SIPP", url=provider.url,
                                        secret="k", created_at=datetime.now(UTC))
        with transaction.atomic():
            report = submit(tree, reporter_email="").report
            assert queued(redis_db) == 0  # nothing is enqueued inside the transaction
        assert queued(redis_db) == 1  # one dispatch job per transaction, after commit
        row = OutboxMessage.objects.get(report=report)
        assert row.status == "pending"

        done = run("rqworker", "default", "--job-class", "django_tasks_rq.Job", "--burst")
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        row.refresh_from_db()
        assert row.status == "sent"
        assert provider.delivered == {row.key: 1}
        assert queued(redis_db) == 0

        # `lapor worker` chooses the RQ engine from the setting.
        second = submit(tree, reporter_email="").report
        assert queued(redis_db) == 1
        done = run("worker", "--burst")
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        row = OutboxMessage.objects.get(report=second)
        assert row.status == "sent"
        assert provider.delivered[row.key] == 1


@override_settings(TASKS=RQ_TASKS, RQ_QUEUES={"default": {"URL": "redis://127.0.0.1:1/0"}})
def test_broker_down_does_not_fail_the_change(tree: Tree,
                                              django_capture_on_commit_callbacks: object) -> None:
    """Redis unreachable: the report is still accepted; the row waits for the scheduler."""
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        report = submit(tree).report
    assert OutboxMessage.objects.filter(report=report, status="pending").exists()

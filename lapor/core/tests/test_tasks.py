"""Enqueue after commit (lapor.core.tasks): never for a rolled-back row, once per transaction
when asked, a broker failure logged and never raised."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.tasks import task

from lapor.core.tasks import enqueue_after_commit

calls: list[tuple[Any, ...]] = []


@task()
def noted_task(value: int) -> None:
    calls.append((value,))


class _Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def enqueue(self, *args: Any) -> None:
        if self.fail:
            raise ConnectionError("broker down")
        calls.append(args)


@pytest.fixture(autouse=True)
def _clear() -> None:
    calls.clear()


@pytest.mark.django_db(transaction=True)
def test_enqueued_after_commit_never_on_rollback() -> None:
    recorder = _Recorder()
    with transaction.atomic():
        enqueue_after_commit(recorder, 1, failure="x %s")  # type: ignore[arg-type]
        assert calls == []  # not inside the transaction
    assert calls == [(1,)]
    with transaction.atomic():
        enqueue_after_commit(recorder, 2, failure="x %s")  # type: ignore[arg-type]
        transaction.set_rollback(True)
    assert calls == [(1,)]
    enqueue_after_commit(recorder, 3, failure="x %s")  # type: ignore[arg-type]  # autocommit
    assert calls == [(1,), (3,)]


@pytest.mark.django_db(transaction=True)
def test_once_per_transaction() -> None:
    recorder = _Recorder()
    with transaction.atomic():
        for _ in range(3):
            enqueue_after_commit(recorder, failure="x", once=True)  # type: ignore[arg-type]
        enqueue_after_commit(recorder, 7, failure="x %s", once=True)  # type: ignore[arg-type]
    assert calls == [(), (7,)]


@pytest.mark.django_db(transaction=True)
def test_a_failed_enqueue_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    with transaction.atomic():
        enqueue_after_commit(_Recorder(fail=True), 5,  # type: ignore[arg-type]
                             failure="row %s: enqueue failed; the sweep picks it up")
    assert [r.getMessage() for r in caplog.records if r.name == "lapor.core.tasks"] == [
        "row 5: enqueue failed; the sweep picks it up"]


@pytest.mark.django_db(transaction=True)
def test_a_real_task_is_enqueued() -> None:
    with transaction.atomic():
        enqueue_after_commit(noted_task, 9, failure="x %s")
        assert calls == []
    assert calls == [(9,)]  # the test settings run a task as it is enqueued

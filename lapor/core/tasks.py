"""Enqueue a background task once the current transaction commits: the one way a module that
records a row hands it to the worker (ARCHITECTURE habit 7: never enqueue work for a row
that may still roll back).

A failed enqueue (a broker outage) is logged, never raised: the row is committed by then,
and each caller names what picks the work up anyway (a sweep, the scheduler, a command).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.tasks import Task

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Enqueue:
    """The on-commit callback: ``task.enqueue(*args)``, a failure logged as ``failure``
    (``%s`` placeholders filled with ``args``)."""

    task: Task[..., Any]
    args: tuple[Any, ...]
    failure: str

    def __call__(self) -> None:
        try:
            self.task.enqueue(*self.args)
        except Exception:  # the row is committed: a broker down must not fail the request
            logger.exception(self.failure, *self.args)


def enqueue_after_commit(task: Task[..., Any], *args: Any, failure: str,
                         once: bool = False) -> None:
    """Enqueue ``task(*args)`` after the current transaction commits (at once in autocommit;
    never when it rolls back). ``failure``: the log message when the enqueue fails, saying
    what picks the work up anyway. ``once``: at most one such enqueue per transaction for the
    same task and arguments (one outbox dispatch however many rows a transaction writes)."""
    callback = _Enqueue(task, args, failure)
    if once and any(entry[1] == callback for entry in connection.run_on_commit):
        return
    transaction.on_commit(callback, robust=True)

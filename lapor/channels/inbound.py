"""The webhook side of every channel: refuse, record raw, hand over to the worker.

A webhook view verifies the provider's signature, cuts the request into provider messages and
calls :func:`inbound_record` for each. The row is written before anything is parsed and is
unique on ``(provider, provider_message_id)``: a retried or replayed delivery (or twenty
concurrent copies of one) inserts nothing and is answered 200 like the first, so the provider
stops retrying. The work itself (identity, conversation, report, answer) runs in the task
worker after commit (:mod:`lapor.channels.tasks`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.tasks import task_backends

from lapor.channels import config
from lapor.channels.models import InboundMessage
from lapor.channels.tasks import process_inbound_task
from lapor.core import clock
from lapor.core.errors import message_for
from lapor.core.tasks import enqueue_after_commit
from lapor.privacy import vault

logger = logging.getLogger("lapor.channels")


def refusal(status: int, code: str, request: HttpRequest | None = None) -> JsonResponse:
    """``{"code", "message"}`` with a stable code (lapor.core.errors.MESSAGES)."""
    language = getattr(request, "LANGUAGE_CODE", "id") if request is not None else "id"
    return JsonResponse({"code": code, "message": message_for(code, language)}, status=status)


def disabled(provider: str, request: HttpRequest) -> JsonResponse | None:
    """The 503 answer of a channel whose secret is not configured, else ``None``."""
    if config.enabled(provider):
        return None
    return refusal(503, "channel_disabled", request)


def enqueue_processing(inbound_id: int) -> None:
    """Hand one recorded message to the worker after commit. A broker failure is logged, not
    raised (an accepted webhook never turns into a 500): the scheduler's channel sweep picks
    up rows left in ``received``."""
    enqueue_after_commit(process_inbound_task, inbound_id,
                         failure="channel inbound %s: enqueue failed; the sweep will pick it up")


def tasks_in_database() -> bool:
    """Whether the task queue is a table of this database (django-tasks-db)."""
    return type(task_backends["default"]).__module__.startswith("django_tasks_db")


def inbound_record(*, provider: str, message_id: str, item: dict[str, Any]) -> int | None:
    """Record one provider message; its id, or ``None`` when it was recorded before.

    With the database task backend the task row is written in the same transaction as the
    message: the queue is then a transactional outbox of its own (both rows commit or neither
    does, one commit instead of two, which is most of a webhook's time). With an external
    broker (RQ) the enqueue waits for the commit, as everywhere else (ARCHITECTURE habit 7).
    """
    if not message_id:
        return None
    raw = vault.encrypt(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
    together = tasks_in_database()
    try:
        with transaction.atomic():
            row = InboundMessage.objects.create(
                provider=provider, provider_message_id=message_id[:200], raw=raw,
                received_at=clock.now())
            if together:
                process_inbound_task.enqueue(row.pk)
    except IntegrityError:
        return None  # a retry or a replay: already recorded, nothing more to do
    if not together:
        enqueue_processing(row.pk)
    return row.pk

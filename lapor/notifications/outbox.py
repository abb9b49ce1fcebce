"""Writing outbox rows: called by services inside the transaction of their state change.

Rows commit or roll back with the change. After commit one dispatch task is enqueued
(``transaction.on_commit``), but nothing depends on it: the scheduler enqueues a dispatch every
minute too, so a lost enqueue, a broker outage or a crashed worker only delays delivery.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings

from lapor.accounts.models import User
from lapor.core import clock
from lapor.core.tasks import enqueue_after_commit
from lapor.notifications.dispatch_task import dispatch_outbox_task
from lapor.notifications.models import (
    Audience,
    CallbackEndpoint,
    Channel,
    OutboxMessage,
)
from lapor.notifications.quiet import not_before
from lapor.notifications.templates import Rendered, render
from lapor.orgs.models import OrgNode
from lapor.reports.models import Report


def wake_dispatcher() -> None:
    """Enqueue a dispatch after the current transaction commits (at once in autocommit);
    one per transaction, however many rows it writes. A failed enqueue is logged, never
    raised: the periodic dispatch picks the rows up anyway."""
    enqueue_after_commit(
        dispatch_outbox_task, once=True,
        failure="outbox dispatch enqueue failed; the scheduler will pick rows up")


def message(
    *,
    key: str,
    event: str,
    audience: str,
    channel: str,
    agency: OrgNode | None,
    rendered: Rendered | None = None,
    report_id: int | None = None,
    user: User | None = None,
    endpoint: CallbackEndpoint | None = None,
    payload: dict[str, Any] | None = None,
    language: str = "id",
    at: datetime | None = None,
    deliver_at: datetime | None = None,
) -> OutboxMessage:
    """An unsaved row, due now (or at the end of the agency's quiet hours), or not before
    ``deliver_at`` (a staff notice held until office hours, lapor.notifications.office)."""
    now = at or clock.now()
    earliest = max(now, deliver_at) if deliver_at is not None else now
    return OutboxMessage(
        key=key[:200], event=event, audience=audience, channel=channel,
        report_id=report_id, recipient_user=user, endpoint=endpoint, agency=agency,
        language=language,
        subject=rendered.subject if rendered else "", body=rendered.body if rendered else "",
        payload=payload or {},
        next_attempt_at=not_before(agency=agency, audience=audience, channel=channel,
                                   moment=earliest),
        created_at=now,
    )


def outbox_add(rows: Sequence[OutboxMessage], *, ignore_conflicts: bool = False,
               wake: bool = True) -> int:
    """Insert ``rows`` in the caller's transaction and enqueue a dispatch after commit.

    With ``ignore_conflicts`` a row whose delivery key exists is skipped (the sweep's notices);
    services insert plainly, so a duplicate key there is a bug and rolls their change back.
    Batch writers (the sweep, the digest) pass ``wake=False`` and call
    :func:`wake_dispatcher` once at the end instead of once per transaction.
    Rows that would carry a training space's data to anyone but its practice accounts' in-app
    notices are dropped here, the one door every row goes through (:func:`outbox_rows_allowed`).
    """
    rows = outbox_rows_allowed(rows) if rows else []
    if not rows:
        return 0
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=ignore_conflicts)
    if wake:
        wake_dispatcher()
    return len(rows)


def outbox_rows_allowed(rows: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    """``rows`` without those that would carry training data out: the training wall (Bimtek
    sandbox, lapor.training) at the one door every message leaves through.

    A row about a practice report (``Report.is_training``) or addressed to a practice account
    (a user with the reverse relation ``practice_account``, declared by lapor.training) is kept
    only when it is an in-app notice to a practice account: no e-mail, SMS, WhatsApp, Telegram
    or webhook ever leaves for a training space, and no real person is told about a practice
    report, whatever the writer (lifecycle events, deadline sweep, digest) meant to send.

    At most two small indexed queries, and none for rows that name neither a report nor a
    user."""
    report_ids = {row.report_id for row in rows if row.report_id is not None}
    user_ids = {row.recipient_user_id for row in rows if row.recipient_user_id is not None}
    training = set(Report.objects.filter(pk__in=report_ids, is_training=True)
                   .values_list("pk", flat=True)) if report_ids else set()
    practice = set(User.objects.filter(pk__in=user_ids, practice_account__isnull=False)
                   .values_list("pk", flat=True)) if user_ids else set()
    if not training and not practice:
        return list(rows)
    return [row for row in rows
            if not (row.report_id in training or row.recipient_user_id in practice)
            or (row.channel == Channel.INAPP and row.recipient_user_id in practice)]


def staff_messages(
    *, cause: str, event: str, users: Sequence[User], agency: OrgNode | None,
    context: dict[str, object], report_id: int | None = None, at: datetime | None = None,
    email_only: bool = False, deliver_at: Callable[[User], datetime] | None = None,
) -> list[OutboxMessage]:
    """E-mail (when the user has an address) and an in-app notice for each staff user
    (``email_only``: the in-app notice only for users without an address), each not before
    ``deliver_at(user)`` when given.

    ``cause`` makes the delivery key: ``f"{cause}:u{user}:{channel}"``.
    """
    language = settings.LAPOR_NOTIFY_LANGUAGE
    rendered = render(event, language=language, agency=agency, context=context)
    rows: list[OutboxMessage] = []
    for user in users:
        channels = ([] if email_only and user.email else [Channel.INAPP]) + (
            [Channel.EMAIL] if user.email else [])
        rows.extend(
            message(key=f"{cause}:u{user.pk}:{channel}", event=event, audience=Audience.STAFF,
                    channel=channel, agency=agency, rendered=rendered, report_id=report_id,
                    user=user, language=language, at=at,
                    deliver_at=deliver_at(user) if deliver_at is not None else None)
            for channel in channels
        )
    return rows

"""The training wall at the one door every message leaves through (lapor.notifications).

Every outbox row is written by :func:`lapor.notifications.outbox.outbox_add`, which passes its
rows here first. A row about a practice report (``Report.is_training``) or addressed to a
practice account is kept only when it is an in-app notice to a practice account: no e-mail, SMS,
WhatsApp, Telegram or webhook ever leaves for a training space, and no real person is told about
a practice report, whatever the writer (lifecycle events, deadline sweep, digest) meant to send.
"""

from __future__ import annotations

from collections.abc import Sequence

from lapor.notifications.models import Channel, OutboxMessage
from lapor.reports.models import Report
from lapor.training.models import PracticeAccount


def outbox_rows_allowed(rows: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    """``rows`` without those that would carry training data out (see the module doc).

    At most two small indexed queries, and none for rows that name neither a report nor a
    user."""
    report_ids = {row.report_id for row in rows if row.report_id is not None}
    user_ids = {row.recipient_user_id for row in rows if row.recipient_user_id is not None}
    training = set(Report.objects.filter(pk__in=report_ids, is_training=True)
                   .values_list("pk", flat=True)) if report_ids else set()
    practice = set(PracticeAccount.objects.filter(user_id__in=user_ids)
                   .values_list("user_id", flat=True)) if user_ids else set()
    if not training and not practice:
        return list(rows)
    return [row for row in rows
            if not (row.report_id in training or row.recipient_user_id in practice)
            or (row.channel == Channel.INAPP and row.recipient_user_id in practice)]

"""The ordered journal of a link: written in the transaction of the change it records,
applied by the other side in order, exactly once (docs/federation.md, "Journal").

Sending side: :func:`journal_append` takes the next ``seq`` under a row lock on the link and
writes, in the same transaction, the outbox row that gets the journal pushed
(lapor.federation.transport; retries, backoff and dead letters are the outbox's).

Receiving side (lapor.federation.receive): :func:`journal_receive` applies entry ``n`` only
when ``received_through`` is ``n - 1``, each entry in its own transaction with the counter;
an entry at or below the counter is a repeat and acknowledged without applying; a gap stops
the batch (the sender sends again from the acknowledged position).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import F

from lapor.core import clock
from lapor.federation.models import EntryKind, JournalEntry, Link
from lapor.notifications.models import Audience, Channel
from lapor.notifications.outbox import message, outbox_add
from lapor.reports.models import Report

logger = logging.getLogger(__name__)

OUTBOX_EVENT = "federation.journal"


def outbox_key(link_id: int, seq: int) -> str:
    """The outbox delivery key of entry ``seq`` of link ``link_id``."""
    return f"fed:{link_id}:{seq}"


def journal_append(*, link: Link, report: Report, kind: str,
                   payload: dict[str, Any] | None = None) -> JournalEntry:
    """Append an entry about ``report`` to ``link``'s journal, with its outbox row, in the
    caller's transaction (a savepoint of it; alone, its own transaction). ``kind``:
    :class:`EntryKind` (``report``: the state is read at send time; ``command``: ``payload``
    is ``{"action", "args", "version"}``)."""
    if kind not in EntryKind.values:
        raise ValueError(f"unknown journal entry kind {kind!r}")
    now = clock.now()
    with transaction.atomic():
        seq = (Link.objects.select_for_update().filter(pk=link.pk)
               .values_list("next_seq", flat=True).get())
        Link.objects.filter(pk=link.pk).update(next_seq=F("next_seq") + 1)
        entry = JournalEntry.objects.create(link_id=link.pk, seq=seq, kind=kind, report=report,
                                            payload=payload or {}, created_at=now)
        outbox_add([message(
            key=outbox_key(link.pk, seq), event=OUTBOX_EVENT, audience=Audience.PEER,
            channel=Channel.FEDERATION, agency=link.agency, at=now,
            payload={"link": link.pk, "seq": seq})])
    link.next_seq = seq + 1
    return entry

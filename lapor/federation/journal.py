"""The ordered journal of a link: written in the transaction of the change it records,
applied by the other side in order, exactly once (docs/federation.md, "Journal").

Sending side: :func:`journal_append` takes the next ``seq`` under a row lock on the link and
writes, in the same transaction, the outbox row that gets the journal pushed
(lapor.federation.transport; retries, backoff and dead letters are the outbox's).

Receiving side: :func:`journal_receive` applies entry ``n`` only when ``received_through``
is ``n - 1``, each entry in its own transaction with the counter; an entry at or below the
counter is a repeat and acknowledged without applying; a gap stops the batch (the sender
sends again from the acknowledged position).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import F

from lapor.core import clock
from lapor.core.errors import ApplicationError
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


def _seq(entry: Any) -> int | None:
    seq = entry.get("seq") if isinstance(entry, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 1 else None


def journal_receive(link: Link, entries: list[dict[str, Any]]) -> int:
    """:func:`journal_receive_detail`'s ``received_through``."""
    return journal_receive_detail(link, entries)[0]


def journal_receive_detail(link: Link, entries: list[dict[str, Any]]) -> tuple[int, str]:
    """Apply ``entries`` (each a dict with its ``seq``) received over ``link``, in ``seq``
    order; returns ``received_through`` afterwards (what the sender may forget).

    Each entry is applied by :func:`lapor.federation.mirror.apply_entry` in its own
    transaction together with the counter. The first entry that cannot be applied stops the
    batch: its error code (an :class:`ApplicationError`'s, else the exception's class name) is
    recorded on the link (``last_error``) and nothing after it is applied; the sender sends it
    again later. Returns ``received_through`` and that error ("" when none stopped it)."""
    from lapor.federation import mirror  # noqa: PLC0415  (the mirror work: snapshot/apply)

    error = ""
    ordered = sorted((e for e in entries if _seq(e) is not None), key=lambda e: e["seq"])
    for entry in ordered:
        seq = entry["seq"]
        with transaction.atomic():
            locked = Link.objects.select_for_update().get(pk=link.pk)
            if seq <= locked.received_through:
                continue  # a repeat: applied before
            if seq != locked.received_through + 1:
                break  # a gap: wait for the missing entries
            try:
                with transaction.atomic():
                    mirror.apply_entry(locked, entry)
            except ApplicationError as exc:
                error = exc.code
            except Exception as exc:  # a bug must not stop the endpoint: record, stop
                logger.exception("federation: entry %s of link %s not applied", seq, link.pk)
                error = f"error_{type(exc).__name__}"
            if error:
                Link.objects.filter(pk=link.pk).update(
                    last_error=f"entry {seq}: {error}"[:300], last_error_at=clock.now())
                break
            Link.objects.filter(pk=link.pk).update(received_through=seq)
    link.received_through = Link.objects.values_list("received_through", flat=True).get(
        pk=link.pk)
    return link.received_through, error

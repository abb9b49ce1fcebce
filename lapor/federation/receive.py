"""Receiving the other instance's journal: entries applied in ``seq`` order, each exactly once
(docs/federation.md). Apart from :mod:`lapor.federation.journal` (writing entries), which the
mirror's hooks call: the mirror is imported here, never there.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction

from lapor.core import clock
from lapor.core.errors import ApplicationError
from lapor.federation import mirror
from lapor.federation.models import Link

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock(class, link id): one receiver per link at a time ("LF").
_LOCK_CLASS = 0x4C46


def _one_receiver_per_link(link_id: int) -> None:
    """Serialise receivers of one link for the rest of the transaction without locking the
    link's row: a local service locks a report, then the link row (its journal seq), so a
    receiver holding the row while it waits for the same report would deadlock with it. The
    receiver takes the row only after the report (when it writes ``received_through``), the
    same order. SQLite transactions hold the database's write lock anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, link_id])


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
    error = ""
    ordered = sorted((e for e in entries if _seq(e) is not None), key=lambda e: e["seq"])
    for entry in ordered:
        seq = entry["seq"]
        with transaction.atomic():
            _one_receiver_per_link(link.pk)
            locked = Link.objects.select_related("agency").get(pk=link.pk)
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

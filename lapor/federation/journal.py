"""The per-link journal (docs/federation.md "Journal").

STAND-IN written by the mirror work (F2) so the hooks and their tests run: the transport work
(F1) owns this module and replaces it with the full one (the outbox row per entry, the
sender). Only :func:`journal_append`'s signature is relied on by lapor.federation.hooks and
lapor.federation.commands.
"""

from __future__ import annotations

from typing import Any

from lapor.core import clock
from lapor.federation.models import JournalEntry, Link
from lapor.reports.models import Report


def journal_append(*, link: Link, report: Report, kind: str,
                   payload: dict[str, Any] | None = None) -> JournalEntry:
    """Append the next entry of ``link``'s journal, in the caller's transaction: ``seq`` from
    ``Link.next_seq`` taken under the link row's lock, so entries are numbered without gaps
    in commit order."""
    locked = Link.objects.select_for_update().get(pk=link.pk)
    seq = locked.next_seq
    Link.objects.filter(pk=link.pk).update(next_seq=seq + 1)
    return JournalEntry.objects.create(link=locked, seq=seq, kind=kind, report=report,
                                       payload=payload or {}, created_at=clock.now())

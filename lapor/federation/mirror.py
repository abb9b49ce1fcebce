"""STAND-IN written by the transport work (F1) so the journal and transport import and run:
the mirror work (F2) replaces this module with the real snapshot build and apply
(docs/federation.md, "Snapshot format"). Nothing here builds or applies report state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lapor.federation.models import JournalEntry, Link


def snapshot_entries(link: Link, entries: Sequence[JournalEntry]) -> list[dict[str, Any]]:
    """What to send for ``entries`` (one dict each). Stand-in: the entry itself."""
    return [{"seq": e.seq, "kind": e.kind, "payload": e.payload} for e in entries]


def apply_entry(link: Link, entry: dict[str, Any]) -> None:
    """Apply one received entry (raises an ApplicationError with a code when it cannot).
    Stand-in: accepts and applies nothing."""

"""The federation app's answers to the report tier (lapor.reports.replication)."""

from __future__ import annotations


def connect() -> None:
    """Register the replicator (see lapor.reports.replication). Filled in by the mirror work."""

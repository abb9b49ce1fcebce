"""Reading links (lapor.federation.models.Link) for the mirror work, the CLI and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lapor.federation.models import Link


def links() -> list[Link]:
    """The active links, with their agencies (one query; a handful of rows at most)."""
    return list(Link.objects.filter(is_active=True).select_related("agency").order_by("pk"))


def all_links() -> list[Link]:
    """Every link, active or not."""
    return list(Link.objects.select_related("agency").order_by("pk"))


@dataclass(frozen=True)
class LinkStatus:
    role: str
    agency: str
    url: str
    lane: int
    is_active: bool
    queue_out: int  # entries written here, not yet acknowledged by the other side
    next_seq: int
    sent_through: int
    received_through: int
    last_success_at: datetime | None
    last_error: str
    last_error_at: datetime | None


def link_status() -> list[LinkStatus]:
    """What ``lapor federation status`` shows, per link."""
    return [LinkStatus(
        role=link.role, agency=link.agency.code, url=link.url, lane=link.lane,
        is_active=link.is_active, queue_out=max(0, link.next_seq - 1 - link.sent_through),
        next_seq=link.next_seq, sent_through=link.sent_through,
        received_through=link.received_through, last_success_at=link.last_success_at,
        last_error=link.last_error, last_error_at=link.last_error_at,
    ) for link in all_links()]

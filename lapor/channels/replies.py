"""What the channels answer, before any provider is involved.

* :class:`Reply` is one answer of the pipeline; :class:`Outgoing` one part as a provider module
  sends it.
* :func:`replies_write` turns the pipeline's answers into outbox rows in the transaction that
  processed the inbound message (delivery key ``in<inbound id>:r<n>``): if that transaction
  rolls back, no answer leaves; if it commits, the dispatcher delivers it after commit
  (through :class:`lapor.channels.outbound.ChannelSender`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lapor.channels.models import ChannelIdentity
from lapor.core import clock
from lapor.notifications.models import Audience, OutboxMessage
from lapor.notifications.outbox import message, outbox_add

REPLY_EVENT = "channel.reply"


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    report_id: int | None = None
    public_post_id: str = ""  # X: answer publicly under this post


@dataclass(frozen=True)
class Outgoing:
    """One part as a provider module sends it."""

    address: str
    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    public_post_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def replies_write(*, cause: str, identity: ChannelIdentity, replies: Sequence[Reply]) -> int:
    """Outbox rows for ``replies`` (delivery keys ``<cause>:r<n>``), in the caller's
    transaction. A direct answer is due at once, quiet hours or not: the reporter has just
    written and is waiting for it."""
    now = clock.now()
    rows: list[OutboxMessage] = []
    for index, reply in enumerate(replies):
        row = message(key=f"{cause}:r{index}", event=REPLY_EVENT,
                      audience=Audience.REPORTER, channel=identity.channel, agency=None,
                      report_id=reply.report_id, at=now,
                      payload={"identity": identity.pk,
                               "buttons": [list(b) for b in reply.buttons],
                               "public_post_id": reply.public_post_id})
        row.body = reply.text
        row.next_attempt_at = now
        rows.append(row)
    return outbox_add(rows)

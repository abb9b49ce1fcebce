"""``lapor smtpd``: the inbound SMTP listener (aiosmtpd), the way mail reaches the intake
when the platform is an MX (or the relay target of the organisation's mail gateway).

The conversation is plain SMTP: ``RCPT TO`` for a domain outside
``LAPOR_EMAIL_INTAKE_DOMAINS`` is refused (550: this is no relay), a message over
``LAPOR_EMAIL_MAX_BYTES`` is refused (552), and an accepted message is recorded raw (unique by
Message-ID) before the ``250`` answer; parsing and the report happen in the task worker. If
the database is unreachable the answer is ``451`` (the sending MTA retries later): a message
is acknowledged only once it is stored.
"""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections

from lapor.intake.email_inbox import inbound_email_record

logger = logging.getLogger(__name__)


def _store(raw: bytes, recipients: list[str]) -> bool:
    close_old_connections()
    try:
        return inbound_email_record(raw=raw, source="smtp", recipients=recipients)
    finally:
        close_old_connections()


class IntakeHandler:
    """aiosmtpd handler: checks recipients, stores accepted messages."""

    def __init__(self, domains: list[str] | None = None) -> None:
        self.domains = [d.lower().lstrip("@") for d in (domains or [])]

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        domain = address.rpartition("@")[2].lower()
        if self.domains and domain not in self.domains:
            return "550 5.7.1 Not a LAPOR! intake address (no relaying)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes):
            raw = str(raw or "").encode("utf-8", "surrogateescape")
        try:
            stored = await sync_to_async(_store, thread_sensitive=False)(
                raw, [str(r) for r in envelope.rcpt_tos])
        except DatabaseError:
            logger.warning("smtpd: database unavailable; asked the sender to retry")
            return "451 4.3.0 Temporarily unable to store the message, try again later"
        return "250 2.0.0 Message accepted" if stored else "250 2.0.0 Already received"


def listener(*, host: str | None = None, port: int | None = None,
             domains: list[str] | None = None) -> Controller:
    """A started-on-demand listener (``.start()`` / ``.stop()``) with the intake handler."""
    # aiosmtpd logs every command at INFO, addresses included: no personal data in our logs.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = IntakeHandler(settings.LAPOR_EMAIL_INTAKE_DOMAINS if domains is None
                            else domains)
    kwargs: dict[str, Any] = {"data_size_limit": settings.LAPOR_EMAIL_MAX_BYTES,
                              "enable_SMTPUTF8": True, "ident": "LAPOR! intake"}
    return Controller(handler, hostname=host or settings.LAPOR_SMTPD_HOST,
                      port=port or settings.LAPOR_SMTPD_PORT, **kwargs)

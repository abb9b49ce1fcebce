"""Receiving e-mail (``lapor smtpd``, ``lapor imap-poll``): each message is stored raw, unique
by Message-ID, and handed to the worker after commit; :mod:`lapor.intake.email_intake`
processes it there (docs/intake.md "E-mail")."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from lapor.core import clock
from lapor.core.tasks import enqueue_after_commit
from lapor.intake.mail import message_id_of
from lapor.intake.models import InboundEmail
from lapor.intake.tasks import process_inbound_email_task


def inbound_email_record(*, raw: bytes, source: str, recipients: list[str]) -> bool:
    """Store a received message (before any parsing beyond its Message-ID) and ask the worker
    to process it after commit. False when the Message-ID was seen before: a repeat does
    nothing. ``recipients``: the envelope's RCPT TO (SMTP) or the To header (IMAP)."""
    row_id = None
    try:
        with transaction.atomic():
            row = InboundEmail.objects.create(
                message_id=message_id_of(raw), source=source, raw=raw, size=len(raw),
                recipients=",".join(r.lower() for r in recipients)[:500],
                received_at=clock.now())
            row_id = row.pk
            # A broker outage must not lose the mail: `lapor intake mail-retry`.
            enqueue_after_commit(process_inbound_email_task, row.pk,
                                 failure="inbound e-mail %s: enqueue failed; it stays "
                                         "'received'")
    except IntegrityError:
        return False
    return row_id is not None

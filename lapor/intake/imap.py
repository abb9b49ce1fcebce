"""``lapor imap-poll``: read a mailbox over IMAP (stdlib imaplib) and hand each unseen
message to the same intake as the SMTP listener.

Each poll: log in, select ``LAPOR_IMAP_MAILBOX``, ``UID SEARCH UNSEEN``, and for each message
``UID FETCH (BODY.PEEK[])`` (peek: fetching alone does not mark it read), record it (unique by
Message-ID), then ``UID STORE +FLAGS (\\Seen)``. A crash between the two leaves the message
unseen; the next poll fetches it again and the Message-ID makes the repeat a no-op before it
is marked seen. Recipients (which pick the agency) come from Delivered-To, X-Original-To, To
and Cc, since an IMAP mailbox has no envelope.
"""

from __future__ import annotations

import imaplib
import logging
from dataclasses import dataclass
from email import policy
from email.parser import BytesHeaderParser
from email.utils import getaddresses

from django.conf import settings

from lapor.intake.email_inbox import inbound_email_record

logger = logging.getLogger(__name__)
BATCH = 200
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")


class ImapNotConfigured(Exception):
    """No host, user or password: the poller does not run."""


@dataclass(frozen=True)
class PollResult:
    seen: int = 0
    recorded: int = 0
    repeats: int = 0


def recipients_of(raw: bytes) -> list[str]:
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    values = [str(v) for name in _RECIPIENT_HEADERS for v in headers.get_all(name, [])]
    return list(dict.fromkeys(addr.lower() for _, addr in getaddresses(values) if "@" in addr))


def _connect() -> imaplib.IMAP4:
    if not (settings.LAPOR_IMAP_HOST and settings.LAPOR_IMAP_USER
            and settings.LAPOR_IMAP_PASSWORD):
        raise ImapNotConfigured("LAPOR_IMAP_HOST, LAPOR_IMAP_USER and LAPOR_IMAP_PASSWORD "
                                "must be set")
    host, port = settings.LAPOR_IMAP_HOST, settings.LAPOR_IMAP_PORT
    client = (imaplib.IMAP4_SSL(host, port, timeout=30) if settings.LAPOR_IMAP_SSL
              else imaplib.IMAP4(host, port, timeout=30))
    client.login(settings.LAPOR_IMAP_USER, settings.LAPOR_IMAP_PASSWORD or "")
    return client


def _message_bytes(data: list[object]) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def imap_poll_once() -> PollResult:
    """One pass over the unseen messages of the mailbox."""
    client = _connect()
    seen = recorded = repeats = 0
    try:
        status, _ = client.select(settings.LAPOR_IMAP_MAILBOX)
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot select {settings.LAPOR_IMAP_MAILBOX!r}")
        status, found = client.uid("SEARCH", "UNSEEN")
        uids = found[0].split()[:BATCH] if status == "OK" and found and found[0] else []
        for uid in uids:
            status, data = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            raw = _message_bytes(list(data or [])) if status == "OK" else None
            if raw is None:
                logger.warning("imap: message %s could not be fetched", uid.decode())
                continue
            seen += 1
            if inbound_email_record(raw=raw, source="imap", recipients=recipients_of(raw)):
                recorded += 1
            else:
                repeats += 1
            client.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.info("imap: logout failed (connection already closed)")
    return PollResult(seen=seen, recorded=recorded, repeats=repeats)

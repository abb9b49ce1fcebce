"""Building citizens' e-mail and delivering it to the intake listener over real SMTP."""

from __future__ import annotations

import io
import smtplib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid

from aiosmtpd.controller import Controller
from PIL import Image

from lapor.intake.smtpd import listener


def photo_png() -> bytes:
    """A real (small) PNG picture, as a phone would attach."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = photo_png()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_listener(domains: list[str] | None = None) -> Iterator[Controller]:
    controller = listener(host="127.0.0.1", port=free_port(),
                          domains=["lapor.test"] if domains is None else domains)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def citizen_mail(*, subject: str = "Jalan rusak di Sangatta Utara",
                 text: str | None = "Jalan poros Sangatta–Bengalon berlubang besar sejak "
                 "minggu lalu, sudah dua motor jatuh.",
                 html: str | None = None, sender: str = "Rina Wati <rina@example.org>",
                 to: str = "kutim@lapor.test", message_id: str | None = None,
                 in_reply_to: str | None = None,
                 attachments: list[tuple[str, bytes, str, str]] | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = message_id or make_msgid(domain="example.org")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    if text is not None:
        mail.set_content(text)
        if html is not None:
            mail.add_alternative(html, subtype="html")
    elif html is not None:
        mail.set_content(html, subtype="html")
    for filename, data, maintype, subtype in attachments or []:
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail


def deliver(controller: Controller, mail: EmailMessage, *, rcpt: list[str] | None = None,
            sender: str = "rina@example.org") -> dict[str, tuple[int, bytes]]:
    """One SMTP conversation (EHLO, MAIL, RCPT, DATA, QUIT) with smtplib."""
    with smtplib.SMTP(controller.hostname, controller.port, timeout=30) as client:
        # As an MTA sends it: CRLF line ends (RFC 5321).
        return client.sendmail(sender, rcpt or [str(mail["To"])],
                               mail.as_bytes(policy=policy.SMTP))

"""`lapor imap-poll` against a real IMAP server: pymap (a pure-Python IMAP4rev1 server, dev
dependency) started by the test on a free port with its in-memory backend; the test's mail
is put in with IMAP APPEND, as a mail provider's delivery would."""

from __future__ import annotations

import imaplib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from email import policy

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from lapor.intake.email_inbox import inbound_email_record
from lapor.intake.imap import imap_poll_once, recipients_of
from lapor.intake.models import InboundEmail
from lapor.intake.tests.mailtools import PNG, citizen_mail, free_port
from lapor.reports.models import Report
from tests.factories import Tree

pytestmark = pytest.mark.django_db
USER, PASSWORD, MAILBOX = "demouser", "demopass", "Lapor"


@pytest.fixture
def imap_server() -> Iterator[int]:
    port = free_port()
    binary = shutil.which("pymap") or str(__import__("sys").prefix) + "/bin/pymap"
    process = subprocess.Popen(  # noqa: S603  (fixed arguments)
        [binary, "--no-service", "managesieve", "--no-service", "admin", "--host",
         "127.0.0.1", "--port", str(port), "--no-tls", "dict", "--demo-data"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        client = imaplib.IMAP4("127.0.0.1", port)
        client.login(USER, PASSWORD)
        client.create(MAILBOX)
        client.logout()
        with override_settings(LAPOR_IMAP_HOST="127.0.0.1", LAPOR_IMAP_PORT=port,
                               LAPOR_IMAP_SSL=False, LAPOR_IMAP_USER=USER,
                               LAPOR_IMAP_PASSWORD=PASSWORD, LAPOR_IMAP_MAILBOX=MAILBOX,
                               LAPOR_EMAIL_DEFAULT_REGION="64"):
            yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _append(port: int, raw: bytes) -> None:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    assert client.append(MAILBOX, None, None, raw)[0] == "OK"
    client.logout()


def _unseen(port: int) -> list[bytes]:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    client.select(MAILBOX)
    found = client.uid("SEARCH", "UNSEEN")[1][0].split()
    client.logout()
    return list(found)


def test_poll_turns_unseen_mail_into_reports_once(
    tree: Tree, imap_server: int, django_capture_on_commit_callbacks: object,
) -> None:
    first = citizen_mail(message_id="<imap-1@example.org>",
                         attachments=[("foto.png", PNG, "image", "png")])
    html_only = citizen_mail(subject="Sampah di pasar", text=None,
                             html="<p>Sampah menumpuk di <b>Pasar Induk</b> Sangatta.</p>",
                             to="Pengaduan <pengaduan@lapor.test>",
                             message_id="<imap-2@example.org>", sender="budi@example.org")
    for mail in (first, html_only):
        _append(imap_server, mail.as_bytes(policy=policy.SMTP))
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        result = imap_poll_once()
    assert (result.seen, result.recorded, result.repeats) == (2, 2, 0)
    assert _unseen(imap_server) == []  # marked \Seen after recording
    kutim_report = Report.objects.get(tier=tree.kutim)
    assert kutim_report.channel == "email"
    assert kutim_report.title == "Jalan rusak di Sangatta Utara"
    national = Report.objects.get(tier=tree.root)
    assert national.body == "Sampah menumpuk di Pasar Induk Sangatta."
    assert set(InboundEmail.objects.values_list("status", flat=True)) == {"new_report"}
    # Nothing new: nothing happens.
    assert imap_poll_once().seen == 0
    # The same message delivered again (a forwarded copy, a second mailbox): a no-op.
    _append(imap_server, first.as_bytes(policy=policy.SMTP))
    again = imap_poll_once()
    assert (again.seen, again.recorded, again.repeats) == (1, 0, 1)
    assert Report.objects.count() == 2


def test_a_message_recorded_but_not_marked_seen_is_not_recorded_twice(
    tree: Tree, imap_server: int,
) -> None:
    raw = citizen_mail(message_id="<crash@example.org>").as_bytes(policy=policy.SMTP)
    _append(imap_server, raw)
    # As if the poller died after recording, before STORE \Seen.
    assert inbound_email_record(raw=raw, source="imap", recipients=recipients_of(raw))
    result = imap_poll_once()
    assert (result.recorded, result.repeats) == (0, 1)
    assert _unseen(imap_server) == []
    assert InboundEmail.objects.count() == 1


def test_recipients_come_from_the_delivery_headers() -> None:
    raw = (b"Delivered-To: kutim@lapor.test\r\nTo: \"Warga\" <warga@example.org>, "
           b"KUTIM@lapor.test\r\nCc: samarinda@lapor.test\r\n\r\nisi\r\n")
    assert recipients_of(raw) == ["kutim@lapor.test", "warga@example.org",
                                  "samarinda@lapor.test"]


def test_without_a_password_the_poller_refuses_to_start() -> None:
    with override_settings(LAPOR_IMAP_HOST="127.0.0.1", LAPOR_IMAP_USER="x",
                           LAPOR_IMAP_PASSWORD=None), \
            pytest.raises(CommandError, match="imap-poll disabled"):
        call_command("imap-poll", "--once")


def test_mail_whose_task_was_lost_is_processed_by_mail_retry(tree: Tree) -> None:
    raw = citizen_mail(message_id="<lost@example.org>").as_bytes(policy=policy.SMTP)
    # Recorded, but the after-commit enqueue never ran (this test does not run on-commit
    # callbacks, as if the broker had been down).
    assert inbound_email_record(raw=raw, source="smtp", recipients=["kutim@lapor.test"])
    assert InboundEmail.objects.get().status == "received"
    call_command("intake", "mail-retry")
    assert InboundEmail.objects.get().status == "new_report"
    assert Report.objects.get().tier == tree.kutim
    call_command("intake", "mail-retry")  # nothing waits: nothing happens
    assert Report.objects.count() == 1

"""Parsing inbound mail (pure): text, HTML-only, charsets, quoted replies, odd headers."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from lapor.audit.models import AuditEntry
from lapor.intake.mail import clean_subject, html_to_text, message_id_of, parse, strip_quoted
from lapor.intake.models import IntegrationApp
from tests.factories import Tree


def test_plain_text_in_another_charset() -> None:
    raw = (b"From: =?iso-8859-1?q?Andr=E9?= <andre@example.org>\r\n"
           b"Subject: =?utf-8?b?SmFsYW4gcnVzYWsg8J+apw==?=\r\n"
           b"Content-Type: text/plain; charset=iso-8859-1\r\n"
           b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
           b"Caf=E9 di pojok jalan tutup, jalan berlubang.\r\n")
    mail = parse(raw)
    assert mail.sender == "andre@example.org"
    assert mail.sender_name == "André"
    assert mail.subject == "Jalan rusak 🚧"
    assert mail.text == "Café di pojok jalan tutup, jalan berlubang."
    assert not mail.html_only


def test_html_only_and_missing_from() -> None:
    raw = (b"Subject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           b"<h1>Judul</h1><p>Baris &amp; satu<br>dua</p><style>.a{}</style>")
    mail = parse(raw)
    assert mail.sender == ""
    assert mail.html_only
    assert mail.text == "Judul\n\nBaris & satu\ndua"


def test_html_to_text_drops_scripts_and_keeps_words() -> None:
    assert html_to_text("<script>alert(1)</script><p>a<b>b</b></p><p>c</p>") == "ab\n\nc"


def test_subject_prefixes_and_quotes() -> None:
    assert clean_subject("RE: Fwd: Bls: Laporan #1") == "Laporan #1"
    assert strip_quoted("Ya.\n> kutipan\nPada Sen, 1 Jan 2026 LAPOR! menulis:\n> lama") == "Ya."


def test_message_ids() -> None:
    assert message_id_of(b"Message-ID:  <a.b@c>\r\n\r\nx") == "<a.b@c>"
    stand_in = message_id_of(b"Subject: none\r\n\r\nbody")
    assert stand_in.endswith("@lapor.no-message-id>")
    assert stand_in == message_id_of(b"Subject: none\r\n\r\nbody")


def test_references_and_auto_submitted() -> None:
    raw = (b"From: a@b.co\r\nIn-Reply-To: <x@lapor.invalid>\r\nReferences: <y@h> <x@lapor.invalid>"
           b"\r\nPrecedence: bulk\r\n\r\nisi")
    mail = parse(raw)
    assert mail.replies_to == ["<x@lapor.invalid>", "<y@h>"]
    assert mail.auto_submitted


@pytest.mark.django_db
def test_the_app_command_prints_the_token_once_and_audits(tree: Tree) -> None:
    out = StringIO()
    call_command("intake", "app", "add", "kutim", "SIPADU", "--callback-url",
                 "https://sipadu.kutaitimurkab.go.id/lapor/callback", stdout=out,
                 stderr=StringIO())
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    app = IntegrationApp.objects.get()
    assert lines["token"].startswith("lapp_")
    assert lines["token"] not in app.token_hash
    assert app.callback is not None
    assert app.callback.secret == lines["callback_secret"]
    listing = StringIO()
    call_command("intake", "app", "list", stdout=listing)
    assert "SIPADU" in listing.getvalue()
    assert lines["token"] not in listing.getvalue()
    call_command("intake", "app", "revoke", str(app.pk), stdout=StringIO())
    app.refresh_from_db()
    assert app.revoked_at is not None
    assert app.callback is not None
    assert not app.callback.is_active
    assert set(AuditEntry.objects.filter(target_type="integration_app")
               .values_list("action", flat=True)) == {"intake.app_created",
                                                      "intake.app_revoked"}

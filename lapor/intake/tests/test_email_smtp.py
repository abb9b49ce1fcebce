"""Inbound e-mail over a real SMTP conversation with `lapor smtpd`'s listener (aiosmtpd in a
thread on a free port; smtplib as the sending MTA). The acknowledgement leaves through the
outbox to a second, real SMTP server, and the citizen's reply to it comes back in."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from unittest import mock

import pytest
from django.test import override_settings

from lapor.attachments.models import Attachment
from lapor.intake.models import InboundEmail
from lapor.intake.tests.mailtools import PNG, citizen_mail, deliver, running_listener
from lapor.notifications.tests.fakes import Inbox, smtp_mailers, smtp_server
from lapor.reports import services
from lapor.reports.models import Report, ReportEvent
from tests.factories import Tree, make_tree
from tests.races import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world() -> Iterator[tuple[Tree, Inbox]]:
    tree = make_tree()
    with smtp_server() as (inbox, port), override_settings(
            MAILERS=smtp_mailers(port), LAPOR_EMAIL_DEFAULT_REGION="64"):
        yield tree, inbox


def test_a_mail_becomes_a_report_and_the_reply_to_the_acknowledgement_a_message(
    world: tuple[Tree, Inbox],
) -> None:
    tree, inbox = world
    with running_listener() as smtpd:
        refused = deliver(smtpd, citizen_mail(attachments=[
            ("lubang.png", PNG, "image", "png"),
            ("virus.exe", b"MZ\x90\x00 not allowed", "application", "octet-stream")]))
        assert refused == {}
        report = Report.objects.get()
        assert report.channel == "email"
        assert report.tier == tree.kutim  # sent to kutim@: Kutai Timur's own pool
        assert report.region_id == "64.08"
        assert report.title == "Jalan rusak di Sangatta Utara"
        assert "Bengalon" in report.body
        # The picture is kept (metadata stripped by lapor.attachments), the .exe refused.
        assert list(Attachment.objects.filter(report=report)
                    .values_list("content_type", flat=True)) == ["image/png"]
        row = InboundEmail.objects.get()
        assert row.status == "new_report"
        assert bytes(row.raw) == b""  # emptied once processed
        # The acknowledgement went out through the outbox over SMTP, with the number.
        assert len(inbox.messages) == 1
        ack = inbox.messages[0]
        assert ack["To"] == "rina@example.org"
        assert report.tracking_number in str(ack["Subject"])

        reply = citizen_mail(subject=f"Re: {ack['Subject']}",
                             text="Fotonya sudah saya kirim, lokasinya dekat jembatan.\n\n"
                             "On Mon, LAPOR! wrote:\n> Laporan Anda ...",
                             in_reply_to=str(ack["Message-ID"]))
        deliver(smtpd, reply)
    message = ReportEvent.objects.get(report=report, kind="reporter_message")
    assert message.body == "Fotonya sudah saya kirim, lokasinya dekat jembatan."
    assert Report.objects.count() == 1
    assert InboundEmail.objects.get(message_id=reply["Message-ID"]).status == "reply"


def test_in_reply_to_alone_finds_the_report(world: tuple[Tree, Inbox]) -> None:
    tree, inbox = world
    with running_listener() as smtpd:
        deliver(smtpd, citizen_mail())
        report = Report.objects.get()
        services.report_hold(actor=tree.actor("hub"), report_id=report.pk,
                             question="Di kilometer berapa tepatnya?")
        question = inbox.messages[-1]
        # The subject was rewritten by the citizen: only In-Reply-To names the report.
        deliver(smtpd, citizen_mail(subject="jawaban", text="Kilometer 12 arah Bengalon.",
                                    in_reply_to=str(question["Message-ID"])))
    report.refresh_from_db()
    assert report.status == "submitted"  # the answer resumed verification
    assert ReportEvent.objects.get(report=report, kind="provide_info").body == \
        "Kilometer 12 arah Bengalon."


def test_a_reply_from_another_address_is_never_attached(world: tuple[Tree, Inbox]) -> None:
    _, inbox = world
    with running_listener() as smtpd:
        deliver(smtpd, citizen_mail())
        report = Report.objects.get()
        deliver(smtpd, citizen_mail(subject=f"Re: Laporan #{report.tracking_number}",
                                    text="Saya juga mengalami hal yang sama di sana.",
                                    sender="Orang Lain <lain@example.net>"),
                sender="lain@example.net")
    assert not ReportEvent.objects.filter(report=report, kind="reporter_message").exists()
    other = Report.objects.exclude(pk=report.pk).get()
    assert other.channel == "email"
    # The other sender's acknowledgement names only their own report.
    to_other = [m for m in inbox.messages if m["To"] == "lain@example.net"]
    assert len(to_other) == 1
    # Nothing of the first report reaches the other sender (its number is only the one they
    # typed themselves, echoed in their own report's title).
    assert report.title not in to_other[0].as_string()
    assert other.tracking_number in str(to_other[0]["Subject"])


def test_html_only_mail_is_read_as_text(world: tuple[Tree, Inbox]) -> None:
    html = ("<html><head><style>p{color:red}</style></head><body><p>Lampu&nbsp;jalan di "
            "<b>Jalan Yos Sudarso</b> mati.</p><script>alert('x')</script>"
            "<div>Sudah 2 minggu.</div></body></html>")
    with running_listener() as smtpd:
        deliver(smtpd, citizen_mail(subject="Lampu jalan mati", text=None, html=html,
                                    to="pengaduan@lapor.test"))
    report = Report.objects.get()
    assert report.body == "Lampu jalan di Jalan Yos Sudarso mati.\n\nSudah 2 minggu."
    assert report.tier.kind == "root"  # no agency named: the national pool
    assert report.region_id == "64"


def test_the_same_message_twice_is_one_report(world: tuple[Tree, Inbox]) -> None:
    mail = citizen_mail(message_id="<once@example.org>")
    with running_listener() as smtpd:
        deliver(smtpd, mail)
        deliver(smtpd, mail)
    assert Report.objects.count() == InboundEmail.objects.count() == 1


def test_relaying_and_oversized_mail_are_refused(world: tuple[Tree, Inbox]) -> None:
    with running_listener() as smtpd:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            deliver(smtpd, citizen_mail(to="someone@gmail.com"))
        assert refused.value.recipients["someone@gmail.com"][0] == 550
        with override_settings(LAPOR_EMAIL_MAX_BYTES=2_000), running_listener() as small, \
                pytest.raises(smtplib.SMTPException):
            deliver(small, citizen_mail(text="x" * 5_000))
    assert Report.objects.count() == InboundEmail.objects.count() == 0


def test_automatic_replies_are_recorded_and_ignored(world: tuple[Tree, Inbox]) -> None:
    _, inbox = world
    auto = citizen_mail(subject="Out of office")
    auto["Auto-Submitted"] = "auto-replied"
    with running_listener() as smtpd:
        deliver(smtpd, auto)
    assert InboundEmail.objects.get().outcome == "auto_submitted"
    assert Report.objects.count() == 0
    assert inbox.messages == []  # no answer to an automatic mail: no loops


@pytest.mark.postgres
def test_twenty_concurrent_deliveries_of_one_message_make_one_report(
    world: tuple[Tree, Inbox],
) -> None:
    mail = citizen_mail(message_id="<concurrent@example.org>")
    with running_listener() as smtpd:
        results = race(*[lambda: deliver(smtpd, mail)] * 20)
    assert all(r == {} for r in results), results
    assert Report.objects.count() == InboundEmail.objects.count() == 1



def test_a_reply_goes_through_report_reporter_write(world: tuple[Tree, Inbox]) -> None:
    """The reporter's e-mail reply asks the one rule: on hold it answers the question; once the
    report is archived it is ignored (``report_closed``) and nothing is written."""
    tree, _ = world
    with running_listener() as smtpd:
        deliver(smtpd, citizen_mail())
        report = Report.objects.get()
        services.report_hold(actor=tree.actor("hub"), report_id=report.pk, question="Di mana?")
        with mock.patch.object(services, "report_reporter_write",
                               wraps=services.report_reporter_write) as write:
            deliver(smtpd, citizen_mail(subject=f"Re: Laporan #{report.tracking_number}",
                                        text="Di kilometer 12."))
            services.report_archive(actor=tree.actor("hub"), report_id=report.pk,
                                    reason="spam")
            deliver(smtpd, citizen_mail(subject=f"Re: Laporan #{report.tracking_number}",
                                        text="Kenapa diarsipkan?"))
    assert write.call_count == 1
    assert ReportEvent.objects.get(report=report, kind="provide_info").body == "Di kilometer 12."
    assert list(InboundEmail.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "new_report", "reply", "report_closed"]
    assert Report.objects.count() == 1

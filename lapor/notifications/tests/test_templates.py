"""Templates (id/en, per-agency override, refused variables), quiet hours, real SMTP."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from lapor.core import clock
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.notifications.dispatcher import dispatch
from lapor.notifications.models import Channel, OutboxMessage, QuietHours
from lapor.notifications.quiet import not_before, quiet_until
from lapor.notifications.senders import message_id, register_sender, unregister_sender
from lapor.notifications.templates import render, template_set
from lapor.notifications.tests.fakes import smtp_mailers, smtp_server
from lapor.orgs.models import Sop
from lapor.privacy.models import IdentityAccess
from tests.factories import Tree, submit

WITA = ZoneInfo("Asia/Makassar")
CONTEXT = {"tracking_number": "123456789012", "title": "Jalan rusak", "unit": "Dinas PUPR",
           "agency": "Kutim", "due_date": "05-06-2026 23:59 WITA", "report_url": "u",
           "track_url": "t", "message": "", "status": "x"}


def test_shipped_defaults_in_both_languages(db: None) -> None:
    indonesian = render("staff.assigned", language="id", agency=None, context=CONTEXT)
    english = render("staff.assigned", language="en", agency=None, context=CONTEXT)
    assert indonesian.subject == "Disposisi baru: #123456789012"
    assert english.subject == "New assignment: #123456789012"
    assert "05-06-2026 23:59 WITA" in indonesian.body
    assert "Follow-up due by 05-06-2026 23:59 WITA" in english.body


def test_agency_override_then_national_then_default(tree: Tree) -> None:
    template_set(actor=tree.actor("sysadmin"), agency=None, event="staff.assigned",
                 language="id", subject="Nasional: $tracking_number", body="Isi $title")
    template_set(actor=tree.actor("hub"), agency=tree.kutim, event="staff.assigned",
                 language="id", subject="Kutim: ${tracking_number}", body="$unit: $title")
    assert render("staff.assigned", language="id", agency=tree.kutim,
                  context=CONTEXT).subject == "Kutim: 123456789012"
    assert render("staff.assigned", language="id", agency=tree.kutim,
                  context=CONTEXT).body == "Dinas PUPR: Jalan rusak"
    assert render("staff.assigned", language="id", agency=tree.samarinda,
                  context=CONTEXT).subject == "Nasional: 123456789012"
    assert render("staff.assigned", language="en", agency=tree.kutim,
                  context=CONTEXT).subject == "New assignment: #123456789012"


@pytest.mark.parametrize(("subject", "body"), [
    ("Laporan $reporter_name", "x"),
    ("ok", "Hubungi $reporter_email"),
    ("ok", "$reporter_phone"),
    ("ok", "${nik}"),
    ("ok", "$title {{ report.contact }} ${"),
])
def test_unknown_or_invalid_variable_is_refused_at_save(tree: Tree, subject: str,
                                                        body: str) -> None:
    with pytest.raises(ValidationFailed):
        template_set(actor=tree.actor("hub"), agency=tree.kutim, event="staff.assigned",
                     language="id", subject=subject, body=body)


def test_only_admins_of_the_agency_edit_its_templates(tree: Tree) -> None:
    for who, agency in (("liaison_pupr", tree.kutim), ("hub_samarinda", tree.kutim),
                        ("hub", None)):
        with pytest.raises(PermissionDenied):
            template_set(actor=tree.actor(who), agency=agency, event="staff.assigned",
                         language="id", subject="s", body="b")


def test_rendering_drops_variables_outside_the_allow_list(db: None) -> None:
    rendered = render("staff.assigned", language="id", agency=None,
                      context={**CONTEXT, "reporter_name": "Siti", "title": "$reporter_name"})
    assert "Siti" not in rendered.subject + rendered.body
    # A value is never expanded again: "$reporter_name" typed in a title stays literal.
    assert "$reporter_name" in rendered.body


def test_quiet_hours_cross_midnight() -> None:
    start, end = time(21, 0), time(7, 0)
    assert quiet_until(start, end, WITA, datetime(2026, 6, 2, 22, 30, tzinfo=WITA)) == \
        datetime(2026, 6, 3, 7, 0, tzinfo=WITA)
    assert quiet_until(start, end, WITA, datetime(2026, 6, 3, 5, 0, tzinfo=WITA)) == \
        datetime(2026, 6, 3, 7, 0, tzinfo=WITA)
    assert quiet_until(start, end, WITA, datetime(2026, 6, 3, 7, 0, tzinfo=WITA)) is None
    assert quiet_until(start, end, WITA, datetime(2026, 6, 3, 20, 59, tzinfo=WITA)) is None
    assert quiet_until(time(12, 0), time(13, 0), WITA,
                       datetime(2026, 6, 3, 12, 30, tzinfo=WITA)) == datetime(
        2026, 6, 3, 13, 0, tzinfo=WITA)


class FakeSms:
    sent: list[str] = []

    def send(self, message: OutboxMessage) -> None:
        FakeSms.sent.append(message.key)


def test_sms_to_a_reporter_at_night_waits_for_the_morning(tree: Tree) -> None:
    Sop.objects.update_or_create(node=tree.kutim, defaults={"timezone": "WITA"})
    register_sender(Channel.SMS, FakeSms)
    try:
        night = datetime(2026, 6, 2, 22, 15, tzinfo=WITA)
        submit(tree, at=night, channel="sms")
        sms = OutboxMessage.objects.get(channel="sms")
        assert sms.next_attempt_at == datetime(2026, 6, 3, 7, 0, tzinfo=WITA)
        email = OutboxMessage.objects.get(channel="email", audience="reporter")
        assert email.next_attempt_at == night  # e-mail is not held
        with clock.frozen(night):
            dispatch()
        assert FakeSms.sent == []
        with clock.frozen(datetime(2026, 6, 3, 7, 0, tzinfo=WITA)):
            dispatch()
        assert FakeSms.sent == [sms.key]
        # An agency's own window.
        QuietHours.objects.create(agency=tree.kutim, start=time(22, 30), end=time(6, 0))
        assert not_before(agency=tree.kutim, audience="reporter", channel="whatsapp",
                          moment=night) == night
        assert not_before(agency=tree.kutim, audience="staff", channel="sms",
                          moment=datetime(2026, 6, 2, 23, 0, tzinfo=WITA)) == datetime(
            2026, 6, 2, 23, 0, tzinfo=WITA)
    finally:
        unregister_sender(Channel.SMS)
        FakeSms.sent = []


def test_email_through_a_real_smtp_server(tree: Tree) -> None:
    with smtp_server() as (inbox, port), override_settings(MAILERS=smtp_mailers(port)):
        at = datetime(2026, 6, 2, 2, 0, tzinfo=UTC)
        report = submit(tree, at=at).report
        with clock.frozen(at):
            assert dispatch().sent == 1
        row = OutboxMessage.objects.get(audience="reporter", channel="email")
        assert len(inbox.messages) == 1
        received = inbox.messages[0]
        assert received["To"] == "siti@example.org"
        assert received["Message-ID"] == message_id(row.key)
        assert received["Subject"] == f"Laporan #{report.tracking_number} diterima"
        # The address was decrypted at delivery time, and that read is on the record.
        access = IdentityAccess.objects.get(report=report)
        assert (access.purpose, access.actor_kind, access.user) == (
            "channel_continuity", "system", None)


def test_smtp_server_down_is_retried(tree: Tree) -> None:
    with smtp_server() as (_, port):
        pass  # the port is free again: nothing listens
    with override_settings(MAILERS=smtp_mailers(port)):
        at = datetime(2026, 6, 2, 2, 0, tzinfo=UTC)
        submit(tree, at=at)
        with clock.frozen(at):
            assert dispatch().retried == 1
        row = OutboxMessage.objects.get(audience="reporter", channel="email")
        assert row.last_error == "smtp_ConnectionRefusedError"
        assert "siti" not in row.last_error

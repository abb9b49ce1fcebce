"""A web reporter who ticked "send updates to this number" gets the status messages by SMS
(issue 19 part 5); without the tick, or without a number, nothing goes to the phone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import Client, override_settings

from lapor.channels.models import ChannelIdentity, ChannelReport
from lapor.channels.outbound import contact_sms_available
from lapor.channels.tests.fakes import FakeProviders
from lapor.core import clock
from lapor.notifications.dispatcher import dispatch
from lapor.notifications.models import OutboxMessage
from lapor.privacy.models import IdentityAccess
from lapor.reports import services
from lapor.reports.models import Report, ReporterContact
from tests.api_client import ApiClient
from tests.factories import Tree, submit

WITA = ZoneInfo("Asia/Makassar")
DAYTIME = datetime(2026, 6, 2, 10, 0, tzinfo=WITA)


def test_opted_in_web_report_gets_sms_updates(tree: Tree, providers: FakeProviders) -> None:
    with clock.frozen(DAYTIME):
        report = submit(tree, reporter_phone="0812-3456-7890", phone_updates=True).report
        services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                node_code=tree.pupr.code)
        dispatch()
    assert report.channel == "web"
    rows = OutboxMessage.objects.filter(report=report, channel="sms").order_by("pk")
    assert [(r.event, r.status) for r in rows] == [("reporter.submitted", "sent"),
                                                   ("reporter.disposed", "sent")]
    sent = providers.sent("/cgi-bin/sendsms")
    assert {r.query["to"] for r in sent} == {"+6281234567890"}
    # Long messages go in parts; every message names the report.
    texts = providers.texts("/cgi-bin/sendsms")
    assert sum(report.tracking_number in text for text in texts) >= 2
    # Nothing linked or stored: the number gets no access to the report by SMS.
    assert not ChannelReport.objects.exists()
    assert not ChannelIdentity.objects.exists()
    # Each delivery is a recorded processing of the identity (UU PDP).
    assert IdentityAccess.objects.filter(report=report, purpose="channel_continuity").count() >= 2


def test_the_contact_phone_is_read_through_the_privacy_helper(
    tree: Tree, providers: FakeProviders
) -> None:
    # The SMS sender reads the phone with lapor.privacy.identity.reporter_address_for_delivery,
    # as the e-mail sender reads the address: one decryption, one record per message (however
    # many SMS parts it takes), and a number erased meanwhile is a permanent failure.
    with clock.frozen(DAYTIME):
        report = submit(tree, reporter_phone="0812-3456-7890", phone_updates=True).report
        dispatch()
        sent = OutboxMessage.objects.filter(report=report, audience="reporter", status="sent")
        assert sorted(sent.values_list("channel", flat=True)) == ["email", "sms"]
        assert IdentityAccess.objects.filter(report=report).count() == 2  # one a message
        assert len(providers.sent("/cgi-bin/sendsms")) >= 2  # the first message is in parts
        ReporterContact.objects.filter(report=report).update(phone="")
        services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                node_code=tree.pupr.code)
        dispatch()
    row = OutboxMessage.objects.get(report=report, channel="sms", event="reporter.disposed")
    assert (row.status, row.last_error) == ("dead", "no_reporter_phone")
    assert IdentityAccess.objects.filter(report=report).count() == sent.count()  # e-mails only


def test_without_the_tick_or_a_number_nothing_goes_to_the_phone(
    tree: Tree, providers: FakeProviders
) -> None:
    with clock.frozen(DAYTIME):
        plain = submit(tree, reporter_phone="0812-3456-7890").report
        no_number = submit(tree, reporter_phone="", phone_updates=True).report
        dispatch()
    no_number.refresh_from_db()
    assert no_number.phone_updates is False
    assert not OutboxMessage.objects.filter(report__in=[plain, no_number], channel="sms").exists()
    assert providers.sent("/cgi-bin/sendsms") == []


def test_the_form_offers_the_opt_in_only_with_an_sms_gateway(
    tree: Tree, providers: FakeProviders
) -> None:
    assert contact_sms_available()
    assert 'name="phone_updates"' in Client().get("/lapor/").content.decode()
    with override_settings(LAPOR_KANNEL_SECRET="", LAPOR_TWILIO_AUTH_TOKEN=""):
        assert not contact_sms_available()
        assert 'name="phone_updates"' not in Client().get("/lapor/").content.decode()


def test_the_api_takes_the_opt_in(tree: Tree, providers: FakeProviders) -> None:
    answer = ApiClient().post("/reports", {
        "type": "complaint", "title": "Lampu jalan mati di Jalan Yos Sudarso",
        "body": "Sudah tiga malam lampu jalan di depan masjid mati, jalan gelap sekali.",
        "region_code": "64.08.04", "reporter_phone": "0812-3456-7890", "phone_updates": True})
    assert answer.status_code == 201, answer.content
    assert Report.objects.get(tracking_number=answer.json()["tracking_number"]).phone_updates

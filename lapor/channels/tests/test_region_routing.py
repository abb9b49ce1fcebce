"""Issue 18, routing: a message that names no agency reaches the hub of its region.

SMS without a keyword (the default region), the WhatsApp and Telegram conversations (the
kecamatan the reporter typed) go through report_submit's one routing rule
(lapor.orgs.selectors.report_receiver); the acknowledgement names where the report went.
"""

from __future__ import annotations

from typing import Any

from django.test import Client, override_settings

from lapor.channels.tests import test_telegram as tg
from lapor.channels.tests import test_whatsapp as wa
from lapor.channels.tests.fakes import FakeProviders
from lapor.channels.tests.test_sms import deliver_twilio
from lapor.orgs.services import sop_update
from lapor.reports.models import Report
from tests.factories import Tree


def test_sms_without_keyword_goes_to_the_default_regions_hub(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    with override_settings(LAPOR_CHANNELS_DEFAULT_REGION="64.08.04"):
        deliver_twilio(client, django_capture_on_commit_callbacks, "SM" + "r" * 32,
                       "pelayanan puskesmas lambat sekali hari ini")
    report = Report.objects.get()
    assert (report.channel, report.region_id, report.tier, report.target_agency) == (
        "sms", "64.08.04", tree.kutim, None)
    assert "Pemerintah Kabupaten Kutai Timur" in providers.texts("Messages.json")[0]


def test_sms_without_keyword_when_the_hub_takes_none_goes_national(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, receives_region_reports=False)
    deliver_twilio(client, django_capture_on_commit_callbacks, "SM" + "s" * 32,
                   "pelayanan puskesmas lambat sekali hari ini")
    report = Report.objects.get()
    assert (report.tier, report.target_agency) == (tree.root, None)
    # The acknowledgement says the national desk, in the notification language (id).
    assert "Pemerintah Kabupaten Kutai Timur" not in providers.texts("Messages.json")[0]


def test_whatsapp_conversation_goes_to_the_kecamatans_hub(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    for step in (wa.text("Halo"), wa.tap("menu:lapor"), wa.tap("type:complaint"),
                 wa.text("Pungutan liar di loket pelayanan KTP kecamatan"),
                 wa.text("sangatta utara"), wa.tap("photo:done"), wa.tap("anon:no"),
                 wa.tap("confirm:send")):
        wa.send(client, capture, step)
    report = Report.objects.get()
    assert (report.channel, report.region_id, report.tier, report.target_agency) == (
        "whatsapp", "64.08.04", tree.kutim, None)
    assert "Pemerintah Kabupaten Kutai Timur" in providers.texts("/messages")[-1]


def test_telegram_conversation_goes_to_the_kecamatans_hub(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    for step in (tg.text_update("/lapor"), tg.button_update("type:complaint"),
                 tg.text_update("Jalan di depan Pasar Induk Sangatta berlubang besar"),
                 tg.text_update("Sangatta Utara"), tg.button_update("photo:done"),
                 tg.text_update("2"), tg.button_update("confirm:send")):
        tg.send(client, capture, step)
    report = Report.objects.get()
    assert (report.channel, report.region_id, report.tier, report.target_agency) == (
        "telegram", "64.08.04", tree.kutim, None)

"""Twenty concurrent deliveries of one provider message on PostgreSQL make one report, one
inbound row and one answer (the unique (provider, message id) decides; nothing checks first)."""

from __future__ import annotations

import pytest
from django.test import Client

from lapor.channels.models import ChannelIdentity, InboundMessage
from lapor.channels.tests.conftest import post_twilio, twilio_params
from lapor.channels.tests.fakes import FakeProviders
from lapor.channels.tests.test_whatsapp import post as post_whatsapp
from lapor.channels.tests.test_whatsapp import text as whatsapp_text
from lapor.notifications.models import OutboxMessage
from lapor.orgs.models import Sop
from lapor.reports.models import Report
from tests.factories import make_tree
from tests.races import race

COPIES = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_twilio_deliveries_make_one_report(providers: FakeProviders) -> None:
    tree = make_tree()
    Sop.objects.update_or_create(node=tree.kutim, defaults={"sms_keyword": "KUTIM"})
    params = twilio_params("SM" + "r" * 32, "KUTIM jalan amblas di depan SD 001 Sangatta 🚧")
    results = race(*[lambda: post_twilio(Client(), params) for _ in range(COPIES)])
    assert [getattr(r, "status_code", r) for r in results] == [200] * COPIES
    assert InboundMessage.objects.count() == 1
    assert Report.objects.count() == 1
    assert ChannelIdentity.objects.count() == 1
    assert OutboxMessage.objects.filter(channel="sms").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_whatsapp_deliveries_record_one_message(
        providers: FakeProviders) -> None:
    make_tree()
    payload = whatsapp_text("Halo LAPOR", wamid="wamid.concurrent-copy")
    results = race(*[lambda: post_whatsapp(Client(), payload) for _ in range(COPIES)])
    assert [getattr(r, "status_code", r) for r in results] == [200] * COPIES
    assert InboundMessage.objects.count() == 1
    assert OutboxMessage.objects.filter(channel="whatsapp").count() == 1  # one menu answer

"""Submission limits on a messaging channel: the sender over the limit is answered on the
channel with the reason (never a silent drop) and the message is kept with its outcome."""

from __future__ import annotations

from django.test import Client, override_settings

from lapor.channels.models import InboundMessage
from lapor.channels.tests.conftest import post_twilio, twilio_params
from lapor.channels.tests.fakes import FakeProviders
from lapor.notifications.dispatcher import dispatch
from lapor.reports.models import Report
from tests.factories import Tree

PHONE = "+6281299998888"


@override_settings(LAPOR_RATE_REPORTS_PER_SENDER_HOUR=1)
def test_an_sms_sender_over_the_limit_is_told_so_and_nothing_is_created(
        client: Client, providers: FakeProviders, kutim_keyword: Tree, rate_window: None,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    for n, text in enumerate(("KUTIM jalan rusak di depan Pasar Induk Sangatta",
                              "KUTIM lampu jalan mati di Jalan Pendidikan sejak lama")):
        with django_capture_on_commit_callbacks(execute=True):
            answer = post_twilio(client, twilio_params("SM" + str(n) * 32, text, PHONE))
        assert answer.status_code == 200
        dispatch()
    assert Report.objects.filter(channel="sms").count() == 1
    outcomes = list(InboundMessage.objects.order_by("pk").values_list("status", "outcome"))
    assert outcomes == [("processed", "report_created"),
                        ("processed", "report_refused_too_many_reports")]
    replies = [m.body["Body"] for m in providers.sent("Messages.json")]
    assert len(replies) == 2
    assert "Terlalu banyak laporan dari pengirim yang sama" in replies[1]
    assert all(m.body["To"] == PHONE for m in providers.sent("Messages.json"))
    # Another number on the same channel is not affected.
    with django_capture_on_commit_callbacks(execute=True):
        post_twilio(client, twilio_params("SM" + "7" * 32,
                                          "KUTIM sampah menumpuk di TPS Jalan Yos Sudarso",
                                          "+6281233334444"))
    assert Report.objects.filter(channel="sms").count() == 2

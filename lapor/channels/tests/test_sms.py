"""SMS through Twilio and Kannel: signatures, replays, the grammar, joined parts, answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from lapor.channels import gsm7
from lapor.channels.config import log_disabled
from lapor.channels.models import ChannelIdentity, InboundMessage, OutboundDelivery
from lapor.channels.processing import inbound_process
from lapor.channels.sms import sms_flush_due
from lapor.channels.tasks import channels_sweep
from lapor.channels.tests.conftest import (
    KANNEL_SECRET,
    TWILIO_URL,
    post_twilio,
    twilio_params,
)
from lapor.channels.tests.fakes import FakeProviders, twilio_signature
from lapor.core import clock
from lapor.notifications.dispatcher import dispatch
from lapor.notifications.models import OutboxMessage
from lapor.reports import services
from lapor.reports.models import Report, ReportEvent
from lapor.reports.services import report_hold
from tests.factories import Tree

T0 = datetime(2026, 6, 2, 2, 0, tzinfo=UTC)
PHONE = "+6281234567890"


def deliver_twilio(client: Client, capture, sid: str, body: str, sender: str = PHONE):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        response = post_twilio(client, twilio_params(sid, body, sender))
    dispatch()
    return response


def test_twilio_keyword_message_becomes_a_kutim_report_answered_by_sms(
        client: Client, providers: FakeProviders, kutim_keyword: Tree,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    response = deliver_twilio(client, django_capture_on_commit_callbacks, "SM" + "1" * 32,
                              "KUTIM jalan rusak di depan Pasar Induk Sangatta, berlubang besar")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response></Response>" in response.content
    report = Report.objects.get()
    assert (report.channel, report.target_agency_id, report.tier_id) == (
        "sms", kutim_keyword.kutim.pk, kutim_keyword.kutim.pk)
    assert report.body == "jalan rusak di depan Pasar Induk Sangatta, berlubang besar"
    assert report.region_id == "64.08"
    sent = providers.sent("Messages.json")
    assert len(sent) == 1
    assert sent[0].body["To"] == PHONE
    assert sent[0].body["From"] == "+15005550006"
    assert sent[0].headers["Authorization"].startswith("Basic ")
    text = sent[0].body["Body"]
    assert f"#{report.tracking_number}" in text
    assert f"CEK {report.tracking_number}" in text
    assert gsm7.is_gsm(text)
    assert gsm7.length(text) <= 160
    inbound = InboundMessage.objects.get()
    assert (inbound.status, inbound.outcome, inbound.report_id) == (
        "processed", "report_created", report.pk)
    # Nothing plaintext about the sender is stored by the channel.
    assert PHONE not in inbound.raw
    assert "6281234567890" not in inbound.raw
    identity = ChannelIdentity.objects.get()
    assert "6281234567890" not in identity.handle
    assert identity.channel == "sms"


def test_twilio_without_or_with_a_wrong_signature_is_refused(
        client: Client, providers: FakeProviders, kutim_keyword: Tree) -> None:
    params = twilio_params("SM" + "2" * 32, "KUTIM lampu jalan mati sejak seminggu")
    missing = client.post("/channels/sms/twilio", urlencode(params),
                          content_type="application/x-www-form-urlencoded")
    wrong = post_twilio(client, params, token="not-the-token")
    other_url = client.post(
        "/channels/sms/twilio", urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=twilio_signature(
            "twilio-test-auth-token-0123456789", "http://evil.example/x", params))
    tampered = dict(params, Body="KUTIM something else entirely here")
    changed = post_twilio(client, tampered, signature=twilio_signature(
        "twilio-test-auth-token-0123456789", TWILIO_URL, params))
    for response in (missing, wrong, other_url, changed):
        assert response.status_code == 403
        assert response.json()["code"] == "invalid_signature"
    assert InboundMessage.objects.count() == 0
    assert Report.objects.count() == 0


def test_a_replayed_twilio_delivery_creates_nothing_new(
        client: Client, providers: FakeProviders, kutim_keyword: Tree,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    sid = "SM" + "3" * 32
    for _ in range(3):
        response = deliver_twilio(client, django_capture_on_commit_callbacks, sid,
                                  "KUTIM banjir di jalan Yos Sudarso setiap hujan")
        assert response.status_code == 200
    assert InboundMessage.objects.count() == 1
    assert Report.objects.count() == 1
    assert len(providers.sent("Messages.json")) == 1


@pytest.mark.parametrize("text", [
    "KUTIM Jalan rusak parah 😡🚧 tolong diperbaiki segera",
    "KUTIM 路面有很多坑洞，非常危险，请尽快修理",
    "KUTIM الطريق مكسور أمام السوق ويحتاج إلى إصلاح",
])
def test_emoji_and_other_scripts_pass_the_signature(
        client: Client, providers: FakeProviders, kutim_keyword: Tree, text: str,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    response = deliver_twilio(client, django_capture_on_commit_callbacks, "SM" + "4" * 32, text)
    assert response.status_code == 200
    assert Report.objects.get().body == text.removeprefix("KUTIM ")


def test_a_channel_without_its_secret_is_disabled(
        client: Client, kutim_keyword: Tree, caplog: pytest.LogCaptureFixture) -> None:
    with override_settings(LAPOR_TWILIO_AUTH_TOKEN="", LAPOR_KANNEL_SECRET=""):
        twilio = post_twilio(client, twilio_params("SM" + "5" * 32, "KUTIM tes tes tes tes"),
                             token="anything")
        kannel = client.get("/channels/sms/kannel", {"sender": PHONE, "text": "KUTIM tes",
                                                     "id": "x", "secret": ""})
        with caplog.at_level("INFO", logger="lapor.channels"):
            disabled = log_disabled()
    for response in (twilio, kannel):
        assert response.status_code == 503
        assert response.json()["code"] == "channel_disabled"
    assert {"twilio", "kannel"} <= set(disabled)
    assert any("channel twilio disabled: LAPOR_TWILIO_AUTH_TOKEN not set" in r.getMessage()
               for r in caplog.records)
    assert InboundMessage.objects.count() == 0


def kannel_params(message_id: str, text: str, sender: str = "6281234567890",
                  secret: str = KANNEL_SECRET) -> dict[str, str]:
    """What ``get-url = ".../channels/sms/kannel?secret=…&sender=%p&receiver=%P&text=%a&id=%I"``
    sends (Kannel user guide, sms-service escape codes)."""
    return {"secret": secret, "sender": sender, "receiver": "1708", "text": text,
            "id": message_id}


def test_kannel_get_and_post_with_the_shared_secret(
        client: Client, providers: FakeProviders, kutim_keyword: Tree,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get("/channels/sms/kannel", kannel_params(
            "6f1c3f7e-1d2a-4c1e-9c55-0c7d0d1e0001", "KUTIM sampah menumpuk di pasar pagi"))
        header = client.post("/channels/sms/kannel", urlencode({
            k: v for k, v in kannel_params("6f1c3f7e-1d2a-4c1e-9c55-0c7d0d1e0002",
                                           "KUTIM air PDAM mati tiga hari 💧").items()
            if k != "secret"}), content_type="application/x-www-form-urlencoded",
            HTTP_X_LAPOR_SECRET=KANNEL_SECRET)
    dispatch()
    wrong = client.get("/channels/sms/kannel", kannel_params("id-3", "KUTIM x", secret="no"))
    missing = client.get("/channels/sms/kannel", {"sender": "1", "text": "x", "id": "4"})
    assert (first.status_code, header.status_code) == (200, 200)
    assert (wrong.status_code, missing.status_code) == (403, 403)
    assert Report.objects.count() == 2
    sent = providers.sent("/cgi-bin/sendsms")
    assert len(sent) == 2
    assert {r.query["to"] for r in sent} == {"+6281234567890"}
    assert {r.query["from"] for r in sent} == {"1708"}
    assert all(r.query["username"] == "lapor" and r.query["charset"] == "UTF-8" for r in sent)
    numbers = set(Report.objects.values_list("tracking_number", flat=True))
    assert {t.split("#")[1][:12] for t in providers.texts("/cgi-bin/sendsms")} == numbers
    # One sender, one identity (Kannel's "628…" and Twilio's "+628…" index alike).
    assert ChannelIdentity.objects.count() == 1


def test_cek_answers_the_status_and_bad_numbers_politely(
        client: Client, providers: FakeProviders, kutim_keyword: Tree,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    capture = django_capture_on_commit_callbacks
    deliver_twilio(client, capture, "SM" + "6" * 32, "KUTIM jembatan kayu di desa retak")
    report = Report.objects.get()
    deliver_twilio(client, capture, "SM" + "7" * 32, f"cek {report.tracking_number}",
                   sender="+6285298765432")
    deliver_twilio(client, capture, "SM" + "8" * 32, "CEK 123", sender="+6285298765432")
    texts = providers.texts("Messages.json")
    assert f"#{report.tracking_number}: Belum Terverifikasi" in texts[1]
    assert "CEK 123456789012" in texts[2]
    assert Report.objects.count() == 1


def test_balas_adds_a_message_only_from_the_reporting_phone(
        client: Client, providers: FakeProviders, kutim_keyword: Tree,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    capture = django_capture_on_commit_callbacks
    deliver_twilio(client, capture, "SM" + "a" * 32, "KUTIM drainase tersumbat di gang 5")
    report = Report.objects.get()
    deliver_twilio(client, capture, "SM" + "b" * 32,
                   f"BALAS {report.tracking_number} lokasinya dekat masjid", sender=PHONE)
    deliver_twilio(client, capture, "SM" + "c" * 32,
                   f"BALAS {report.tracking_number} saya orang lain", sender="+6285200000000")
    events = list(ReportEvent.objects.filter(report=report, kind="reporter_message")
                  .values_list("body", flat=True))
    assert events == ["lokasinya dekat masjid"]
    texts = providers.texts("Messages.json")
    assert "ditambahkan" in texts[1]
    assert "tidak ditemukan" in texts[2]


def test_parts_within_five_minutes_are_joined(
        client: Client, providers: FakeProviders, kutim_keyword: Tree,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    capture = django_capture_on_commit_callbacks
    first = "KUTIM " + ("jalan poros Sangatta-Bengalon rusak berat " * 4)[:147]
    assert gsm7.length(first) == 153
    with clock.frozen(T0):
        deliver_twilio(client, capture, "SM" + "d" * 32, first)
    assert Report.objects.count() == 0  # a full part: wait for the rest
    with clock.frozen(T0 + timedelta(minutes=3)):
        deliver_twilio(client, capture, "SM" + "e" * 32, "dan belum diperbaiki.")
    report = Report.objects.get()
    assert report.body == first.removeprefix("KUTIM ") + "dan belum diperbaiki."
    assert len(providers.sent("Messages.json")) == 1


def test_a_held_part_is_flushed_after_the_window(
        client: Client, providers: FakeProviders, kutim_keyword: Tree,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    text = "KUTIM " + ("pohon tumbang menutup jalan di km 12 " * 5)[:154]
    assert gsm7.length(text) == 160
    with clock.frozen(T0):
        deliver_twilio(client, django_capture_on_commit_callbacks, "SM" + "f" * 32, text)
    with clock.frozen(T0 + timedelta(minutes=4)):
        assert sms_flush_due() == 0
    with clock.frozen(T0 + timedelta(minutes=5, seconds=1)), \
            django_capture_on_commit_callbacks(execute=True):
        assert sms_flush_due() == 1
    dispatch()
    report = Report.objects.get()
    assert report.body == text.removeprefix("KUTIM ").strip()
    assert f"#{report.tracking_number}" in providers.texts("Messages.json")[0]


def test_without_keyword_or_default_region_nothing_is_stored(
        client: Client, providers: FakeProviders, kutim_keyword: Tree,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with override_settings(LAPOR_CHANNELS_DEFAULT_REGION=""):
        deliver_twilio(client, django_capture_on_commit_callbacks, "SM" + "9" * 32,
                       "jalan rusak di kampung kami sudah lama")
    assert Report.objects.count() == 0
    assert "KUTIM jalan rusak" in providers.texts("Messages.json")[0]


def test_other_text_goes_to_the_hub_of_the_default_region(
        client: Client, providers: FakeProviders, kutim_keyword: Tree,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    deliver_twilio(client, django_capture_on_commit_callbacks, "SM" + "0" * 32,
                   "pelayanan puskesmas lambat sekali hari ini")
    report = Report.objects.get()
    # No agency named: the region's hub receives it (lapor.orgs.selectors.report_receiver).
    assert (report.tier_id, report.target_agency_id, report.region_id) == (
        kutim_keyword.kutim.pk, None, "64.08")


def test_later_notices_reach_the_reporter_by_sms_split_cleanly(
        client: Client, providers: FakeProviders, kutim_keyword: Tree,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    deliver_twilio(client, django_capture_on_commit_callbacks, "SM" + "g" * 32,
                   "KUTIM lampu penerangan jalan mati di seluruh gang")
    report = Report.objects.get()
    report_hold(actor=kutim_keyword.actor("hub"), report_id=report.pk,
                question="Mohon sebutkan nama gang dan RT lokasi lampu yang mati, serta sejak "
                         "kapan lampu tersebut padam, agar petugas dapat memeriksa lokasinya.")
    row = OutboxMessage.objects.get(channel="sms", event="reporter.hold")
    with clock.frozen(row.next_attempt_at):
        dispatch()
    parts = providers.texts("Messages.json")[1:]
    assert len(parts) >= 2
    assert all(gsm7.length(p) <= 160 for p in parts)
    assert parts[0].startswith(f"(1/{len(parts)}) ")
    assert report.tracking_number in parts[0]
    # A repeated delivery of the same row sends no part twice (the senders' own log).
    OutboxMessage.objects.filter(pk=row.pk).update(status="pending", next_attempt_at=T0)
    dispatch()
    assert len(providers.texts("Messages.json")) == 1 + len(parts)
    assert OutboundDelivery.objects.filter(key__startswith=row.key).count() == len(parts)


def test_a_provider_outage_is_retried_without_duplicates(
        client: Client, providers: FakeProviders, kutim_keyword: Tree,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    providers.fail_next = [503]
    with clock.frozen(T0):
        deliver_twilio(client, django_capture_on_commit_callbacks, "SM" + "h" * 32,
                       "KUTIM saluran air meluap ke jalan raya")
    row = OutboxMessage.objects.get(channel="sms")
    assert (row.status, row.last_error) == ("pending", "http_503")
    with clock.frozen(T0 + timedelta(hours=1)):
        dispatch()
    row.refresh_from_db()
    assert row.status == "sent"
    assert len(providers.sent("Messages.json")) == 2  # the failed call and the delivery


def test_gsm7_split_is_clean() -> None:
    long = "Laporan #123456789012 " + "kata " * 80
    parts = gsm7.split(long)
    assert all(gsm7.length(p) <= 160 for p in parts)
    assert [p.split(" ", 1)[0] for p in parts] == [f"({i}/{len(parts)})"
                                                   for i in range(1, len(parts) + 1)]
    assert " ".join(p.split(" ", 1)[1] for p in parts) == long.strip()
    assert gsm7.split("Terima kasih “pak” — ok…") == ['Terima kasih "pak" - ok...']
    emoji = gsm7.split("Terima kasih 🙏 " * 10)
    assert all(gsm7.length(p) <= 70 for p in emoji)
    assert len(emoji) > 1
    assert gsm7.length("€") == 2
    assert gsm7.length("a€") == 3


def test_with_the_database_queue_the_task_row_commits_with_the_message(
        client: Client, providers: FakeProviders, kutim_keyword: Tree) -> None:
    database_queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=database_queue):
        params = twilio_params("SM" + "q" * 32, "KUTIM tiang listrik miring di jalan")
        for _ in range(2):
            assert post_twilio(client, params).status_code == 200
    inbound = InboundMessage.objects.get()
    task = DBTaskResult.objects.get()  # one task for one message, replay or not
    assert task.task_path == "lapor.channels.tasks.process_inbound_task"
    assert task.args_kwargs["args"] == [inbound.pk]
    assert Report.objects.count() == 0  # the worker's job
    assert inbound_process(inbound_id=inbound.pk) == "report_created"
    assert inbound_process(inbound_id=inbound.pk) == "report_created"  # a second run: no-op
    assert Report.objects.count() == 1


def test_the_minute_sweep_erases_old_raw_payloads_and_picks_up_lost_messages(
        client: Client, providers: FakeProviders, kutim_keyword: Tree) -> None:
    with clock.frozen(T0):
        # Recorded, but the enqueue was lost (nothing captured the on-commit callback).
        post_twilio(client, twilio_params("SM" + "s" * 32, "KUTIM got mampet di gang 3"))
    assert InboundMessage.objects.get().status == "received"
    with clock.frozen(T0 + timedelta(seconds=61)):
        assert channels_sweep()["reprocessed"] == 1
    inbound = InboundMessage.objects.get()
    assert (inbound.status, Report.objects.count()) == ("processed", 1)
    with clock.frozen(T0 + timedelta(days=29)):
        assert channels_sweep()["raw_erased"] == 0
    with clock.frozen(T0 + timedelta(days=31)):
        assert channels_sweep()["raw_erased"] == 1
    inbound.refresh_from_db()
    assert inbound.raw == ""
    assert inbound.provider_message_id == "SM" + "s" * 32


def test_balas_goes_through_report_reporter_write(
        client: Client, providers: FakeProviders, kutim_keyword: Tree,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    """BALAS asks the one rule: on hold it answers the verifier's question; on a closed report
    it is refused with the service's reason."""
    capture = django_capture_on_commit_callbacks
    deliver_twilio(client, capture, "SM" + "e1" * 16, "KUTIM drainase tersumbat di gang 5")
    report = Report.objects.get()
    services.report_hold(actor=kutim_keyword.actor("hub"), report_id=report.pk,
                         question="Gang 5 di RT berapa?")
    with mock.patch.object(services, "report_reporter_write",
                           wraps=services.report_reporter_write) as write:
        deliver_twilio(client, capture, "SM" + "e2" * 16,
                       f"BALAS {report.tracking_number} RT 07", sender=PHONE)
        services.report_archive(actor=kutim_keyword.actor("hub"), report_id=report.pk,
                                reason="spam")
        deliver_twilio(client, capture, "SM" + "e3" * 16,
                       f"BALAS {report.tracking_number} kenapa?", sender=PHONE)
    assert write.call_count == 2
    assert ReportEvent.objects.get(report=report, kind="provide_info").body == "RT 07"
    assert not ReportEvent.objects.filter(report=report, kind="reporter_message").exists()
    outcomes = list(InboundMessage.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes[-2:] == ["reply_added", "reply_refused_invalid_transition"]

"""WhatsApp Cloud API: verification GET, X-Hub-Signature-256 over the raw body, status
callbacks, replays, and the guided conversation with reply buttons and a photo."""

from __future__ import annotations

import itertools
import json
from typing import Any

from django.test import Client

from lapor.attachments.models import Attachment
from lapor.channels.models import InboundMessage
from lapor.channels.processing import inbound_process
from lapor.channels.tests.conftest import TG_SECRET, WA_SECRET, WA_VERIFY
from lapor.channels.tests.fakes import FakeProviders, hub_signature, jpeg_bytes
from lapor.notifications.dispatcher import dispatch
from lapor.privacy.identity import identity_read
from lapor.privacy.models import Purpose
from lapor.reports.models import Report
from tests.factories import Tree, reporter_of

WA_ID = "6281298765432"
_ids = itertools.count(1)


def envelope(value: dict[str, Any]) -> dict[str, Any]:
    """The webhook envelope of the Cloud API (``object``, ``entry[].changes[].value``)."""
    return {"object": "whatsapp_business_account", "entry": [{
        "id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881",
                         "phone_number_id": "106540352242922"},
            **value}}]}]}


def message(kind: str, content: dict[str, Any], wamid: str | None = None) -> dict[str, Any]:
    return envelope({
        "contacts": [{"profile": {"name": "Budi Santoso"}, "wa_id": WA_ID}],
        "messages": [{"from": WA_ID,
                      "id": wamid or f"wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQT{next(_ids):06d}",
                      "timestamp": "1780000000", "type": kind, kind: content}]})


def text(body: str, wamid: str | None = None) -> dict[str, Any]:
    return message("text", {"body": body}, wamid)


def tap(choice_id: str, title: str = "x") -> dict[str, Any]:
    return message("interactive", {"type": "button_reply",
                                   "button_reply": {"id": choice_id, "title": title}})


def image(media_id: str) -> dict[str, Any]:
    return message("image", {"mime_type": "image/jpeg", "id": media_id,
                             "sha256": "Y2FmZWJhYmU=", "caption": ""})


def statuses() -> dict[str, Any]:
    return envelope({"statuses": [{"id": "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI", "status": "read",
                                   "timestamp": "1780000100", "recipient_id": WA_ID}]})


def post(client: Client, payload: dict[str, Any], *, secret: str = WA_SECRET,
         signature: str | None = None) -> Any:
    raw = json.dumps(payload, ensure_ascii=False).encode()
    sig = hub_signature(secret, raw) if signature is None else signature
    headers = {"HTTP_X_HUB_SIGNATURE_256": sig} if sig else {}
    return client.post("/channels/whatsapp", raw, content_type="application/json", **headers)


def send(client: Client, capture: Any, payload: dict[str, Any]) -> None:
    with capture(execute=True):
        response = post(client, payload)
    dispatch()
    assert response.status_code == 200


def test_verification_get(client: Client, providers: FakeProviders) -> None:
    ok = client.get("/channels/whatsapp", {"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY,
                                           "hub.challenge": "1158201444"})
    assert (ok.status_code, ok.content) == (200, b"1158201444")
    wrong = client.get("/channels/whatsapp", {"hub.mode": "subscribe",
                                              "hub.verify_token": "nope", "hub.challenge": "1"})
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "invalid_signature"


def test_signature_is_checked_over_the_raw_body(client: Client, providers: FakeProviders,
                                                tree: Tree) -> None:
    payload = text("Halo 👋 — ¿qué tal? 你好")
    assert post(client, payload, signature="").status_code == 403
    assert post(client, payload, secret="other-secret").status_code == 403
    # The same JSON re-serialised differently (ASCII escapes) is another raw body.
    raw_ascii = json.dumps(payload).encode()
    signed_other = hub_signature(WA_SECRET, json.dumps(payload, ensure_ascii=False).encode())
    response = client.post("/channels/whatsapp", raw_ascii, content_type="application/json",
                           HTTP_X_HUB_SIGNATURE_256=signed_other)
    assert response.status_code == 403
    assert InboundMessage.objects.count() == 0
    assert post(client, payload).status_code == 200
    assert InboundMessage.objects.count() == 1


def test_status_callbacks_and_replays_do_nothing(client: Client, providers: FakeProviders,
                                                 tree: Tree,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    for _ in range(2):
        send(client, capture, statuses())
    assert InboundMessage.objects.count() == 0
    assert providers.requests == []
    payload = text("halo", wamid="wamid.replayed-once")
    for _ in range(3):
        send(client, capture, payload)
    assert InboundMessage.objects.count() == 1
    assert len(providers.sent("/messages")) == 1


def test_conversation_with_buttons_photo_and_anonymity(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    providers.media["1104480873777230"] = jpeg_bytes()
    send(client, capture, text("Halo"))
    menu = providers.sent("/messages")[-1].body
    assert menu["type"] == "interactive"
    assert menu["to"] == WA_ID
    assert [b["reply"]["id"] for b in menu["interactive"]["action"]["buttons"]] == [
        "menu:lapor", "menu:cek"]
    assert providers.sent("/messages")[-1].headers["Authorization"] == "Bearer wa-access-token"
    send(client, capture, tap("menu:lapor"))
    send(client, capture, tap("type:complaint"))
    send(client, capture, text("Pungutan liar di loket pelayanan KTP kecamatan 💸"))
    send(client, capture, text("sangatta utara"))
    send(client, capture, image("1104480873777230"))
    send(client, capture, tap("photo:done"))
    send(client, capture, tap("anon:yes"))
    send(client, capture, tap("confirm:send"))
    report = Report.objects.get()
    assert (report.channel, report.region_id, report.is_anonymous) == (
        "whatsapp", "64.08.04", True)
    assert f"#{report.tracking_number}" in providers.texts("/messages")[-1]
    assert Attachment.objects.filter(report=report).count() == 1
    media_calls = [r for r in providers.requests if r.path in ("/v21.0/1104480873777230",
                                                              "/media/1104480873777230")]
    assert [r.path for r in media_calls] == ["/v21.0/1104480873777230",
                                              "/media/1104480873777230"]
    assert all(r.headers["Authorization"] == "Bearer wa-access-token" for r in media_calls)
    # An anonymous reporter's name is not stored even though WhatsApp sent the profile name.
    identity = identity_read(actor=reporter_of(report), report=report,
                             purpose=Purpose.REPORTER_ACCESS)
    assert identity is not None
    assert identity.name == ""
    assert identity.phone == "+" + WA_ID
    assert identity_read(actor=tree.actor("hub"), report=report,
                         purpose=Purpose.STAFF_VIEW) is None


def test_signed_but_malformed_payloads_store_nothing_or_are_ignored(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    for raw in (b"not json", b"[]", b'{"entry": 5}', '{"ü": "✓"}'.encode()):
        response = client.post("/channels/whatsapp", raw, content_type="application/json",
                               HTTP_X_HUB_SIGNATURE_256=hub_signature(WA_SECRET, raw))
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"
    # A message without the fields the documentation promises: recorded, then ignored.
    odd = text("halo", wamid="wamid.odd")
    odd["entry"][0]["changes"][0]["value"]["messages"][0]["type"] = "unsupported"
    del odd["entry"][0]["changes"][0]["value"]["messages"][0]["text"]
    send(client, django_capture_on_commit_callbacks, odd)
    assert InboundMessage.objects.get().status == "processed"  # answered with the menu
    assert len(providers.sent("/messages")) == 1
    # A Telegram update without a chat id: recorded (the id stops replays), never retried.
    broken = {"update_id": 1, "message": {"message_id": 1, "chat": {"type": "private"}}}
    client.post("/channels/telegram", json.dumps(broken), content_type="application/json",
                HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=TG_SECRET)
    row = InboundMessage.objects.get(provider="telegram")
    assert inbound_process(inbound_id=row.pk) == "unparsable"
    row.refresh_from_db()
    assert row.status == "ignored"


def location(latitude: float, longitude: float) -> dict[str, Any]:
    """A shared location (Cloud API messages webhook, ``type: "location"``)."""
    return message("location", {"latitude": latitude, "longitude": longitude,
                                "name": "Pasar Induk Sangatta",
                                "address": "Jl. Yos Sudarso, Sangatta Utara"})


def test_a_shared_location_gives_the_point_and_skips_the_district(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    send(client, capture, location(0.5036, 117.5406))  # a new chat: the report starts
    said = providers.texts("/messages")
    assert "Lokasi diterima: Kecamatan Sangatta Utara." in said[-2]
    question = providers.sent("/messages")[-1].body
    assert [b["reply"]["id"] for b in question["interactive"]["action"]["buttons"]] == [
        "type:complaint", "type:aspiration", "type:information_request"]
    send(client, capture, tap("type:complaint"))
    send(client, capture, text("Lampu jalan di depan pasar induk mati sejak seminggu."))
    # No district question: the photo step comes next.
    photo = providers.sent("/messages")[-1].body
    assert [b["reply"]["id"] for b in photo["interactive"]["action"]["buttons"]] == [
        "photo:done"]
    send(client, capture, tap("photo:done"))
    send(client, capture, tap("anon:no"))
    assert "Sangatta Utara" in providers.texts("/messages")[-1]
    send(client, capture, tap("confirm:send"))
    report = Report.objects.get()
    assert (report.channel, report.region_id, report.tier_id) == (
        "whatsapp", "64.08.04", tree.kutim.pk)
    assert (str(report.latitude), str(report.longitude)) == ("0.503600", "117.540600")


def test_a_location_outside_indonesia_is_answered_and_asked_again(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    send(client, capture, text("/lapor"))
    send(client, capture, tap("type:complaint"))
    send(client, capture, text("Lampu jalan di depan pasar induk mati sejak seminggu."))
    send(client, capture, location(1.29, 103.85))  # Singapore
    refusal, again = providers.texts("/messages")[-2:]
    assert refusal.startswith("Lokasi ini tidak dapat dipakai: Lokasi ini tidak berada di "
                              "kecamatan mana pun di Indonesia")
    assert again.startswith("Di kecamatan mana kejadiannya?")
    send(client, capture, text("Sangatta Utara"))  # typing still works
    send(client, capture, tap("photo:done"))
    send(client, capture, tap("anon:yes"))
    send(client, capture, tap("confirm:send"))
    report = Report.objects.get()
    assert (report.region_id, report.latitude) == ("64.08.04", None)

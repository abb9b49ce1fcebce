"""Telegram Bot API: the secret-token header, replays, /cek, and the guided conversation
from /lapor to the tracking number, with a photo fetched from the (fake) Bot API."""

from __future__ import annotations

import itertools
import json
from typing import Any

from django.test import Client

from lapor.attachments.models import Attachment
from lapor.channels.models import InboundMessage
from lapor.channels.tests.conftest import TG_SECRET
from lapor.channels.tests.fakes import FakeProviders, jpeg_bytes
from lapor.notifications.dispatcher import dispatch
from lapor.reports.models import Report
from tests.factories import Tree

CHAT = 987654321
_updates = itertools.count(500_000)


def user() -> dict[str, Any]:
    return {"id": CHAT, "is_bot": False, "first_name": "Siti", "last_name": "Aminah",
            "username": "siti_a", "language_code": "id"}


def text_update(text: str, update_id: int | None = None) -> dict[str, Any]:
    """An ``Update`` with a private text message (Bot API documentation, Message object)."""
    message: dict[str, Any] = {
        "message_id": next(_updates), "from": user(), "date": 1780000000,
        "chat": {"id": CHAT, "first_name": "Siti", "last_name": "Aminah",
                 "username": "siti_a", "type": "private"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split(maxsplit=1)[0]),
                                "type": "bot_command"}]
    return {"update_id": update_id or next(_updates), "message": message}


def photo_update(file_id: str, caption: str = "") -> dict[str, Any]:
    update = text_update("")
    message = update["message"]
    del message["text"]
    message["photo"] = [
        {"file_id": f"{file_id}-small", "file_unique_id": "AQADs", "file_size": 1200,
         "width": 90, "height": 67},
        {"file_id": file_id, "file_unique_id": "AQADm", "file_size": 48000, "width": 800,
         "height": 600},
    ]
    if caption:
        message["caption"] = caption
    return update


def button_update(data: str) -> dict[str, Any]:
    return {"update_id": next(_updates), "callback_query": {
        "id": "4382bfdwdsb323b2d9", "from": user(), "chat_instance": "-8263372",
        "data": data, "message": {"message_id": 77, "date": 1780000000, "text": "?",
                                  "chat": {"id": CHAT, "type": "private",
                                           "first_name": "Siti"}}}}


def post(client: Client, update: dict[str, Any], secret: str | None = TG_SECRET) -> Any:
    headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret is not None else {}
    return client.post("/channels/telegram", json.dumps(update, ensure_ascii=False),
                       content_type="application/json", **headers)


def send(client: Client, capture: Any, update: dict[str, Any]) -> Any:
    with capture(execute=True):
        response = post(client, update)
    dispatch()
    assert response.status_code == 200
    return response


def test_secret_token_missing_or_wrong_is_refused(client: Client, providers: FakeProviders,
                                                  tree: Tree) -> None:
    for secret in (None, "", "wrong-token"):
        response = post(client, text_update("/lapor"), secret=secret)
        assert response.status_code == 403
        assert response.json()["code"] == "invalid_signature"
    assert InboundMessage.objects.count() == 0


def test_a_replayed_update_is_processed_once(client: Client, providers: FakeProviders,
                                             tree: Tree,
                                             django_capture_on_commit_callbacks: Any) -> None:
    update = text_update("halo 👋 مرحبا 你好")
    for _ in range(3):
        send(client, django_capture_on_commit_callbacks, update)
    assert InboundMessage.objects.count() == 1
    assert len(providers.sent("/sendMessage")) == 1  # the menu, once


def test_conversation_from_lapor_to_tracking_number(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    providers.media["AgACAgUAAxkBAAIBQ2"] = jpeg_bytes()
    send(client, capture, text_update("/lapor"))
    question = providers.sent("/sendMessage")[-1].body
    assert question["chat_id"] == str(CHAT)
    ids = [row[0]["callback_data"] for row in question["reply_markup"]["inline_keyboard"]]
    assert ids == ["type:complaint", "type:aspiration", "type:information_request"]
    send(client, capture, button_update("type:complaint"))
    send(client, capture, text_update("Jalan di depan Pasar Induk Sangatta berlubang besar 🚧"))
    send(client, capture, text_update("Sangatta Utara"))
    send(client, capture, photo_update("AgACAgUAAxkBAAIBQ2"))
    keyboard = providers.sent("/sendMessage")[-1].body["reply_markup"]["inline_keyboard"]
    assert keyboard[0][0]["callback_data"] == "photo:done"
    send(client, capture, button_update("photo:done"))
    send(client, capture, text_update("2"))  # the second offered answer: not anonymous
    confirm = providers.sent("/sendMessage")[-1].body
    assert "Sangatta Utara" in confirm["text"]
    assert [r[0]["callback_data"] for r in confirm["reply_markup"]["inline_keyboard"]] == [
        "confirm:send", "confirm:cancel"]
    assert Report.objects.count() == 0
    send(client, capture, button_update("confirm:send"))
    report = Report.objects.get()
    assert (report.channel, report.type, report.region_id, report.tier_id) == (
        "telegram", "complaint", "64.08.04", tree.kutim.pk)
    assert report.body == "Jalan di depan Pasar Induk Sangatta berlubang besar 🚧"
    assert not report.is_anonymous
    last = providers.sent("/sendMessage")[-1].body["text"]
    assert f"#{report.tracking_number}" in last
    assert f"/cek {report.tracking_number}" in last
    # The photo came through getFile and the file URL, and is the reporter's attachment.
    assert providers.sent("/getFile")[0].query["file_id"] == "AgACAgUAAxkBAAIBQ2"
    assert Attachment.objects.filter(report=report).count() == 1
    # /cek answers from the same chat.
    send(client, capture, text_update(f"/cek {report.tracking_number}"))
    assert report.get_status_display() in providers.sent("/sendMessage")[-1].body["text"]


def test_cancel_leaves_nothing(client: Client, providers: FakeProviders, tree: Tree,
                               django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    send(client, capture, text_update("/lapor Sampah menumpuk di TPS dekat sekolah"))
    send(client, capture, button_update("type:aspiration"))
    assert "kecamatan" in providers.sent("/sendMessage")[-1].body["text"]
    send(client, capture, text_update("/batal"))
    assert Report.objects.count() == 0
    assert InboundMessage.objects.filter(status="processed").count() == 3


def location_update(latitude: float, longitude: float) -> dict[str, Any]:
    """A private message with a shared location (Bot API ``Message.location``)."""
    update = text_update("")
    message = update["message"]
    del message["text"]
    message["location"] = {"latitude": latitude, "longitude": longitude,
                           "horizontal_accuracy": 12.5}
    return update


def test_a_location_answers_the_district_question(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    send(client, capture, text_update("/lapor"))
    send(client, capture, button_update("type:complaint"))
    send(client, capture, text_update("Perahu nelayan terbalik, tolong patroli laut segera."))
    assert "kirim lokasi" in providers.sent("/sendMessage")[-1].body["text"]
    send(client, capture, location_update(0.12, 117.55))  # in the sea 1.6 km off Bontang
    got, photo = (m.body for m in providers.sent("/sendMessage")[-2:])
    assert got["text"] == "Lokasi diterima: Kecamatan Bontang Utara."
    assert photo["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "photo:done"
    send(client, capture, button_update("photo:done"))
    send(client, capture, button_update("anon:no"))
    send(client, capture, button_update("confirm:send"))
    report = Report.objects.get()
    assert (report.channel, report.region_id) == ("telegram", "64.74.01")
    assert (str(report.latitude), str(report.longitude)) == ("0.120000", "117.550000")


def test_a_location_far_at_sea_is_refused(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    send(client, capture, location_update(0.0, 118.5))  # the middle of the Makassar Strait
    assert providers.sent("/sendMessage")[-1].body["text"].startswith(
        "Lokasi ini tidak dapat dipakai")
    assert Report.objects.count() == 0

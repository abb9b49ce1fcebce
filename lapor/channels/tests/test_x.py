"""X Account Activity API: CRC, the webhook signature over the raw body, #LAPOR mentions as
public reports answered publicly, and the guided conversation in direct messages."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from typing import Any

from django.test import Client

from lapor.channels.models import InboundMessage
from lapor.channels.tests.conftest import X_SECRET
from lapor.channels.tests.fakes import FakeProviders, x_signature
from lapor.notifications.dispatcher import dispatch
from lapor.orgs.models import Sop
from lapor.privacy.identity import identity_read
from lapor.privacy.models import Purpose
from lapor.reports.models import Report
from tests.factories import Tree

ACCOUNT = "2244994945"  # the LAPOR! account the webhook is subscribed for
AUTHOR = "6253282"
_ids = itertools.count(1_800_000_000_000_000_000)


def author() -> dict[str, Any]:
    return {"id": int(AUTHOR), "id_str": AUTHOR, "name": "Rina Kartika 🌺",
            "screen_name": "rinakartika", "location": "Sangatta", "protected": False}


def mention(text: str, *, user: dict[str, Any] | None = None,
            tweet_id: str | None = None) -> dict[str, Any]:
    """A ``tweet_create_events`` delivery (Account Activity API, v1.1 Tweet objects)."""
    tweet_id = tweet_id or str(next(_ids))
    return {"for_user_id": ACCOUNT, "user_has_blocked": False, "tweet_create_events": [{
        "created_at": "Mon Jun 01 02:00:00 +0000 2026", "id": int(tweet_id), "id_str": tweet_id,
        "text": text, "truncated": False, "in_reply_to_status_id": None,
        "user": user or author(), "is_quote_status": False, "lang": "in",
        "entities": {"hashtags": [{"text": "LAPOR", "indices": [0, 6]}], "urls": [],
                     "user_mentions": [{"screen_name": "LAPOR1708", "name": "LAPOR!",
                                        "id": int(ACCOUNT), "id_str": ACCOUNT}]}}]}


def dm(text: str, sender: str = AUTHOR) -> dict[str, Any]:
    return {"for_user_id": ACCOUNT, "direct_message_events": [{
        "type": "message_create", "id": str(next(_ids)), "created_timestamp": "1780000000000",
        "message_create": {"target": {"recipient_id": ACCOUNT}, "sender_id": sender,
                           "message_data": {"text": text, "entities": {
                               "hashtags": [], "symbols": [], "user_mentions": [],
                               "urls": []}}}}],
        "users": {sender: {"id": sender, "name": "Rina", "screen_name": "rinakartika"}}}


def post(client: Client, payload: dict[str, Any], *, secret: str = X_SECRET,
         signature: str | None = None) -> Any:
    raw = json.dumps(payload, ensure_ascii=False).encode()
    sig = x_signature(secret, raw) if signature is None else signature
    headers = {"HTTP_X_TWITTER_WEBHOOKS_SIGNATURE": sig} if sig else {}
    return client.post("/channels/x", raw, content_type="application/json", **headers)


def send(client: Client, capture: Any, payload: dict[str, Any]) -> None:
    with capture(execute=True):
        response = post(client, payload)
    dispatch()
    assert response.status_code == 200


def test_crc_challenge(client: Client, providers: FakeProviders) -> None:
    response = client.get("/channels/x", {"crc_token": "a1b2c3"})
    expected = base64.b64encode(hmac.new(X_SECRET.encode(), b"a1b2c3",
                                         hashlib.sha256).digest()).decode()
    assert response.status_code == 200
    assert response.json() == {"response_token": f"sha256={expected}"}
    assert client.get("/channels/x").status_code == 400


def test_signature_missing_or_wrong_is_refused(client: Client, providers: FakeProviders,
                                               tree: Tree) -> None:
    payload = mention("#LAPOR jalan rusak 🚧 di Sangatta @LAPOR1708")
    assert post(client, payload, signature="").status_code == 403
    assert post(client, payload, secret="wrong").status_code == 403
    assert post(client, payload, signature="sha256=AAAA").json()["code"] == "invalid_signature"
    assert InboundMessage.objects.count() == 0


def test_a_mention_becomes_a_public_named_report_with_a_public_reply(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    Sop.objects.update_or_create(node=tree.kutim, defaults={"sms_keyword": "KUTIM"})
    payload = mention("#LAPOR KUTIM lampu jalan di Jl. Yos Sudarso mati semua 🌑 @LAPOR1708",
                      tweet_id="1800000000000000001")
    for _ in range(2):  # a replay changes nothing
        send(client, django_capture_on_commit_callbacks, payload)
    report = Report.objects.get()
    assert (report.channel, report.is_anonymous, report.is_confidential) == ("x", False, False)
    assert report.target_agency_id == tree.kutim.pk
    assert report.body == "lampu jalan di Jl. Yos Sudarso mati semua 🌑"
    identity = identity_read(actor=tree.actor("hub"), report=report, purpose=Purpose.STAFF_VIEW)
    assert identity is not None
    assert identity.name == "Rina Kartika 🌺"
    replies = providers.sent("/2/tweets")
    assert len(replies) == 1
    assert replies[0].body["reply"] == {"in_reply_to_tweet_id": "1800000000000000001"}
    assert f"#{report.tracking_number}" in replies[0].body["text"]
    assert replies[0].headers["Authorization"] == "Bearer x-user-token"


def test_own_posts_and_untagged_mentions_are_ignored(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    own = mention("#LAPOR Laporan Anda diterima", user={"id_str": ACCOUNT, "name": "LAPOR!"})
    plain = mention("terima kasih @LAPOR1708")
    plain["tweet_create_events"][0]["entities"]["hashtags"] = []
    send(client, django_capture_on_commit_callbacks, own)
    send(client, django_capture_on_commit_callbacks, plain)
    assert Report.objects.count() == 0
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {"ignored"}
    assert providers.requests == []


def test_direct_message_conversation_to_tracking_number(
        client: Client, providers: FakeProviders, tree: Tree,
        django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    for text in ("LAPOR", "3", "Mohon informasi jadwal vaksinasi di puskesmas Sangatta",
                 "Sangatta Utara", "1", "2", "1"):
        send(client, capture, dm(text))
    report = Report.objects.get()
    assert (report.channel, report.type, report.region_id) == (
        "x", "information_request", "64.08.04")
    dms = providers.sent(f"/2/dm_conversations/with/{AUTHOR}/messages")
    assert "1. " in dms[0].body["text"]  # the numbered answers of the type question
    assert f"#{report.tracking_number}" in dms[-1].body["text"]
    assert providers.sent("/2/tweets") == []

"""Web Push to a citizen who opted in (issue 19 part 5): through the real API, the real outbox
and pywebpush, to a local push service that checks the VAPID signature and decrypts the
aes128gcm payload (tests/push_service.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings

from lapor.core import clock
from lapor.notifications import push
from lapor.notifications.dispatcher import dispatch
from lapor.notifications.models import Channel, OutboxMessage, PushSubscription
from lapor.notifications.vapid import b64url_decode, generate_private_key, public_key_b64
from lapor.privacy import vault
from lapor.privacy.pdp import retention_sweep
from lapor.reports import services
from lapor.reports.submission import SubmittedReport
from lapor.workspace.tests.helpers import report_url, signed_in
from tests.api_client import ApiClient, login
from tests.factories import PASSWORD, Tree, reporter_of, submit
from tests.push_service import PushService, push_service

TITLE = "Pungutan liar oleh Kepala Seksi Wirabumi"
BODY = "Kepala Seksi Wirabumi meminta uang Rp500.000 untuk mengurus izin di kantor kecamatan."
NAME, EMAIL, PHONE = "Kartikasari Lembayung", "kartika.lembayung@example.org", "0813-7777-4321"
# The phone as digits long enough that a random tracking number, token or topic cannot contain
# them by chance (a 4-digit piece, "4321", once matched a tracking number: a false alarm).
PLANTED = ("Pungutan", "Wirabumi", "500.000", "Kartikasari", "Lembayung", "kartika.lembayung",
           "7777-4321", "77774321")


@pytest.fixture
def vapid_key() -> Iterator[str]:
    key = generate_private_key()
    with override_settings(LAPOR_VAPID_PRIVATE_KEY=key, LAPOR_PUSH_ALLOW_LOCAL_HTTP=True,
                           LAPOR_VAPID_SUBJECT="mailto:operator@kutim.example"):
        yield key


@pytest.fixture
def service(vapid_key: str) -> Iterator[PushService]:
    with push_service() as fake:
        yield fake


def _submit(tree: Tree, **flags: Any) -> SubmittedReport:
    return submit(tree, title=TITLE, body=BODY, reporter_name=NAME, reporter_email=EMAIL,
                  reporter_phone=PHONE, **flags)


def _opt_in(submitted: SubmittedReport, subscription: dict[str, Any]) -> Any:
    return ApiClient().post(f"/track/{submitted.report.tracking_number}/push", subscription,
                            headers={"X-Access-Code": submitted.access_code})


def _leaks(text: str) -> list[str]:
    return [p for p in PLANTED if p.lower() in text.lower()]


@pytest.mark.parametrize("flags", [
    {"is_confidential": True, "is_anonymous": True},
    {"is_confidential": True},
    {"is_anonymous": True},
    {},
])
def test_push_reaches_the_browser_with_status_words_only(
    tree: Tree, service: PushService, vapid_key: str, flags: dict[str, bool]
) -> None:
    submitted = _submit(tree, **flags)
    phone = service.browser()
    assert _opt_in(submitted, phone.subscription()).status_code == 201

    services.report_dispose(actor=tree.actor("hub"), report_id=submitted.report.pk,
                            node_code=tree.pupr.code)
    dispatch()

    row = OutboxMessage.objects.get(channel=Channel.WEBPUSH)
    assert row.status == "sent", (row.last_error, service.refused)
    assert service.refused == []
    [got] = service.received
    number = submitted.report.tracking_number
    assert got.claims["aud"] == service.origin
    assert got.claims["sub"] == "mailto:operator@kutim.example"
    assert got.vapid_key == public_key_b64(vapid_key)
    assert got.headers["topic"] == push.topic(row.key)
    assert len(got.headers["topic"]) <= 32
    assert got.headers["urgency"] == "normal"
    assert int(got.headers["ttl"]) > 0
    payload = got.payload
    assert payload["title"] == f"LAPOR! #{number}"
    assert payload["body"] == push.PUSH_TEXT["reporter.disposed"][0]
    assert payload["url"] == f"/lacak/{number}/"
    assert payload["unsubscribe"].startswith("/lacak/berhenti/")
    assert payload["stop"] == "Berhenti"
    assert payload["tag"] == push.topic(row.key)
    # Whatever the flags: no report text, no reporter, no agency unit, nothing but status.
    assert set(payload) == {"title", "body", "url", "unsubscribe", "stop", "stopped", "tag",
                            "icon"}
    assert _leaks(json.dumps(payload)) == []
    assert _leaks(" ".join([row.subject, row.body, row.key, json.dumps(row.payload)])) == []


def test_repeat_delivery_carries_the_same_topic_and_tag(tree: Tree, service: PushService) -> None:
    submitted = _submit(tree)
    assert _opt_in(submitted, service.browser().subscription()).status_code == 201
    services.report_dispose(actor=tree.actor("hub"), report_id=submitted.report.pk,
                            node_code=tree.pupr.code)
    row = OutboxMessage.objects.get(channel=Channel.WEBPUSH)
    # At least once: a worker that died after the push service accepted delivers again.
    push.WebPushSender().send(row)
    push.WebPushSender().send(row)
    first, second = service.received
    assert first.headers["topic"] == second.headers["topic"]
    assert first.payload["tag"] == second.payload["tag"]


def test_gone_subscription_is_deleted_and_the_row_dead_lettered(
    tree: Tree, service: PushService
) -> None:
    submitted = _submit(tree)
    phone = service.browser()
    assert _opt_in(submitted, phone.subscription()).status_code == 201
    service.answer[phone.endpoint.removeprefix(service.origin)] = 410
    services.report_dispose(actor=tree.actor("hub"), report_id=submitted.report.pk,
                            node_code=tree.pupr.code)
    dispatch()
    row = OutboxMessage.objects.get(channel=Channel.WEBPUSH)
    assert (row.status, row.last_error) == ("dead", "push_410_gone")
    assert not PushSubscription.objects.exists()
    # The next event writes no push row any more; e-mail still goes.
    services.report_acknowledge(actor=tree.actor("liaison_pupr"),
                                report_id=submitted.report.pk)
    assert OutboxMessage.objects.filter(channel=Channel.WEBPUSH).count() == 1


def test_a_redirect_is_not_followed(tree: Tree, service: PushService) -> None:
    """The server POSTs where a citizen's subscription says: a push service may answer, not
    send that POST on to another address (an internal one, say)."""
    submitted = _submit(tree)
    phone, elsewhere = service.browser(), service.browser("elsewhere")
    assert _opt_in(submitted, phone.subscription()).status_code == 201
    service.redirect[phone.endpoint.removeprefix(service.origin)] = elsewhere.endpoint
    services.report_dispose(actor=tree.actor("hub"), report_id=submitted.report.pk,
                            node_code=tree.pupr.code)
    dispatch()
    row = OutboxMessage.objects.get(channel=Channel.WEBPUSH)
    assert (row.status, row.last_error) == ("dead", "push_307")
    assert service.received == []


def test_server_errors_are_retried(tree: Tree, service: PushService) -> None:
    submitted = _submit(tree)
    phone = service.browser()
    assert _opt_in(submitted, phone.subscription()).status_code == 201
    service.answer[phone.endpoint.removeprefix(service.origin)] = 503
    services.report_dispose(actor=tree.actor("hub"), report_id=submitted.report.pk,
                            node_code=tree.pupr.code)
    dispatch()
    row = OutboxMessage.objects.get(channel=Channel.WEBPUSH)
    assert (row.status, row.last_error, row.attempts) == ("pending", "push_503", 1)
    assert PushSubscription.objects.count() == 1


def test_one_tap_unsubscribe(tree: Tree, service: PushService) -> None:
    submitted = _submit(tree)
    assert _opt_in(submitted, service.browser().subscription()).status_code == 201
    services.report_dispose(actor=tree.actor("hub"), report_id=submitted.report.pk,
                            node_code=tree.pupr.code)
    dispatch()
    url = service.received[0].payload["unsubscribe"]
    browser = Client(enforce_csrf_checks=True)  # the worker's POST carries no CSRF token
    page = browser.get(url)
    assert page.status_code == 200
    assert 'data-testid="push-stop"' in page.content.decode()
    assert PushSubscription.objects.count() == 1  # a GET (a link preview) stops nothing
    done = browser.post(url)
    assert done.status_code == 200
    assert 'data-testid="push-stopped"' in done.content.decode()
    assert not PushSubscription.objects.exists()
    assert browser.post(url).status_code == 200  # a second tap: still "stopped"
    assert browser.get(url[:-3] + "xx/").status_code == 404  # not a token we signed
    services.report_acknowledge(actor=tree.actor("liaison_pupr"),
                                report_id=submitted.report.pk)
    dispatch()
    assert len(service.received) == 1


def test_unsubscribe_through_the_api_and_resubscribe_once(
    tree: Tree, service: PushService
) -> None:
    submitted = _submit(tree)
    phone = service.browser()
    assert _opt_in(submitted, phone.subscription()).status_code == 201
    assert _opt_in(submitted, phone.subscription()).status_code == 201  # same browser: one row
    assert PushSubscription.objects.count() == 1
    gone = ApiClient().post(f"/track/{submitted.report.tracking_number}/push/unsubscribe",
                            {"endpoint": phone.endpoint},
                            headers={"X-Access-Code": submitted.access_code})
    assert (gone.status_code, gone.json()) == (200, {"subscribed": False})
    assert not PushSubscription.objects.exists()


@pytest.mark.usefixtures("vapid_key")
@pytest.mark.parametrize(("change", "field"), [
    ({"endpoint": "http://push.example.org/x"}, "endpoint"),
    ({"endpoint": "https://intranet.kutim.example/admin"}, "endpoint"),
    ({"endpoint": "https://user:pw@fcm.googleapis.com/fcm/send/x"}, "endpoint"),
    # Read as another host by urllib3, which sends, than by urlsplit (a review finding).
    ({"endpoint": "https://169.254.169.254\\.push.apple.com/latest"}, "endpoint"),
    ({"endpoint": "https://10.0.0.5\\.fcm.googleapis.com:8443/"}, "endpoint"),
    ({"endpoint": "https://attacker.example\\.fcm.googleapis.com/x"}, "endpoint"),
    ({"endpoint": "https://fcm.googleapis.com%2F@attacker.example/x"}, "endpoint"),
    ({"endpoint": "https://fcm.googleapis.com /x"}, "endpoint"),
    ({"endpoint": "https://fcm.googleapis.com/x\\y"}, "endpoint"),
    ({"keys": {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys"),
    ({"keys": {"p256dh": "B" * 87, "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys"),
    ({"keys": {"p256dh": None, "auth": "short"}}, "keys"),
])
def test_subscription_is_checked(tree: Tree, change: dict[str, Any], field: str) -> None:
    submitted = _submit(tree)
    with push_service() as fake:
        body = {**fake.browser().subscription(), **change}
        if body["keys"]["p256dh"] is None:
            body["keys"]["p256dh"] = fake.browser().p256dh
    response = _opt_in(submitted, body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_push_subscription"
    assert response.json()["field"] == field
    assert not PushSubscription.objects.exists()


def test_a_real_push_service_endpoint_is_accepted(tree: Tree, vapid_key: str) -> None:
    submitted = _submit(tree)
    with push_service() as fake:
        body = fake.browser().subscription()
    body["endpoint"] = "https://fcm.googleapis.com/fcm/send/abc:APA91b"
    assert _opt_in(submitted, body).status_code == 201


@pytest.mark.usefixtures("vapid_key")
def test_opt_in_needs_the_access_code(tree: Tree) -> None:
    submitted = _submit(tree)
    with push_service() as fake:
        body = fake.browser().subscription()
    client = ApiClient()
    path = f"/track/{submitted.report.tracking_number}/push"
    assert client.post(path, body).status_code == 401
    assert client.post(path, body, headers={"X-Access-Code": "SALAH-0000"}).status_code == 401
    other = _submit(tree)
    assert client.post(path, body, headers={"X-Access-Code": other.access_code}
                       ).status_code == 401
    assert not PushSubscription.objects.exists()


def test_without_vapid_push_is_not_offered(tree: Tree) -> None:
    with override_settings(LAPOR_VAPID_PRIVATE_KEY=""):
        assert ApiClient().get("/push/key").json() == {"enabled": False, "public_key": ""}
        submitted = _submit(tree)
        with push_service() as fake:
            response = _opt_in(submitted, fake.browser().subscription())
        assert (response.status_code, response.json()["code"]) == (422, "push_unavailable")
        client = Client()
        client.post(f"/lacak/{submitted.report.tracking_number}/kode/",
                    {"access_code": submitted.access_code})
        page = client.get(f"/lacak/{submitted.report.tracking_number}/").content.decode()
        assert "data-push" not in page
        assert "app-push.js" not in page


def test_public_key_endpoint(vapid_key: str) -> None:
    answer = ApiClient().get("/push/key").json()
    assert answer == {"enabled": True, "public_key": public_key_b64(vapid_key)}
    assert len(b64url_decode(answer["public_key"])) == 65


def _csrf(page: str) -> str:
    match = re.search(r'data-csrf="([^"]+)"', page)
    assert match, "the opt-in block carries the page's CSRF token"
    return match.group(1)


def test_portal_opt_in_from_a_proven_session(tree: Tree, service: PushService,
                                             vapid_key: str) -> None:
    submitted = _submit(tree, is_confidential=True)
    number = submitted.report.tracking_number
    browser = Client(enforce_csrf_checks=True)
    stranger = browser.get(f"/lacak/{number}/").content.decode()
    assert "data-push" not in stranger  # not proven: nothing offered
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', stranger)
    assert token
    browser.post(f"/lacak/{number}/kode/", {"access_code": submitted.access_code,
                                             "csrfmiddlewaretoken": token.group(1)})
    page = browser.get(f"/lacak/{number}/").content.decode()
    assert f'data-key="{public_key_b64(vapid_key)}"' in page
    assert "portal/app-push.js" in page
    assert submitted.access_code not in page.split("data-push", 1)[1].split("</section>")[0]
    phone = service.browser()
    post = browser.post(f"/lacak/{number}/notifikasi/", json.dumps(phone.subscription()),
                        content_type="application/json", headers={"X-CSRFToken": _csrf(page)})
    assert post.status_code == 201, post.content
    assert PushSubscription.objects.filter(report=submitted.report).count() == 1
    # Without the page's token (another site's script): refused.
    assert browser.post(f"/lacak/{number}/notifikasi/", json.dumps(phone.subscription()),
                        content_type="application/json").status_code == 403
    # Another browser that never proved the report: not found.
    other = Client()
    assert other.post(f"/lacak/{number}/notifikasi/", json.dumps(phone.subscription()),
                      content_type="application/json").status_code == 404
    off = browser.post(f"/lacak/{number}/notifikasi/berhenti/",
                       json.dumps({"endpoint": phone.endpoint}),
                       content_type="application/json", headers={"X-CSRFToken": _csrf(page)})
    assert off.status_code == 200
    assert not PushSubscription.objects.exists()


def test_confirmation_page_offers_push(tree: Tree, vapid_key: str) -> None:
    client = Client()
    session = client.session
    session["portal_submitted"] = {"tracking_number": "202600000018", "access_code": "X",
                                   "refused": [], "confidential": False, "anonymous": False}
    session.save()
    page = client.get("/lapor/terkirim/").content.decode()
    assert "data-push" in page
    assert "/lacak/202600000018/notifikasi/" in page


def _raw(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return json.dumps([list(map(str, row)) for row in cursor.fetchall()])


def test_subscription_is_encrypted_and_never_shown_to_staff(
    tree: Tree, service: PushService
) -> None:
    submitted = _submit(tree, is_anonymous=True)
    phone = service.browser()
    assert _opt_in(submitted, phone.subscription()).status_code == 201
    report = submitted.report
    services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                            node_code=tree.pupr.code)
    dispatch()
    secrets = [phone.endpoint.rsplit("/", 1)[1], phone.p256dh,
               phone.subscription()["keys"]["auth"]]
    raw = _raw(PushSubscription._meta.db_table)
    assert [s for s in secrets if s in raw] == []
    answers = []
    for who in ("hub", "liaison_pupr", "national"):
        api = login(who, PASSWORD)
        answers += [api.get(f"/reports/{report.pk}"),
                    api.get("/notifications", {"limit": 100})]
    answers.append(login("national", PASSWORD).get("/outbox/messages", {"limit": 100}))
    answers += [signed_in(who).get(report_url(report.pk)) for who in ("hub", "liaison_pupr")]
    assert [a.status_code for a in answers] == [200] * len(answers)
    seen = [a.content.decode() for a in answers] + [_raw(OutboxMessage._meta.db_table)]
    assert [s for s in secrets for text in seen if s in text] == []


def test_retention_erases_subscriptions_with_the_contact(tree: Tree, service: PushService
                                                         ) -> None:
    submitted = _submit(tree)
    assert _opt_in(submitted, service.browser().subscription()).status_code == 201
    report = submitted.report
    reporter = reporter_of(report)
    hub, liaison = tree.actor("hub"), tree.actor("liaison_pupr")
    services.report_dispose(actor=hub, report_id=report.pk, node_code=tree.pupr.code)
    services.report_acknowledge(actor=liaison, report_id=report.pk)
    services.report_follow_up(actor=liaison, report_id=report.pk, final=True, body="Selesai.")
    services.report_reporter_reply(actor=reporter, report_id=report.pk, accept=True, rating=5)
    assert PushSubscription.objects.count() == 1
    with clock.frozen(clock.now() + timedelta(days=4000)):
        assert retention_sweep().anonymised == 1
    assert not PushSubscription.objects.exists()


def test_own_data_export_shows_the_subscription_but_not_its_endpoint(
    tree: Tree, service: PushService
) -> None:
    submitted = _submit(tree)
    phone = service.browser()
    assert _opt_in(submitted, phone.subscription()).status_code == 201
    response = ApiClient().get(f"/track/{submitted.report.tracking_number}/my-data",
                               headers={"X-Access-Code": submitted.access_code})
    assert response.status_code == 200
    text = response.content.decode()
    [report] = response.json()["reports"]
    assert len(report["push_subscriptions"]) == 1
    assert report["phone_updates"] is False
    assert phone.endpoint.rsplit("/", 1)[1] not in text
    assert phone.p256dh not in text


def test_a_report_keeps_a_few_browsers_the_newest(tree: Tree, service: PushService) -> None:
    submitted = _submit(tree)
    browsers = [service.browser(f"b{i}") for i in range(push.MAX_PER_REPORT + 2)]
    for browser in browsers:
        assert _opt_in(submitted, browser.subscription()).status_code == 201
    kept = {vault.decrypt(token) for token in
            PushSubscription.objects.values_list("endpoint", flat=True)}
    assert kept == {b.endpoint for b in browsers[-push.MAX_PER_REPORT:]}


def test_keys_rotate_covers_subscriptions(tree: Tree, service: PushService) -> None:
    from cryptography.fernet import Fernet  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(LAPOR_ENCRYPTION_KEYS=[old]):
        submitted = _submit(tree)
        assert _opt_in(submitted, service.browser().subscription()).status_code == 201
    with override_settings(LAPOR_ENCRYPTION_KEYS=[new, old]):
        call_command("keys", "rotate")
    with override_settings(LAPOR_ENCRYPTION_KEYS=[new]):
        services.report_dispose(actor=tree.actor("hub"), report_id=submitted.report.pk,
                                node_code=tree.pupr.code)
        dispatch()
    assert OutboxMessage.objects.get(channel=Channel.WEBPUSH).status == "sent"
    assert len(service.received) == 1


@pytest.mark.usefixtures("vapid_key")
@pytest.mark.parametrize("expiration", [None, 1767225600000, 1767225600000.5])
def test_expiration_time_may_be_null_an_integer_or_a_float(tree: Tree,
                                                           expiration: float | None) -> None:
    # PushSubscription.toJSON() gives a DOMHighResTimeStamp (a float) or null.
    submitted = _submit(tree)
    with push_service() as fake:
        body = {**fake.browser().subscription(), "expirationTime": expiration}
    response = _opt_in(submitted, body)
    assert response.status_code == 201, response.content


@pytest.mark.usefixtures("vapid_key")
@override_settings(LAPOR_RATE_CODE_FAILURES_PER_IP_HOUR=3)
def test_push_opt_in_goes_through_the_one_access_code_gate(tree: Tree) -> None:
    # Wrong codes typed at /push count for the same address as those typed at /track/…/full
    # (lapor.reports.access.reporter_from_request): one gate, not a copy with its own limits.
    submitted = _submit(tree)
    number = submitted.report.tracking_number
    with push_service() as fake:
        body = fake.browser().subscription()
    client = ApiClient()
    for _ in range(2):
        assert client.post(f"/track/{number}/push", body,
                           headers={"X-Access-Code": "SALAH-0000"}).status_code == 401
    assert client.get(f"/track/{number}/full",
                      headers={"X-Access-Code": "SALAH-0000"}).status_code == 401
    refused = _opt_in(submitted, body)  # the right code, from the address that guessed
    assert refused.status_code == 429
    assert refused.json()["code"] == "access_code_attempts"
    assert not PushSubscription.objects.exists()

"""The citizen app's report form on a 360-px touch phone (issue 19, parts 2 and 3): photo
first, a pin from the photo's EXIF GPS, photos resized on the phone and stored without any
metadata; a report written offline waits in the phone's outbox and is sent exactly once."""

from __future__ import annotations

import io
import json
import re
from base64 import urlsafe_b64encode
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.files.storage import storages
from django.test import override_settings
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from lapor.attachments.models import Attachment
from lapor.channels.outbound import register_senders
from lapor.channels.tests.conftest import channel_settings
from lapor.channels.tests.fakes import fake_providers
from lapor.notifications.models import PushSubscription
from lapor.notifications.vapid import generate_private_key
from lapor.reports.models import Report, SubmissionReplay
from tests.browser.conftest import PHONE, axe_check, screenshot, sign_in, worker_ready
from tests.factories import Tree

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Jalan berlubang di depan SD 001 Sangatta Utara"
BODY = ("Lubang besar di tengah jalan di depan SD 001 Sangatta Utara, sudah dua minggu, "
        "anak-anak sekolah hampir jatuh.")
# Sangatta Utara, Kutai Timur: 0.5036 N, 117.5406 E (kecamatan 64.08.04).
LAT, LNG = 0.5036, 117.5406


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer) -> Iterator[tuple[BrowserContext, Page]]:
    """A touch phone, Indonesian, WITA; the page's console errors fail the test."""
    context = browser.new_context(viewport={"width": PHONE["width"], "height": PHONE["height"]},
                                  has_touch=True, is_mobile=True,
                                  locale="id-ID", timezone_id="Asia/Makassar",
                                  permissions=["geolocation"])
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield context, page
    context.close()
    real = [p for p in problems if not re.search(r"Failed to load resource|ERR_", p)]
    assert not real, f"browser console errors: {real}"


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return (Fraction(degrees), Fraction(minutes), Fraction(seconds).limit_denominator(10000))


def jpeg_with_gps(path: Path, *, lat: float = LAT, lng: float = LNG,
                  size: tuple[int, int] = (2400, 1800)) -> Path:
    """A camera-sized JPEG whose EXIF says where it was taken (Pillow's own Exif API)."""
    image = Image.new("RGB", size, (120, 110, 90))
    exif = Image.Exif()
    exif[0x010F] = "Kamera HP"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", _dms(lat)
    gps[3], gps[4] = "E", _dms(lng)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=80)
    path.write_bytes(out.getvalue())
    return path


def _choose_region(page: Page) -> None:
    page.locator("#id_region_q").fill("Sangatta Utara")
    page.locator("button[value=region_search]").click()
    page.get_by_label(re.compile(r"^Sangatta Utara, Kabupaten Kutai Timur")).check()


def _write(page: Page) -> None:
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_body").fill(BODY)


def _next(page: Page, target: str) -> None:
    page.locator(f"[data-app-next={target}]").click()


def test_a_photo_with_gps_puts_the_pin_and_is_stored_small_without_exif(
    phone: tuple[BrowserContext, Page], live_server: LiveServer, tree: Tree,
    tmp_path: Path, attachment_root: Path,
) -> None:
    _, page = phone
    page.goto(f"{live_server.url}/lapor/")
    # Photo first: the rest of the form waits for steps one and two.
    expect(page.locator("#app-step-photo")).to_be_visible()
    expect(page.locator("#id_title")).to_be_hidden()
    expect(page.locator("#app-camera")).to_have_attribute("capture", "environment")
    page.locator("#app-gallery").set_input_files(str(jpeg_with_gps(tmp_path / "IMG_0001.jpg")))
    expect(page.locator("#app-photos img")).to_have_count(1)
    # Resized on the phone: longest side 1,600 px.
    expect(page.locator("#app-photos img")).to_have_attribute("data-width", "1600")
    remove = page.locator("#app-photos button").bounding_box()
    assert remove is not None
    assert min(remove["height"], remove["width"]) >= 44  # a thumb's target
    expect(page.locator("#id_latitude")).to_have_value(str(LAT))
    expect(page.locator("#id_longitude")).to_have_value(str(LNG))
    _next(page, "app-step-where")
    expect(page.locator("#app-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.get_by_test_id("app-map")).to_have_attribute("data-pin-lat", str(LAT))
    screenshot(page, "app-map-step")
    _next(page, "app-rest")
    _write(page)
    axe_check(page)
    page.locator("button[type=submit][value=submit]").click()

    received = page.get_by_test_id("app-received")
    expect(received).to_be_visible()
    report = Report.objects.get()
    expect(received.get_by_test_id("tracking-number")).to_have_text(report.tracking_number)
    assert (report.latitude, report.longitude) == (Decimal(str(LAT)), Decimal(str(LNG)))
    assert report.region_id == "64.08.04"
    expect(page.locator("#app-outbox")).not_to_contain_text("Menunggu sinyal")
    expect(received.locator("[data-photo=sent]")).to_have_count(1)
    attachment = Attachment.objects.get(report=report)
    with storages["attachments"].open(attachment.stored_name) as stored:
        image = Image.open(stored)
        image.load()
    assert max(image.size) == 1600
    assert not image.getexif()
    assert "exif" not in image.info
    assert not image.getexif().get_ifd(0x8825)

    # "Ingat di HP ini" unticked: the code is gone from the phone, the number stays.
    received.get_by_role("button").first.click()
    page.goto(f"{live_server.url}/")
    mine = page.locator("#device-reports")
    expect(mine).to_be_visible()
    expect(mine.get_by_role("link", name=TITLE)).to_have_attribute(
        "href", f"/lacak/{report.tracking_number}/")
    stored_code = page.evaluate("""async () => (await LaporQueue.mine.all())[0].access_code""")
    assert stored_code == ""


def test_the_pin_finds_the_district_by_name(
    phone: tuple[BrowserContext, Page], live_server: LiveServer, tree: Tree, tmp_path: Path,
) -> None:
    """The district from the pin, shown by name, is the report's region (no region chosen in
    the picker)."""
    _, page = phone
    page.goto(f"{live_server.url}/lapor/")
    page.locator("#app-gallery").set_input_files(str(jpeg_with_gps(tmp_path / "a.jpg")))
    _next(page, "app-step-where")
    expect(page.get_by_test_id("app-place")).to_contain_text("Sangatta Utara")
    _next(page, "app-rest")
    _write(page)
    page.locator("button[type=submit][value=submit]").click()
    expect(page.get_by_test_id("app-received")).to_be_visible()
    expect(page.locator("[data-photo=sent]")).to_have_count(1)
    assert Report.objects.get().region_id == "64.08.04"


def test_a_region_chosen_before_a_late_look_up_answers_stays_chosen(
    phone: tuple[BrowserContext, Page], live_server: LiveServer, tree: Tree,
) -> None:
    """Typing starts a look-up 400 ms later; on a slow line its answer comes back after the
    citizen has searched and chosen. That answer must not silently undo the choice."""
    _, page = phone
    seen: list[str] = []

    def slow(route: Route) -> None:
        seen.append(route.request.url)
        response = route.fetch()
        page.wait_for_timeout(1000)
        route.fulfill(response=response)

    page.route(re.compile(r"/wilayah/pilihan/"), slow)
    page.goto(f"{live_server.url}/lapor/")
    _next(page, "app-step-where")
    _next(page, "app-rest")
    _choose_region(page)
    for _ in range(50):  # the typing's own look-up, sent before the choice, has answered
        if len(seen) >= 2:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(1500)
    page.wait_for_load_state("networkidle")
    assert len(seen) >= 2
    assert "region_code" not in seen[1]
    expect(page.get_by_label(re.compile(r"^Sangatta Utara, Kabupaten Kutai Timur"))).to_be_checked()


def test_a_report_written_offline_waits_then_is_sent_once(
    phone: tuple[BrowserContext, Page], live_server: LiveServer, tree: Tree,
) -> None:
    context, page = phone
    page.goto(f"{live_server.url}/lapor/")
    _next(page, "app-step-where")
    _next(page, "app-rest")
    _choose_region(page)
    _write(page)
    page.wait_for_timeout(500)  # the region box's own look-up, 400 ms after typing
    page.wait_for_load_state("networkidle")
    context.set_offline(True)
    page.locator("button[type=submit][value=submit]").click()
    waiting = page.get_by_test_id("app-waiting")
    expect(waiting).to_contain_text("Menunggu sinyal")
    expect(waiting).to_contain_text(TITLE)
    assert Report.objects.count() == 0
    screenshot(page, "app-waiting")

    # The first send reaches the server, but its answer is lost on the way back.
    answers: list[dict[str, Any]] = []

    def lose_first_answer(route: Route) -> None:
        response = route.fetch()
        answers.append({"status": response.status, "headers": response.headers,
                        "key": route.request.headers.get("idempotency-key")})
        if len(answers) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.route(re.compile(r"/api/v1/reports$"), lose_first_answer)
    context.set_offline(False)  # the page's `online` event sends it
    for _ in range(100):
        if answers:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)
    assert len(answers) == 1
    assert Report.objects.count() == 1
    expect(page.get_by_test_id("app-waiting")).to_contain_text(TITLE)

    # Next open of the page: the same key again, the same answer, still one report.
    page.reload()
    received = page.get_by_test_id("app-received")
    expect(received).to_be_visible()
    assert len(answers) == 2
    assert answers[0]["key"] == answers[1]["key"]
    assert answers[1]["status"] == 201
    assert answers[1]["headers"].get("idempotent-replayed") == "true"
    report = Report.objects.get()
    assert SubmissionReplay.objects.count() == 1
    expect(received.get_by_test_id("tracking-number")).to_have_text(report.tracking_number)
    expect(page.get_by_test_id("app-waiting")).to_have_count(0)

    # "Ingat di HP ini": the access code stays on the phone.
    code = received.get_by_test_id("access-code").inner_text()
    received.get_by_test_id("remember").check()
    received.get_by_role("button").first.click()
    expect(page.get_by_test_id("app-received")).to_have_count(0)
    kept = page.evaluate("""async () => (await LaporQueue.mine.all())[0]""")
    assert kept["tracking_number"] == report.tracking_number
    assert kept["access_code"] == code
    assert page.evaluate("""async () => (await LaporQueue.all()).length""") == 0


def test_a_refused_report_is_kept_for_correcting_never_resent_blindly(
    phone: tuple[BrowserContext, Page], live_server: LiveServer, tree: Tree, tmp_path: Path,
) -> None:
    _, page = phone
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"{live_server.url}/lapor/")
    page.locator("#app-gallery").set_input_files(str(jpeg_with_gps(tmp_path / "b.jpg")))
    _next(page, "app-step-where")
    _next(page, "app-rest")
    _choose_region(page)
    _write(page)
    page.locator("#id_reporter_email").fill("bukan-alamat-email")
    page.locator("button[type=submit][value=submit]").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("Alamat email tidak valid.")
    assert Report.objects.count() == 0
    assert len(posts) == 1

    # Opened again: the refused report is back in the form (photo included), not resent.
    page.reload()
    expect(page.get_by_test_id("error-summary")).to_contain_text("Alamat email tidak valid.")
    expect(page.locator("#id_title")).to_have_value(TITLE)
    expect(page.locator("#id_reporter_email")).to_have_value("bukan-alamat-email")
    expect(page.locator("#app-photos img")).to_have_count(1)
    assert len(posts) == 1
    page.locator("#id_reporter_email").fill("siti@example.org")
    _choose_region(page)
    page.locator("button[type=submit][value=submit]").click()
    expect(page.get_by_test_id("app-received")).to_be_visible()
    expect(page.locator("[data-photo=sent]")).to_have_count(1)
    report = Report.objects.get()
    assert Attachment.objects.filter(report=report).count() == 1
    assert page.evaluate("""async () => (await LaporQueue.all()).length""") == 1  # until "Selesai"


def test_a_rate_limited_report_waits_for_retry_after_then_is_sent(
    phone: tuple[BrowserContext, Page], live_server: LiveServer, tree: Tree,
) -> None:
    _, page = phone
    calls: list[int] = []

    def busy_once(route: Route) -> None:
        calls.append(1)
        if len(calls) == 1:
            route.fulfill(status=429, headers={"Retry-After": "2"},
                          json={"code": "too_many_reports", "message": "Terlalu banyak.",
                                "field": None, "detail": None})
        else:
            route.continue_()

    page.route(re.compile(r"/api/v1/reports$"), busy_once)
    page.goto(f"{live_server.url}/lapor/")
    _next(page, "app-step-where")
    _next(page, "app-rest")
    _choose_region(page)
    _write(page)
    page.locator("button[type=submit][value=submit]").click()
    expect(page.get_by_test_id("app-waiting")).to_contain_text(TITLE)
    assert Report.objects.count() == 0
    # Sent by itself once Retry-After has passed, without a reload.
    expect(page.get_by_test_id("app-received")).to_be_visible(timeout=10_000)
    assert len(calls) == 2
    assert Report.objects.count() == 1


def test_a_received_report_shows_its_numbers_while_a_photo_is_still_on_its_way(
    phone: tuple[BrowserContext, Page], live_server: LiveServer, tree: Tree,
    tmp_path: Path, attachment_root: Path,
) -> None:
    """The tracking number and access code are on screen as soon as the server took the
    report (the citizen may leave early); each photo says where it is, and a refusal that
    came without the API's own answer (a proxy's HTML 413) reads as a sentence."""
    _, page = phone
    held: list[Route] = []

    def photos(route: Route) -> None:
        held.append(route)
        if len(held) == 2:  # the second photo: a proxy in front of the server refuses it
            route.fulfill(status=413, content_type="text/html", body="<h1>413</h1>")

    page.route(re.compile(r"/api/v1/track/\d+/attachments$"), photos)
    page.goto(f"{live_server.url}/lapor/")
    page.locator("#app-gallery").set_input_files([str(jpeg_with_gps(tmp_path / "satu.jpg")),
                                                  str(jpeg_with_gps(tmp_path / "dua.jpg"))])
    expect(page.locator("#app-photos img")).to_have_count(2)
    _next(page, "app-step-where")
    _next(page, "app-rest")
    _write(page)
    page.locator("button[type=submit][value=submit]").click()

    received = page.get_by_test_id("app-received")
    expect(received).to_be_visible()
    report = Report.objects.get()
    expect(received.get_by_test_id("tracking-number")).to_have_text(report.tracking_number)
    expect(received.get_by_test_id("access-code")).not_to_be_empty()
    expect(received.locator("[data-photo=pending]")).to_have_count(2)
    expect(received.locator("[data-photo=pending]").first).to_contain_text("sedang dikirim")
    expect(page.locator("#app-outbox")).not_to_contain_text("Menunggu sinyal")
    expect(received.get_by_role("heading", level=2)).to_be_focused()
    assert len(held) == 1
    # The box ticked while the photo is on its way stays ticked as the photos go.
    received.get_by_test_id("remember").check()
    held[0].continue_()
    expect(received.locator("[data-photo=sent]")).to_have_count(1)
    refused = received.locator("[data-photo=refused]")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("server tidak menerima berkas ini")
    expect(refused).not_to_contain_text("413")
    expect(received.get_by_test_id("remember")).to_be_checked()
    assert Attachment.objects.filter(report=report).count() == 1
    axe_check(page)


def test_a_refused_report_can_be_discarded(
    phone: tuple[BrowserContext, Page], live_server: LiveServer, tree: Tree,
) -> None:
    _, page = phone
    page.goto(f"{live_server.url}/lapor/")
    _next(page, "app-step-where")
    _next(page, "app-rest")
    _choose_region(page)
    _write(page)
    page.locator("#id_reporter_email").fill("bukan-alamat-email")
    page.locator("button[type=submit][value=submit]").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("Alamat email tidak valid.")
    refused = page.get_by_test_id("app-refused")
    expect(refused).to_contain_text(TITLE)
    axe_check(page)
    refused.get_by_role("button", name="Buang").click()
    expect(page.get_by_test_id("app-refused")).to_have_count(0)
    expect(page.get_by_test_id("error-summary")).to_have_count(0)
    expect(page.locator("#app-outbox")).to_contain_text("Laporan sudah dibuang dari HP ini.")
    assert page.evaluate("""async () => (await LaporQueue.all()).length""") == 0
    page.reload()
    expect(page.locator("#id_title")).to_have_value("")
    assert Report.objects.count() == 0


def test_a_phone_that_cannot_keep_the_report_sends_the_server_form(
    phone: tuple[BrowserContext, Page], live_server: LiveServer, tree: Tree, tmp_path: Path,
) -> None:
    """IndexedDB full (QuotaExceededError): the report goes as the plain form, the file
    field back so the photos can be chosen again."""
    context, page = phone
    context.add_init_script("""
      const open = IDBDatabase.prototype.transaction;
      IDBDatabase.prototype.transaction = function (store, mode) {
        if (mode === "readwrite") { throw new DOMException("full", "QuotaExceededError"); }
        return open.apply(this, arguments);
      };
    """)
    page.goto(f"{live_server.url}/lapor/")
    _next(page, "app-step-where")
    _next(page, "app-rest")
    _choose_region(page)
    _write(page)
    page.locator("button[type=submit][value=submit]").click()
    failed = page.get_by_test_id("app-storage-failed")
    expect(failed).to_contain_text("HP ini tidak bisa menyimpan laporan")
    expect(failed).to_be_focused()
    expect(page.locator("#id_attachments")).to_be_visible()
    page.locator("#id_attachments").set_input_files(str(jpeg_with_gps(tmp_path / "c.jpg")))
    page.locator("button[type=submit][value=submit]").click()
    expect(page.get_by_test_id("tracking-number")).to_be_visible()
    report = Report.objects.get()
    assert Attachment.objects.filter(report=report).count() == 1


def test_sms_updates_asked_for_in_the_app_reach_the_report(
    phone: tuple[BrowserContext, Page], live_server: LiveServer, tree: Tree,
) -> None:
    register_senders()
    _, page = phone
    with fake_providers() as fake, override_settings(**channel_settings(fake.url)):
        page.goto(f"{live_server.url}/lapor/")
        _next(page, "app-step-where")
        _next(page, "app-rest")
        _choose_region(page)
        _write(page)
        page.locator("#id_reporter_phone").fill("0812-3456-7890")
        page.locator("#id_phone_updates").check()
        page.locator("button[type=submit][value=submit]").click()
        expect(page.get_by_test_id("app-received")).to_be_visible()
    assert Report.objects.get().phone_updates is True


def test_a_signed_in_user_keeps_the_server_form(
    phone: tuple[BrowserContext, Page], live_server: LiveServer, tree: Tree,
) -> None:
    """The API files an app report without the account: signed in, the page keeps the
    server form (the report is filed under the account)."""
    _, page = phone
    sign_in(page, live_server.url, "hub", "/lapor/")
    page.wait_for_url(re.compile(r"/lapor/$"))
    expect(page.locator("#id_title")).to_be_visible()
    expect(page.locator("#app-steps")).to_be_hidden()
    expect(page.locator("#id_attachments")).to_be_visible()
    assert page.evaluate("document.documentElement.classList.contains('has-app')") is False


def _fake_push_subscription() -> str:
    """A PushSubscription as a browser would hand it: headless Chromium cannot reach a push
    service (tests/browser/test_push.py), so the browser's own object is replaced (the
    server checks the key is a P-256 point)."""
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    p256dh = urlsafe_b64encode(point).decode().rstrip("=")
    auth = urlsafe_b64encode(b"0123456789abcdef").decode().rstrip("=")
    keys = json.dumps({"p256dh": p256dh, "auth": auth})
    return """
      (() => {
        const fake = { endpoint: "https://fcm.googleapis.com/fcm/send/lapor-test",
                       toJSON() { return { endpoint: this.endpoint, expirationTime: null,
                                           keys: KEYS }; } };
        PushManager.prototype.getSubscription = function () { return Promise.resolve(null); };
        PushManager.prototype.subscribe = function () { return Promise.resolve(fake); };
      })();
    """.replace("KEYS", keys)


def test_the_received_card_offers_notifications_on_this_phone(
    phone: tuple[BrowserContext, Page], live_server: LiveServer, tree: Tree, settings: Any,
) -> None:
    settings.LAPOR_VAPID_PRIVATE_KEY = generate_private_key()
    context, page = phone
    context.add_init_script(_fake_push_subscription())
    context.grant_permissions(["geolocation", "notifications"], origin=live_server.url)
    page.goto(f"{live_server.url}/lapor/")
    worker_ready(page)
    _next(page, "app-step-where")
    _next(page, "app-rest")
    _choose_region(page)
    _write(page)
    page.locator("button[type=submit][value=submit]").click()
    received = page.get_by_test_id("app-received")
    offer = received.get_by_test_id("app-push")
    expect(offer).to_be_visible()
    offer.get_by_role("button", name="Kabari saya lewat notifikasi di HP ini").click()
    expect(offer.get_by_test_id("app-push-status")).to_have_text(
        "Berhasil: HP ini akan menerima notifikasi saat status laporan berubah.")
    report = Report.objects.get()
    assert PushSubscription.objects.filter(report=report).count() == 1


def test_a_code_remembered_on_the_phone_opens_the_report_and_can_be_forgotten(
    phone: tuple[BrowserContext, Page], live_server: LiveServer, tree: Tree,
) -> None:
    _, page = phone
    page.goto(f"{live_server.url}/lapor/")
    _next(page, "app-step-where")
    _next(page, "app-rest")
    _choose_region(page)
    _write(page)
    page.locator("button[type=submit][value=submit]").click()
    received = page.get_by_test_id("app-received")
    code = received.get_by_test_id("access-code").inner_text()
    received.get_by_test_id("remember").check()
    received.get_by_test_id("app-done").click()
    expect(page.get_by_test_id("app-received")).to_have_count(0)
    report = Report.objects.get()

    page.goto(f"{live_server.url}/")
    page.locator("#device-reports").get_by_role("link", name=TITLE).click()
    page.wait_for_url(re.compile(rf"/lacak/{report.tracking_number}/$"))
    assert code not in page.url
    expect(page.get_by_label("Kode akses")).to_have_value(code)
    page.get_by_role("button", name="Buka laporan saya").click()
    expect(page.get_by_text("Kode akses diterima")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Lupakan laporan ini di perangkat ini").click()
    page.goto(f"{live_server.url}/")
    expect(page.locator("#device-reports")).to_be_hidden()
    assert page.evaluate("""async () => (await LaporQueue.mine.all()).length""") == 0

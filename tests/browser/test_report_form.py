"""The report form on a 360-px phone (issue 18, "Forms that say everything at once"): every
error of a submission at once, a too-large file refused before it is uploaded, and the
similar-reports step that keeps the chosen photo and sends on request."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect
from pytest_django.live_server_helper import LiveServer

from lapor.attachments.models import Attachment
from lapor.attachments.tests import files
from lapor.reports.models import Report
from tests.browser.conftest import axe_check, screenshot
from tests.factories import Tree, drive

# The server-rendered form (the path without JavaScript); the app: test_report_app.py.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("plain_form")]

TITLE = "Lampu penerangan jalan mati di Jalan Yos Sudarso"
BODY = ("Lampu penerangan jalan umum di Jalan Yos Sudarso dekat Pasar Induk sudah mati "
        "sepuluh hari. Jalan menjadi gelap dan rawan kecelakaan.")
SAME = ("PJU mati di Jalan Yos Sudarso",
        "Lampu jalan di Yos Sudarso dekat pasar induk padam, jalanan gelap dan rawan.")


def _posts(page: Page) -> list[str]:
    sent: list[str] = []

    def watch(request: Request) -> None:
        if request.method == "POST" and request.url.rstrip("/").endswith("/lapor"):
            sent.append(request.url)

    page.on("request", watch)
    return sent


def _choose_region(page: Page) -> None:
    page.get_by_label("Cari wilayah berdasarkan nama").fill("Sangatta Utara")
    page.get_by_role("button", name="Cari wilayah").click()
    page.get_by_label(re.compile(r"^Sangatta Utara, Kabupaten Kutai Timur")).check()


def test_empty_submit_shows_every_error_at_once(
    page: Page, live_server: LiveServer, regions: None, tree: Tree
) -> None:
    page.goto(f"{live_server.url}/lapor/")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.locator("#id_title_error")).to_have_text("Tulis judul laporan.")
    expect(page.locator("#id_body_error")).to_have_text(
        "Tulis isi laporan: apa yang terjadi, di mana, kapan.")
    expect(page.locator("#id_region_code_error")).to_have_text("Pilih wilayah kejadian.")
    summary = page.get_by_test_id("error-summary")
    expect(summary.get_by_role("link")).to_have_count(3)
    expect(summary.get_by_role("link", name="Wilayah kejadian")).to_have_attribute(
        "href", "#id_region_q")
    # The limits are on the inputs themselves.
    expect(page.get_by_label("Judul laporan")).to_have_attribute("maxlength", "200")
    expect(page.locator("#id_attachments")).to_have_attribute(
        "accept", "image/jpeg,image/png,image/webp,application/pdf,video/mp4")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "report-form-all-errors-phone")
    axe_check(page)
    assert Report.objects.count() == 0


def test_too_large_file_is_refused_before_upload(
    page: Page, live_server: LiveServer, regions: None, tree: Tree, settings: Any
) -> None:
    settings.LAPOR_ATTACHMENT_MAX_BYTES = 1024 * 1024
    page.goto(f"{live_server.url}/lapor/")
    expect(page.get_by_text("paling besar 1 MB per berkas")).to_be_visible()
    page.get_by_label("Judul laporan").fill(TITLE)
    page.get_by_label("Apa yang terjadi?").fill(BODY)
    _choose_region(page)
    sent = _posts(page)
    page.locator("#id_attachments").set_input_files(files=[{
        "name": "video-besar.jpg", "mimeType": "image/jpeg",
        "buffer": b"\xff\xd8\xff" + b"0" * (3 * 1024 * 1024)}])
    error = page.locator("#id_attachments_error")
    expect(error).to_have_text(
        "video-besar.jpg: Berkas terlalu besar: 3,0 MB, paling besar 1 MB per berkas.")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(error).to_be_visible()
    expect(page.locator("#id_attachments")).to_be_focused()
    screenshot(page, "report-form-file-too-large-phone")
    assert sent == []  # nothing was uploaded
    assert Report.objects.count() == 0


def test_similar_step_keeps_the_photo_and_sends_anyway(
    page: Page, live_server: LiveServer, regions: None, tree: Tree
) -> None:
    drive(tree, "in_progress", title=TITLE, body=BODY)
    page.goto(f"{live_server.url}/lapor/")
    page.get_by_label("Judul laporan").fill(SAME[0])
    page.get_by_label("Apa yang terjadi?").fill(SAME[1])
    page.get_by_label("Kategori (opsional)").select_option(tree.category.code)
    _choose_region(page)
    page.locator("#id_attachments").set_input_files(files=[{
        "name": "lampu-mati.jpg", "mimeType": "image/jpeg", "buffer": files.jpeg_with_gps()}])
    page.get_by_role("button", name="Kirim laporan").click()
    similar = page.get_by_test_id("similar-reports")
    expect(similar).to_be_visible()
    expect(page.get_by_test_id("staged-files")).to_contain_text("lampu-mati.jpg")
    send = similar.get_by_test_id("send-anyway")
    expect(send).to_have_text("Kirim saja laporan saya")
    expect(send).to_be_in_viewport()
    screenshot(page, "report-form-similar-phone")
    send.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Laporan Anda sudah diterima")
    number = page.get_by_test_id("tracking-number").inner_text()
    report = Report.objects.get(tracking_number=number)
    assert Attachment.objects.filter(report=report, content_type="image/jpeg").count() == 1

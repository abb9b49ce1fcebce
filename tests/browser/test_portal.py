"""The citizen portal in a real browser: without JavaScript, in English, and checked by axe.

Every page visited through the ``page`` fixture is watched for console errors (CSP violations
included); screenshots are saved as ``portal-*.png`` test artifacts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import DESKTOP, PHONE, axe_check, screenshot
from tests.factories import Tree, drive

# The server-rendered form (the path without JavaScript); the app: test_report_app.py.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("plain_form")]

TITLE = "Lampu jalan mati di Jalan Yos Sudarso"
BODY = "Sudah dua minggu lampu jalan mati, jalan sangat gelap pada malam hari."



@pytest.fixture
def no_js_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="id-ID",
                                  timezone_id="Asia/Makassar")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert not [e for e in errors if "Failed to load resource" not in e], errors


def test_report_form_without_javascript(
    no_js_page: Page, live_server: LiveServer, regions: None, tree: Tree
) -> None:
    page = no_js_page
    page.goto(f"{live_server.url}/lapor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Buat laporan")
    # The geolocation button needs JavaScript: it stays hidden.
    expect(page.get_by_role("button", name="Gunakan lokasi saya saat ini")).to_be_hidden()
    page.get_by_label("Judul laporan").fill("abc")
    page.get_by_label("Apa yang terjadi?").fill(BODY)
    page.get_by_label("Cari wilayah berdasarkan nama").fill("Sangatta Utara")
    page.get_by_role("button", name="Cari wilayah").click()
    # The same form comes back with the matches, everything typed kept.
    expect(page.get_by_label("Apa yang terjadi?")).to_have_value(BODY)
    page.get_by_label(re.compile(r"^Sangatta Utara, Kabupaten Kutai Timur")).check()
    page.get_by_label("Rahasiakan identitas saya (anonim)").check()
    page.get_by_role("button", name="Kirim laporan").click()
    # The title is too short: shown next to the field, input kept, nothing stored.
    expect(page.locator("#id_title_error")).to_have_text(
        "Terlalu pendek: 3 karakter, paling sedikit 5.")
    expect(page.get_by_label("Judul laporan")).to_have_value("abc")
    expect(page.get_by_label("Apa yang terjadi?")).to_have_value(BODY)
    expect(page.get_by_label("Rahasiakan identitas saya (anonim)")).to_be_checked()
    expect(page.get_by_label(re.compile(r"^Sangatta Utara \(64\.08\.04\)"))).to_be_checked()
    screenshot(page, "portal-form-errors-nojs")
    page.get_by_label("Judul laporan").fill(TITLE)
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Laporan Anda sudah diterima")
    expect(page.get_by_test_id("tracking-number")).to_have_text(re.compile(r"^\d{12}$"))
    expect(page.get_by_test_id("access-code")).to_have_text(
        re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kode akses tidak ditampilkan lagi")


def test_english_switch(page: Page, live_server: LiveServer, regions: None) -> None:
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Buat laporan").first).to_be_visible()
    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Report a public service problem, follow it to the answer")
    page.get_by_role("link", name="Send a report").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a report")
    expect(page.get_by_label("Keep my identity secret (anonymous)")).to_be_visible()
    page.get_by_role("link", name="Public reports").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Public reports")
    screenshot(page, "portal-english")


def test_pages_pass_axe(page: Page, live_server: LiveServer, regions: None, tree: Tree) -> None:
    public = drive(tree, "responded", title="Saluran air tersumbat di Jalan Pendidikan")
    url = live_server.url

    page.goto(f"{url}/")
    axe_check(page)
    screenshot(page, "portal-home")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "portal-home-desktop")
    page.set_viewport_size(PHONE)

    # The form with JavaScript: the region picker searches live (htmx).
    page.goto(f"{url}/lapor/")
    expect(page.get_by_role("button", name="Gunakan lokasi saya saat ini")).to_be_visible()
    axe_check(page)
    screenshot(page, "portal-form")
    page.get_by_label("Judul laporan").fill(TITLE)
    page.get_by_label("Apa yang terjadi?").fill(BODY)
    page.get_by_label("Cari wilayah berdasarkan nama").press_sequentially("sangatta ut")
    option = page.get_by_label(re.compile(r"^Sangatta Utara, Kabupaten Kutai Timur"))
    expect(option).to_be_visible()
    option.check()
    page.get_by_role("button", name="Tampilkan wilayah di dalam wilayah terpilih").click()
    expect(page.locator(".region-chosen")).to_contain_text("Sangatta Utara")
    axe_check(page)
    page.get_by_role("button", name="Kirim laporan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Laporan Anda sudah diterima")
    number = page.get_by_test_id("tracking-number").inner_text()
    code = page.get_by_test_id("access-code").inner_text()
    axe_check(page)
    screenshot(page, "portal-confirmation")

    # Tracking from another browser: public first, then with the access code.
    context = page.context.browser.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[union-attr]
    other = context.new_page()
    other.goto(f"{url}/lacak/")
    other.get_by_label("Nomor pelacakan").fill(number)
    other.get_by_role("button", name="Lacak").last.click()
    expect(other.get_by_role("heading", level=1)).to_have_text(f"Laporan {number}")
    axe_check(other)
    screenshot(other, "portal-track-public")
    other.get_by_label("Kode akses").fill(code)
    other.get_by_role("button", name="Buka laporan saya").click()
    expect(other.get_by_role("heading", name=TITLE)).to_be_visible()
    axe_check(other)
    screenshot(other, "portal-track-reporter")
    context.close()

    page.goto(f"{url}/laporan/")
    expect(page.get_by_role("link", name=public.title)).to_be_visible()
    page.get_by_label("Cari").fill("saluran")
    page.get_by_role("button", name="Tampilkan laporan").click()
    expect(page).to_have_url(re.compile(r"q=saluran"))
    axe_check(page)
    screenshot(page, "portal-feed")

    page.get_by_role("link", name=public.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(public.title)
    page.get_by_role("button", name="Dukung").click()
    # htmx swaps the box in place; a click that lands before htmx has loaded posts the form
    # and the thanks comes back as a page message instead. The citizen sees it either way.
    expect(page.get_by_text("Terima kasih atas dukungan Anda.")).to_be_visible()
    expect(page.locator("#support-box strong")).to_have_text("1")
    axe_check(page)
    screenshot(page, "portal-report")

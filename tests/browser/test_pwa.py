"""The citizen app on a 360-px touch phone (issue 19, part 1 and 5b): installable (manifest,
icons, a service worker that controls the page; Chromium reports no installability error), the
form and an offline page without a connection, and "Laporan di sekitar saya" on a tap."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, BrowserType, Page, expect
from pytest_django.live_server_helper import LiveServer

from lapor.reports.models import Report
from tests.browser.conftest import PHONE, axe_check, screenshot, worker_ready
from tests.factories import Tree, drive

pytestmark = pytest.mark.django_db(transaction=True)

SANGATTA = {"latitude": 0.5036, "longitude": 117.5406}


PHONE_CONTEXT: dict[str, Any] = {
    "viewport": PHONE, "is_mobile": True, "has_touch": True, "locale": "id-ID",
    "timezone_id": "Asia/Makassar", "geolocation": SANGATTA, "permissions": ["geolocation"]}


@pytest.fixture
def phone(browser: Browser) -> Any:
    """A touch phone with location allowed at Sangatta Utara (the site asks only on a tap)."""
    context: BrowserContext = browser.new_context(**PHONE_CONTEXT)
    yield context
    context.close()


@pytest.fixture
def installed_phone(browser_type: BrowserType, browser_type_launch_args: dict[str, Any],
                    tmp_path: Path) -> Any:
    """The same phone with a real profile: Chromium never offers to install an app in an
    incognito context (a plain new_context is one: "in-incognito")."""
    context = browser_type.launch_persistent_context(
        tmp_path / "profile", **browser_type_launch_args, **PHONE_CONTEXT)
    yield context
    context.close()


def _controlled(page: Page) -> None:
    worker_ready(page)
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")


def _errors(page: Page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: found.append(str(e)))
    return found


def test_installable_with_a_worker_that_controls_the_page(
    installed_phone: BrowserContext, live_server: LiveServer, tree: Tree,
) -> None:
    page = installed_phone.pages[0] if installed_phone.pages else installed_phone.new_page()
    problems = _errors(page)
    page.goto(f"{live_server.url}/?source=pwa")
    manifest = page.evaluate("""async () => {
        const link = document.querySelector('link[rel=manifest]');
        const data = await (await fetch(link.href)).json();
        data.loaded = await Promise.all(data.icons.map(icon => new Promise(resolve => {
            const img = new Image();
            img.onload = () => resolve(`${img.naturalWidth}x${img.naturalHeight}`);
            img.onerror = () => resolve('broken');
            img.src = icon.src;
        })));
        return data;
    }""")
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "id"
    assert manifest["loaded"] == [icon["sizes"] for icon in manifest["icons"]]
    assert {icon["purpose"] for icon in manifest["icons"]} == {"any", "maskable"}
    _controlled(page)
    cdp = page.context.new_cdp_session(page)
    app = cdp.send("Page.getAppManifest")
    assert app["errors"] == [], app["errors"]
    assert app["url"].endswith("/manifest.json")
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    assert page.request.get(f"{live_server.url}/favicon.ico").ok
    screenshot(page, "pwa-home")
    axe_check(page)
    real = [p for p in problems if "Failed to load resource" not in p]
    assert not real, real


def test_offline_the_form_still_opens_and_other_pages_say_so(
    phone: BrowserContext, live_server: LiveServer, regions: None, tree: Tree,
) -> None:
    page = phone.new_page()
    problems = _errors(page)
    page.goto(f"{live_server.url}/")
    _controlled(page)
    phone.set_offline(True)
    try:
        page.goto(f"{live_server.url}/lapor/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Buat laporan")
        # The app's form, photo first (its scripts came from the worker's cache too).
        expect(page.get_by_text("Ambil foto", exact=True)).to_be_visible()
        page.goto(f"{live_server.url}/?source=pwa")
        expect(page.get_by_role("link", name="Kirim laporan")).to_be_visible()
        page.goto(f"{live_server.url}/laporan/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Tidak ada koneksi saat ini")
        expect(page.get_by_text("terkirim sendiri begitu sinyal kembali")).to_be_visible()
        screenshot(page, "pwa-offline")
        axe_check(page)
        page.get_by_role("link", name="Tulis laporan").click()
        expect(page.get_by_text("Ambil foto", exact=True)).to_be_visible()
        # A tracking page is never kept: offline it is the offline page, not an old copy.
        page.goto(f"{live_server.url}/lacak/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Tidak ada koneksi saat ini")
    finally:
        phone.set_offline(False)
    page.goto(f"{live_server.url}/laporan/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Tidak ada koneksi saat ini")
    cached = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) {
                urls.push(new URL(request.url).pathname);
            }
        }
        return urls;
    }""")
    assert "/lapor/" in cached
    assert not [u for u in cached if u.startswith(("/api/", "/lacak/", "/laporan/", "/akun/"))]
    real = [p for p in problems if "Failed to load resource" not in p
            and "ERR_INTERNET_DISCONNECTED" not in p]
    assert not real, real


def test_an_unchanged_page_opens_from_the_kept_copy_after_a_304(
    phone: BrowserContext, live_server: LiveServer, tree: Tree,
) -> None:
    """A repeat visit revalidates the kept home page (If-None-Match): unchanged, the server
    answers 304 and the page is the kept copy, whose CSRF token still works (the language
    switch is a POST form)."""
    page = phone.new_page()
    problems = _errors(page)
    answers: list[int] = []
    phone.on("response", lambda r: answers.append(r.status) if r.request.service_worker
             and r.url == f"{live_server.url}/" else None)
    page.goto(f"{live_server.url}/")
    _controlled(page)  # the install's copy (fetched without cookies) is replaced: a 200
    assert answers[-1] == 200
    page.goto(f"{live_server.url}/")  # the same address: the page names it (language switch)
    expect(page.get_by_role("link", name="Kirim laporan")).to_be_visible()
    assert answers[-1] == 304
    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Send a report").first).to_be_visible()
    real = [p for p in problems if "Failed to load resource" not in p]
    assert not real, real


def test_reports_near_me_on_a_tap(
    phone: BrowserContext, live_server: LiveServer, tree: Tree,
) -> None:
    near = drive(tree, "in_progress", title="Lampu jalan mati dekat Masjid Agung")
    secret = drive(tree, "in_progress", title="Pungutan liar di kantor kecamatan",
                   is_confidential=True)
    for report in (near, secret):
        Report.objects.filter(pk=report.pk).update(latitude=Decimal("0.505000"),
                                                   longitude=Decimal("117.541000"))
    page = phone.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/reports/nearby" in r.url else None)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Laporan di sekitar saya")).to_be_visible()
    assert asked == []  # never on load
    page.get_by_role("button", name="Tampilkan laporan di sekitar saya").tap()
    items = page.locator("#nearby-list > li")
    expect(items).to_have_count(1)
    expect(items.first.get_by_role("link")).to_have_text(near.title)
    expect(items.first).to_contain_text("Sangatta Utara")
    expect(items.first).to_contain_text("sekitar")
    expect(page.locator("#nearby-status")).to_have_text(
        "Laporan publik di sekitar Anda, yang terdekat lebih dulu:")
    assert len(asked) == 1
    assert "lat=0.504&lon=117.541" in asked[0]  # the device's position, rounded
    screenshot(page, "pwa-nearby")
    axe_check(page)
    items.first.get_by_role("link").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(near.title)

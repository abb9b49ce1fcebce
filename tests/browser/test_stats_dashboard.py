"""The statistics pages in a real browser, on the Kutai Timur demo data (lapor demo).

The pimpinan (bupati) opens the Kutai Timur dashboard on a desktop and on a phone; the public
opens /statistik/kutim/. axe-core checks each page, the console watcher fails on any CSP
violation, and the desktop dashboard is saved as docs/screenshots/stats-dashboard-kutim.png
for the README.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from lapor.demo.data import DEFAULT_PASSWORD
from lapor.demo.loader import load_demo
from lapor.stats.maintenance import stats_refresh
from tests.api_client import current_totp
from tests.browser.conftest import DESKTOP, PHONE, Restore, axe_check, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _demo() -> None:
    load_demo()
    while stats_refresh().events:  # the worker's minute task, run to the end here
        pass


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch, restored: Restore) -> None:
    """The whole demo, its statistics refreshed: built once for the run, put back as built
    before each test (see ``restored``)."""
    monkeypatch.delenv("LAPOR_DEMO_PASSWORD", raising=False)
    restored("stats-demo", _demo)


def test_kutai_timur_dashboard(demo: None, live_server: LiveServer, page: Page) -> None:
    base = live_server.url
    page.set_default_timeout(90_000)  # a loaded shared machine; no timing is asserted
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/petugas/masuk/?next=/petugas/dasbor/")
    page.get_by_label("Nama pengguna").fill("bupati")
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_label("Kode verifikasi").fill(current_totp("bupati") or "")
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Dasbor: Pemerintah Kabupaten Kutai Timur")
    nav = page.get_by_role("link", name="Dasbor", exact=True)
    expect(nav).to_have_attribute("aria-current", "page")
    # The screen-reader view of each chart is its table.
    status = page.get_by_test_id("stats-table-status")
    expect(status.get_by_role("rowheader").first).to_be_visible()
    expect(page.get_by_test_id("stats-table-units").get_by_role("link").first).to_be_visible()
    axe_check(page)
    screenshot(page, "stats-dashboard-kutim")  # the whole page, as a test artifact
    # The README's picture: the first screen (key figures and the start of the ranking).
    DOCS_SCREENSHOT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOT / "stats-dashboard-kutim.png"))
    # Drill down into the first unit of the ranking.
    page.get_by_test_id("stats-table-units").get_by_role("link").first.click()
    expect(page.get_by_role("navigation", name="Organisasi")).to_contain_text(
        "Pemerintah Kabupaten Kutai Timur")
    # A phone: nothing wider than the screen but the scrollable tables.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/petugas/dasbor/kutim/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    axe_check(page)
    screenshot(page, "stats-dashboard-kutim-phone")


def test_public_statistics_page(demo: None, live_server: LiveServer, page: Page) -> None:
    page.set_default_timeout(90_000)
    page.goto(f"{live_server.url}/statistik/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistik: semua instansi")
    page.get_by_role("link", name="Pemerintah Kabupaten Kutai Timur").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Statistik: Pemerintah Kabupaten Kutai Timur")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    axe_check(page)
    screenshot(page, "stats-public-kutim")


def test_show_all_on_a_phone_with_and_without_htmx(demo: None, live_server: LiveServer,
                                                   page: Page) -> None:
    """Issue #21: the "show all" page of the agencies fits a 360-pixel phone; its order form
    swaps only the table in with htmx (the URL follows), and is a plain GET form without."""
    page.set_default_timeout(90_000)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/statistik/semua/units/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Peringkat kepatuhan instansi")
    expect(page.get_by_test_id("stats-table-rows").get_by_role("link").first).to_be_visible()
    expect(page.get_by_test_id("stats-page")).to_contain_text("Halaman 1 dari 1")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe_check(page)
    page.get_by_label("Urutkan menurut").select_option("reports")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page).to_have_url(re.compile(r"sort=reports"))
    expect(page.get_by_test_id("stats-table-rows")).to_be_visible()
    screenshot(page, "stats-public-all-agencies-phone")

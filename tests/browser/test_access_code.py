"""Issue 18 in a real browser on a 360-px phone: a stranger typing wrong access codes for a
public tracking number cannot lock its reporter out.

Two browsers reach the live server through one trusted proxy (``LAPOR_PROXY_COUNT=1``), each
with its own client address in ``X-Forwarded-For``, as two phones on two connections would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from lapor.core import clock
from tests.browser.conftest import PHONE, axe_check, screenshot
from tests.factories import Tree, submit

pytestmark = pytest.mark.django_db(transaction=True)

FAILURES_ALLOWED = 3


@pytest.fixture
def phones(browser: Browser) -> Iterator[Any]:
    """``open(address)``: a new phone-sized browser whose requests come from ``address``."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def open_phone(address: str) -> Page:
        context = browser.new_context(
            viewport=PHONE, locale="id-ID", timezone_id="Asia/Makassar",
            extra_http_headers={"X-Forwarded-For": address})
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        return page

    yield open_phone
    for context in contexts:
        context.close()
    # The 429 answer the test asks for is logged as "Failed to load resource".
    assert not [p for p in problems if "Failed to load resource" not in p], problems


def _same_hour_window() -> None:
    """The wrong-code counter is a fixed hourly window: never start in an hour's last seconds,
    or the attempts would be counted in two windows."""
    now = clock.now()
    if now.minute == 59 and now.second >= 30:
        time.sleep(61 - now.second)


def test_second_address_gets_in_at_once_after_a_stranger_failed(
    phones: Any, live_server: LiveServer, settings: Any, regions: None, tree: Tree
) -> None:
    settings.LAPOR_PROXY_COUNT = 1
    settings.LAPOR_RATE_CODE_FAILURES_PER_HOUR = FAILURES_ALLOWED
    submitted = submit(tree)
    number, code = submitted.report.tracking_number, submitted.access_code
    url = f"{live_server.url}/lacak/{number}/"
    _same_hour_window()

    # A stranger (say, the official being reported) types wrong codes, then even the right one.
    stranger = phones("198.51.100.66")
    stranger.goto(url)
    for _ in range(FAILURES_ALLOWED):
        stranger.get_by_label("Kode akses").fill("AAAA-BBBB-CCCC-DDDD")
        stranger.get_by_role("button", name="Buka laporan saya").click()
        expect(stranger.locator("#id_access_code_error")).to_have_text("Kode akses salah.")
    stranger.get_by_label("Kode akses").fill(code)
    stranger.get_by_role("button", name="Buka laporan saya").click()
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Mohon tunggu sebentar")
    notice = stranger.get_by_role("alert")
    expect(notice).to_contain_text("dari alamat jaringan ini")
    expect(notice).to_contain_text("menit lagi")
    expect(notice).to_contain_text("WITA")
    expect(stranger.get_by_text("Kode akses Anda tidak berubah")).to_be_visible()
    assert stranger.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe_check(stranger)
    screenshot(stranger, "portal-access-code-429")

    # The reporter, on their own connection, is let in at once.
    reporter = phones("203.0.113.20")
    reporter.goto(url)
    reporter.get_by_label("Kode akses").fill(code)
    reporter.get_by_role("button", name="Buka laporan saya").click()
    expect(reporter.get_by_role("heading", name=submitted.report.title)).to_be_visible()
    expect(reporter.get_by_text("Kode akses diterima")).to_be_visible()
    assert reporter.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(reporter, "portal-access-code-second-address")

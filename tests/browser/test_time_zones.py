"""One time zone per report, on a 360-px phone (issue 18): the reporter's tracking page of a
Kutai Timur report reads WITA everywhere and its deadline as a date, not as a time."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from lapor.reports import services
from tests.browser.conftest import PHONE, axe_check, screenshot
from tests.factories import Tree, submit

DEADLINE = re.compile(r"^\w+, \d{1,2} \w+ \d{4}, akhir hari kerja WITA$")


def test_tracking_page_of_a_kutai_timur_report_reads_wita(
    page: Page, live_server: LiveServer, regions: None, tree: Tree
) -> None:
    submitted = submit(tree, target_agency_code=None)
    report = submitted.report
    verifier = "national" if report.tier_id == tree.root.pk else "hub"
    services.report_hold(actor=tree.actor(verifier), report_id=report.pk,
                         question="Di depan pasar yang mana?")
    assert page.viewport_size == PHONE

    page.goto(f"{live_server.url}/lacak/{report.tracking_number}/")
    page.get_by_label("Kode akses").fill(submitted.access_code)
    page.get_by_role("button", name="Buka laporan saya").click()
    expect(page.get_by_role("heading", name=report.title)).to_be_visible()

    answer = page.locator("dt", has_text="Jawab sebelum").locator("xpath=following-sibling::dd[1]")
    expect(answer).to_have_text(DEADLINE)
    times = page.locator(".timeline time")
    expect(times.first).to_be_visible()
    assert times.count() >= 2  # received, and the question
    for text in times.all_inner_texts():
        assert re.fullmatch(r"\d{1,2} \w+ \d{4} \d{1,2}\.\d{2} WITA", text), text
    body = page.locator("main").inner_text()
    assert "WIB" not in body
    assert "WIT " not in body
    # No horizontal overflow on the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe_check(page)
    screenshot(page, "portal-track-time-zone")

"""Issue 18, routing, in a real browser: a Sangatta Utara report sent on a 360-px phone with
"— Serahkan kepada verifikator —" lands in Kutai Timur's hub (kominfo), who verifies and
disposes it on a desktop; the SOP page shows the setting that sends it there."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from lapor.orgs.models import Role
from lapor.reports.models import Report
from tests.browser.conftest import DESKTOP, PHONE, axe_check, screenshot, sign_in
from tests.factories import Tree, make_user

# The server-rendered form (the path without JavaScript); the app: test_report_app.py.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("plain_form")]

TITLE = "Pungutan liar di loket KTP Kantor Kecamatan Sangatta Utara"
BODY = ("Petugas loket meminta uang Rp50.000 untuk mempercepat KTP elektronik. Mohon "
        "ditertibkan agar pelayanan gratis sesuai aturan.")


def test_unaddressed_sangatta_utara_report_reaches_kominfo_who_verifies_it(
    page: Page, live_server: LiveServer, regions: None, tree: Tree
) -> None:
    page.set_default_timeout(10_000)
    base = live_server.url
    make_user("kominfo", (tree.kutim, Role.HUB_VERIFIER))

    # 1. A citizen on a phone leaves the agency to the verifiers.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/lapor/")
    page.get_by_label("Pengaduan: ada masalah dalam pelayanan publik").check()
    page.get_by_label("Judul laporan").fill(TITLE)
    page.get_by_label("Apa yang terjadi?").fill(BODY)
    page.get_by_label("Cari wilayah berdasarkan nama").press_sequentially("sangatta ut")
    option = page.get_by_label(re.compile(r"^Sangatta Utara, Kabupaten Kutai Timur"))
    expect(option).to_be_visible()
    option.check()
    agency = page.get_by_label("Instansi tujuan (opsional)")
    agency.select_option(label="— Serahkan kepada verifikator —")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Laporan Anda sudah diterima")
    number = page.get_by_test_id("tracking-number").inner_text()
    screenshot(page, "routing-1-phone-submitted")
    report = Report.objects.get(tracking_number=number)
    assert (report.tier, report.target_agency) == (tree.kutim, None)

    # 2. Kominfo, on a desktop, finds it in the hub's inbox with the verification actions.
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "kominfo", "/petugas/")
    link = page.get_by_role("link", name=TITLE)
    expect(link).to_be_visible()
    screenshot(page, "routing-2-kominfo-inbox")
    link.click()
    for action in ("#form-dispose", "#form-hold", "#form-privacy", "#form-archive"):
        expect(page.locator(action)).to_be_visible()
    axe_check(page)
    screenshot(page, "routing-3-kominfo-report")
    form = page.locator("#form-dispose")
    form.get_by_label("Disposisi ke").select_option("kutim-pupr")
    form.get_by_role("button", name="Disposisikan").click()
    expect(page.get_by_text("Laporan sudah diverifikasi dan didisposisikan.")).to_be_visible()
    report.refresh_from_db()
    assert (report.status, report.current_node) == ("disposed", tree.pupr)

    # 3. The agency's SOP page shows the setting that brought it here, switched on.
    page.goto(f"{base}/petugas/admin/{tree.kutim.code}/sop/")
    setting = page.get_by_label("Terima laporan wilayah ini yang tidak menyebut instansi tujuan")
    expect(setting).to_be_checked()
    screenshot(page, "routing-4-sop-setting")

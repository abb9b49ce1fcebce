"""The staff workspace in a real browser: an anonymous report walked from the national-pool
verifier of Kutai Timur to the unit that answers it, with two-factor sign-in at every step.

At every page the planted identity of the anonymous reporter must be absent from the HTML;
axe-core checks the sign-in page, the inbox and the report page; screenshots are saved as
``workspace-*.png`` test artifacts; the console watcher fails on any CSP violation.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from lapor.orgs.actors import PUBLIC
from lapor.reports.models import Report
from lapor.reports.submission import report_submit
from tests.browser.conftest import DESKTOP, axe_check, screenshot, sign_in, sign_out
from tests.factories import Tree

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Wiryawan Kusumadewangga"
EMAIL = "wiryawan.kd@example.org"
PHONE = "+62 812-9876-5432"
IDENTITY = (NAME, "Wiryawan", "Kusumadewangga", EMAIL, "wiryawan.kd", "812-9876-5432",
            "81298765432")
TITLE = "Jembatan kayu di Desa Swarga Bara rapuh"



def _clean(page: Page) -> None:
    html = page.content()
    for secret in IDENTITY:
        assert secret not in html, f"{secret!r} on {page.url}"


def _sign_in(page: Page, base: str, username: str, next_path: str = "") -> None:
    sign_in(page, base, username, next_path)
    _clean(page)




def test_anonymous_report_through_the_staff_pages(
    page: Page, live_server: LiveServer, regions: None, tree: Tree
) -> None:
    page.set_viewport_size(DESKTOP)
    page.set_default_timeout(8000)
    report = report_submit(
        actor=PUBLIC, type="complaint", title=TITLE,
        body="Papan jembatan banyak yang patah, anak sekolah melintas setiap pagi.",
        region_code="64.08.04", category_code=tree.category.code,
        target_agency_code=tree.kutim.code, is_anonymous=True, reporter_name=NAME,
        reporter_email=EMAIL, reporter_phone=PHONE,
    ).report
    base = live_server.url
    report_path = f"/petugas/laporan/{report.pk}/"

    # 1. The hub verifier of Kutai Timur signs in with password and TOTP.
    page.goto(f"{base}/petugas/masuk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk petugas")
    axe_check(page)
    screenshot(page, "workspace-login")
    _sign_in(page, base, "hub")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kotak masuk")
    expect(page.get_by_text(report.tracking_number)).to_be_visible()
    # The tabs swap the list through htmx and keep working as links.
    page.get_by_test_id("tab-overdue").click()
    expect(page.get_by_test_id("tab-overdue")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text(report.tracking_number)).to_have_count(0)
    page.get_by_test_id("tab-all").click()
    expect(page.get_by_text(report.tracking_number)).to_be_visible()
    _clean(page)
    axe_check(page)
    screenshot(page, "workspace-inbox")

    # 2. It opens the report and disposes it to Dinas PUPR.
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.get_by_text("Disembunyikan (anonim)")).to_be_visible()
    _clean(page)
    axe_check(page)
    screenshot(page, "workspace-report")
    form = page.locator("#form-dispose")
    form.get_by_label("Disposisi ke").select_option("kutim-pupr")
    form.get_by_role("button", name="Disposisikan").click()
    expect(page.get_by_text("Laporan sudah diverifikasi dan didisposisikan.")).to_be_visible()
    _clean(page)
    sign_out(page)

    # 3. The PUPR liaison forwards it to Bidang Bina Marga.
    _sign_in(page, base, "liaison_pupr", report_path)
    form = page.locator("#form-forward")
    form.get_by_label("Teruskan ke").select_option("kutim-pupr-binamarga")
    form.get_by_role("button", name="Teruskan").click()
    expect(page.get_by_text("Laporan sudah diteruskan.")).to_be_visible()
    _clean(page)
    sign_out(page)

    # 4. Bina Marga's liaison posts the final follow-up.
    _sign_in(page, base, "liaison_binamarga")
    page.get_by_role("link", name=TITLE).click()
    form = page.locator("#form-follow_up")
    form.get_by_label("Tindak lanjut", exact=True).fill("Papan jembatan sudah diganti.")
    form.get_by_label("Tindak lanjut akhir (pelapor diminta menerimanya)").check()
    form.get_by_role("button", name="Kirim tindak lanjut").click()
    expect(page.get_by_text("Tindak lanjut sudah dikirim.")).to_be_visible()
    expect(page.locator(".badge").first).to_have_text("Ditindaklanjuti")
    _clean(page)
    report.refresh_from_db()
    assert Report.objects.get(pk=report.pk).status == "responded"


def test_admin_pages_and_english(
    page: Page, live_server: LiveServer, regions: None, tree: Tree
) -> None:
    """The agency admin pages pass axe; the staff pages switch to English."""
    page.set_viewport_size(DESKTOP)
    page.set_default_timeout(8000)
    base = live_server.url
    _sign_in(page, base, "hub")
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pemerintah Kabupaten Kutai Timur")
    page.get_by_label("Verifikasi dan disposisi (hari kerja)").fill("2")
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.get_by_text("Pengaturan SOP sudah disimpan.")).to_be_visible()
    axe_check(page)
    screenshot(page, "workspace-admin-sop")
    page.get_by_role("link", name="Pengguna dan peran").click()
    expect(page.get_by_role("table")).to_contain_text("liaison_pupr")
    axe_check(page)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="Inbox")).to_be_visible()
    page.get_by_role("link", name="Inbox").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inbox")
    expect(page.get_by_test_id("tab-overdue")).to_contain_text("Overdue")

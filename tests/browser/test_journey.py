"""The whole journey of one report in a real browser, as issue #4 describes it.

A citizen on a phone submits a report with a photo → the Kutai Timur hub verifier disposes it to
Dinas PUPR → PUPR's liaison forwards it down its subtree to its unit in Kecamatan Sangatta Utara
→ that unit's officer posts the final follow-up → the citizen opens the report with the access
code and accepts it with a rating of 5. Every step goes through the pages (no API, no direct
writes); the other reports in the hub's inbox exist only to show the deadline badges.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from lapor.core import clock
from lapor.orgs.models import NodeKind, Role
from lapor.orgs.selectors import sop_for
from lapor.orgs.services import node_create
from lapor.reports.deadlines import calendar_for
from lapor.reports.models import Report
from tests.browser.conftest import DESKTOP, PHONE, axe_check, screenshot, sign_in, sign_out
from tests.factories import Tree, make_user, submit

# The server-rendered form (the path without JavaScript); the app: test_report_app.py.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("plain_form")]

TITLE = "Jalan poros Sangatta–Bengalon berlubang di depan SD 003"
BODY = ("Lubang besar di tengah jalan poros, sudah dua pengendara motor jatuh minggu ini. "
        "Mohon segera ditambal sebelum musim hujan.")
UNIT = "kutim-pupr-upt-sangatta-utara"



def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "lubang-jalan.jpg"
    Image.new("RGB", (64, 48), (120, 110, 90)).save(path, "JPEG")
    return path


def _submitted_due(tree: Tree, *, days_left: int) -> datetime:
    """A submission moment whose verification deadline is ``days_left`` working days away."""
    now = clock.now()
    cal = calendar_for(tree.kutim, around=now)
    verify_days = sop_for(tree.kutim).verify_days
    for back in range(60):
        at = now - timedelta(days=back)
        due = cal.deadline(at, verify_days)
        if cal.working_days_left(now, due) == days_left and (due >= now) == (days_left >= 0):
            return at
    raise AssertionError(f"no submission day gives {days_left} working days left")


def _seed_inbox(tree: Tree) -> bool:
    """Reports waiting at the hub: one overdue, one due soon and, when today is a working day
    (a deadline ends only on one), one due today; all through the real services. Returns
    whether the due-today one exists."""
    submit(tree, at=_submitted_due(tree, days_left=-4),
           title="Lampu penerangan jalan di Jalan Yos Sudarso II padam",
           body="Sudah dua minggu lampu jalan padam, rawan kecelakaan pada malam hari.")
    now = clock.now()
    working_today = calendar_for(tree.kutim, around=now).is_working_day(
        now.astimezone(calendar_for(tree.kutim, around=now).tz).date())
    if working_today:
        submit(tree, at=_submitted_due(tree, days_left=0),
               title="Drainase tersumbat di Kelurahan Teluk Lingga",
               body="Saluran air tersumbat sampah, air meluap ke jalan setiap hujan deras.")
    submit(tree, at=_submitted_due(tree, days_left=1),
           title="Jembatan kayu di Desa Sepaso perlu perbaikan",
           body="Papan jembatan banyak yang lapuk, anak sekolah melintas setiap pagi.")
    return working_today






def test_citizen_to_kecamatan_and_back(
    page: Page, live_server: LiveServer, regions: None, tree: Tree, tmp_path: Path
) -> None:
    page.set_default_timeout(10_000)
    base = live_server.url
    unit = node_create(code=UNIT, name="UPT Dinas PUPR Kecamatan Sangatta Utara",
                       kind=NodeKind.SUBUNIT, parent=tree.pupr)
    make_user("officer_upt", (unit, Role.UNIT_OFFICER))
    due_today = _seed_inbox(tree)

    # 1. The citizen, on a phone, fills the form with a photo and picks the kecamatan.
    page.goto(f"{base}/lapor/")
    page.get_by_label("Pengaduan: ada masalah dalam pelayanan publik").check()
    page.get_by_label("Judul laporan").fill(TITLE)
    page.get_by_label("Apa yang terjadi?").fill(BODY)
    page.get_by_label("Cari wilayah berdasarkan nama").press_sequentially("sangatta ut")
    option = page.get_by_label(re.compile(r"^Sangatta Utara, Kabupaten Kutai Timur"))
    expect(option).to_be_visible()
    option.check()
    page.get_by_label("Kategori (opsional)").select_option(tree.category.code)
    # "No wrong door": the citizen may address the regency directly; its hub verifies.
    page.get_by_label("Instansi tujuan (opsional)").select_option(tree.kutim.code)
    page.locator("#id_attachments").set_input_files(_photo(tmp_path))
    page.get_by_label("Nama Anda (opsional)").fill("Rahmat Hidayat")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Laporan Anda sudah diterima")
    number = page.get_by_test_id("tracking-number").inner_text()
    code = page.get_by_test_id("access-code").inner_text()
    screenshot(page, "journey-1-confirmation")
    report = Report.objects.get(tracking_number=number)
    assert report.attachments.count() == 1

    # 2. The hub verifier sees it among what is due, opens it and disposes it to Dinas PUPR.
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "hub", "/petugas/")
    expect(page.get_by_test_id("tab-overdue")).to_contain_text("1")
    expect(page.get_by_test_id("tab-today")).to_contain_text("1" if due_today else "0")
    # Due soon: the seeded one plus the new report (verification takes up to 3 working days,
    # so it is "soon" only when that falls within the window).
    expect(page.get_by_test_id("tab-soon")).not_to_contain_text(re.compile(r"\b0\b"))
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    axe_check(page)
    screenshot(page, "journey-2-inbox")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("link", name="lubang-jalan.jpg")).to_be_visible()
    form = page.locator("#form-dispose")
    form.get_by_label("Disposisi ke").select_option("kutim-pupr")
    form.get_by_role("button", name="Disposisikan").click()
    expect(page.get_by_text("Laporan sudah diverifikasi dan didisposisikan.")).to_be_visible()
    sign_out(page)

    # 3. PUPR's liaison forwards it to its unit in the kecamatan.
    sign_in(page, base, "liaison_pupr", f"/petugas/laporan/{report.pk}/")
    form = page.locator("#form-forward")
    form.get_by_label("Teruskan ke").select_option(UNIT)
    form.get_by_role("button", name="Teruskan").click()
    expect(page.get_by_text("Laporan sudah diteruskan.")).to_be_visible()
    sign_out(page)

    # 4. The kecamatan unit's officer finds it in the inbox and posts the final follow-up.
    sign_in(page, base, "officer_upt", "/petugas/")
    page.get_by_role("link", name=TITLE).click()
    form = page.locator("#form-follow_up")
    form.get_by_label("Tindak lanjut", exact=True).fill(
        "Lubang sudah ditambal dengan aspal dingin pada 27 November; pengaspalan ulang "
        "dijadwalkan tahun depan.")
    form.get_by_label("Tindak lanjut akhir (pelapor diminta menerimanya)").check()
    form.get_by_role("button", name="Kirim tindak lanjut").click()
    expect(page.get_by_text("Tindak lanjut sudah dikirim.")).to_be_visible()
    screenshot(page, "journey-3-follow-up")
    sign_out(page)

    # 5. Back on the phone, the citizen opens the report with the access code and accepts it.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/lacak/")
    page.get_by_label("Nomor pelacakan").fill(number)
    page.get_by_role("button", name="Lacak").last.click()
    page.get_by_label("Kode akses").fill(code)
    page.get_by_role("button", name="Buka laporan saya").click()
    expect(page.get_by_text("Lubang sudah ditambal")).to_be_visible()
    page.get_by_label("Ya, saya menerima tindak lanjut ini").check()
    page.locator("input[name=rating][value='5']").check()
    page.get_by_role("button", name="Kirim tanggapan").click()
    expect(page.locator(".badge").first).to_have_text("Selesai")
    axe_check(page)
    screenshot(page, "journey-4-accepted")

    report.refresh_from_db()
    assert (report.status, report.rating) == ("closed", 5)
    assert report.current_node_id == unit.pk

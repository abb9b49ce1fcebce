"""The Renaksi pages in a real browser (issue #23), on the Kutai Timur demo with a programme
made here: the pimpinan (bupati) opens the programme page and the readiness matrix on a
desktop and on a 360-pixel phone, the hub (kominfo) adds an activity through the form.

axe-core checks each page, the console watcher fails on any CSP violation; screenshots are
test artifacts (the pictures in docs/img/ are taken from `make run`'s demo).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from lapor.accounts.models import User
from lapor.demo.data import DEFAULT_PASSWORD
from lapor.demo.loader import load_demo
from lapor.orgs.actors import actor_for_user
from lapor.orgs.selectors import node_get
from lapor.renaksi import services
from lapor.renaksi.models import Plan
from tests.api_client import current_totp
from tests.browser.conftest import DESKTOP, PHONE, Restore, axe_check, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
TITLE = "Renaksi SP4N-LAPOR! Kutai Timur (uji peramban)"


@pytest.fixture
def plan(monkeypatch: pytest.MonkeyPatch, restored: Restore) -> Plan:
    """Built once for the run, put back as built before each test (see ``restored``)."""
    monkeypatch.delenv("LAPOR_DEMO_PASSWORD", raising=False)
    restored("renaksi-plan", _build_plan)
    return Plan.objects.get(title=TITLE)


def _build_plan() -> None:
    # The demo's tree, accounts and its own Renaksi; its reports are not needed here.
    load_demo(reports=0)
    kutim = node_get("kutim")
    assert kutim is not None
    hub = actor_for_user(User.objects.get(username="kominfo"))
    units = [u.code for u in services.plan_units(kutim)]
    opd = [c for c in units if "-kec-" not in c]
    plan = services.plan_create(actor=hub, agency=kutim, title=TITLE, start_year=2023,
                                end_year=2026, description="Disusun bersama mitra pembangunan.")
    rows = [
        ("sop", "Penyusunan SOP pengelolaan pengaduan", date(2023, 3, 1), date(2023, 7, 31),
         "done", date(2023, 7, 28), units[:1], ""),
        ("sosialisasi", "Sosialisasi SP4N-LAPOR! ke seluruh perangkat daerah dan kecamatan",
         date(2023, 8, 1), date(2023, 11, 30), "done", date(2023, 11, 20), units, ""),
        ("workshop", "Workshop pengelolaan pengaduan untuk admin penghubung",
         date(2024, 2, 1), date(2024, 3, 31), "planned", None, opd, ""),
        ("liaison", "Penunjukan admin penghubung di setiap perangkat daerah",
         date(2024, 1, 1), date(2024, 6, 30), "in_progress", None, opd, "liaison"),
        ("bimtek", "Bimtek Dinas PUPR", date(2025, 5, 1), date(2025, 5, 31), "planned", None,
         [c for c in units if c.endswith("pupr")][:1], "training"),
        ("diklat", "Diklat pengelola pengaduan angkatan II", date(2026, 9, 1),
         date(2026, 12, 15), "planned", None, opd[:3], ""),
        ("other", "Evaluasi akhir Renaksi", date(2026, 12, 20), date(2026, 12, 31), "planned",
         None, [], ""),
        ("workshop", "Workshop kecamatan (ditunda ke 2025)", date(2024, 8, 1),
         date(2024, 8, 31), "cancelled", None, units[-3:], ""),
    ]
    for kind, title, start, end, status, done_on, codes, proof in rows:
        services.activity_create(actor=hub, plan=plan, kind=kind, title=title,
                                 planned_start=start, planned_end=end, status=status,
                                 done_on=done_on, unit_codes=codes, proof_indicator=proof,
                                 owner="kominfo")


def _sign_in(page: Page, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}/petugas/masuk/?next={next_path}")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_label("Kode verifikasi").fill(current_totp(username) or "")
    page.get_by_role("button", name="Masuk", exact=True).click()


def _fits_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_programme_and_matrix_for_the_pimpinan(plan: Plan, live_server: LiveServer,
                                               page: Page) -> None:
    base = live_server.url
    page.set_default_timeout(90_000)  # a loaded shared machine; no timing is asserted
    page.set_viewport_size(DESKTOP)
    _sign_in(page, base, "bupati", "/petugas/renaksi/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rencana Aksi (Renaksi)")
    expect(page.get_by_role("link", name="Renaksi", exact=True)).to_have_attribute(
        "aria-current", "page")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    # The timeline is an image named by its title, with one row per activity and the state
    # in words; the table beside it holds the same activities.
    gantt = page.get_by_role("img", name=re.compile("^Linimasa"))
    expect(gantt).to_be_visible()
    expect(page.locator(".renaksi-gantt__row")).to_have_count(8)
    expect(page.locator(".renaksi-gantt__today")).to_have_count(1)
    table = page.get_by_test_id("renaksi-activities")
    expect(table.get_by_role("row")).to_have_count(9)
    expect(table).to_contain_text("terlambat")  # the workshop of early 2024
    expect(table).to_contain_text("dibatalkan")
    expect(page.get_by_role("link", name="Tambah kegiatan")).to_have_count(0)  # read only
    # Date order swaps only the timeline in (htmx), the address follows.
    page.get_by_role("link", name="menurut tanggal").click()
    expect(page).to_have_url(re.compile(r"urutan=tanggal"))
    expect(page.locator(".renaksi-timeline strong")).to_have_text("menurut tanggal")
    expect(page.locator(".renaksi-gantt__row")).to_have_count(8)
    page.get_by_role("link", name="menurut jenis").click()
    expect(page.locator(".renaksi-timeline strong")).to_have_text("menurut jenis")
    axe_check(page)
    screenshot(page, "renaksi-programme-desktop")

    page.get_by_role("link", name="Matriks kesiapan").first.click()
    matrix = page.get_by_test_id("renaksi-matrix")
    expect(matrix).to_be_visible()
    expect(matrix.locator("tbody tr")).to_have_count(len(services.plan_units(plan.agency)))
    expect(matrix.get_by_role("columnheader", name="SOP disahkan")).to_be_visible()
    expect(page.get_by_test_id("renaksi-ready-count")).to_contain_text("unit siap")
    axe_check(page)
    screenshot(page, "renaksi-matrix-desktop")

    # A unit's page from the matrix.
    first_unit = matrix.locator("tbody tr").first.get_by_role("link").first
    name = first_unit.inner_text()
    first_unit.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_test_id("renaksi-unit-cells").locator("li")).to_have_count(7)
    axe_check(page)

    # A phone: nothing wider than the screen; the table and matrix scroll in their own box,
    # the timeline shrinks to the screen.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/petugas/renaksi/{plan.pk}/")
    expect(gantt).to_be_visible()
    _fits_phone(page)
    box = gantt.bounding_box()
    assert box is not None
    assert box["width"] <= PHONE["width"]
    wrap = page.locator(".renaksi-scroll").first
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    axe_check(page)
    screenshot(page, "renaksi-programme-phone")
    page.goto(f"{base}/petugas/renaksi/{plan.pk}/kesiapan/")
    expect(page.get_by_test_id("renaksi-matrix")).to_be_visible()
    _fits_phone(page)
    assert page.locator(".renaksi-matrix-box").evaluate("el => el.scrollWidth > el.clientWidth")
    axe_check(page)
    screenshot(page, "renaksi-matrix-phone")


def test_hub_adds_an_activity_on_a_phone(plan: Plan, live_server: LiveServer,
                                         page: Page) -> None:
    base = live_server.url
    page.set_default_timeout(90_000)
    page.set_viewport_size(PHONE)
    _sign_in(page, base, "kominfo", f"/petugas/renaksi/{plan.pk}/")
    page.get_by_role("link", name="Tambah kegiatan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tambah kegiatan")
    _fits_phone(page)
    axe_check(page)
    page.get_by_label("Jenis", exact=True).select_option("bimtek")
    page.get_by_label("Judul").fill("Bimtek Dinas Kesehatan")
    page.get_by_label("Dinas Kesehatan", exact=False).first.check()
    page.get_by_label("Rencana mulai").fill("2026-03-01")
    # Out of order: the refusal comes back next to the form, the input kept.
    page.get_by_label("Rencana selesai").fill("2026-02-01")
    page.get_by_role("button", name="Tambahkan kegiatan").click()
    expect(page.get_by_role("alert").or_(page.locator(".errorlist")).first).to_contain_text(
        "Tanggal selesai tidak boleh sebelum tanggal mulai")
    expect(page.get_by_label("Judul")).to_have_value("Bimtek Dinas Kesehatan")
    page.get_by_label("Rencana selesai").fill("2026-03-31")
    page.get_by_role("button", name="Tambahkan kegiatan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bimtek Dinas Kesehatan")
    expect(page.get_by_text("Kegiatan sudah ditambahkan.")).to_be_visible()
    _fits_phone(page)
    axe_check(page)
    screenshot(page, "renaksi-activity-phone")


def test_a_liaison_lands_on_their_unit_on_a_phone(plan: Plan, live_server: LiveServer,
                                                  page: Page) -> None:
    # PUPR's liaison officer opens their unit's page of the plan: its readiness and
    # activities, the unit's long name wrapping in its tab instead of widening the page, and
    # no printout.
    base = live_server.url
    page.set_default_timeout(90_000)
    page.set_viewport_size(PHONE)
    # (The demo's own plan is there too, so the list shows both instead of redirecting.)
    _sign_in(page, base, "pupr", "/petugas/renaksi/")
    page.locator(f'a[href="/petugas/renaksi/{plan.pk}/unit/kutim-pupr/"]').click()
    expect(page).to_have_url(re.compile(rf"/petugas/renaksi/{plan.pk}/unit/kutim-pupr/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pekerjaan Umum")
    _fits_phone(page)
    assert page.get_by_text("Cetak (PDF)").count() == 0
    axe_check(page)
    screenshot(page, "renaksi-unit-phone")

"""Issue #18, the staff workspace in a real browser: inbox tabs reachable on a 360-px phone,
the workspace's own 404 page, the public SOP page without horizontal overflow at 360 px, the
grouped and filterable target list on a desktop, and a tracking number typed in a search box
opening the report (staff search and the public feed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from lapor.orgs.models import NodeKind, OrgNode, Role
from lapor.orgs.services import node_create, sop_update
from lapor.reports.models import Report
from lapor.sopdoc.selectors import sop_latest
from lapor.sopdoc.services import sop_version_approve
from tests.browser.conftest import DESKTOP, PHONE, axe_check, screenshot, sign_in
from tests.factories import Tree, drive, make_user, submit

pytestmark = pytest.mark.django_db(transaction=True)

KECAMATAN = ("Sangatta Utara", "Bengalon", "Muara Wahau", "Kaliorang", "Sangatta Selatan")


def _sign_in(page: Page, base: str, username: str) -> None:
    sign_in(page, base, username)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kotak masuk")


def _kecamatan(tree: Tree) -> list[OrgNode]:
    return [node_create(code=f"kutim-kec-{i}", name=f"Kecamatan {name}", kind=NodeKind.UNIT,
                        parent=tree.kutim, region_id="64.08.04")
            for i, name in enumerate(KECAMATAN)]


def _no_horizontal_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a 360-px phone"


def test_phone_inbox_tabs_and_the_workspace_404(
    page: Page, live_server: LiveServer, regions: None, tree: Tree
) -> None:
    page.set_default_timeout(8000)
    elsewhere = drive(tree, "disposed")  # held by PUPR
    kecamatan = _kecamatan(tree)[0]
    make_user("camat", (kecamatan, Role.LIAISON))
    base = live_server.url
    _sign_in(page, base, "hub")
    tabs = page.locator(".tabs a")
    expect(tabs).to_have_count(4)
    for i in range(4):
        box = tabs.nth(i).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"], \
            f"tab {i} ends at {box['x'] + box['width']} px, off a 360-px screen"
    _no_horizontal_overflow(page)
    screenshot(page, "workspace-inbox-phone")
    page.get_by_test_id("tab-overdue").click()
    expect(page.get_by_test_id("tab-overdue")).to_have_attribute("aria-current", "page")

    page.get_by_role("button", name="Keluar").click()
    _sign_in(page, base, "camat")
    response = page.goto(f"{base}/petugas/laporan/{elsewhere.pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Halaman tidak ditemukan")
    expect(page.get_by_role("navigation", name="Menu petugas")).to_be_visible()
    _no_horizontal_overflow(page)
    axe_check(page)
    screenshot(page, "workspace-404-phone")
    page.get_by_test_id("back-to-inbox").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kotak masuk")


@pytest.fixture
def sop_root(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.SOP_STORAGE_ROOT = tmp_path / "sop"  # type: ignore[attr-defined]


@pytest.mark.usefixtures("sop_root")
def test_public_sop_page_fits_a_phone(
    page: Page, live_server: LiveServer, regions: None, tree: Tree
) -> None:
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, verify_days=2)
    draft = sop_latest(tree.kutim)
    assert draft is not None
    sop_version_approve(actor=tree.actor("supervisor_kutim"), version=draft,
                        approver_name="Bupati", approver_position="Bupati Kutai Timur",
                        effective_date=date(2026, 12, 1))
    page.goto(f"{live_server.url}/instansi/{tree.kutim.code}/sop/")
    expect(page.locator(".sop-flow").first).to_be_visible()
    _no_horizontal_overflow(page)
    # The flowchart keeps its printed proportions and scrolls inside its own box.
    box = page.locator(".sop-scroll").first
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    assert box.evaluate("e => e.getBoundingClientRect().right") <= PHONE["width"]
    # The identity table's label and value no longer overlap: each stays inside the screen.
    for cell in page.locator(".sop-id:not(.sop-id--lists) th, .sop-id:not(.sop-id--lists) td"
                             ).all():
        right = cell.evaluate("e => e.getBoundingClientRect().right")
        assert right <= PHONE["width"], right
    axe_check(page)
    screenshot(page, "portal-sop-phone")


def test_target_list_grouped_and_filterable_on_desktop(
    page: Page, live_server: LiveServer, regions: None, tree: Tree
) -> None:
    page.set_viewport_size(DESKTOP)
    page.set_default_timeout(8000)
    kecamatan = _kecamatan(tree)
    report = submit(tree).report
    _sign_in(page, live_server.url, "hub")
    page.goto(f"{live_server.url}/petugas/laporan/{report.pk}/")
    select = page.locator("#dispose-node")
    labels = select.evaluate("s => Array.from(s.querySelectorAll('optgroup')).map(g => g.label)")
    assert labels == ["Perangkat daerah dan unit kerja (OPD)", "Kecamatan",
                      "Unit lain (bidang, UPT, desa/kelurahan)"]
    names = select.evaluate("s => Array.from(s.querySelectorAll('optgroup')[1].children)"
                            ".map(o => o.textContent)")
    assert names == sorted(f"Kecamatan {n}" for n in KECAMATAN)
    box = page.get_by_label("Ketik untuk menyaring unit")
    box.fill("sangatta sel")
    visible = select.evaluate("s => Array.from(s.options).filter(o => o.value).map(o => o.value)")
    assert visible == [kecamatan[4].code]
    expect(select).to_have_value(kecamatan[4].code)
    expect(page.get_by_role("status").filter(has_text="Unit yang ditampilkan: 1")).to_be_visible()
    box.fill("tidak ada unit begini")
    expect(page.get_by_text("Tidak ada unit yang cocok.")).to_be_visible()
    box.fill("sangatta")
    expect(select.locator("option:not([value=''])")).to_have_count(2)
    select.select_option(kecamatan[0].code)
    axe_check(page)
    screenshot(page, "workspace-target-filter")
    page.get_by_role("button", name="Disposisikan", exact=True).click()
    expect(page.get_by_text("Kecamatan Sangatta Utara").first).to_be_visible()
    report.refresh_from_db()
    assert report.current_node_id == kecamatan[0].pk


def test_tracking_number_in_a_search_box_opens_the_report(
    page: Page, live_server: LiveServer, regions: None, tree: Tree
) -> None:
    page.set_default_timeout(8000)
    public = drive(tree, "disposed", title="Lampu jalan mati di Jalan Yos Sudarso")
    unverified: Report = submit(tree, title="Pungutan liar di loket kecamatan").report
    base = live_server.url
    number = public.tracking_number
    # The public feed's search box (htmx): the public page of a public report …
    page.goto(f"{base}/laporan/")
    page.get_by_role("searchbox", name="Cari").fill(f"{number[:4]} {number[4:8]} {number[8:]}")
    page.get_by_role("button", name="Tampilkan laporan").click()
    expect(page).to_have_url(f"{base}/laporan/{number}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(public.title)
    # … and the tracking page of one that has no public page.
    page.goto(f"{base}/laporan/")
    page.get_by_role("searchbox", name="Cari").fill(unverified.tracking_number)
    page.get_by_role("button", name="Tampilkan laporan").click()
    expect(page).to_have_url(f"{base}/lacak/{unverified.tracking_number}/")
    # Staff search: the workspace report page.
    _sign_in(page, base, "hub")
    page.get_by_role("link", name="Cari", exact=True).click()
    page.get_by_role("searchbox").fill(f"#{unverified.tracking_number[:6]}-"
                                       f"{unverified.tracking_number[6:]}")
    page.get_by_role("button", name="Cari", exact=True).click()
    expect(page).to_have_url(f"{base}/petugas/laporan/{unverified.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(unverified.title)

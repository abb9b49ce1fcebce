"""The home page, the public feed (filters, search, pages), a public report and "dukung"."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lapor.core import clock
from lapor.reports import feed
from lapor.reports.models import Report
from tests.factories import Tree, drive, submit

pytestmark = pytest.mark.django_db


def test_home_shows_figures_steps_and_newest(client: Client, tree: Tree) -> None:
    public = drive(tree, "responded", title="Saluran air tersumbat di Jalan Pendidikan")
    drive(tree, "disposed", title="Laporan rahasia tentang pungli", is_confidential=True)
    submit(tree, title="Belum diverifikasi sama sekali")
    html = client.get("/").content.decode()
    assert "Alur laporan" in html
    assert "Verifikasi" in html
    assert "Disposisi" in html
    assert "<strong>3</strong>" in html  # reports received (all)
    assert "<strong>33%</strong>" in html  # one of three followed up
    assert public.title in html
    assert "pungli" not in html
    assert "Belum diverifikasi" not in html
    assert 'action="/laporan/"' in html


def test_stats_take_one_query(tree: Tree) -> None:
    drive(tree, "closed")
    with CaptureQueriesContext(connection) as queries:
        stats = feed.public_stats()
    assert len(queries) == 1
    assert (stats.total, stats.followed_up, stats.active_agencies) == (1, 1, 1)


def test_feed_lists_only_public_verified_reports(client: Client, tree: Tree) -> None:
    shown = drive(tree, "in_progress", title="Jembatan kayu rusak di Desa Swarga Bara")
    secret = drive(tree, "in_progress", title="Rahasia: pungutan liar di kantor",
                   is_confidential=True)
    archived = drive(tree, "archived", title="Laporan spam yang diarsipkan")
    fresh = submit(tree, title="Baru masuk belum diperiksa").report
    html = client.get("/laporan/").content.decode()
    assert shown.title in html
    for hidden in (secret, archived, fresh):
        assert hidden.title not in html
    assert client.get(f"/laporan/{secret.tracking_number}/").status_code == 404
    assert client.get(f"/laporan/{fresh.tracking_number}/").status_code == 404
    assert "Halaman tidak ditemukan" in client.get(
        f"/laporan/{secret.tracking_number}/").content.decode()


def test_feed_filters_and_search(client: Client, tree: Tree) -> None:
    road = drive(tree, "disposed", title="Jalan berlubang dekat terminal")
    health = drive(tree, "closed", title="Antrean puskesmas terlalu panjang",
                   body="Pelayanan puskesmas lambat, antrean sampai siang setiap hari.",
                   category_code=tree.urgent.code, region_code="64.08.01")
    html = client.get("/laporan/", {"category": tree.urgent.code}).content.decode()
    assert health.title in html
    assert road.title not in html
    html = client.get("/laporan/", {"status": "closed"}).content.decode()
    assert health.title in html
    assert road.title not in html
    html = client.get("/laporan/", {"region": "64.08.01"}).content.decode()
    assert health.title in html
    assert road.title not in html
    html = client.get("/laporan/", {"region": "64.08"}).content.decode()
    assert health.title in html
    assert road.title in html
    html = client.get("/laporan/", {"agency": tree.kutim.code}).content.decode()
    assert health.title in html
    assert road.title in html
    html = client.get("/laporan/", {"agency": tree.samarinda.code}).content.decode()
    assert "Tidak ada laporan publik yang sesuai" in html
    html = client.get("/laporan/", {"q": "puskesmas"}).content.decode()
    assert health.title in html
    assert road.title not in html
    # Filters the public may not use are ignored, never an error page.
    assert client.get("/laporan/", {"status": "submitted"}).status_code == 200


def test_feed_htmx_answers_the_results_only(client: Client, tree: Tree) -> None:
    report = drive(tree, "disposed")
    response = client.get("/laporan/", {"q": "jalan"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert report.title in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_feed_pages_with_a_cursor(client: Client, tree: Tree) -> None:
    start = clock.now() - timedelta(days=3)
    titles = [f"Laporan publik nomor {i:02d} tentang jalan" for i in range(feed.FEED_PAGE_SIZE + 3)]
    for i, title in enumerate(titles):
        drive(tree, "disposed", at=start + timedelta(minutes=i), title=title)
    first = client.get("/laporan/").content.decode()
    assert titles[-1] in first
    assert titles[0] not in first
    assert 'rel="next"' in first
    # Follow the link as a browser does: a relative "?…" URL on /laporan/.
    link = html.unescape(re.search(r'<a href="([^"]*)" rel="next"', first).group(1))  # type: ignore[union-attr]
    assert link.startswith("?cursor=")
    second = client.get(f"/laporan/{link}").content.decode()
    assert titles[0] in second
    assert titles[-1] not in second
    assert 'rel="next"' not in second
    back = html.unescape(re.search(r'<a href="([^"]*)">Kembali', second).group(1))  # type: ignore[union-attr]
    assert titles[-1] in client.get(f"/laporan/{back}").content.decode()
    # A filter survives the paging link.
    filtered = client.get("/laporan/?status=disposed").content.decode()
    link = html.unescape(re.search(r'<a href="([^"]*)" rel="next"', filtered).group(1))  # type: ignore[union-attr]
    assert "status=disposed" in link
    assert titles[0] in client.get(f"/laporan/{link}").content.decode()
    broken = client.get("/laporan/?cursor=zzz").content.decode()
    assert "Kursor halaman tidak valid." in broken


def test_public_report_page_respects_privacy(client: Client, tree: Tree) -> None:
    report = drive(tree, "responded", is_anonymous=True)
    html = client.get(f"/laporan/{report.tracking_number}/").content.decode()
    assert report.title in html
    assert "Dinas PUPR" in html
    assert "Siti Aminah" not in html
    assert "siti@example.org" not in html
    assert "Dukung" in html


def test_support_counts_once_per_supporter(client: Client, tree: Tree) -> None:
    report = drive(tree, "disposed")
    url = f"/laporan/{report.tracking_number}/dukung/"
    response = client.post(url, follow=True)
    assert "Terima kasih atas dukungan Anda." in response.content.decode()
    response = client.post(url, follow=True)
    assert "Anda sudah mendukung laporan ini." in response.content.decode()
    report.refresh_from_db()
    assert report.support_count == 1
    # Another supporter (a signed-in citizen) counts too; htmx gets the box only.
    citizen = Client()
    citizen.force_login(tree.users["citizen"])
    box = citizen.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in box
    assert "<strong>2</strong>" in box
    assert Report.objects.get(pk=report.pk).support_count == 2


def test_support_refused_for_confidential(client: Client, tree: Tree) -> None:
    report = drive(tree, "disposed", is_confidential=True)
    assert client.post(f"/laporan/{report.tracking_number}/dukung/").status_code == 404


def test_feed_queries_do_not_grow_with_rows(client: Client, tree: Tree) -> None:
    drive(tree, "disposed")
    with CaptureQueriesContext(connection) as one:
        client.get("/laporan/")
    for _ in range(4):
        drive(tree, "disposed", category_code=tree.urgent.code)
    with CaptureQueriesContext(connection) as five:
        client.get("/laporan/")
    assert len(five) == len(one)


@pytest.mark.django_db
def test_times_are_shown_in_the_zone_of_the_agency_holding_the_report(tree: Tree) -> None:
    report = drive(tree, "responded", title="Saluran air tersumbat di Jalan Pendidikan")
    for url in (f"/laporan/{report.tracking_number}/", f"/lacak/{report.tracking_number}/"):
        html = Client().get(url).content.decode()
        assert "WITA" in html  # Kutai Timur, Kalimantan Timur
        assert "WIB" not in html

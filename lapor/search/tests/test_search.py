"""Full-text search: Indonesian inflections, ranking, snippets, filters, cursor pages, refusals
with stable codes, and scopes (public never sees confidential, unverified or training
reports; staff see what their roles may read). Runs on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings

from lapor.core import clock
from lapor.core.errors import ValidationFailed
from lapor.reports.models import Report
from lapor.search import selectors
from lapor.search.indexing import sqlite_reindex
from lapor.search.text import snippet, stem
from lapor.workspace.tests.helpers import signed_in
from tests.factories import Tree, drive, submit

pytestmark = pytest.mark.django_db

ROAD_FIXED = ("Jalan sudah diperbaiki tapi rusak lagi",
              "Jalan di Sangatta Utara sudah diperbaiki bulan lalu, sekarang berlubang lagi.")


@pytest.fixture
def ranked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ranked engine (SQLite's FTS5, PostgreSQL without RUM): best first, capped. On
    PostgreSQL with RUM, search is newest first (test_search_newest.py)."""
    monkeypatch.setattr(selectors, "rum_ready", lambda using="default": False)


def _titles(page: object) -> list[str]:
    return [h.report.title for h in page.items]  # type: ignore[attr-defined]


def test_inflections_match_both_ways(tree: Tree) -> None:
    fixed = drive(tree, "disposed", title=ROAD_FIXED[0], body=ROAD_FIXED[1])
    drive(tree, "disposed", title="Lampu jalan mati", body="Lampu penerangan jalan mati total.")
    assert stem("perbaikan") == stem("diperbaiki") == "baik"
    page = selectors.search_public("perbaikan", selectors.SearchFilters())
    assert _titles(page) == [fixed.title]
    page = selectors.search_public("memperbaiki", selectors.SearchFilters())
    assert _titles(page) == [fixed.title]


@pytest.mark.usefixtures("ranked")
def test_every_word_must_match_and_better_matches_rank_first(tree: Tree) -> None:
    both = drive(tree, "disposed", title="Lampu jalan padam di Bengalon",
                 body="Lampu penerangan jalan padam sejak minggu lalu di Bengalon.")
    one = drive(tree, "disposed", title="Saluran air tersumbat",
                body="Saluran dekat lampu merah tersumbat sampah.")
    page = selectors.search_public("lampu padam", selectors.SearchFilters())
    assert _titles(page) == [both.title]
    page = selectors.search_public("lampu", selectors.SearchFilters())
    assert _titles(page) == [both.title, one.title]
    assert page.items[0].score > page.items[1].score


def test_snippet_marks_the_inflected_words(tree: Tree) -> None:
    drive(tree, "disposed", title=ROAD_FIXED[0], body=ROAD_FIXED[1])
    hit = selectors.search_public("perbaikan jalan", selectors.SearchFilters()).items[0]
    marked = [text for text, is_match in hit.snippet.parts if is_match]
    assert marked == ["Jalan", "diperbaiki"]
    start, end = hit.snippet.highlights[1]
    assert hit.snippet.text[start:end] == "diperbaiki"
    assert [t for t, m in hit.title.parts if m] == ["Jalan", "diperbaiki"]


def test_long_text_snippet_is_a_window_around_the_first_match() -> None:
    text = " ".join(["kata"] * 80 + ["diperbaiki"] + ["lain"] * 80)
    piece = snippet(text, {"baik"})
    assert piece.text.startswith("… ")
    assert piece.text.endswith(" …")
    assert [t for t, m in piece.parts if m] == ["diperbaiki"]
    assert len(piece.text.split()) < 40


def test_public_search_never_shows_confidential_unverified_or_training(tree: Tree) -> None:
    body = "Pungutan liar di kantor kecamatan saat mengurus surat pindah."
    public = drive(tree, "disposed", title="Pungutan liar di kecamatan", body=body)
    secret = drive(tree, "disposed", title="Pungutan liar rahasia", body=body,
                   is_confidential=True)
    unverified = submit(tree, title="Pungutan liar belum diverifikasi", body=body).report
    archived = drive(tree, "archived", title="Pungutan liar diarsipkan", body=body)
    practice = drive(tree, "disposed", title="Pungutan liar latihan", body=body)
    Report.objects.filter(pk=practice.pk).update(is_training=True)
    page = selectors.search_public("pungutan liar", selectors.SearchFilters())
    assert _titles(page) == [public.title]
    # The public feed's search box goes through the same scope.
    client = Client()
    html = client.get("/laporan/", {"q": "pungutan"}).content.decode()
    assert public.title in html
    for hidden in (secret, unverified, archived, practice):
        assert hidden.title not in html
    answer = client.get("/api/v1/search/reports", {"q": "pungutan"}).json()
    assert [i["tracking_number"] for i in answer["items"]] == [public.tracking_number]
    assert answer["items"][0]["id"] is None


def test_staff_search_covers_what_the_role_may_read(tree: Tree) -> None:
    body = "Jembatan kayu di desa ini rapuh dan berbahaya bagi anak sekolah."
    kutim_secret = drive(tree, "disposed", title="Jembatan rapuh (rahasia)", body=body,
                         is_confidential=True)
    kutim_new = submit(tree, title="Jembatan rapuh baru", body=body).report
    samarinda = submit(tree, title="Jembatan rapuh Samarinda", body=body,
                       target_agency_code=tree.samarinda.code, region_code="64.72.01").report
    filters = selectors.SearchFilters()
    hub = selectors.search_staff(tree.actor("hub"), "jembatan rapuh", filters)
    assert set(_titles(hub)) == {kutim_secret.title, kutim_new.title}
    other = selectors.search_staff(tree.actor("hub_samarinda"), "jembatan rapuh", filters)
    assert _titles(other) == [samarinda.title]
    national = selectors.search_staff(tree.actor("national"), "jembatan", filters)
    assert len(national.items) == 3
    # A unit sees only what was disposed along its chain.
    pupr = selectors.search_staff(tree.actor("liaison_pupr"), "jembatan", filters)
    assert _titles(pupr) == [kutim_secret.title]
    nobody = selectors.search_staff(tree.actor("sysadmin"), "jembatan", filters)
    assert nobody.items == []


def test_filters_apply_to_search(tree: Tree) -> None:
    road = drive(tree, "disposed", title="Aspal rusak dekat terminal")
    closed = drive(tree, "closed", title="Aspal rusak dekat sekolah", region_code="64.08.01",
                   category_code=tree.urgent.code)

    def found(**kw: str) -> list[str]:
        return _titles(selectors.search_public("aspal rusak", selectors.SearchFilters(**kw)))

    assert found(status="closed") == [closed.title]
    assert found(region="64.08.01") == [closed.title]
    assert found(category=tree.category.code) == [road.title]
    assert set(found(agency=tree.kutim.code)) == {road.title, closed.title}
    with pytest.raises(ValidationFailed) as refused:
        found(status="submitted")
    assert refused.value.code == "validation_error"


def test_cursor_pages_cover_every_match_once(tree: Tree) -> None:
    start = clock.now() - timedelta(days=2)
    made = {drive(tree, "disposed", at=start + timedelta(minutes=i),
                  title=f"Drainase tersumbat nomor {i}").pk for i in range(7)}
    seen: list[int] = []
    cursor = None
    while True:
        page = selectors.search_public("drainase", selectors.SearchFilters(), cursor=cursor,
                                       limit=3)
        seen += [h.report.pk for h in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("query", ["", "  ", "a", "ab", "?!", "a b"])
def test_too_short_is_refused_with_a_stable_code(tree: Tree, query: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        selectors.search_public(query, selectors.SearchFilters())
    assert refused.value.code == "query_too_short"


@override_settings(LAPOR_SEARCH_MAX_MATCHES=2)
@pytest.mark.usefixtures("ranked")
def test_too_broad_is_refused_and_filters_make_it_narrow(tree: Tree) -> None:
    for district in ("64.08.01", "64.08.02", "64.08.04"):
        drive(tree, "disposed", title="Sampah menumpuk di pinggir jalan", region_code=district)
    with pytest.raises(ValidationFailed) as refused:
        selectors.search_public("sampah", selectors.SearchFilters())
    assert refused.value.code == "query_too_broad"
    narrowed = selectors.search_public("sampah", selectors.SearchFilters(region="64.08.01"))
    assert len(narrowed.items) == 1
    client = Client()
    answer = client.get("/api/v1/search/reports", {"q": "sampah"})
    assert answer.status_code == 422
    assert answer.json()["code"] == "query_too_broad"
    html = client.get("/laporan/", {"q": "sampah"}).content.decode()
    assert "Terlalu banyak laporan cocok" in html


def test_api_refusals_are_4xx_with_codes(tree: Tree) -> None:
    client = Client()
    short = client.get("/api/v1/search/reports", {"q": "ab"})
    assert short.status_code == 422
    assert short.json()["code"] == "query_too_short"
    assert "minimal 3 huruf" in short.json()["message"]
    bad = client.get("/api/v1/search/reports", {"q": "jalan", "cursor": "@@@"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_cursor"
    assert client.get("/api/v1/staff/search", {"q": "jalan"}).status_code == 401


def test_reindex_rebuilds_the_index_written_around_the_orm(tree: Tree) -> None:
    report = drive(tree, "disposed", title="Pohon tumbang menutup jalan")
    Report.objects.filter(pk=report.pk).update(title="Baliho roboh menutup trotoar")
    sqlite_reindex(Report.objects.filter(pk=report.pk))
    assert _titles(selectors.search_public("baliho", selectors.SearchFilters())) == [
        "Baliho roboh menutup trotoar"]


def test_workspace_search_page(tree: Tree) -> None:
    secret = drive(tree, "disposed", title="Jembatan gantung putus", is_confidential=True,
                   body="Jembatan gantung di desa putus, anak sekolah memutar jauh.")
    other = submit(tree, title="Jembatan gantung Samarinda", body="Jembatan gantung rusak.",
                   target_agency_code=tree.samarinda.code, region_code="64.72.01").report
    client = signed_in("hub")
    html = client.get("/petugas/cari/", {"q": "jembatan gantung"}).content.decode()
    assert f"/petugas/laporan/{secret.pk}/" in html
    assert "<mark>Jembatan</mark>" in html
    assert other.title not in html
    short = client.get("/petugas/cari/", {"q": "ab"}).content.decode()
    assert "Kata pencarian terlalu pendek" in short
    assert client.get("/petugas/cari/").status_code == 200
    # The public feed shows the same kind of snippet, for public reports only.
    public = drive(tree, "disposed", title="Jembatan gantung miring",
                   body="Tali jembatan gantung kendur dan lantainya miring.")
    feed_html = Client().get("/laporan/", {"q": "jembatan"}).content.decode()
    assert public.title in feed_html
    assert "<mark>jembatan</mark>" in feed_html
    assert secret.title not in feed_html

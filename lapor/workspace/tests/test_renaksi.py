"""The Renaksi pages (lapor.workspace.views.renaksi): who sees which plan, activity and unit,
read-only pimpinan, and the hub's forms (POST-redirect-GET, refusals next to their field)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lapor.audit.models import AuditEntry
from lapor.renaksi import services
from lapor.renaksi.models import Activity, ActivityStatus, Plan
from lapor.renaksi.tests.sample import jpeg_with_exif
from lapor.workspace.tests.helpers import signed_in
from tests.factories import Tree

pytestmark = pytest.mark.django_db
BASE = "/petugas/renaksi/"


@pytest.fixture
def plan(tree: Tree) -> Plan:
    hub = tree.actor("hub")
    plan = services.plan_create(actor=hub, agency=tree.kutim, title="Renaksi Kutim 2023–2026",
                                start_year=2023, end_year=2026)
    services.activity_create(actor=hub, plan=plan, kind="sop", title="Penyusunan SOP",
                             planned_start=date(2023, 3, 1), planned_end=date(2023, 7, 31),
                             status=ActivityStatus.DONE, done_on=date(2023, 7, 28),
                             unit_codes=["kutim-pupr", "kutim-dinkes"])
    services.activity_create(actor=hub, plan=plan, kind="bimtek", title="Bimtek Dinas PUPR",
                             planned_start=date(2024, 2, 1), planned_end=date(2024, 2, 29),
                             unit_codes=["kutim-pupr"])
    services.activity_create(actor=hub, plan=plan, kind="bimtek",
                             title="Bimtek Dinas Kesehatan", planned_start=date(2026, 2, 1),
                             planned_end=date(2026, 2, 28), unit_codes=["kutim-dinkes"])
    return plan


def _activity(plan: Plan, title: str) -> Activity:
    return Activity.objects.get(plan=plan, title=title)


def test_navigation_shows_the_plans_to_their_readers(tree: Tree, plan: Plan) -> None:
    for name in ("hub", "supervisor_kutim", "auditor", "liaison_pupr"):
        page = signed_in(name).get("/petugas/").content.decode()
        assert f'href="{BASE}"' in page, name
    assert f'href="{BASE}"' not in signed_in("officer_pupr").get("/petugas/").content.decode()
    listing = signed_in("supervisor_kutim").get(BASE)
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "Renaksi Kutim 2023–2026" in body
    assert 'id="form-plan"' not in body  # pimpinan read only


def test_another_agencys_plan_is_a_404(tree: Tree, plan: Plan) -> None:
    other = signed_in("hub_samarinda")
    assert "Renaksi Kutim" not in other.get(BASE).content.decode()
    activity = _activity(plan, "Bimtek Dinas PUPR")
    for url in (f"{BASE}{plan.pk}/", f"{BASE}{plan.pk}/kesiapan/",
                f"{BASE}{plan.pk}/unit/kutim-pupr/", f"{BASE}{plan.pk}/kegiatan/baru/",
                f"{BASE}{plan.pk}/kegiatan/{activity.pk}/",
                f"{BASE}{plan.pk}/kegiatan/{activity.pk}/ubah/"):
        assert other.get(url).status_code == 404, url
    response = other.post(f"{BASE}{plan.pk}/kegiatan/{activity.pk}/hapus/",
                          {"confirm": "on"})
    assert response.status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_programme_page_for_pimpinan_is_read_only(tree: Tree, plan: Plan) -> None:
    client = signed_in("supervisor_kutim")
    response = client.get(f"{BASE}{plan.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Pemerintah Kabupaten Kutai Timur" in body
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in body
    assert 'class="renaksi-gantt"' in body
    for title in ("Penyusunan SOP", "Bimtek Dinas PUPR", "Bimtek Dinas Kesehatan"):
        assert title in body
    assert 'data-state="done"' in body
    assert "kegiatan/baru/" not in body
    assert "<form method=\"post\" action" not in body.split(
        "ws-logout")[-1]
    activity = _activity(plan, "Bimtek Dinas PUPR")
    page = client.get(f"{BASE}{plan.pk}/kegiatan/{activity.pk}/").content.decode()
    assert 'id="form-evidence"' not in page
    assert 'id="form-delete"' not in page
    # The write endpoints refuse a reader (403, not 404: the plan exists for them).
    assert client.get(f"{BASE}{plan.pk}/kegiatan/baru/").status_code == 403
    assert client.post(f"{BASE}{plan.pk}/kegiatan/{activity.pk}/hapus/",
                       {"confirm": "on"}).status_code == 403
    # The by-date order has the same rows.
    by_date = client.get(f"{BASE}{plan.pk}/?urutan=tanggal").content.decode()
    assert by_date.count('class="renaksi-gantt__row"') == 3


def test_liaison_sees_own_unit_and_own_activities_only(tree: Tree, plan: Plan) -> None:
    client = signed_in("liaison_pupr")
    # One plan, one unit: the liaison officer lands on their unit's page.
    landing = client.get(BASE)
    assert landing.status_code == 302
    assert landing["Location"] == f"{BASE}{plan.pk}/unit/kutim-pupr/"
    unit = client.get(landing["Location"])
    assert unit.status_code == 200
    body = unit.content.decode()
    assert "Bimtek Dinas PUPR" in body
    assert "Penyusunan SOP" in body
    assert "Bimtek Dinas Kesehatan" not in body
    assert 'data-testid="renaksi-unit-cells"' in body
    # Another unit, and an activity of another unit, do not exist for them.
    assert client.get(f"{BASE}{plan.pk}/unit/kutim-dinkes/").status_code == 404
    dinkes = _activity(plan, "Bimtek Dinas Kesehatan")
    assert client.get(f"{BASE}{plan.pk}/kegiatan/{dinkes.pk}/").status_code == 404
    # The programme shows only their activities; the matrix only their unit's row.
    programme = client.get(f"{BASE}{plan.pk}/").content.decode()
    assert "Bimtek Dinas PUPR" in programme
    assert "Bimtek Dinas Kesehatan" not in programme
    matrix = client.get(f"{BASE}{plan.pk}/kesiapan/").content.decode()
    assert 'data-unit="kutim-pupr"' in matrix
    assert 'data-unit="kutim-dinkes"' not in matrix
    # No writing.
    assert client.get(f"{BASE}{plan.pk}/kegiatan/baru/").status_code == 403


def test_matrix_for_the_hub_has_every_unit_and_indicator(tree: Tree, plan: Plan) -> None:
    body = signed_in("hub").get(f"{BASE}{plan.pk}/kesiapan/").content.decode()
    assert 'data-unit="kutim-pupr"' in body
    assert 'data-unit="kutim-dinkes"' in body
    for indicator in ("liaison", "sop", "training", "first_report", "on_time", "overdue",
                      "satisfaction"):
        assert f'data-indicator="{indicator}"' in body
    assert 'data-testid="renaksi-ready-count"' in body
    assert f'href="{BASE}{plan.pk}/unit/kutim-pupr/"' in body


def _form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "sosialisasi", "title": "Sosialisasi SP4N-LAPOR!", "units": ["kutim-pupr",
                                                                          "kutim-dinkes"],
        "owner": "liaison_pupr", "planned_start": "2024-05-01", "planned_end": "2024-05-31",
        "status": "planned", "done_on": "", "proof_indicator": "", "description": "Di aula"}
    data.update(changes)
    return data


def test_hub_creates_changes_and_deletes_an_activity(tree: Tree, plan: Plan) -> None:
    client = signed_in("hub")
    form_page = client.get(f"{BASE}{plan.pk}/kegiatan/baru/")
    assert form_page.status_code == 200
    assert 'value="kutim-pupr"' in form_page.content.decode()
    response = client.post(f"{BASE}{plan.pk}/kegiatan/baru/", _form())
    assert response.status_code == 302
    activity = _activity(plan, "Sosialisasi SP4N-LAPOR!")
    assert response["Location"] == f"{BASE}{plan.pk}/kegiatan/{activity.pk}/"
    assert sorted(u.code for u in activity.units.all()) == ["kutim-dinkes", "kutim-pupr"]
    assert activity.owner == tree.users["liaison_pupr"]
    assert AuditEntry.objects.filter(action="renaksi.activity_create",
                                     target_id=str(activity.pk)).exists()
    page = client.get(response["Location"]).content.decode()
    assert 'id="form-evidence"' in page
    assert 'id="form-delete"' in page

    # Change: done, with its date.
    edit = f"{BASE}{plan.pk}/kegiatan/{activity.pk}/ubah/"
    assert 'value="Sosialisasi SP4N-LAPOR!"' in client.get(edit).content.decode()
    response = client.post(edit, _form(status="done", done_on="2024-05-20",
                                       units=["kutim-pupr"]))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.status, activity.done_on) == ("done", date(2024, 5, 20))
    assert [u.code for u in activity.units.all()] == ["kutim-pupr"]

    # Delete: only with the box ticked.
    delete = f"{BASE}{plan.pk}/kegiatan/{activity.pk}/hapus/"
    assert client.post(delete, {}).status_code == 302
    assert Activity.objects.filter(pk=activity.pk).exists()
    response = client.post(delete, {"confirm": "on"})
    assert response["Location"] == f"{BASE}{plan.pk}/"
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_refusals_are_shown_in_the_form(tree: Tree, plan: Plan) -> None:
    client = signed_in("hub")
    url = f"{BASE}{plan.pk}/kegiatan/baru/"
    response = client.post(url, _form(planned_start="2024-06-01", planned_end="2024-05-01"))
    assert response.status_code == 422
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in response.content.decode()
    response = client.post(url, _form(planned_start="2028-01-01", planned_end="2028-02-01"))
    assert response.status_code == 422
    assert "di luar periode rencana aksi" in response.content.decode()
    response = client.post(url, _form(status="done"))
    assert response.status_code == 422
    assert 'id="activity-done_on_error"' in response.content.decode()
    response = client.post(url, _form(units=["samarinda-dishub"]))
    assert response.status_code == 422  # not a choice of this plan's units
    assert not Activity.objects.filter(title="Sosialisasi SP4N-LAPOR!").exists()


def test_hub_creates_a_plan(tree: Tree) -> None:
    client = signed_in("hub")
    page = client.get(BASE).content.decode()
    assert 'id="form-plan"' in page
    response = client.post(f"{BASE}buat/", {"agency": "kutim", "title": "Renaksi",
                                            "start_year": 2025, "end_year": 2024})
    assert response.status_code == 422
    response = client.post(f"{BASE}buat/", {"agency": "kutim",
                                            "title": "Renaksi 2025",
                                            "start_year": 2025, "end_year": 2027})
    plan = Plan.objects.get(title="Renaksi 2025")
    assert response["Location"] == f"{BASE}{plan.pk}/"
    assert plan.agency == tree.kutim
    # A pimpinan has no form and may not post one.
    assert signed_in("supervisor_kutim").post(f"{BASE}buat/", {}).status_code == 403




def test_evidence_upload_download_and_refusal(tree: Tree, plan: Plan) -> None:
    activity = _activity(plan, "Bimtek Dinas PUPR")
    url = f"{BASE}{plan.pk}/kegiatan/{activity.pk}/bukti/"
    hub = signed_in("hub")
    # Not a PDF or an image: refused, the message in the form.
    bad = SimpleUploadedFile("daftar.txt", b"bukan berkas", content_type="text/plain")
    response = hub.post(url, {"kind": "attendance", "file": bad})
    assert response.status_code == 415
    assert 'id="evidence-file_error"' in response.content.decode()
    photo = SimpleUploadedFile("Bimtek PUPR.jpg", jpeg_with_exif(), content_type="image/jpeg")
    response = hub.post(url, {"kind": "photo", "file": photo})
    assert response.status_code == 302
    [item] = activity.evidence.all()
    assert item.display_name == "Bimtek PUPR.jpg"
    page = signed_in("supervisor_kutim").get(response["Location"]).content.decode()
    assert "Bimtek PUPR.jpg" in page
    download = f"{url}{item.pk}/"
    got = signed_in("liaison_pupr").get(download)  # the liaison's own activity
    assert got.status_code == 200
    assert b"Kamera Dinas" not in b"".join(got.streaming_content)  # type: ignore[arg-type]
    assert signed_in("liaison_dinkes").get(download).status_code == 404
    assert signed_in("supervisor_kutim").post(url, {"kind": "photo"}).status_code == 403
    assert hub.post(f"{download}hapus/").status_code == 302
    assert not activity.evidence.exists()


def _queries(client: object, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200  # type: ignore[attr-defined]
    return len(ctx.captured_queries)


def test_pages_do_not_query_per_activity_or_unit(tree: Tree, plan: Plan) -> None:
    hub = tree.actor("hub")
    # One activity proven by an indicator already: the readiness is computed once per page.
    services.activity_create(actor=hub, plan=plan, kind="bimtek", title="Bimtek terbukti",
                             planned_start=date(2024, 9, 1), planned_end=date(2024, 9, 30),
                             unit_codes=["kutim-pupr"], proof_indicator="training")
    client = signed_in("supervisor_kutim")
    urls = [f"{BASE}{plan.pk}/", f"{BASE}{plan.pk}/kesiapan/",
            f"{BASE}{plan.pk}/unit/kutim-pupr/"]
    for url in urls:
        _queries(client, url)  # warm caches (the SOP, the session)
    before = [_queries(client, url) for url in urls]
    for i in range(6):
        services.activity_create(actor=hub, plan=plan, kind="workshop", title=f"Workshop {i}",
                                 planned_start=date(2025, 1 + i, 1),
                                 planned_end=date(2025, 1 + i, 20), owner="liaison_pupr",
                                 unit_codes=["kutim-pupr", "kutim-dinkes"],
                                 proof_indicator="training" if i % 2 else "")
    after = [_queries(client, url) for url in urls]
    assert after == before


def test_pimpinan_prints_the_programme_and_a_liaison_cannot(tree: Tree, plan: Plan) -> None:
    client = signed_in("supervisor_kutim")
    page = client.get(f"{BASE}{plan.pk}/").content.decode()
    assert f'href="{BASE}{plan.pk}/cetak.pdf"' in page
    assert f'href="{BASE}{plan.pk}/cetak.xlsx"' in page
    pdf = client.get(f"{BASE}{plan.pk}/cetak.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert "attachment;" in pdf["Content-Disposition"]
    assert pdf["Cache-Control"] == "no-store"
    xlsx = client.get(f"{BASE}{plan.pk}/cetak.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"  # a zip: the workbook
    liaison = signed_in("liaison_pupr")
    assert "cetak.pdf" not in liaison.get(f"{BASE}{plan.pk}/unit/kutim-pupr/").content.decode()
    assert liaison.get(f"{BASE}{plan.pk}/cetak.pdf").status_code == 404
    assert signed_in("hub_samarinda").get(f"{BASE}{plan.pk}/cetak.xlsx").status_code == 404


def test_evidence_downloads_as_an_attachment_never_cached(tree: Tree, plan: Plan) -> None:
    hub = signed_in("hub")
    activity = _activity(plan, "Bimtek Dinas PUPR")
    upload = SimpleUploadedFile('../"bukti"\r\nX: y.html', jpeg_with_exif(),
                                content_type="text/html")
    response = hub.post(f"{BASE}{plan.pk}/kegiatan/{activity.pk}/bukti/",
                        {"kind": "photo", "file": upload})
    assert response.status_code == 302
    evidence = activity.evidence.get()
    got = hub.get(f"{BASE}{plan.pk}/kegiatan/{activity.pk}/bukti/{evidence.pk}/")
    assert got.status_code == 200
    assert got["Content-Type"] == "image/jpeg"
    disposition = got["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert ".jpg" in disposition
    assert ".html" not in disposition
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert got["Cache-Control"] == "private, no-store"
    assert got["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got["Content-Security-Policy"]


def test_a_unit_officer_reads_no_plan_description(tree: Tree, plan: Plan) -> None:
    services.plan_update(actor=tree.actor("hub"), plan=plan, description="Catatan internal hub.")
    assert "Catatan internal hub." in signed_in("supervisor_kutim").get(
        f"{BASE}{plan.pk}/").content.decode()
    page = signed_in("liaison_pupr").get(f"{BASE}{plan.pk}/")
    assert page.status_code == 200
    assert "Catatan internal hub." not in page.content.decode()


def test_the_hub_changes_the_plan_and_a_reader_cannot(tree: Tree, plan: Plan) -> None:
    hub = signed_in("hub")
    page = hub.get(f"{BASE}{plan.pk}/ubah/")
    assert page.status_code == 200
    assert 'value="Renaksi Kutim 2023–2026"' in page.content.decode()
    data = {"agency": "kutim", "title": "Renaksi Kutim 2023–2027", "start_year": "2023",
            "end_year": "2027", "description": "Diperpanjang satu tahun."}
    response = hub.post(f"{BASE}{plan.pk}/ubah/", data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.end_year) == ("Renaksi Kutim 2023–2027", 2027)
    # A shorter period would leave the 2026 Bimtek outside: refused next to the field.
    refused = hub.post(f"{BASE}{plan.pk}/ubah/", {**data, "end_year": "2025"})
    assert refused.status_code == 422
    assert "di luar periode" in refused.content.decode()
    plan.refresh_from_db()
    assert plan.end_year == 2027
    assert signed_in("supervisor_kutim").post(f"{BASE}{plan.pk}/ubah/", data).status_code == 403
    assert signed_in("hub_samarinda").get(f"{BASE}{plan.pk}/ubah/").status_code == 404

"""The report form, the confirmation page and the region picker."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from lapor.attachments.models import Attachment
from lapor.attachments.tests import files
from lapor.portal.tests.helpers import NAME, code_in, form_data, number_in, submit
from lapor.reports.models import Report
from lapor.reports.submission import reporter_authenticate
from tests.factories import Tree

pytestmark = pytest.mark.django_db


def test_form_page_shows_fields_and_privacy_explanations(client: Client, tree: Tree) -> None:
    html = client.get("/lapor/").content.decode()
    assert 'name="title"' in html
    assert 'name="region_q"' in html
    assert "Rahasiakan identitas saya (anonim)" in html
    assert "Rahasiakan isi laporan (rahasia)" in html
    assert "tidak pernah ditampilkan kepada instansi" in html
    assert 'data-guard' in html
    assert 'enctype="multipart/form-data"' in html
    assert tree.kutim.name in html  # target agency choice
    assert "Jalan" in html  # category


def test_submit_happy_path_shows_code_once(client: Client, tree: Tree) -> None:
    response = client.post("/lapor/", form_data(tree))
    assert response.status_code == 302
    assert response["Location"] == "/lapor/terkirim/"
    page = client.get("/lapor/terkirim/")
    html = page.content.decode()
    number, code = number_in(html), code_in(html)
    report = Report.objects.get(tracking_number=number)
    assert report.title == "Lampu jalan mati di Jalan Yos Sudarso"
    assert report.region_id == "64.08.04"
    assert report.target_agency == tree.kutim
    assert reporter_authenticate(tracking_number=number, access_code=code).report_id == report.pk
    assert "hanya ditampilkan sekali" in html
    assert page["Cache-Control"].startswith("max-age=0")
    # A reload does not show the code again.
    again = client.get("/lapor/terkirim/").content.decode()
    assert code not in again
    assert number not in again
    assert "tidak ditampilkan lagi" in again
    # The code is not kept anywhere in the session.
    assert code not in str(dict(client.session.items()))


def test_validation_errors_keep_input_and_store_nothing(client: Client, tree: Tree) -> None:
    data = form_data(tree, title="abc", reporter_phone="12")
    response = client.post("/lapor/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Teks terlalu pendek." in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_title_helptext id_title_error"' in html
    assert 'value="abc"' in html
    assert "Sudah dua minggu lampu jalan mati" in html
    # The chosen region stays chosen, with its path.
    assert "Dipilih: Sangatta Utara, Kabupaten Kutai Timur, Kalimantan Timur" in html
    assert "Tidak ada wilayah" not in html
    assert Report.objects.count() == 0
    # The next refusal (one at a time from the service) is the phone number.
    response = client.post("/lapor/", form_data(tree, reporter_phone="12"))
    assert "Nomor telepon tidak valid." in response.content.decode()
    assert Report.objects.count() == 0


def test_missing_region_is_shown_at_the_picker(client: Client, tree: Tree) -> None:
    html = client.post("/lapor/", form_data(tree, region_code="")).content.decode()
    assert 'id="id_region_code_error"' in html
    assert "Kode wilayah tidak dikenal." in html
    assert Report.objects.count() == 0


def test_region_search_without_javascript_keeps_input(client: Client, tree: Tree) -> None:
    data = form_data(tree, region_code="", action="region_search", region_q="sangatta")
    html = client.post("/lapor/", data).content.decode()
    assert 'value="64.08.04"' in html
    assert "Sangatta Utara, Kabupaten Kutai Timur" in html
    assert "Lampu jalan mati di Jalan Yos Sudarso" in html
    assert Report.objects.count() == 0
    # Narrowing down a chosen regency lists its districts.
    data = form_data(tree, region_code="64.08", action="region_children")
    html = client.post("/lapor/", data).content.decode()
    assert "Sangatta Utara (64.08.04)" in html
    assert "checked" in html


def test_region_options_partial(client: Client, tree: Tree) -> None:
    html = client.get("/wilayah/pilihan/", {"region_q": "kutai timur"}).content.decode()
    assert 'value="64.08"' in html
    assert "<html" not in html


def test_attachment_accepted_and_refused_report_kept(client: Client, tree: Tree) -> None:
    good = io.BytesIO(files.jpeg_with_gps())
    good.name = "foto-jalan.jpg"
    bad = io.BytesIO(b"MZ\x90\x00 not an allowed type")
    bad.name = "program.exe"
    response = client.post("/lapor/", {**form_data(tree), "attachments": [good, bad]},
                           follow=True)
    html = response.content.decode()
    report = Report.objects.get(tracking_number=number_in(html))
    assert Attachment.objects.filter(report=report).count() == 1
    assert "program.exe" in html
    assert "Jenis berkas tidak diizinkan" in html
    assert "foto-jalan.jpg" not in html  # only refused files are listed
    assert code_in(html)


def test_signed_in_citizen_owns_the_report(client: Client, tree: Tree) -> None:
    client.force_login(tree.users["citizen"])
    number, _ = submit(client, tree)
    assert Report.objects.get(tracking_number=number).reporter_user == tree.users["citizen"]


def test_staff_session_submits_as_the_public(client: Client, tree: Tree) -> None:
    client.force_login(tree.users["hub"])
    number, _ = submit(client, tree)
    assert Report.objects.get(tracking_number=number).reporter_user is None


def test_anonymous_name_never_in_portal_html(client: Client, tree: Tree) -> None:
    number, code = submit(client, tree, is_anonymous="on")
    pages = [client.get(f"/lacak/{number}/").content.decode()]
    other = Client()
    pages.append(other.get(f"/lacak/{number}/").content.decode())
    other.post(f"/lacak/{number}/kode/", {"access_code": code})
    pages.append(other.get(f"/lacak/{number}/").content.decode())
    for page in pages:
        assert NAME not in page
        assert "siti.rahasia@example.org" not in page
        assert "3456" not in page.replace(number, "")

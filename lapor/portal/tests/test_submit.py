"""The report form, the confirmation page and the region picker."""

from __future__ import annotations

import io
import re
from typing import Any

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
    assert "Terlalu pendek: 3 karakter, paling sedikit 5." in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_title_helptext id_title_error"' in html
    assert 'value="abc"' in html
    assert "Sudah dua minggu lampu jalan mati" in html
    # The chosen region stays chosen, with its path.
    assert "Dipilih: Sangatta Utara, Kabupaten Kutai Timur, Kalimantan Timur" in html
    assert "Tidak ada wilayah" not in html
    # The phone number's refusal comes in the same answer, not one round trip later.
    assert "Nomor telepon tidak valid." in html
    assert Report.objects.count() == 0


def test_missing_region_is_shown_at_the_picker(client: Client, tree: Tree) -> None:
    html = client.post("/lapor/", form_data(tree, region_code="")).content.decode()
    assert 'id="id_region_code_error"' in html
    assert "Pilih wilayah kejadian." in html
    assert "Kode wilayah tidak dikenal." not in html
    assert Report.objects.count() == 0


def _error_list(html: str, field_id: str) -> str:
    found = re.search(rf'<ul class="errorlist" id="{field_id}_error"[^>]*>(.*?)</ul>', html, re.S)
    assert found, f"no error list for {field_id}"
    return found.group(1)


def test_empty_form_names_every_missing_field_at_once(client: Client, tree: Tree) -> None:
    """Issue 18: an empty form needed three round trips (title, then body, then region)."""
    response = client.post("/lapor/", {"action": "submit", "type": "complaint"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tulis judul laporan." in _error_list(html, "id_title")
    assert "Tulis isi laporan: apa yang terjadi, di mana, kapan." in _error_list(html, "id_body")
    assert "Pilih wilayah kejadian." in _error_list(html, "id_region_code")
    summary = re.search(r'data-testid="error-summary"(.*?)</div>', html, re.S)
    assert summary
    for anchor in ("#id_title", "#id_body", "#id_region_q"):
        assert f'href="{anchor}"' in summary.group(1)
    assert "Teks terlalu pendek" not in html
    assert Report.objects.count() == 0


def test_too_long_texts_name_the_limit_and_the_count(client: Client, tree: Tree) -> None:
    response = client.post("/lapor/", form_data(tree, title="x" * 766, body="y" * 10_050,
                                                 incident_date="kemarin"))
    html = response.content.decode()
    assert "Terlalu panjang: 766 karakter, paling banyak 200." in _error_list(html, "id_title")
    assert "Terlalu panjang: 10050 karakter, paling banyak 10000." in _error_list(html, "id_body")
    # A field the form cannot read does not hide the others' refusals.
    assert _error_list(html, "id_incident_date")
    assert Report.objects.count() == 0


def test_inputs_carry_maxlength_and_accept(client: Client, tree: Tree) -> None:
    html = client.get("/lapor/").content.decode()
    assert re.search(r'<input type="text" name="title" maxlength="200"', html)
    assert re.search(r'<textarea name="body"[^>]* maxlength="10000"', html)
    assert re.search(r'name="address" maxlength="300"', html)
    assert ('accept="image/jpeg,image/png,image/webp,application/pdf,video/mp4"' in html)
    assert 'data-max-bytes="10485760"' in html
    assert "paling besar 10 MB per berkas" in html
    assert "/static/portal/report-form.js" in html
    assert "(5 sampai 200 karakter)" in html


def test_too_large_file_is_named_with_its_limit_before_sending(
    client: Client, tree: Tree, settings: Any
) -> None:
    settings.LAPOR_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = io.BytesIO(b"\xff\xd8\xff" + b"0" * (3 * 1024 * 1024))
    big.name = "besar.jpg"
    response = client.post("/lapor/", {**form_data(tree, title=""), "attachments": [big]})
    html = response.content.decode()
    assert "besar.jpg: Berkas terlalu besar: 3,0 MB, paling besar 1 MB per berkas." in (
        _error_list(html, "id_attachments"))
    assert Report.objects.count() == 0
    # Sent with a valid form (no JavaScript): the report stays, the file is refused with
    # its limit on the confirmation page.
    big.seek(0)
    done = client.post("/lapor/", {**form_data(tree), "attachments": [big]}, follow=True)
    assert "Berkas terlalu besar: 3,0 MB, paling besar 1 MB per berkas." in done.content.decode()


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

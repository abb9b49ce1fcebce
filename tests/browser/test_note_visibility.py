"""Issue 18 in a real browser: a note meant for staff is never public, and a follow-up's photo
reaches the reporter.

The hub verifier (desktop) sees who reads each text beside its field, writes a disposition
note and disposes; PUPR's liaison posts the final follow-up with a photo, for the public. Then
a citizen on a 360-px phone reads the public report page and, with the access code, the
tracking page: the follow-up and its photo are there, the disposition note is on neither.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from lapor.attachments.models import Attachment
from lapor.reports.models import Report
from tests.browser.conftest import DESKTOP, PHONE, axe_check, screenshot, sign_in, sign_out
from tests.factories import Tree, submit

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Wilayah Kutai Timur, mohon ditangani hub kabupaten."
ANSWER = "Lubang sudah ditambal dengan aspal dingin; foto hasil pekerjaan terlampir."






def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "hasil-tambal.jpg"
    Image.new("RGB", (120, 80), (70, 70, 70)).save(path, "JPEG")
    return path


def test_disposition_note_stays_internal_and_follow_up_photo_reaches_the_reporter(
    page: Page, live_server: LiveServer, regions: None, tree: Tree, tmp_path: Path
) -> None:
    page.set_default_timeout(10_000)
    base = live_server.url
    submitted = submit(tree, title="Jalan berlubang di depan Pasar Induk Sangatta")
    report = submitted.report
    path = f"/petugas/laporan/{report.pk}/"

    # 1. The hub verifier, on a desktop, sees "staff only" beside the disposition note.
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "hub", path)
    form = page.locator("#form-dispose")
    note = form.get_by_label("Catatan untuk penerima disposisi")
    expect(note).to_be_visible()
    tag = form.locator("#dispose-note_visibility")
    expect(tag).to_have_text("Hanya petugas")
    expect(note).to_have_attribute("aria-describedby", "dispose-note_visibility")
    # Beside the field: the tag sits between the label and the text box, on the same column.
    tag_box, note_box = tag.bounding_box(), note.bounding_box()
    assert tag_box is not None
    assert note_box is not None
    assert 0 <= note_box["y"] - (tag_box["y"] + tag_box["height"]) < 24
    expect(page.locator("#form-hold #hold-question_visibility")).to_have_text(
        "Hanya untuk pelapor")
    axe_check(page)
    screenshot(page, "visibility-1-dispose-form")
    note.fill(NOTE)
    form.get_by_label("Disposisi ke").select_option("kutim-pupr")
    form.get_by_role("button", name="Disposisikan").click()
    expect(page.get_by_text("Laporan sudah diverifikasi dan didisposisikan.")).to_be_visible()
    # Staff still read it, marked as staff-only text.
    expect(page.get_by_text(NOTE)).to_be_visible()
    expect(page.get_by_text("Teks: Hanya petugas")).to_be_visible()
    sign_out(page)

    # 2. PUPR's liaison posts the final follow-up with a photo, visible to the public.
    sign_in(page, base, "liaison_pupr", path)
    form = page.locator("#form-follow_up")
    body_tag = form.locator("#follow_up-body_visibility")
    expect(body_tag).to_have_text("Terlihat oleh publik")
    # The tag follows the choice of readers, and back.
    form.get_by_label("Hanya untuk pelapor").check()
    expect(body_tag).to_have_text("Hanya untuk pelapor")
    form.get_by_label("Terlihat oleh publik").check()
    expect(body_tag).to_have_text("Terlihat oleh publik")
    form.get_by_label("Tindak lanjut", exact=True).fill(ANSWER)
    form.get_by_label("Tindak lanjut akhir (pelapor diminta menerimanya)").check()
    form.get_by_label("Foto (opsional)").set_input_files(_photo(tmp_path))
    screenshot(page, "visibility-2-follow-up-form")
    form.get_by_role("button", name="Kirim tindak lanjut").click()
    expect(page.get_by_text("Tindak lanjut sudah dikirim.")).to_be_visible()
    sign_out(page)
    photo = Attachment.objects.get(report=report)
    assert photo.is_public
    assert Report.objects.get(pk=report.pk).status == "responded"

    # 3. A citizen on a phone: the public report page has the answer, never the note.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/laporan/{report.tracking_number}/")
    expect(page.get_by_text(ANSWER)).to_be_visible()
    expect(page.get_by_text("Kutai Timur, mohon ditangani")).to_have_count(0)
    assert NOTE not in page.content()
    axe_check(page)
    screenshot(page, "visibility-3-public-page")

    # 4. The reporter opens the tracking page with the access code: the answer and its photo,
    # shown as a picture; the note is not there either.
    page.goto(f"{base}/lacak/{report.tracking_number}/")
    assert NOTE not in page.content()
    page.get_by_label("Kode akses").fill(submitted.access_code)
    page.get_by_role("button", name="Buka laporan saya").click()
    expect(page.get_by_text(ANSWER)).to_be_visible()
    picture = page.get_by_role("img", name="Foto tindak lanjut petugas")
    expect(picture).to_be_visible()
    picture.scroll_into_view_if_needed()
    assert page.evaluate("(img) => img.complete && img.naturalWidth", picture.element_handle()
                         ) == 120
    assert NOTE not in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the tracking page is {width} px wide on a phone"
    axe_check(page)
    screenshot(page, "visibility-4-tracking-page")

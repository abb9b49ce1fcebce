"""Detection, parsing and cleaning by content, without the database."""

from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image

from lapor.attachments import content, filetypes
from lapor.attachments.services import clean_display_name
from lapor.attachments.tests import files
from lapor.core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed


def test_gps_tagged_jpeg_comes_out_upright_without_any_metadata() -> None:
    source = files.jpeg_with_gps()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)  # the fixture is tagged
    cleaned = content.check_and_clean(source)
    assert cleaned.type == filetypes.JPEG
    image = Image.open(io.BytesIO(cleaned.data))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(0x8825) == {}
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
    assert b"KameraRahasia" not in cleaned.data
    assert b"Budi" not in cleaned.data
    # Orientation 6 applied: the 40x20 landscape is now 20x40, its left (red) half on top.
    assert image.size == (20, 40)
    top = image.getpixel((10, 5))
    bottom = image.getpixel((10, 35))
    assert isinstance(top, tuple)
    assert isinstance(bottom, tuple)
    assert top[0] > 200
    assert top[2] < 60
    assert bottom[2] > 200
    assert bottom[0] < 60


def test_pdf_loses_document_info_and_xmp() -> None:
    source = files.pdf_with_metadata()
    with pikepdf.open(io.BytesIO(source)) as before:
        assert before.docinfo["/Author"] == "Budi Santoso"
        assert "/Metadata" in before.Root
    cleaned = content.check_and_clean(source)
    assert cleaned.type == filetypes.PDF
    assert b"Budi" not in cleaned.data
    assert b"pungli" not in cleaned.data
    with pikepdf.open(io.BytesIO(cleaned.data)) as after:
        assert "/Info" not in after.trailer
        assert "/Metadata" not in after.Root
        assert len(after.pages) == 1


@pytest.mark.parametrize(("data", "expected"), [
    (files.png(), filetypes.PNG),
    (files.png(alpha=True), filetypes.PNG),
    (files.webp(), filetypes.WEBP),
    (files.mp4(), filetypes.MP4),
    (files.mp4(b"mp42"), filetypes.MP4),
])
def test_allowed_types_pass(data: bytes, expected: filetypes.FileType) -> None:
    assert content.check_and_clean(data).type == expected


def test_mp4_is_stored_as_sent() -> None:
    data = files.mp4()
    assert content.check_and_clean(data).data == data


@pytest.mark.parametrize("data", [
    files.EXECUTABLE, files.ELF, files.SVG, files.HTML, files.ZIP,
    b"GIF89a" + b"\0" * 50, b"plain text", files.mp4(b"qt  "),
], ids=["exe", "elf", "svg", "html", "zip", "gif", "text", "quicktime"])
def test_types_outside_the_allowlist_are_refused(data: bytes) -> None:
    with pytest.raises(UnsupportedMediaType) as refused:
        content.check_and_clean(data)
    assert refused.value.code == "attachment_type_not_allowed"
    assert refused.value.status == 415


@pytest.mark.parametrize("data", [
    b"",
    files.jpeg_with_gps()[:300],  # truncated
    b"\xff\xd8\xff\xe0" + b"garbage" * 200,  # JPEG magic, then nothing decodable
    files.png()[:40],
    b"%PDF-1.7\n" + b"not really a pdf" * 20,
    files.mp4() + b"trailing bytes",  # not a box
    files.mp4()[:-10],  # truncated box
], ids=["empty", "truncated-jpeg", "jpeg-header-garbage", "truncated-png", "fake-pdf",
        "mp4-trailing", "mp4-truncated"])
def test_unreadable_files_are_refused(data: bytes) -> None:
    with pytest.raises(ValidationFailed) as refused:
        content.check_and_clean(data)
    assert refused.value.code == "attachment_unreadable"


def test_polyglot_image_with_an_archive_appended_is_cleaned_to_pixels_only() -> None:
    """Decision: a decodable image carrying extra bytes is kept, because re-encoding keeps only
    the pixels; the appended archive does not survive."""
    cleaned = content.check_and_clean(files.jpeg_with_gps() + files.ZIP * 20)
    assert files.ZIP_LOCAL_HEADER not in cleaned.data


def test_polyglot_pdf_with_an_archive_appended_is_rewritten_without_it() -> None:
    cleaned = content.check_and_clean(files.pdf_with_metadata() + files.ZIP * 50)
    assert files.ZIP_LOCAL_HEADER not in cleaned.data
    with pikepdf.open(io.BytesIO(cleaned.data)) as pdf:
        assert len(pdf.pages) == 1


def test_decompression_bomb_is_refused_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, format="PNG")  # 64 MP in a few kilobytes
    with pytest.raises(PayloadTooLarge) as refused:
        content.check_and_clean(out.getvalue())
    assert refused.value.code == "attachment_too_large"


@pytest.mark.parametrize(("given", "expected"), [
    ("foto.jpg", "foto.jpg"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\budi\\Desktop\\ktp.png", "ktp.png"),
    ("laporan\u202egpj.exe", "laporangpj.exe"),
    ("a\x00b\r\nc.pdf", "abc.pdf"),
    ("   ", "lampiran.jpg"),
    ("...", "lampiran.jpg"),
    ("x" * 300 + ".jpeg", "x" * 115 + ".jpeg"),
])
def test_display_names_are_sanitised(given: str, expected: str) -> None:
    name = clean_display_name(given, extension=".jpg")
    assert name == expected
    assert len(name) <= 120

"""Test files made on the fly: tagged images, PDFs with metadata, hostile content."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from PIL import Image

GPS_LAT = (6.0, 30.0, 12.5)
ZIP_LOCAL_HEADER = b"PK\x03\x04"


def jpeg_with_gps(*, width: int = 40, height: int = 20, orientation: int = 6) -> bytes:
    """A landscape JPEG, left half red and right half blue, with an EXIF GPS IFD, a camera
    make, a comment and an orientation tag (6 = rotate 90° clockwise to display)."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"  # Make
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = GPS_LAT
    gps[3] = "E"
    gps[4] = (117.0, 30.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"dibuat oleh Budi", quality=95)
    return out.getvalue()


def png(*, width: int = 8, height: int = 8, alpha: bool = False) -> bytes:
    image = Image.new("RGBA" if alpha else "RGB", (width, height), (10, 200, 30))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, format="WEBP")
    return out.getvalue()


def pdf_with_metadata(*, side: int = 200) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(side, side))
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = ["Budi Santoso"]
        meta["dc:title"] = "Bukti pungli"
    pdf.docinfo["/Author"] = "Budi Santoso"
    pdf.docinfo["/Title"] = "Bukti pungli"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def mp4(brand: bytes = b"isom") -> bytes:
    def box(kind: bytes, payload: bytes) -> bytes:
        return (8 + len(payload)).to_bytes(4, "big") + kind + payload

    ftyp = box(b"ftyp", brand + b"\0\0\0\0" + b"isomavc1")
    moov = box(b"moov", box(b"mvhd", b"\0" * 100))
    mdat = box(b"mdat", b"\x00\x01" * 50)
    return ftyp + moov + mdat


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 200
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
       b"<script>alert(document.cookie)</script></svg>")
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
ZIP = ZIP_LOCAL_HEADER + b"\x14\x00" + b"\0" * 100


def stored_files(root: Path) -> list[Path]:
    """The files under an attachment storage root (the ``attachment_root`` fixture)."""
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []

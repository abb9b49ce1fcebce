"""Checking and cleaning an uploaded file by its content (pure: bytes in, bytes out).

1. **Detect** the type from magic bytes only; the client's name and Content-Type are ignored.
   Anything outside the allowlist (SVG, HTML, executables, archives, …) is refused with 415.
2. **Confirm** by parsing: Pillow opens and fully decodes images, pikepdf opens PDFs, MP4 must
   be a well-formed sequence of ISO-BMFF boxes starting with ``ftyp`` of an allowed brand and
   holding a ``moov`` box. A damaged or truncated file is refused with 422.
3. **Clean**: images are decoded to pixels, turned upright by their EXIF orientation and encoded
   afresh with no metadata at all (EXIF with GPS, XMP, ICC, comments): only pixels survive, so
   bytes appended to an image (a polyglot) are dropped too. PDFs lose the document information
   dictionary, every XMP ``/Metadata`` stream, and document-level JavaScript, open actions and
   embedded files; qpdf writes only reachable objects, so data appended after ``%%EOF`` is
   dropped. MP4 is stored as sent: its metadata (which may include a location) is NOT stripped,
   which is why videos of anonymous reports can never be published (services).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

import pikepdf
from PIL import Image, ImageOps

from lapor.attachments import filetypes
from lapor.attachments.filetypes import FileType
from lapor.core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed

# Decoded size cap, well below Pillow's own bomb threshold: 50 MP is ~150 MB of RGB pixels.
MAX_IMAGE_PIXELS = 50_000_000
JPEG_QUALITY = 90

# ISO base media brands accepted as MP4 (QuickTime "qt  " and 3GP are not on the list).
MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash"}
)

_PILLOW_FORMAT = {filetypes.JPEG: "JPEG", filetypes.PNG: "PNG", filetypes.WEBP: "WEBP"}


@dataclass(frozen=True)
class CleanFile:
    data: bytes
    type: FileType


def detect(data: bytes) -> FileType | None:
    """The allowed type the magic bytes announce, or ``None``."""
    if data.startswith(b"\xff\xd8\xff"):
        return filetypes.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return filetypes.PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return filetypes.WEBP
    if data.startswith(b"%PDF-"):
        return filetypes.PDF
    if data[4:8] == b"ftyp":
        return filetypes.MP4
    return None


def check_and_clean(data: bytes) -> CleanFile:
    """The checked, cleaned copy of ``data``; raises 415/422/413 application errors."""
    if not data:
        raise ValidationFailed("attachment_unreadable", field="file")
    kind = detect(data)
    if kind is None:
        raise UnsupportedMediaType("attachment_type_not_allowed", field="file")
    if kind in _PILLOW_FORMAT:
        return CleanFile(_clean_image(data, _PILLOW_FORMAT[kind]), kind)
    if kind == filetypes.PDF:
        return CleanFile(_clean_pdf(data), kind)
    _check_mp4(data)
    return CleanFile(data, kind)


def _unreadable() -> ValidationFailed:
    return ValidationFailed("attachment_unreadable", field="file")


def _too_many_pixels() -> PayloadTooLarge:
    return PayloadTooLarge("attachment_too_large", field="file",
                           detail={"max_pixels": MAX_IMAGE_PIXELS})


# ---------------------------------------------------------------- images


def _clean_image(data: bytes, pillow_format: str) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as source:
                if source.width * source.height > MAX_IMAGE_PIXELS:
                    raise _too_many_pixels()
                source.load()
                upright = ImageOps.exif_transpose(source)
                return _encode_pixels_only(upright, pillow_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    # Pillow reports broken input as OSError (truncated, unidentified), SyntaxError, ValueError
    # or EOFError depending on the plugin.
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _unreadable() from exc


def _encode_pixels_only(image: Image.Image, pillow_format: str) -> bytes:
    """A brand-new image built from the pixels alone, so no ``info`` (EXIF, XMP, ICC profile,
    comments, text chunks) can ride along into the encoder. Animations keep their first frame."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if image.mode in ("1", "L"):
        mode = "L"
    elif has_alpha and pillow_format != "JPEG":
        mode = "RGBA"
    else:
        mode = "RGB"
    pixels = image.convert(mode)
    fresh = Image.frombytes(mode, pixels.size, pixels.tobytes())
    options: dict[str, Any] = {}
    if pillow_format in ("JPEG", "WEBP"):
        options["quality"] = JPEG_QUALITY
    out = io.BytesIO()
    fresh.save(out, format=pillow_format, **options)
    return out.getvalue()


# ---------------------------------------------------------------- PDF


def _clean_pdf(data: bytes) -> bytes:
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) == 0:
                raise _unreadable()
            _strip_pdf(pdf)
            out = io.BytesIO()
            # Streams pass through undecoded (no decompression bomb), encryption is dropped.
            pdf.save(out, encryption=False, fix_metadata_version=False,
                     stream_decode_level=pikepdf.StreamDecodeLevel.none)
            return out.getvalue()
    except pikepdf.PasswordError as exc:
        raise _unreadable() from exc
    except (pikepdf.PdfError, pikepdf.ForeignObjectError, ValueError, RecursionError) as exc:
        raise _unreadable() from exc


def _strip_pdf(pdf: pikepdf.Pdf) -> None:
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    root = pdf.Root
    for key in ("/OpenAction", "/AA", "/PieceInfo"):
        if key in root:
            del root[key]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                del names[key]
    # XMP can hang off any dictionary or stream (the catalog, pages, images, fonts).
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            for key in ("/Metadata", "/PieceInfo"):
                if key in obj:
                    del obj[key]
    for page in pdf.pages:
        if "/AA" in page.obj:
            del page.obj["/AA"]


# ---------------------------------------------------------------- MP4


def _check_mp4(data: bytes) -> None:
    """A sequence of top-level ISO-BMFF boxes covering the whole file: ``ftyp`` first with an
    allowed major brand, a ``moov`` somewhere. Anything appended that is not a box is refused."""
    position = 0
    seen: set[bytes] = set()
    while position < len(data):
        if len(data) - position < 8:
            raise _unreadable()
        size = int.from_bytes(data[position:position + 4], "big")
        box = data[position + 4:position + 8]
        header = 8
        if size == 1:
            if len(data) - position < 16:
                raise _unreadable()
            size = int.from_bytes(data[position + 8:position + 16], "big")
            header = 16
        elif size == 0:
            size = len(data) - position
        if size < header or position + size > len(data):
            raise _unreadable()
        if not all(0x20 <= byte < 0x7F for byte in box):
            raise _unreadable()
        if position == 0 and (box != b"ftyp" or size < 16 or data[8:12] not in MP4_BRANDS):
            raise UnsupportedMediaType("attachment_type_not_allowed", field="file")
        seen.add(box)
        position += size
    if b"moov" not in seen:
        raise _unreadable()

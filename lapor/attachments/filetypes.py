"""The allowlist: the only kinds of file Lapor stores, by detected content (never by name)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    key: str
    content_type: str
    extension: str
    # Images and PDFs are rewritten without metadata; video is stored as sent.
    stripped: bool


JPEG = FileType("jpeg", "image/jpeg", ".jpg", stripped=True)
PNG = FileType("png", "image/png", ".png", stripped=True)
WEBP = FileType("webp", "image/webp", ".webp", stripped=True)
PDF = FileType("pdf", "application/pdf", ".pdf", stripped=True)
MP4 = FileType("mp4", "video/mp4", ".mp4", stripped=False)

ALLOWED: tuple[FileType, ...] = (JPEG, PNG, WEBP, PDF, MP4)
ALLOWED_CONTENT_TYPES: tuple[str, ...] = tuple(t.content_type for t in ALLOWED)
BY_CONTENT_TYPE: dict[str, FileType] = {t.content_type: t for t in ALLOWED}

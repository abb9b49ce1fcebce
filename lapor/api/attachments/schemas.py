"""Output schemas for attachments (uploads are multipart: one ``file`` part)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    created_at: datetime
    is_public: bool
    # Shown to the reporter, not the public: a photo of a follow-up only for the reporter.
    for_reporter: bool
    # Posted with a follow-up (with the follow-up's visibility).
    followup: bool
    scan_status: str
    # True when the stored copy had its metadata stripped (images, PDF); False for video.
    metadata_stripped: bool


class AttachmentListOut(Schema):
    items: list[AttachmentOut]


class PublicAttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    created_at: datetime


class PublicAttachmentListOut(Schema):
    items: list[PublicAttachmentOut]

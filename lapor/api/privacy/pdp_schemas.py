"""Output schema of the UU PDP own-data export (lapor.privacy.pdp.data_export)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema


class UnitOut(Schema):
    code: str
    name: str


class ExportIdentityOut(Schema):
    name: str
    email: str
    phone: str
    nik: str


class ExportEventOut(Schema):
    kind: str
    created_at: datetime
    from_status: str
    to_status: str
    visibility: str
    actor_role: str
    actor_unit: UnitOut | None
    body: str
    payload: dict[str, Any]


class ExportAttachmentOut(Schema):
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    created_at: datetime
    is_public: bool


class ProcessingRecordOut(Schema):
    created_at: datetime
    actor_kind: str
    actor_role: str
    actor_unit: UnitOut | None
    purpose: str


class ExportPushOut(Schema):
    """A browser that receives this report's updates by Web Push (its endpoint and keys stay
    encrypted: only the fact and the date are the reporter's data to see)."""

    created_at: datetime


class ExportReportOut(Schema):
    tracking_number: str
    type: str
    title: str
    body: str
    incident_date: date | None
    region: UnitOut
    address: str
    latitude: float | None
    longitude: float | None
    category: str | None
    target_agency: UnitOut | None
    agency: UnitOut | None
    channel: str
    is_anonymous: bool
    is_confidential: bool
    status: str
    submitted_at: datetime
    verified_at: datetime | None
    responded_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    archive_reason: str
    support_count: int
    identity: ExportIdentityOut | None
    timeline: list[ExportEventOut]
    attachments: list[ExportAttachmentOut]
    processing_records: list[ProcessingRecordOut]
    phone_updates: bool
    push_subscriptions: list[ExportPushOut]


class ExportAccountOut(Schema):
    username: str
    display_name: str
    email: str
    phone: str
    date_joined: datetime


class ExportSupportOut(Schema):
    tracking_number: str
    created_at: datetime


class DataExportOut(Schema):
    format: str
    generated_at: datetime
    account: ExportAccountOut | None
    reports: list[ExportReportOut]
    supports: list[ExportSupportOut]
    redaction: str

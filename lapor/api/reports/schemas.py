"""Input and output schemas of the reports API (separate in and out, habit 6)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from lapor.core.api import ObjectBody
from lapor.reports.models import Channel, ReportType
from lapor.reports.states import ArchiveReason, Status
from lapor.reports.submission import (
    ADDRESS_MAX,
    BODY_MAX,
    BODY_MIN,
    NAME_MAX,
    TITLE_MAX,
    TITLE_MIN,
)
from lapor.workdays.calendar import RESOLUTION_TIERS

Text = Annotated[str, Field(max_length=10_000)]
Reason = Annotated[str, Field(min_length=1, max_length=2_000)]


def _limits(minimum: int, maximum: int) -> dict[str, Any]:
    return {"minLength": minimum, "maxLength": maximum}


class SubmitIn(ObjectBody):
    """The limits below are documented from :mod:`lapor.reports.submission` (where they are
    set) but checked there, not here: the service checks every field and one 422 names every
    problem (``errors``), where a schema check would stop the request before the others."""

    type: str = Field(description="complaint, aspiration or information_request",
                      json_schema_extra={"enum": list(ReportType.values)})
    title: str = Field(json_schema_extra=_limits(TITLE_MIN, TITLE_MAX))
    body: str = Field(json_schema_extra=_limits(BODY_MIN, BODY_MAX))
    region_code: str = Field(
        default="",
        description="Kemendagri code, e.g. 64.08.04. Empty or absent when latitude/longitude "
                    "are sent: the region is then the district (kecamatan) of the point (422 "
                    "with `location_outside_indonesia` on `region_code` if it lies in none). "
                    "When both are sent, this code wins and the point is kept as sent.",
        json_schema_extra={"maxLength": 13})
    category_code: str | None = Field(default=None, max_length=60)
    incident_date: date | None = None
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(
        default=None, ge=-180, le=180, max_digits=9, decimal_places=6
    )
    address: str = Field(default="", json_schema_extra={"maxLength": ADDRESS_MAX})
    target_agency_code: str | None = Field(
        default=None, max_length=80, description="Agency the reporter picked (no wrong door)"
    )
    channel: Channel = Channel.WEB
    is_anonymous: bool = Field(default=False, description="Hide the reporter from agencies")
    is_confidential: bool = Field(default=False, description="Hide the report from the public")
    reporter_name: str = Field(default="", json_schema_extra={"maxLength": NAME_MAX})
    reporter_email: str = Field(default="", max_length=254)
    reporter_phone: str = Field(default="", max_length=32)
    reporter_nik: str = Field(
        default="", max_length=24, description="NIK (16 digits), optional; stored encrypted"
    )
    phone_updates: bool = Field(
        default=False,
        description="Send status updates by SMS to reporter_phone (where the deployment has "
        "an SMS gateway); ignored without a phone number",
    )


class SubmitOut(Schema):
    tracking_number: str
    access_code: str = Field(description="Shown once; only its keyed hash is stored")
    status: Status
    verify_due_at: datetime


class NamedRef(Schema):
    code: str
    name: str


class TimelineEventOut(Schema):
    kind: str
    created_at: datetime
    from_status: str
    to_status: str
    actor_role: str
    actor_node: NamedRef | None
    body: str
    payload: dict[str, Any]


class StaffEventOut(TimelineEventOut):
    visibility: str
    # Who reads ``body`` (lapor.reports.visibility): the narrower of the event's visibility
    # and the text's declaration; null when there is no text.
    text_visibility: str | None = None
    actor_username: str | None


class PublicReportOut(Schema):
    tracking_number: str
    type: ReportType
    status: Status
    status_label: str
    submitted_at: datetime
    agency: NamedRef | None
    time_zone: str = Field(description=(
        "WIB, WITA or WIT: the one zone to show this report's times in (its region's until "
        "disposed, then the holding agency's); deadlines end at the end of their working "
        "day"))
    timeline: list[TimelineEventOut]


class DeadlinesOut(Schema):
    verify_due_at: datetime | None
    hold_due_at: datetime | None
    followup_due_at: datetime | None
    resolution_due_at: datetime | None
    reply_due_at: datetime | None
    staff_due_at: datetime | None = Field(description="What the current holder must meet")
    overdue: bool


class ReporterReportOut(Schema):
    tracking_number: str
    type: ReportType
    title: str
    body: str
    status: Status
    status_label: str
    submitted_at: datetime
    region: NamedRef
    category: NamedRef | None
    agency: NamedRef | None
    is_anonymous: bool
    is_confidential: bool
    reply_due_at: datetime | None
    hold_due_at: datetime | None
    rating: int | None
    support_count: int
    time_zone: str = Field(description=(
        "WIB, WITA or WIT: the one zone to show this report's times in (its region's until "
        "disposed, then the holding agency's); deadlines end at the end of their working "
        "day"))
    timeline: list[TimelineEventOut]


class ContactOut(Schema):
    name: str
    email: str
    phone: str


class DispositionOut(Schema):
    node: NamedRef
    disposed_from: NamedRef
    state: str
    note: str
    return_reason: str
    created_at: datetime
    ended_at: datetime | None


class ReportListItemOut(Schema):
    id: int
    tracking_number: str
    type: ReportType
    title: str
    status: Status
    status_label: str
    channel: Channel
    region: NamedRef
    category: NamedRef | None
    current_node: NamedRef
    is_anonymous: bool
    is_confidential: bool
    submitted_at: datetime
    staff_due_at: datetime | None
    overdue: bool


class InboxQuery(Schema):
    node: str = Field(max_length=80, description="Organisation node code")
    status: list[Status] | None = Field(None, description="Default: every open status")
    overdue: bool | None = Field(None, description="Past the holder's deadline (nilai merah)")
    due_soon: bool | None = Field(None, description=(
        "Due today or soon: not overdue, due by the end of the 2nd working day after today"))
    category: str | None = Field(None, max_length=60)
    region: str | None = Field(None, max_length=13, description="Kemendagri code prefix")
    channel: Channel | None = None
    date_from: date | None = None
    date_to: date | None = None
    include_subtree: bool = False
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=100)


class InboxOut(Schema):
    items: list[ReportListItemOut]
    next_cursor: str | None


class MyReportOut(Schema):
    tracking_number: str
    title: str
    status: Status
    status_label: str
    submitted_at: datetime


class MyReportsOut(Schema):
    items: list[MyReportOut]
    next_cursor: str | None


class StaffReportOut(ReportListItemOut):
    version: int
    time_zone: str = Field(description=(
        "WIB, WITA or WIT: the one zone to show this report's times in (its region's until "
        "disposed, then the holding agency's); deadlines end at the end of their working "
        "day"))
    body: str
    incident_date: date | None
    latitude: Decimal | None
    longitude: Decimal | None
    address: str
    target_agency: NamedRef | None
    tier: NamedRef
    agency: NamedRef | None
    verified_at: datetime | None
    first_followup_at: datetime | None
    responded_at: datetime | None
    closed_at: datetime | None
    deadlines: DeadlinesOut
    resolution_days: int | None
    rating: int | None
    archive_reason: str
    duplicate_of: str | None
    support_count: int
    reporter: ContactOut | None = Field(
        description="Null for anonymous reports: no agency-side role receives the identity"
    )
    privacy_warnings: list[str] = Field(
        description="Kinds of personal data found in title/body: nik, phone, email, name"
    )
    suggest_confidential: bool = Field(
        description="Personal data found and the report is not confidential yet"
    )
    dispositions: list[DispositionOut]
    events: list[StaffEventOut]


class VersionIn(ObjectBody):
    expected_version: int | None = Field(
        default=None, ge=1, description="Refuse with 409 concurrent_update if the report changed"
    )


class HoldIn(VersionIn):
    question: str = Field(min_length=1, max_length=10_000,
                          description="Read by the reporter and staff, never the public")


class ArchiveIn(VersionIn):
    reason: ArchiveReason
    note: str = Field(default="", max_length=2_000,
                      description="Read by the reporter and staff, never the public")
    duplicate_of: str | None = Field(default=None, max_length=12,
                                     description="Tracking number of the surviving report")


class ReasonIn(VersionIn):
    reason: Reason


class PassUpIn(VersionIn):
    reason: Reason = Field(description="Internal: read by staff only, never the reporter")


class PassUpOut(Schema):
    """The report as it left the caller's pool: the hub that passed it up may no longer read
    it (the receiving tier's verifiers do), so this is all the answer says."""

    id: int
    tracking_number: str
    status: Status
    version: int
    tier: NamedRef = Field(description="The verification tier that now holds it")
    verify_due_at: datetime


class PrivacyIn(VersionIn):
    anonymous: bool | None = None
    confidential: bool | None = None


class DisposeIn(VersionIn):
    node: str = Field(max_length=80, description="Code of the receiving agency or unit")
    note: str = Field(default="", max_length=2_000, description="Read by staff only")
    resolution_days: int | None = Field(
        default=None, description=f"One of {RESOLUTION_TIERS}; at most the category's tier"
    )


class ForwardIn(VersionIn):
    node: str = Field(max_length=80)
    note: str = Field(default="", max_length=2_000, description="Read by staff only")


class FollowUpIn(VersionIn):
    body: str = Field(min_length=1, max_length=10_000)
    final: bool = Field(default=False, description="Final answer: opens the reply window")
    public: bool = Field(default=True, description="Show on the public timeline; false: "
                         "the reporter and staff only")


class NoteIn(ObjectBody):
    body: str = Field(min_length=1, max_length=10_000)


class ReplyIn(ObjectBody):
    accept: bool
    rating: int | None = Field(default=None, ge=1, le=5)
    body: str = Field(default="", max_length=10_000)


class MessageIn(ObjectBody):
    body: str = Field(min_length=1, max_length=10_000)


class ForwardedOut(Schema):
    """202: the report is handled on another (federated) instance; the action was sent there
    and the status updates in a moment (docs/federation.md)."""

    code: str = Field(description="Always `forwarded_to_peer`.")
    message: str
    tracking_number: str


class SupportOut(Schema):
    support_count: int


class RoutingSuggestionOut(Schema):
    node: NamedRef | None


class NearbyQuery(Schema):
    lat: float = Field(ge=-90, le=90, description="The device's latitude (WGS84)")
    lon: float = Field(ge=-180, le=180, description="The device's longitude (WGS84)")
    radius_km: float = Field(3.0, gt=0, le=50, description=(
        "How far to look, in km; clamped to 1–10"))


class NearbyItemOut(Schema):
    tracking_number: str
    title: str
    type: ReportType
    status: Status
    status_label: str
    category: NamedRef | None
    region: NamedRef = Field(description="The kecamatan (or the region chosen by the reporter)")
    submitted_at: datetime
    support_count: int
    distance_m: int = Field(description=(
        "About how far, in metres: from the report's position snapped to a 0.01° grid "
        "(≈ 1.1 km), rounded to 100 m. Never the exact place"))


class NearbyOut(Schema):
    radius_km: float = Field(description="The radius used (after clamping)")
    items: list[NearbyItemOut]

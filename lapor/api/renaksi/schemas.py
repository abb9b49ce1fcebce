"""Input and output schemas of the Renaksi API (separate in and out, habit 6).

Text limits are documented here from :mod:`lapor.renaksi.services` but checked there (one
stable code each: ``text_too_short``, ``text_too_long``). Optional fields of the ``PATCH``
inputs may be left out but not sent as ``null`` unless ``null`` means something (no owner, no
proof indicator): a ``null`` title is a 422, never a 500.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema

from lapor.core.api import ObjectBody
from lapor.renaksi.models import ActivityKind, ActivityStatus, Indicator
from lapor.renaksi.services import DESCRIPTION_MAX, TITLE_MAX, YEAR_MAX, YEAR_MIN

TITLE_MIN = 3
UNITS_MAX = 500


def _text(minimum: int, maximum: int) -> dict[str, Any]:
    return {"minLength": minimum, "maxLength": maximum}


Code = Annotated[str, Field(min_length=1, max_length=80)]

KIND_TEXT = ("What kind of activity: `sop` (drafting the SOP), `sosialisasi`, `workshop`, "
             "`bimtek` (technical guidance), `diklat` (training course), `liaison` (appointing "
             "liaison officers), `other`")
STATUS_TEXT = ("The status typed by the hub: `planned`, `in_progress`, `done` (needs "
               "`done_on`) or `cancelled`")
PROOF_TEXT = ("The readiness indicator that proves the activity done when every unit it "
              "involves meets it (`liaison`, `sop`, `training`, `first_report`, `on_time`, "
              "`overdue`, `satisfaction`); null: none, status and evidence only")
UNITS_TEXT = ("Codes of the perangkat daerah and kecamatan involved: units directly under the "
              "plan's agency (422 `unknown_node` otherwise)")
OWNER_TEXT = ("Username of the officer responsible (gets the reminders): an active account "
              "with a role inside the agency (422 `unknown_user` otherwise); null: nobody")


# ---------------------------------------------------------------- inputs


class PlanIn(ObjectBody):
    agency: Code = Field(description="Code of the agency (a regency's or city's government, "
                                     "e.g. `kutim`) whose programme this is")
    title: str = Field(description="Title of the plan", json_schema_extra=_text(TITLE_MIN,
                                                                               TITLE_MAX))
    start_year: int = Field(ge=YEAR_MIN, le=YEAR_MAX, description="First year of the period")
    end_year: int = Field(ge=YEAR_MIN, le=YEAR_MAX,
                          description="Last year of the period (not before `start_year`)")
    description: str = Field(default="", description="Staff-only notes",
                             json_schema_extra={"maxLength": DESCRIPTION_MAX})


class _Changes(ObjectBody):
    """A PATCH body: every field optional, the body still a JSON object (ObjectBody)."""


class PlanPatchIn(_Changes):
    title: str = Field(default=None, description="New title",  # type: ignore[assignment]
                       json_schema_extra=_text(TITLE_MIN, TITLE_MAX))
    start_year: int = Field(default=None, ge=YEAR_MIN, le=YEAR_MAX,  # type: ignore[assignment]
                            description="New first year")
    end_year: int = Field(default=None, ge=YEAR_MIN, le=YEAR_MAX,  # type: ignore[assignment]
                          description="New last year")
    description: str = Field(default=None,  # type: ignore[assignment]
                             description="New notes (empty string: none)",
                             json_schema_extra={"maxLength": DESCRIPTION_MAX})


class ActivityIn(ObjectBody):
    kind: ActivityKind = Field(description=KIND_TEXT)
    title: str = Field(description="Title, e.g. \"Bimtek Dinas PUPR\"",
                       json_schema_extra=_text(TITLE_MIN, TITLE_MAX))
    description: str = Field(default="", description="Staff-only notes",
                             json_schema_extra={"maxLength": DESCRIPTION_MAX})
    units: list[Code] = Field(default_factory=list, max_length=UNITS_MAX,
                              description=UNITS_TEXT)
    owner: str | None = Field(default=None, max_length=150, description=OWNER_TEXT)
    planned_start: date = Field(description="Planned first day (inside the plan's years)")
    planned_end: date = Field(description="Planned last day (not before `planned_start`, "
                                          "inside the plan's years)")
    status: ActivityStatus = Field(default=ActivityStatus.PLANNED, description=STATUS_TEXT)
    done_on: date | None = Field(default=None, description="The day it was done (the agency's "
                                 "local date, not in the future); required with status "
                                 "`done`, ignored otherwise")
    proof_indicator: Indicator | None = Field(default=None, description=PROOF_TEXT)


class ActivityPatchIn(_Changes):
    kind: ActivityKind = Field(default=None, description=KIND_TEXT)  # type: ignore[assignment]
    title: str = Field(default=None, description="New title",  # type: ignore[assignment]
                       json_schema_extra=_text(TITLE_MIN, TITLE_MAX))
    description: str = Field(default=None,  # type: ignore[assignment]
                             description="New notes (empty string: none)",
                             json_schema_extra={"maxLength": DESCRIPTION_MAX})
    units: list[Code] = Field(default=None, max_length=UNITS_MAX,  # type: ignore[arg-type]
                              description=UNITS_TEXT + "; replaces the whole list")
    owner: str | None = Field(default=None, max_length=150, description=OWNER_TEXT)
    planned_start: date = Field(default=None,  # type: ignore[assignment]
                                description="New planned first day")
    planned_end: date = Field(default=None,  # type: ignore[assignment]
                              description="New planned last day")
    status: ActivityStatus = Field(default=None,  # type: ignore[assignment]
                                   description=STATUS_TEXT)
    done_on: date | None = Field(default=None, description="The day it was done (with status "
                                 "`done`; sent alone, it keeps the status)")
    proof_indicator: Indicator | None = Field(default=None, description=PROOF_TEXT)


class PlanListQuery(Schema):
    agency: str | None = Field(default=None, max_length=80,
                               description="Only the plans of this agency (code)")
    cursor: str | None = Field(default=None, max_length=200,
                               description="`next_cursor` of the previous page")
    limit: int = Field(default=50, ge=1, le=200, description="Plans per page")


class ActivityListQuery(Schema):
    cursor: str | None = Field(default=None, max_length=200,
                               description="`next_cursor` of the previous page")
    limit: int = Field(default=100, ge=1, le=500, description="Activities per page")


# ---------------------------------------------------------------- outputs


class NodeRefOut(Schema):
    code: str = Field(description="Organisation node code, e.g. `kutim-pupr`")
    name: str = Field(description="Its name, e.g. \"Dinas PUPR\"")


class PersonOut(Schema):
    username: str = Field(description="The officer's username")
    name: str = Field(description="The officer's display name")


class PlanOut(Schema):
    id: int = Field(description="Plan id")
    agency: NodeRefOut = Field(description="The agency whose programme this is")
    title: str = Field(description="Title of the plan")
    start_year: int = Field(description="First year of the period")
    end_year: int = Field(description="Last year of the period")
    description: str = Field(description="Staff-only notes; empty for a reader of only some "
                             "units (a unit's officers)")
    created_at: datetime = Field(description="When the plan was created (UTC)")
    updated_at: datetime = Field(description="Last change of the plan's own fields (UTC)")
    can_write: bool = Field(description="Whether the caller may change the plan and its "
                                        "activities (the agency's hub, a system "
                                        "administrator)")


class PlanListOut(Schema):
    items: list[PlanOut] = Field(description="Plans the caller may read, oldest first")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on "
                                                "the last page")


class EvidenceOut(Schema):
    id: int = Field(description="Evidence id (download: `GET /renaksi/evidence/{id}`)")
    activity_id: int = Field(description="The activity it proves")
    kind: str = Field(description="`document`, `photo` or `attendance` (attendance list)")
    name: str = Field(description="File name as uploaded (staff-only)")
    content_type: str = Field(description="Type detected from the content")
    size: int = Field(description="Bytes of the stored (cleaned) copy")
    sha256: str = Field(description="SHA-256 of the stored copy")
    created_at: datetime = Field(description="When it was uploaded (UTC)")


class ActivityOut(Schema):
    id: int = Field(description="Activity id")
    plan_id: int = Field(description="The plan it belongs to")
    kind: str = Field(description=KIND_TEXT)
    title: str = Field(description="Title")
    description: str = Field(description="Staff-only notes")
    units: list[NodeRefOut] = Field(description="Perangkat daerah and kecamatan involved, in "
                                                "tree order")
    owner: PersonOut | None = Field(description="Officer responsible; null: nobody")
    planned_start: date = Field(description="Planned first day")
    planned_end: date = Field(description="Planned last day")
    status: str = Field(description=STATUS_TEXT)
    done_on: date | None = Field(description="The day it was done (status `done`)")
    proof_indicator: str | None = Field(description=PROOF_TEXT)
    proof_met: bool | None = Field(description="Whether every unit involved meets the proof "
                                               "indicator now (false without units); null "
                                               "without a proof indicator")
    state: str = Field(description=(
        "Derived from status, dates and proof, never typed: `done` (status done), `proven` "
        "(its proof indicator is met, whatever the status), `late` (not done, planned end "
        "passed in the agency's local date), `cancelled`, `in_progress` or `planned`"))
    evidence: list[EvidenceOut] = Field(description="Files proving it, oldest first")
    created_at: datetime = Field(description="When it was created (UTC)")
    updated_at: datetime = Field(description="Last change (UTC)")
    can_write: bool = Field(description="Whether the caller may change it and add evidence")


class ActivityListOut(Schema):
    items: list[ActivityOut] = Field(description="The plan's activities the caller may see "
                                                 "(a liaison officer: those of its unit or "
                                                 "owned by it), by planned dates")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on "
                                                "the last page")


class IndicatorOut(Schema):
    code: str = Field(description="Indicator code, the key of the cells")
    label: str = Field(description="Its name in the request's language")


class CellOut(Schema):
    indicator: str = Field(description="Indicator code (see `indicators`)")
    level: str = Field(description="`met`, `partial`, `not_met` or `no_data`")
    text: str = Field(description="Short words shown in the cell, in the request's language")
    value: int | float | None = Field(description="The figure itself: a count, a share 0..1 or a "
                                            "mean rating; null when there is none")
    on: date | datetime | None = Field(description="The date that goes with it (SOP approval, "
                                                   "last practice, first report…)")
    link: str | None = Field(description="Path of the source page on this site; null: none")


class UnitReadinessOut(Schema):
    unit: NodeRefOut = Field(description="The perangkat daerah or kecamatan")
    cells: list[CellOut] = Field(description="One cell per indicator, in `indicators` order")
    met_count: int = Field(description="How many indicators are met")
    ready: bool = Field(description="Ready to handle complaints: liaison officers with "
                                    "two-factor sign-in, an approved SOP, trained officers")


class ReadinessOut(Schema):
    agency: NodeRefOut = Field(description="The agency")
    indicators: list[IndicatorOut] = Field(description="The indicators, in matrix order")
    units: list[UnitReadinessOut] = Field(description="Each unit the caller may read, in tree "
                                                      "order; computed from the system now, "
                                                      "never typed")

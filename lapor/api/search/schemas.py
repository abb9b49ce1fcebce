"""Input and output schemas of the search, duplicate and suggestion endpoints."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from lapor.core.api import ObjectBody


class SearchIn(Schema):
    q: str = Field(max_length=200, description="Words to find (at least 3 letters); "
                   "Indonesian inflections match (\"perbaikan\" finds \"diperbaiki\")")
    category: str = Field("", max_length=60, description="Category code (or its parent's)")
    region: str = Field("", max_length=13, description="Kemendagri code prefix")
    status: str = Field("", max_length=12)
    agency: str = Field("", max_length=80, description="Responsible agency code")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(20, ge=1, le=50)


class HitOut(Schema):
    id: int | None = Field(None, description="Staff search only")
    tracking_number: str
    title: str
    status: str
    submitted_at: datetime
    score: float = Field(description="Relevance; higher is better; comparable within one query")
    category: str | None
    region: str
    title_highlights: list[tuple[int, int]] = Field(
        description="[start, end) character ranges of matching words in the title")
    snippet: str
    snippet_highlights: list[tuple[int, int]] = Field(
        description="[start, end) character ranges of matching words in the snippet")


class SearchOut(Schema):
    items: list[HitOut]
    next_cursor: str | None
    estimated_total: int | None = Field(
        None, description="About how many reports of your scope and filters match, from "
        "PostgreSQL's query plan (no match is counted; phrases of words that often go "
        "together are under-estimated). Null where the server has no estimate.")


class DuplicateCheckIn(ObjectBody):
    title: str = Field(max_length=200)
    body: str = Field(max_length=10_000)
    region_code: str = Field(max_length=13)
    category_code: str | None = Field(None, max_length=60)


class SimilarOut(Schema):
    id: int | None = Field(None, description="Staff only")
    tracking_number: str
    title: str
    status: str
    submitted_at: datetime
    support_count: int
    score: float = Field(description="Text similarity, 0 to 1")


class SimilarListOut(Schema):
    items: list[SimilarOut]


class MergeIn(ObjectBody):
    into: str = Field(max_length=12, description="Tracking number of the surviving report")
    note: str = Field("", max_length=2_000, description=(
        "Staff-only note, kept on the surviving report's internal merge event; never shown "
        "to either reporter"))
    expected_version: int | None = Field(None, ge=1)


class MergeOut(Schema):
    tracking_number: str
    support_count: int


class RoutingItemOut(Schema):
    code: str
    name: str
    source: str = Field(description="`sop` (a routing rule of the agency) or `classifier`")
    confidence: float | None = Field(description="Classifier probability (0–1); null for a rule")


class RoutingModelOut(Schema):
    trained_at: datetime
    examples: int
    held_out: int
    accuracy: float = Field(description="Top-1 accuracy on the held-out 20%")
    top3_accuracy: float = Field(description="Right unit among the top three, held-out 20%")


class SpamOut(Schema):
    score: int = Field(description="0–100; a suggestion, never an automatic drop")
    level: str = Field(description="low, medium (from 30) or high (from 60)")
    signals: list[str]


class SuggestionsOut(Schema):
    routing: list[RoutingItemOut]
    model: RoutingModelOut | None
    spam: SpamOut

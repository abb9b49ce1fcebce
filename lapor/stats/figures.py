"""Dashboard figures from summed counters: rates, shares, the "good" indicator, percentiles.

Pure functions over :data:`lapor.stats.models.MEASURES` vectors; no database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lapor.stats.models import MEASURES

# LAPOR!'s own measure: an agency is "good" when it followed up at least half of its reports.
GOOD_SHARE = 0.5


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class Figures:
    """What one row of a dashboard table shows."""

    reports: int
    followup_eligible: int
    followed_up: int
    verify_rate: float | None
    followup_rate: float | None
    resolution_rate: float | None
    followed_up_share: float | None
    good: bool | None
    rating_avg: float | None
    rated: int
    reopened_share: float | None
    overdue: int

    @classmethod
    def of(cls, m: Mapping[str, int]) -> Figures:
        followed = m["followup_on_time"] + m["followup_late"]
        share = _rate(followed, m["followup_eligible"])
        return cls(
            reports=m["reports"],
            followup_eligible=m["followup_eligible"],
            followed_up=followed,
            verify_rate=_rate(m["verify_on_time"], m["verify_on_time"] + m["verify_late"]
                              + m["verify_overdue"]),
            followup_rate=_rate(m["followup_on_time"], followed + m["followup_overdue"]),
            resolution_rate=_rate(m["resolution_on_time"], m["resolution_on_time"]
                                  + m["resolution_late"] + m["resolution_overdue"]),
            followed_up_share=share,
            good=None if share is None else share >= GOOD_SHARE,
            rating_avg=_rate(m["rating_sum"], m["rated"]),
            rated=m["rated"],
            reopened_share=_rate(m["reopened"], m["responded"]),
            overdue=m["overdue"],
        )


def empty() -> dict[str, int]:
    return dict.fromkeys(MEASURES, 0)


def summed(rows: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total = empty()
    for row in rows:
        for name in MEASURES:
            total[name] += row[name]
    return total


def nearest_rank(histogram: Mapping[int, int], q: float) -> int | None:
    """The ``q`` quantile (nearest-rank: the smallest value with at least ``ceil(q·n)``
    observations at or below it) of a histogram {value: count}."""
    n = sum(histogram.values())
    if n == 0:
        return None
    rank = max(1, math.ceil(q * n))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)  # pragma: no cover  (unreachable: seen reaches n)

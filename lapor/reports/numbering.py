"""One tracking-number space for federated instances (issue #22, docs/federation.md).

The twelve-digit numbers' body values ``0 … TRACKING_SPACE`` (lapor.reports.submission) are
cut into :data:`LANES` lanes of :data:`LANE_SIZE` values (``lane = value // LANE_SIZE``).
Lane 0 is never assigned. When a national instance peers with a regional one it gives it
the lowest free lane ≥ 1 and from then on never draws a new number in a given lane; the
regional instance draws only in its own lane, never one of the national's numbers already in
it (the reserved list handed over at peering). So two instances can never issue the same
number, by construction; existing numbers are never renumbered.

The other way round, a regional instance's numbers issued *before* it was linked lie anywhere
in the space: at ``upstream set`` it hands them to the national instance, which reserves them
(:func:`numbers_reserve`) and never draws one of them either.

Without any row here (no federation) numbers are drawn from the whole space, as before.
Only this module writes :class:`NumberLane` and :class:`ReservedNumber`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from lapor.core import clock
from lapor.reports.models import NumberLane, Report, ReservedNumber

TRACKING_SPACE = 9 * 10**10
LANES = 1000
LANE_SIZE = TRACKING_SPACE // LANES  # 90,000,000


def lane_of(value: int) -> int:
    """The lane of body value ``value``."""
    return value // LANE_SIZE


def lane_of_number(number: str) -> int:
    """The lane of a twelve-digit tracking number (its eleven-digit body minus 10^10)."""
    return lane_of(int(number[:11]) - 10**10)


def lane_bounds(lane: int) -> tuple[int, int]:
    """The body values ``[low, high)`` of ``lane``."""
    return lane * LANE_SIZE, (lane + 1) * LANE_SIZE


def own_lane() -> int | None:
    """This instance's lane (a regional instance), or None."""
    return NumberLane.objects.filter(mine=True).values_list("lane", flat=True).first()


def given_lanes() -> list[int]:
    """Lanes given to other instances (on the national instance), ascending."""
    return sorted(NumberLane.objects.filter(mine=False).values_list("lane", flat=True))


def number_lane_give(lane: int) -> None:
    """Record that ``lane`` belongs to another instance: this one never draws there again.
    Call in the transaction that records the peering."""
    if not 1 <= lane < LANES:
        raise ValueError(f"lane out of range: {lane}")
    NumberLane.objects.get_or_create(lane=lane, defaults={"mine": False,
                                                          "created_at": clock.now()})


def number_lane_take(lane: int, *, reserved: Iterable[str] = ()) -> None:
    """Make ``lane`` this instance's own lane, with the numbers other instances already
    issued in it (never drawn here). Call in the transaction that records the link."""
    if not 1 <= lane < LANES:
        raise ValueError(f"lane out of range: {lane}")
    NumberLane.objects.filter(mine=True).exclude(lane=lane).delete()
    NumberLane.objects.update_or_create(lane=lane, defaults={"mine": True,
                                                             "created_at": clock.now()})
    ReservedNumber.objects.bulk_create(
        [ReservedNumber(number=n) for n in sorted(set(reserved))], ignore_conflicts=True)


def lanes() -> tuple[int | None, list[int]]:
    """This instance's own lane (or None) and the lanes given away (ascending): one query."""
    rows = list(NumberLane.objects.values_list("lane", "mine"))
    mine = next((lane for lane, is_mine in rows if is_mine), None)
    return mine, sorted(lane for lane, is_mine in rows if not is_mine)


def draw_value(mine: int | None, given: list[int]) -> int:
    """A random body value this instance may issue (``mine``, ``given``: :func:`lanes`):
    in its own lane when it has one (the caller then refuses reserved numbers,
    :func:`number_reserved`), else uniformly over the whole space minus the lanes given
    away."""
    if mine is not None:
        low, _ = lane_bounds(mine)
        return low + secrets.randbelow(LANE_SIZE)
    value = secrets.randbelow(TRACKING_SPACE - len(given) * LANE_SIZE)
    # Map the draw onto the space without the given lanes (skip each one below it).
    for lane in given:
        if value >= lane * LANE_SIZE:
            value += LANE_SIZE
        else:
            break
    return value


def number_reserved(number: str) -> bool:
    """Whether ``number`` was issued by another instance (in this region's lane, or by a
    region before it was linked to this national instance): never drawn here. One lookup
    of the unique index."""
    return ReservedNumber.objects.filter(number=number).exists()


def numbers_reserve(numbers: Iterable[str]) -> int:
    """Reserve ``numbers`` (twelve-digit tracking numbers, checked by the caller): issued by
    another instance, so this one never draws them. Idempotent (a number reserved twice
    stays one row). Returns how many distinct numbers were given."""
    distinct = sorted(set(numbers))
    ReservedNumber.objects.bulk_create([ReservedNumber(number=n) for n in distinct],
                                       ignore_conflicts=True, batch_size=1000)
    return len(distinct)


def numbers_in_lane(lane: int) -> list[str]:
    """The tracking numbers already issued here whose body falls in ``lane`` (what a region
    given that lane must never draw). Twelve-digit strings compare like the numbers, so this
    is a range scan of the unique index."""
    low, high = lane_bounds(lane)
    rows = Report.objects.filter(tracking_number__gte=f"{10**10 + low}0")
    if high < TRACKING_SPACE:  # the last lane runs to the end of the twelve digits
        rows = rows.filter(tracking_number__lt=f"{10**10 + high}0")
    return list(rows.order_by("tracking_number").values_list("tracking_number", flat=True))

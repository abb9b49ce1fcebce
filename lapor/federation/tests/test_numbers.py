"""One number space: lanes, reserved numbers; one access code with either digest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor.core.errors import NotAuthenticated
from lapor.federation import keys
from lapor.reports import numbering, replication
from lapor.reports.submission import (
    _access_code_digest,
    new_tracking_number,
    reporter_authenticate,
    tracking_number_of,
)
from tests.factories import Tree, submit

LANE = numbering.LANE_SIZE


_RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_RELAXED
@given(mine=st.integers(1, numbering.LANES - 1), draw=st.integers(0, LANE - 1))
def test_a_region_draws_only_in_its_lane(mine: int, draw: int) -> None:
    original = numbering.secrets.randbelow
    try:
        numbering.secrets.randbelow = lambda n: draw % n  # type: ignore[assignment]
        value = numbering.draw_value(mine, [])
    finally:
        numbering.secrets.randbelow = original  # type: ignore[assignment]
    assert numbering.lane_of(value) == mine


@_RELAXED
@given(given_lanes=st.sets(st.integers(1, numbering.LANES - 1), max_size=40),
       fraction=st.floats(0, 1, exclude_max=True))
def test_the_national_never_draws_in_a_given_lane(given_lanes: set[int],
                                                  fraction: float) -> None:
    original = numbering.secrets.randbelow
    try:
        numbering.secrets.randbelow = lambda n: int(n * fraction)  # type: ignore[assignment]
        value = numbering.draw_value(None, sorted(given_lanes))
    finally:
        numbering.secrets.randbelow = original  # type: ignore[assignment]
    assert 0 <= value < numbering.TRACKING_SPACE
    assert numbering.lane_of(value) not in given_lanes


def test_the_national_space_minus_lanes_is_covered_exactly() -> None:
    # The last value of the draw maps to the last value outside the given lanes.
    original = numbering.secrets.randbelow
    try:
        numbering.secrets.randbelow = lambda n: n - 1  # type: ignore[assignment]
        assert numbering.draw_value(None, [998, 999]) == 998 * LANE - 1
        numbering.secrets.randbelow = lambda n: 0  # type: ignore[assignment]
        assert numbering.draw_value(None, [1, 2]) == 0
        numbering.secrets.randbelow = lambda n: LANE  # type: ignore[assignment]
        assert numbering.draw_value(None, [1, 2]) == 3 * LANE
    finally:
        numbering.secrets.randbelow = original  # type: ignore[assignment]


@pytest.mark.django_db
def test_new_numbers_respect_lanes_and_reserved_numbers(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    low, _ = numbering.lane_bounds(5)
    reserved = tracking_number_of(low + 11)
    numbering.number_lane_take(5, reserved=[reserved])
    draws: Iterator[int] = iter([11, 11, 12])
    monkeypatch.setattr(numbering.secrets, "randbelow", lambda n: next(draws))
    # The first two draws hit the reserved number: drawn again.
    assert new_tracking_number() == tracking_number_of(low + 12)


@pytest.mark.django_db
def test_the_national_never_issues_in_a_given_lane(monkeypatch: pytest.MonkeyPatch) -> None:
    numbering.number_lane_give(1)
    numbering.number_lane_give(3)
    for _ in range(50):
        number = new_tracking_number()
        assert numbering.lane_of_number(number) not in (1, 3)
    # A draw that would land in lane 1 without the exclusion lands after it.
    monkeypatch.setattr(numbering.secrets, "randbelow", lambda n: LANE)
    assert numbering.lane_of_number(new_tracking_number()) == 2


@pytest.mark.django_db
def test_numbers_in_lane_range() -> None:
    assert numbering.lane_of_number(tracking_number_of(0)) == 0
    assert numbering.lane_of_number(tracking_number_of(numbering.TRACKING_SPACE - 1)) == 999


class _SharedKeyReplicator:
    """The one answer these tests need of F2's replicator: the shared key."""

    def held_elsewhere(self, report: Any) -> bool:
        return False

    def report_changed(self, report: Any, event: Any) -> None:
        return None

    def held_elsewhere_q(self) -> None:
        return None

    def shared_access_code_key(self) -> bytes | None:
        return keys.shared_access_code_key()

    def filed_elsewhere(self, report: Any) -> bool:
        return False


@pytest.fixture
def replicator() -> Iterator[None]:
    saved = list(replication._REPLICATOR)
    replication.register(_SharedKeyReplicator())
    try:
        yield
    finally:
        replication._REPLICATOR[:] = saved


def test_access_code_works_with_either_digest(tree: Tree, replicator: None) -> None:
    before = submit(tree)  # filed before federation: the local key's digest
    shared = keys.shared_key_ensure()
    after = submit(tree)  # the shared key's digest
    assert after.report.access_code_hash == _access_code_digest(after.access_code, shared)
    assert before.report.access_code_hash == _access_code_digest(before.access_code)
    for submitted in (before, after):
        actor = reporter_authenticate(tracking_number=submitted.report.tracking_number,
                                      access_code=submitted.access_code)
        assert actor.report_id == submitted.report.pk
    with pytest.raises(NotAuthenticated):
        reporter_authenticate(tracking_number=after.report.tracking_number,
                              access_code=before.access_code)
    # Another instance (another SECRET_KEY) holding the same key accepts the same code.
    with override_settings(SECRET_KEY="another-instance-" + "x" * 40):
        actor = reporter_authenticate(tracking_number=after.report.tracking_number,
                                      access_code=after.access_code)
        assert actor.report_id == after.report.pk
        with pytest.raises(NotAuthenticated):
            reporter_authenticate(tracking_number=before.report.tracking_number,
                                  access_code=before.access_code)


def test_without_federation_the_local_key_is_used(tree: Tree) -> None:
    submitted = submit(tree)
    assert submitted.report.access_code_hash == _access_code_digest(submitted.access_code)

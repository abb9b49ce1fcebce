"""Readiness computed by hand on a known data set (lapor/renaksi/readiness.py).

The reports are the statistics tests' fourteen Kutai Timur reports (lapor/stats/tests/
scenario.py, every number explained in lapor/stats/tests/test_figures.py), read at ``NOW``
(Mon 27 July 2026, 10:00 WITA), plus:

* an old PUPR report (submitted 100 days before NOW, disposed, never followed up): overdue
  now, but outside the 90-day window of the on-time share and the satisfaction;
* an earlier practice report followed up at PUPR (``is_training``): never PUPR's first report;
* a third unit, Kecamatan Sangatta Utara, with nothing at all;
* Dinkes gets a second liaison officer without two-factor sign-in.

By unit, over the 90 days (reports submitted from 29 April 2026):

* PUPR (E–M, F at its Bina Marga): first follow-up on time H, I, J, L, M; late K; overdue
  E, F, G → 5 of 9 (55,6 %: partial). Ratings I 5, J 2, M 4 → 11/3 ≈ 3.7 (partial). Overdue
  now E, F, G and the old report → 4. First real follow-up: H's, on 6 July. Liaisons
  ``liaison_pupr`` and ``liaison_binamarga`` (its sub-unit), both enrolled → met.
* Dinkes (N): first follow-up late (3 HK against 2) → 0 of 1 (not met); no rating (no
  data); nothing overdue (met); first follow-up 9 July. Liaisons 1 of 2 enrolled (partial).
* Kecamatan: no report (no data), nothing overdue (met), no liaison, no first report.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from lapor.accounts.models import User
from lapor.core import clock
from lapor.orgs.actors import actor_for_user
from lapor.orgs.models import NodeKind, OrgNode, Role
from lapor.orgs.services import node_create, role_assign
from lapor.renaksi.models import Indicator
from lapor.renaksi.readiness import (
    MET,
    NO_DATA,
    NOT_MET,
    PARTIAL,
    agency_readiness,
    indicator_met,
)
from lapor.reports import services
from lapor.reports.models import Report
from lapor.sopdoc.services import sop_draft_refresh, sop_version_approve
from lapor.stats.maintenance import stats_refresh
from lapor.stats.tests.scenario import NOW, T0, build
from lapor.training.models import TrainingSpace
from lapor.training.selectors import trained_by_unit
from lapor.training.services import practice_account_create, training_space_create
from lapor.training.tests.helpers import mirror, practice_reports, trainee
from tests.factories import Tree, drive, submit

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def _kecamatan(tree: Tree) -> OrgNode:
    return node_create(code="kutim-kec-sangatta-utara", name="Kecamatan Sangatta Utara",
                       kind=NodeKind.UNIT, parent=tree.kutim)


def _practice_answer(tree: Tree, space: TrainingSpace, node: OrgNode, *, at: datetime,
                     index: int = 0, trainer: str = "hub") -> User:
    """A trainee holding the liaison role on ``node`` (a copy in the space) answers one
    practice report at ``at`` (another trainee, on the training hub, disposed it)."""
    def account(*roles: tuple[OrgNode, str]) -> User:
        return practice_account_create(actor=tree.actor(trainer), space=space,
                                       trainee_name="Peserta", roles=list(roles)).account.user

    learner = account((node, Role.LIAISON))
    hub = actor_for_user(account((space.root, Role.HUB_VERIFIER)))
    report = practice_reports(space)[index]
    with clock.frozen(at):
        services.report_dispose(actor=hub, report_id=report.pk, node_code=node.code)
        services.report_follow_up(actor=actor_for_user(learner), report_id=report.pk,
                                  body="Sudah kami cek ke lapangan.", final=True)
    return learner


def _data_set(tree: Tree) -> dict[str, object]:
    scenario = build(tree)
    kec = _kecamatan(tree)
    with clock.frozen(NOW - 100 * DAY):
        old = submit(tree).report
        services.report_dispose(actor=tree.actor("hub"), report_id=old.pk,
                                node_code=tree.pupr.code)
    practice = drive(tree, "responded", at=T0 - 10 * DAY)
    Report.objects.filter(pk=practice.pk).update(is_training=True)
    unenrolled = User.objects.create_user(username="liaison_dinkes_2", password="x" * 12)
    role_assign(user=unenrolled, node=tree.dinkes, role=Role.LIAISON)
    # A liaison whose account is closed counts nowhere.
    gone = User.objects.create_user(username="liaison_gone", password="x" * 12,
                                    is_active=False)
    role_assign(user=gone, node=tree.dinkes, role=Role.LIAISON)
    with clock.frozen(NOW):
        stats_refresh()
    return {"scenario": scenario, "kec": kec, "old": old}


def _rows(tree: Tree) -> dict[str, dict[str, object]]:
    with clock.frozen(NOW):
        rows = agency_readiness(tree.kutim)
    return {r.unit.code: r.cells for r in rows}  # type: ignore[misc]


def test_known_data_set_without_sop_or_training(tree: Tree) -> None:
    data = _data_set(tree)
    h = data["scenario"].reports["H"]  # type: ignore[attr-defined]
    rows = _rows(tree)
    assert list(rows) == ["kutim-pupr", "kutim-dinkes", "kutim-kec-sangatta-utara"]
    pupr, dinkes, kec = rows["kutim-pupr"], rows["kutim-dinkes"], rows[
        "kutim-kec-sangatta-utara"]

    # Liaison officers and two-factor sign-in.
    assert (pupr[Indicator.LIAISON].level, pupr[Indicator.LIAISON].value) == (MET, 2)
    assert pupr[Indicator.LIAISON].text == "2 dari 2 admin penghubung ber-2FA"
    assert (dinkes[Indicator.LIAISON].level, dinkes[Indicator.LIAISON].value) == (PARTIAL, 1)
    assert dinkes[Indicator.LIAISON].text == "1 dari 2 admin penghubung ber-2FA"
    assert kec[Indicator.LIAISON].level == NOT_MET
    assert pupr[Indicator.LIAISON].link == "/petugas/admin/kutim/pengguna/"

    # No approved SOP: not met on every row, linking to the SOP document.
    for cells in rows.values():
        assert cells[Indicator.SOP].level == NOT_MET
        assert cells[Indicator.SOP].link == "/petugas/admin/kutim/sop/dokumen/"
        assert cells[Indicator.TRAINING].level == NOT_MET
        assert cells[Indicator.TRAINING].link == "/petugas/pelatihan/"

    # First real report followed up (the practice report 10 days earlier does not count).
    first = pupr[Indicator.FIRST_REPORT]
    assert (first.level, first.on, first.value) == (MET, T0, h.pk)
    assert first.link == f"/petugas/laporan/{h.pk}/"
    assert first.text == "Ditindaklanjuti 6 Juli 2026"
    assert dinkes[Indicator.FIRST_REPORT].on == T0 + 3 * DAY
    assert kec[Indicator.FIRST_REPORT].level == NOT_MET

    # On time over 90 days.
    on_time = pupr[Indicator.ON_TIME]
    assert on_time.value == pytest.approx(5 / 9)
    assert (on_time.level, on_time.text) == (PARTIAL, "5 dari 9 tepat waktu (55,6%)")
    assert on_time.link == "/petugas/dasbor/kutim-pupr/"
    assert (dinkes[Indicator.ON_TIME].level, dinkes[Indicator.ON_TIME].value) == (NOT_MET, 0)
    assert kec[Indicator.ON_TIME].level == NO_DATA

    # Overdue now (the old report included: the window does not apply).
    assert (pupr[Indicator.OVERDUE].level, pupr[Indicator.OVERDUE].value) == (NOT_MET, 4)
    assert pupr[Indicator.OVERDUE].text == "4 laporan terlambat"
    assert pupr[Indicator.OVERDUE].link == "/petugas/dasbor/kutim-pupr/#sec-overdue"
    assert (dinkes[Indicator.OVERDUE].level, dinkes[Indicator.OVERDUE].value) == (MET, 0)
    assert kec[Indicator.OVERDUE].level == MET

    # Satisfaction.
    satisfaction = pupr[Indicator.SATISFACTION]
    assert satisfaction.value == pytest.approx(11 / 3)
    assert (satisfaction.level, satisfaction.text) == (PARTIAL, "3,7 dari 5 (3 penilaian)")
    assert dinkes[Indicator.SATISFACTION].level == NO_DATA
    assert kec[Indicator.SATISFACTION].level == NO_DATA


def test_english_text(tree: Tree) -> None:
    _data_set(tree)
    with clock.frozen(NOW), translation.override("en"):
        rows = {r.unit.code: r.cells for r in agency_readiness(tree.kutim)}
    assert rows["kutim-pupr"][Indicator.ON_TIME].text == "5 of 9 on time (55.6%)"
    assert rows["kutim-pupr"][Indicator.SATISFACTION].text == "3.7 of 5 (3 ratings)"
    assert rows["kutim-dinkes"][Indicator.LIAISON].text == (
        "1 of 2 liaison officers with two-factor sign-in")


def test_approved_sop_and_trained_officers(tree: Tree) -> None:
    _data_set(tree)
    with clock.frozen(NOW - 5 * DAY):
        space = training_space_create(actor=tree.actor("hub"), agency=tree.kutim,
                                      report_count=4)
    _practice_answer(tree, space, mirror(space, "kutim-pupr"), at=NOW - 3 * DAY)
    # A sub-unit's trainee counts for its unit; the latest answer is the unit's date.
    _practice_answer(tree, space, mirror(space, "kutim-pupr-binamarga"), at=NOW - 2 * DAY,
                     index=1)
    # Dinkes's trainee never answered: not trained.
    trainee(tree, space, (mirror(space, "kutim-dinkes"), Role.LIAISON))
    with clock.frozen(NOW - DAY):
        version = sop_draft_refresh(node=tree.kutim)
        assert version is not None
        approved = sop_version_approve(actor=tree.actor("hub"), version=version,
                                       approver_name="Ardiansyah Sulaiman",
                                       approver_position="Bupati Kutai Timur",
                                       effective_date=date(2026, 7, 27))
    rows = _rows(tree)
    pupr, dinkes = rows["kutim-pupr"], rows["kutim-dinkes"]
    for cells in rows.values():
        sop = cells[Indicator.SOP]
        assert (sop.level, sop.on) == (MET, NOW - DAY)
        assert sop.text == f"{approved.number}, disahkan 26 Juli 2026"
    training = pupr[Indicator.TRAINING]
    assert (training.level, training.value, training.on) == (MET, 2, NOW - 2 * DAY)
    assert training.text == "2 petugas berlatih, terakhir 25 Juli 2026"
    assert dinkes[Indicator.TRAINING].level == NOT_MET
    assert trained_by_unit(tree.kutim)[tree.pupr.pk].count == 2
    # Readiness needs liaison officers with 2FA, the SOP and training: PUPR only.
    with clock.frozen(NOW):
        ready = {r.unit.code: r.ready for r in agency_readiness(tree.kutim)}
        assert indicator_met(tree.kutim, Indicator.TRAINING, [tree.pupr])
        assert not indicator_met(tree.kutim, Indicator.TRAINING, [tree.pupr, tree.dinkes])
    assert ready == {"kutim-pupr": True, "kutim-dinkes": False,
                     "kutim-kec-sangatta-utara": False}


def test_a_copy_named_by_id_maps_back(tree: Tree) -> None:
    """A unit whose code is too long for ``latihan-<space>-<code>`` gets a copy named
    ``latihan-<space>-n<id>`` (training/services.py ``_node_code``)."""
    long_code = "kutim-badan-pengelolaan-keuangan-dan-aset-daerah-kabupaten-kutai-timur"
    unit = node_create(code=long_code, name="BPKAD", kind=NodeKind.UNIT, parent=tree.kutim)
    with clock.frozen(NOW - 5 * DAY):
        space = training_space_create(actor=tree.actor("hub"), agency=tree.kutim,
                                      report_count=2)
    copy = OrgNode.objects.get(code=f"latihan-{space.code}-n{unit.pk}")
    _practice_answer(tree, space, copy, at=NOW - 3 * DAY)
    trained = trained_by_unit(tree.kutim)
    assert list(trained) == [unit.pk]
    assert (trained[unit.pk].count, trained[unit.pk].last_at) == (1, NOW - 3 * DAY)


def test_another_agencys_training_never_counts(tree: Tree) -> None:
    with clock.frozen(NOW - 5 * DAY):
        space = training_space_create(actor=tree.actor("hub_samarinda"),
                                      agency=tree.samarinda, report_count=2)
    _practice_answer(tree, space, mirror(space, "samarinda-dishub"), at=NOW - 3 * DAY,
                     trainer="hub_samarinda")
    assert trained_by_unit(tree.kutim) == {}
    assert list(trained_by_unit(tree.samarinda)) == [tree.samarinda_dishub.pk]


def test_only_the_given_units(tree: Tree) -> None:
    _data_set(tree)
    with clock.frozen(NOW):
        rows = agency_readiness(tree.kutim, units=[tree.dinkes])
    assert [r.unit.code for r in rows] == ["kutim-dinkes"]
    assert agency_readiness(tree.samarinda, units=[]) == []


def _grow(tree: Tree, first: int, count: int) -> None:
    """``count`` more units, each with a sub-unit, a liaison officer and a report handled."""
    for i in range(first, first + count):
        unit = node_create(code=f"kutim-opd-{i}", name=f"OPD {i}", kind=NodeKind.UNIT,
                           parent=tree.kutim)
        node_create(code=f"kutim-opd-{i}-bidang", name=f"Bidang {i}", kind=NodeKind.SUBUNIT,
                    parent=unit)
        liaison = User.objects.create_user(username=f"liaison_opd_{i}", password="x" * 12)
        role_assign(user=liaison, node=unit, role=Role.LIAISON)
        with clock.frozen(T0 + DAY):
            report = submit(tree).report
            services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                    node_code=unit.code)
            services.report_follow_up(actor=actor_for_user(liaison), report_id=report.pk,
                                      body="Sudah ditangani.", final=True)


def _queries(tree: Tree) -> tuple[int, int]:
    with clock.frozen(NOW):
        stats_refresh()
        with CaptureQueriesContext(connection) as captured:
            rows = agency_readiness(tree.kutim)
    return len(rows), len(captured)


def test_query_count_does_not_grow_with_units(tree: Tree, django_assert_max_num_queries: Any,
                                              ) -> None:
    build(tree)
    with clock.frozen(NOW - 5 * DAY):
        space = training_space_create(actor=tree.actor("hub"), agency=tree.kutim,
                                      report_count=2)
    _practice_answer(tree, space, mirror(space, "kutim-pupr"), at=NOW - 3 * DAY)
    _grow(tree, 0, 2)
    units, few = _queries(tree)
    assert units == 4
    _grow(tree, 2, 12)
    units, many = _queries(tree)
    assert units == 16
    assert few == many
    with clock.frozen(NOW), django_assert_max_num_queries(15):
        agency_readiness(tree.kutim)

"""Kutai Timur's Renaksi in the demo (lapor.demo.renaksi): the programme, its evidence, and a
readiness matrix read from the demo data, with both met and not-met cells."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from lapor.core import clock
from lapor.core.models import Marker
from lapor.demo import data
from lapor.demo import renaksi as demo_renaksi
from lapor.orgs.actors import actor_for_user
from lapor.orgs.models import OrgNode
from lapor.renaksi import selectors, services
from lapor.renaksi.models import Activity, ActivityKind, Evidence, EvidenceKind, Indicator, Plan
from lapor.renaksi.readiness import MET, NO_DATA, NOT_MET, agency_readiness
from lapor.reports.models import Report
from lapor.stats.maintenance import stats_rebuild
from lapor.training.models import PracticeAccount, TrainingSpace
from tests.api_client import current_totp

pytestmark = pytest.mark.django_db

PINNED = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)  # a Friday, as in test_demo.py


def _load(reports: int = 40) -> str:
    out = StringIO()
    with clock.frozen(PINNED):
        call_command("demo", "--reports", str(reports), stdout=out)
    return out.getvalue()


def _rows(plan: Plan) -> dict[str, selectors.ActivityRow]:
    kominfo = actor_for_user(plan.created_by)  # type: ignore[arg-type]
    readiness = {r.unit.pk: r for r in agency_readiness(plan.agency)}
    with clock.frozen(PINNED):
        today = services.agency_today(plan.agency)
    rows = selectors.activity_rows(selectors.activities_for(kominfo, plan), today=today,
                                   readiness=readiness)
    return {row.activity.title: row for row in rows}


def test_the_programme_and_its_readiness_matrix() -> None:
    output = _load()

    plan = Plan.objects.get(agency__code=data.KUTIM)
    assert plan.title == demo_renaksi.PLAN_TITLE
    assert (plan.start_year, plan.end_year) == (2023, 2026)
    assert plan.created_by is not None
    assert plan.created_by.username == "kominfo"
    assert "Renaksi Kabupaten Kutai Timur" in output
    activities = list(Activity.objects.filter(plan=plan))
    assert len(activities) == len(demo_renaksi.STEPS)
    assert {a.kind for a in activities} == set(ActivityKind.values)

    sop = Activity.objects.get(plan=plan, kind=ActivityKind.SOP)
    assert sop.planned_end == date(2023, 7, 31)
    assert sop.done_on is not None
    assert sop.done_on <= date(2023, 7, 31)
    assert {e.kind for e in sop.evidence.all()} == {EvidenceKind.DOCUMENT,
                                                    EvidenceKind.ATTENDANCE}
    sosialisasi = Activity.objects.filter(plan=plan, kind=ActivityKind.SOSIALISASI)
    involved = {u.code for a in sosialisasi for u in a.units.all()}
    assert {n.code for n in OrgNode.objects.filter(parent__code=data.KUTIM,
                                                   kind="unit")} <= involved
    kecamatan = OrgNode.objects.filter(code__startswith=data.KECAMATAN_PREFIX).count()
    assert kecamatan == 18

    rows = _rows(plan)
    states = {row.state for row in rows.values()}
    assert {selectors.DONE, selectors.PROVEN, selectors.LATE, selectors.IN_PROGRESS,
            selectors.PLANNED} <= states
    done = [r.activity for r in rows.values() if r.state == selectors.DONE]
    assert len(done) >= 8
    assert all(a.evidence.exists() for a in done)  # done with evidence, not a checkbox
    assert {e.content_type for e in Evidence.objects.filter(activity__plan=plan)} == {
        "application/pdf", "image/png"}
    late = [r.activity for r in rows.values() if r.state == selectors.LATE]
    assert len(late) >= 2
    assert all(a.planned_end < date(2026, 11, 27) and a.done_on is None for a in late)
    # Proven by the readiness indicator: PUPR's trainee completed the practice scenario.
    assert rows["Bimtek Dinas PUPR"].state == selectors.PROVEN
    health = rows["Bimtek klaster kesehatan: Dinas Kesehatan dan RSUD Kudungga"]
    assert health.proof_met is False
    assert health.state == selectors.IN_PROGRESS
    # Nothing dated after the demo's now.
    assert not Activity.objects.filter(done_on__gt=date(2026, 11, 27)).exists()
    assert not Activity.objects.filter(updated_at__gt=PINNED).exists()
    assert not Evidence.objects.filter(created_at__gt=PINNED).exists()

    # The readiness matrix reads the demo (one load for both: it takes a while).
    kutim = plan.agency
    with clock.frozen(PINNED):
        # What the worker's first statistics refresh does after `make run` starts.
        stats_rebuild()
        matrix = {r.unit.code: r for r in agency_readiness(kutim)}

    assert len(matrix) == 10 + 18  # every perangkat daerah and kecamatan
    levels = {c.level for r in matrix.values() for c in r.cells.values()}
    assert {MET, NOT_MET} <= levels
    pupr = matrix["kutim-pupr"]
    assert pupr.ready
    assert pupr.cells[Indicator.SOP].met  # the approved SOP document
    assert pupr.cells[Indicator.FIRST_REPORT].met  # real demo reports handled
    assert pupr.cells[Indicator.ON_TIME].level != NO_DATA
    assert any(r.cells[Indicator.SATISFACTION].level != NO_DATA for r in matrix.values())
    assert matrix[f"{data.KECAMATAN_PREFIX}sangatta-utara"].ready
    assert not matrix["kutim-rsud"].cells[Indicator.TRAINING].met  # trainee did not practise
    assert not matrix["kutim-dlh"].cells[Indicator.LIAISON].met  # one of two without 2FA
    assert not matrix[f"{data.KECAMATAN_PREFIX}bengalon"].cells[Indicator.LIAISON].met
    assert not matrix[f"{data.KECAMATAN_PREFIX}busang"].cells[Indicator.LIAISON].met
    assert not matrix[f"{data.KECAMATAN_PREFIX}busang"].ready
    # The practice reports stay out of the demo's figures.
    assert Report.objects.filter(is_training=False).count() == 40
    assert TrainingSpace.objects.filter(agency=kutim).count() == 1
    assert PracticeAccount.objects.count() == len(demo_renaksi.TRAINEES)


def test_an_earlier_demo_gets_the_renaksi_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lapor.demo.loader.load_renaksi", lambda **kwargs: 0)
    _load(reports=5)
    assert not Plan.objects.exists()
    monkeypatch.undo()

    output = _load(reports=5)

    assert "added Kutai Timur's Renaksi" in output
    assert Activity.objects.count() == len(demo_renaksi.STEPS)
    assert Marker.objects.filter(key=demo_renaksi.MARKER_KEY).exists()
    # A third run adds nothing: test_demo.py's test_second_run_changes_nothing counts it.


def _signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/petugas/masuk/", {"username": username,
                                               "password": data.DEFAULT_PASSWORD,
                                               "otp": current_totp(username) or ""})
    assert response.status_code == 302
    return client


def test_a_kadis_sees_the_programme_and_the_ready_units_and_prints_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's "done when", on the demo: `kominfo` (Diskominfo Staper) signs in, opens the
    programme and the readiness matrix, and prints it for the Bupati."""
    monkeypatch.delenv(data.PASSWORD_ENV, raising=False)
    _load(reports=10)
    plan = Plan.objects.get(agency__code=data.KUTIM)
    base = f"/petugas/renaksi/{plan.pk}/"
    client = _signed_in("kominfo")

    assert base in client.get("/petugas/renaksi/").content.decode()
    programme = client.get(base).content.decode()
    assert "Bimtek Dinas PUPR" in programme
    assert "Penyusunan SOP" in programme
    assert 'data-state="late"' in programme
    matrix = client.get(f"{base}kesiapan/").content.decode()
    assert "Kecamatan Sangatta Utara" in matrix
    assert "✓" in matrix  # ready units
    assert "✗" in matrix  # and units not ready yet
    pdf = client.get(f"{base}cetak.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    assert client.get(f"{base}cetak.xlsx").status_code == 200
    # A liaison officer sees the plan through their own unit's activities only.
    pupr = _signed_in("pupr").get(base).content.decode()
    assert "Bimtek Dinas PUPR" in pupr
    assert "Bimtek klaster kesehatan" not in pupr

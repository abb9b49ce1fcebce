"""The writes of a Renaksi (lapor/renaksi/services.py): what they change, what they refuse
(stable codes) and the audit entry each leaves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lapor.audit.models import AuditEntry
from lapor.core import clock
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.renaksi.evidence import evidence_add, evidence_storage
from lapor.renaksi.models import Activity, ActivityKind, ActivityStatus, Evidence, Plan
from lapor.renaksi.services import (
    activity_create,
    activity_delete,
    activity_update,
    agency_today,
    plan_create,
    plan_units,
    plan_update,
)
from lapor.renaksi.tests.sample import jpeg_with_exif, sample
from tests.factories import Tree

pytestmark = pytest.mark.django_db


def _audits(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def test_plan_create_and_update_are_audited(tree: Tree) -> None:
    hub = tree.actor("hub")
    plan = plan_create(actor=hub, agency=tree.kutim, title="  Renaksi 2023–2026 ",
                       start_year=2023, end_year=2026, description="Bersama mitra.")
    assert (plan.title, plan.agency, plan.created_by) == ("Renaksi 2023–2026", tree.kutim,
                                                          tree.users["hub"])
    [entry] = _audits("renaksi.plan_create")
    assert (entry.target_type, entry.target_id) == ("renaksi_plan", str(plan.pk))
    assert entry.payload == {"agency": "kutim", "years": [2023, 2026]}
    assert entry.actor_id == tree.users["hub"].pk

    plan_update(actor=hub, plan=plan, end_year=2027, description="Diperpanjang.")
    plan.refresh_from_db()
    assert (plan.start_year, plan.end_year, plan.description) == (2023, 2027, "Diperpanjang.")
    [entry] = _audits("renaksi.plan_update")
    assert entry.payload == {"fields": ["description", "end_year", "start_year"]}
    # Nothing given, nothing changed: no entry.
    plan_update(actor=hub, plan=plan)
    assert len(_audits("renaksi.plan_update")) == 1


@pytest.mark.parametrize(("years", "code", "field"), [
    ((1999, 2026), "validation_error", "start_year"),
    ((2026, 2023), "validation_error", "end_year"),
    ((2023, 2101), "validation_error", "end_year"),
])
def test_plan_years_refused(tree: Tree, years: tuple[int, int], code: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        plan_create(actor=tree.actor("hub"), agency=tree.kutim, title="Renaksi",
                    start_year=years[0], end_year=years[1])
    assert (caught.value.code, caught.value.field) == (code, field)
    assert not Plan.objects.exists()


def test_a_plan_belongs_to_an_agency_not_a_unit(tree: Tree) -> None:
    with pytest.raises(ValidationFailed) as caught:
        plan_create(actor=tree.actor("hub"), agency=tree.pupr, title="Renaksi",
                    start_year=2024, end_year=2025)
    assert (caught.value.code, caught.value.field) == ("validation_error", "agency")
    assert not Plan.objects.exists()


def test_a_shorter_period_may_not_leave_an_activity_outside(tree: Tree) -> None:
    hub = tree.actor("hub")
    plan = plan_create(actor=hub, agency=tree.kutim, title="Renaksi 2023–2026",
                       start_year=2023, end_year=2026)
    activity_create(actor=hub, plan=plan, kind=ActivityKind.DIKLAT, title="Diklat 2026",
                    planned_start=date(2026, 3, 1), planned_end=date(2026, 3, 5))
    with pytest.raises(ValidationFailed) as caught:
        plan_update(actor=hub, plan=plan, end_year=2025)
    assert (caught.value.code, caught.value.field) == ("outside_plan_period", "end_year")
    plan.refresh_from_db()
    assert (plan.start_year, plan.end_year) == (2023, 2026)
    plan_update(actor=hub, plan=plan, start_year=2024)  # still holds the activity
    plan.refresh_from_db()
    assert plan.start_year == 2024


@pytest.mark.parametrize("who", ["supervisor_kutim", "auditor", "liaison_pupr",
                                 "hub_samarinda", "citizen"])
def test_only_the_hub_writes(tree: Tree, who: str) -> None:
    s = sample(tree)
    actor = tree.actor(who)
    with pytest.raises(PermissionDenied) as caught:
        plan_create(actor=actor, agency=tree.kutim, title="Renaksi lain", start_year=2024,
                    end_year=2025)
    assert caught.value.code == "permission_denied"
    for call in (lambda: plan_update(actor=actor, plan=s.plan, title="Diubah"),
                 lambda: activity_create(actor=actor, plan=s.plan, kind=ActivityKind.OTHER,
                                         title="Kegiatan lain", planned_start=date(2024, 1, 1),
                                         planned_end=date(2024, 1, 2)),
                 lambda: activity_update(actor=actor, activity=s.pupr,
                                         changes={"title": "Diubah"}),
                 lambda: activity_delete(actor=actor, activity=s.pupr)):
        with pytest.raises(PermissionDenied):
            call()
    s.plan.refresh_from_db()
    assert s.plan.title == "Renaksi SP4N-LAPOR! 2023–2026"
    assert Activity.objects.count() == 2


def test_a_system_administrator_above_writes(tree: Tree) -> None:
    plan = plan_create(actor=tree.actor("sysadmin"), agency=tree.kutim, title="Renaksi",
                       start_year=2024, end_year=2025)
    assert plan.agency == tree.kutim


def test_activity_create(tree: Tree) -> None:
    s = sample(tree)
    assert list(s.pupr.units.all()) == [tree.pupr]
    assert s.pupr.owner == tree.users["liaison_pupr"]
    assert s.pupr.status == ActivityStatus.PLANNED
    entries = _audits("renaksi.activity_create")
    assert [e.target_id for e in entries] == [str(s.pupr.pk), str(s.dinkes.pk)]
    assert entries[0].payload == {"plan": s.plan.pk, "kind": "bimtek", "units": ["kutim-pupr"],
                                  "status": "planned"}


def _create(tree: Tree, plan: Plan, **changes: object) -> Activity:
    fields: dict[str, object] = {
        "kind": ActivityKind.WORKSHOP, "title": "Workshop pengelolaan pengaduan",
        "planned_start": date(2024, 5, 1), "planned_end": date(2024, 5, 2),
        "unit_codes": [tree.pupr.code, tree.dinkes.code]}
    fields.update(changes)
    return activity_create(actor=tree.actor("hub"), plan=plan, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"unit_codes": ["kutim-tidak-ada"]}, "unknown_node", "units"),
    # Another agency's unit, and a sub-unit (not a perangkat daerah itself).
    ({"unit_codes": ["samarinda-dishub"]}, "unknown_node", "units"),
    ({"unit_codes": ["kutim-pupr-binamarga"]}, "unknown_node", "units"),
    ({"owner": "tidak_ada"}, "unknown_user", "owner"),
    ({"owner": "liaison_samarinda"}, "unknown_user", "owner"),
    ({"planned_end": date(2024, 4, 30)}, "dates_out_of_order", "planned_end"),
    ({"planned_start": date(2022, 12, 1)}, "outside_plan_period", "planned_start"),
    ({"planned_end": date(2027, 1, 5)}, "outside_plan_period", "planned_start"),
    ({"kind": "rapat"}, "validation_error", "kind"),
    ({"proof_indicator": "mood"}, "validation_error", "proof_indicator"),
    ({"status": "done"}, "required", "done_on"),
    ({"status": "selesai"}, "validation_error", "status"),
    ({"title": "ab"}, "text_too_short", "title"),
])
def test_activity_refusals(tree: Tree, changes: dict[str, object], code: str,
                           field: str) -> None:
    s = sample(tree)
    with pytest.raises(ValidationFailed) as caught:
        _create(tree, s.plan, **changes)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert Activity.objects.count() == 2
    assert len(_audits("renaksi.activity_create")) == 2


def test_done_on_cannot_be_in_the_future(tree: Tree) -> None:
    s = sample(tree)
    tomorrow = agency_today(tree.kutim) + timedelta(days=1)  # the agency's own tomorrow
    with pytest.raises(ValidationFailed) as caught:
        activity_update(actor=tree.actor("hub"), activity=s.pupr,
                        changes={"status": "done", "done_on": tomorrow})
    assert (caught.value.code, caught.value.field) == ("validation_error", "done_on")


def test_activity_update(tree: Tree) -> None:
    s = sample(tree)
    hub = tree.actor("hub")
    updated = activity_update(actor=hub, activity=s.pupr, changes={
        "status": "done", "done_on": date(2024, 3, 28),
        "unit_codes": [tree.pupr.code, tree.dinkes.code], "owner": None,
        "proof_indicator": "training"})
    assert (updated.status, updated.done_on, updated.owner) == ("done", date(2024, 3, 28), None)
    assert updated.proof_indicator == "training"
    assert {u.code for u in updated.units.all()} == {"kutim-pupr", "kutim-dinkes"}
    [entry] = _audits("renaksi.activity_update")
    assert entry.payload == {"fields": ["done_on", "owner", "proof_indicator", "status",
                                        "units"], "status": "done"}
    # Back to in progress: the done date goes.
    again = activity_update(actor=hub, activity=s.pupr, changes={"status": "in_progress"})
    assert (again.status, again.done_on) == ("in_progress", None)
    with pytest.raises(ValidationFailed) as caught:
        activity_update(actor=hub, activity=s.pupr, changes={"plan": 7})
    assert (caught.value.code, caught.value.field) == ("validation_error", "plan")
    with pytest.raises(ValidationFailed) as caught:
        activity_update(actor=hub, activity=s.pupr,
                        changes={"planned_start": date(2024, 4, 5)})
    assert caught.value.code == "dates_out_of_order"
    s.pupr.refresh_from_db()
    assert s.pupr.planned_start == date(2024, 3, 1)


def test_activity_delete_removes_evidence_files_after_commit(
        tree: Tree, django_capture_on_commit_callbacks: object) -> None:
    s = sample(tree)
    evidence = evidence_add(actor=tree.actor("hub"), activity=s.pupr, data=jpeg_with_exif(),
                            filename="foto.jpg", kind="photo")
    storage = evidence_storage()
    assert storage.exists(evidence.stored_name)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        activity_delete(actor=tree.actor("hub"), activity=s.pupr)
    assert not Activity.objects.filter(pk=s.pupr.pk).exists()
    assert not Evidence.objects.exists()
    assert not storage.exists(evidence.stored_name)
    [entry] = _audits("renaksi.activity_delete")
    assert entry.payload == {"plan": s.plan.pk, "title_length": len("Bimtek Dinas PUPR")}


def test_plan_units_are_the_active_units_directly_under_the_agency(tree: Tree) -> None:
    assert [u.code for u in plan_units(tree.kutim)] == ["kutim-pupr", "kutim-dinkes"]
    tree.dinkes.is_active = False
    tree.dinkes.save(update_fields=["is_active"])
    assert [u.code for u in plan_units(tree.kutim)] == ["kutim-pupr"]


def test_done_today_in_the_agencys_own_date(tree: Tree) -> None:
    # 23:30 UTC on 6 December is 07:30 WITA on 7 December in Kutai Timur: done "today" there.
    hub = tree.actor("hub")
    plan = plan_create(actor=hub, agency=tree.kutim, title="Renaksi 2023–2026",
                       start_year=2023, end_year=2026)
    activity = activity_create(actor=hub, plan=plan, kind=ActivityKind.DIKLAT,
                               title="Diklat angkatan II", planned_start=date(2026, 12, 7),
                               planned_end=date(2026, 12, 11))
    with clock.frozen(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)):
        activity_update(actor=hub, activity=activity,
                        changes={"status": ActivityStatus.DONE, "done_on": date(2026, 12, 7)})
        with pytest.raises(ValidationFailed) as caught:
            activity_update(actor=hub, activity=activity,
                            changes={"status": ActivityStatus.DONE,
                                     "done_on": date(2026, 12, 8)})
    assert (caught.value.code, caught.value.field) == ("validation_error", "done_on")
    activity.refresh_from_db()
    assert (activity.status, activity.done_on) == (ActivityStatus.DONE, date(2026, 12, 7))

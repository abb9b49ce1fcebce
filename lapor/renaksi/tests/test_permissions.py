"""Who sees what of a Renaksi (lapor/renaksi/permissions.py, selectors.py): another agency's
plan does not exist (404), a liaison officer sees only its unit's (or its own) activities,
pimpinan and auditors read everything and write nothing."""

from __future__ import annotations

import pytest

from lapor.core.errors import NotFound, PermissionDenied
from lapor.orgs.actors import actor_for_user
from lapor.orgs.models import Role
from lapor.orgs.services import role_assign
from lapor.renaksi.evidence import evidence_add, evidence_open
from lapor.renaksi.models import Activity
from lapor.renaksi.permissions import can_read_plan, can_read_unit, can_write_plan, owner_reads
from lapor.renaksi.reminders import recipients_of
from lapor.renaksi.selectors import activities_for, activity_for, plan_for, plans_for
from lapor.renaksi.services import activity_update, plan_create, plan_update
from lapor.renaksi.tests.sample import jpeg_with_exif, sample
from tests.factories import Tree

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["hub_samarinda", "liaison_samarinda", "citizen"])
def test_another_agencys_plan_is_not_found(tree: Tree, who: str) -> None:
    s = sample(tree)
    actor = tree.actor(who)
    assert list(plans_for(actor)) == []
    with pytest.raises(NotFound) as caught:
        plan_for(actor, s.plan.pk)
    assert caught.value.code == "not_found"
    for activity in (s.pupr, s.dinkes):
        with pytest.raises(NotFound):
            activity_for(actor, activity.pk)
    assert not can_read_plan(actor, tree.kutim)


def test_samarindas_hub_reads_only_its_own(tree: Tree) -> None:
    sample(tree)
    own = plan_create(actor=tree.actor("hub_samarinda"), agency=tree.samarinda,
                      title="Renaksi Samarinda", start_year=2024, end_year=2026)
    assert [p.pk for p in plans_for(tree.actor("hub_samarinda"))] == [own.pk]
    with pytest.raises(NotFound):
        plan_for(tree.actor("hub"), own.pk)


def test_a_liaison_sees_only_its_units_activities(tree: Tree) -> None:
    s = sample(tree)
    liaison = tree.actor("liaison_dinkes")
    assert [p.pk for p in plans_for(liaison)] == [s.plan.pk]
    assert plan_for(liaison, s.plan.pk) == s.plan
    assert [a.pk for a in activities_for(liaison, s.plan)] == [s.dinkes.pk]
    assert activity_for(liaison, s.dinkes.pk) == s.dinkes
    with pytest.raises(NotFound):
        activity_for(liaison, s.pupr.pk)
    assert not can_read_plan(liaison, tree.kutim)
    assert can_read_unit(liaison, tree.dinkes)
    assert not can_read_unit(liaison, tree.pupr)


def test_a_sub_units_liaison_sees_its_units_activities(tree: Tree) -> None:
    s = sample(tree)
    liaison = tree.actor("liaison_binamarga")
    assert [a.pk for a in activities_for(liaison, s.plan)] == [s.pupr.pk]
    assert can_read_unit(liaison, tree.pupr)


def test_an_owner_sees_its_activity_outside_its_unit(tree: Tree) -> None:
    s = sample(tree)
    activity_update(actor=tree.actor("hub"), activity=s.dinkes,
                    changes={"owner": "liaison_pupr"})
    liaison = tree.actor("liaison_pupr")
    assert {a.pk for a in activities_for(liaison, s.plan)} == {s.pupr.pk, s.dinkes.pk}


def test_a_liaison_writes_nothing(tree: Tree) -> None:
    s = sample(tree)
    liaison = tree.actor("liaison_pupr")
    assert not can_write_plan(liaison, tree.kutim)
    with pytest.raises(PermissionDenied):
        activity_update(actor=liaison, activity=s.pupr, changes={"status": "in_progress"})
    with pytest.raises(PermissionDenied):
        evidence_add(actor=liaison, activity=s.pupr, data=jpeg_with_exif(),
                     filename="foto.jpg", kind="photo")


@pytest.mark.parametrize("who", ["supervisor_kutim", "auditor"])
def test_pimpinan_and_auditors_read_but_cannot_write(tree: Tree, who: str) -> None:
    s = sample(tree)
    actor = tree.actor(who)
    assert can_read_plan(actor, tree.kutim)
    assert not can_write_plan(actor, tree.kutim)
    assert plan_for(actor, s.plan.pk) == s.plan
    assert [a.pk for a in activities_for(actor, s.plan)] == [s.dinkes.pk, s.pupr.pk]
    assert can_read_unit(actor, tree.pupr)
    with pytest.raises(PermissionDenied) as caught:
        plan_update(actor=actor, plan=s.plan, title="Diubah pimpinan")
    assert caught.value.code == "permission_denied"
    with pytest.raises(PermissionDenied):
        activity_update(actor=actor, activity=s.pupr, changes={"status": "cancelled"})
    with pytest.raises(PermissionDenied):
        evidence_add(actor=actor, activity=s.pupr, data=jpeg_with_exif(), filename="a.jpg",
                     kind="photo")


def test_a_unit_pimpinan_reads_their_unit_not_the_whole_plan(tree: Tree) -> None:
    # A Kadis (pimpinan of PUPR) sees where PUPR stands: its activities and its readiness,
    # not the other units' nor the plan's description.
    s = sample(tree)
    actor = tree.actor("supervisor_pupr")
    assert not can_read_plan(actor, tree.kutim)
    assert can_read_unit(actor, tree.pupr)
    assert not can_read_unit(actor, tree.dinkes)
    assert plan_for(actor, s.plan.pk) == s.plan
    assert [a.pk for a in activities_for(actor, s.plan)] == [s.pupr.pk]
    with pytest.raises(NotFound):
        activity_for(actor, s.dinkes.pk)


def test_an_owner_reads_their_activity_while_working_in_the_agency(tree: Tree) -> None:
    s = sample(tree)
    hub = tree.actor("hub")
    # An owner who is no liaison (a unit's pimpinan) reads the activity given to them.
    activity_update(actor=hub, activity=s.dinkes, changes={"owner": "supervisor_pupr"})
    assert activity_for(tree.actor("supervisor_pupr"), s.dinkes.pk) == s.dinkes
    # liaison_pupr owns "Bimtek Dinas PUPR", then moves to Samarinda: the plan, the activity
    # and its evidence are gone for them, and the reminders go to the hub.
    user = tree.users["liaison_pupr"]
    evidence = evidence_add(actor=hub, activity=s.pupr, data=jpeg_with_exif(), filename="a.jpg",
                            kind="photo")
    user.role_assignments.all().delete()
    role_assign(user=user, node=tree.samarinda_dishub, role=Role.LIAISON)
    moved = actor_for_user(user)
    assert list(plans_for(moved)) == []
    with pytest.raises(NotFound):
        activity_for(moved, s.pupr.pk)
    with pytest.raises(NotFound):
        evidence_open(moved, evidence.pk)
    pupr = Activity.objects.select_related("owner", "plan__agency").get(pk=s.pupr.pk)
    assert not owner_reads(pupr)
    assert recipients_of(pupr, [tree.users["hub"]]) == [tree.users["hub"]]

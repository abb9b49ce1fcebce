"""Creating, filling, resetting and deleting a training space; practice accounts."""

from __future__ import annotations

import pytest

from lapor.accounts.models import User
from lapor.audit.models import AuditEntry
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.orgs.actors import actor_for_user
from lapor.orgs.models import DayOff, NodeKind, OrgNode, Role, RoleAssignment, Sop
from lapor.orgs.services import escalation_chain_replace, routing_rules_replace, sop_update
from lapor.reports import services as report_services
from lapor.reports.models import Report, ReportEvent
from lapor.reports.states import Status
from lapor.training.models import PracticeAccount, TrainingSpace
from lapor.training.services import (
    practice_account_create,
    training_space_create,
    training_space_delete,
    training_space_reset,
)
from tests.factories import Tree

pytestmark = pytest.mark.django_db


def _mirror_of(space: TrainingSpace, code: str) -> OrgNode:
    return OrgNode.objects.get(code=f"latihan-{space.code}-{code}")


def test_space_mirrors_the_agency_structure_and_sop(tree: Tree) -> None:
    hub = tree.actor("hub")
    sop_update(actor=hub, agency=tree.kutim, verify_days=2, first_followup_days=4)
    DayOff.objects.create(node=tree.kutim, date="2026-12-01", reason="HUT Kutai Timur")
    routing_rules_replace(actor=hub, agency=tree.kutim,
                          rules=[(tree.category.pk, "", tree.pupr, 10)])
    escalation_chain_replace(actor=hub, agency=tree.kutim, nodes=[tree.pupr, tree.kutim])

    space = training_space_create(actor=hub, agency=tree.kutim, report_count=5)

    root = space.root
    assert (root.kind, root.is_hub, root.parent_id) == (NodeKind.AGENCY, True, tree.root.pk)
    assert root.agency_id == root.pk
    assert root.code == f"latihan-{space.code}"
    pupr, bina_marga = _mirror_of(space, "kutim-pupr"), _mirror_of(space, "kutim-pupr-binamarga")
    assert pupr.parent_id == root.pk
    assert bina_marga.parent_id == pupr.pk
    assert {pupr.name, bina_marga.name} == {tree.pupr.name, tree.bina_marga.name}
    assert _mirror_of(space, "kutim-dinkes").agency_id == root.pk
    sop = Sop.objects.get(node=root)
    assert (sop.verify_days, sop.first_followup_days, sop.timezone) == (2, 4, "WITA")
    assert list(DayOff.objects.filter(node=root).values_list("reason", flat=True)) == [
        "HUT Kutai Timur"]
    assert [r.target_id for r in root.routing_rules.all()] == [pupr.pk]
    assert [s.node_id for s in root.escalation_steps.order_by("order")] == [pupr.pk, root.pk]

    reports = Report.objects.filter(tier=root)
    assert reports.count() == 5
    assert all(r.is_training and r.status == Status.SUBMITTED for r in reports)
    assert all(len(r.title) >= 5 and len(r.body) >= 10 for r in reports)
    entry = AuditEntry.objects.get(action="training.create")
    assert entry.payload["reports"] == 5
    assert entry.payload["nodes"] == 4


def test_only_the_agency_admin_creates_a_space(tree: Tree) -> None:
    for name in ("liaison_pupr", "supervisor_kutim", "hub_samarinda", "citizen"):
        with pytest.raises(PermissionDenied):
            training_space_create(actor=tree.actor(name), agency=tree.kutim)
    with pytest.raises(ValidationFailed):
        training_space_create(actor=tree.actor("hub"), agency=tree.kutim, report_count=0)
    assert not TrainingSpace.objects.exists()
    assert not OrgNode.objects.filter(code__startswith="latihan-").exists()


def test_a_training_hub_gets_no_space_of_its_own(tree: Tree, space: TrainingSpace) -> None:
    trainee = practice_account_create(actor=tree.actor("hub"), space=space, trainee_name="Andi",
                                      roles=[(space.root, Role.HUB_VERIFIER)])
    with pytest.raises(PermissionDenied):
        training_space_create(actor=actor_for_user(trainee.account.user), agency=space.root)


def test_practice_account_gets_a_one_time_password_and_roles_inside_the_space(
    tree: Tree, space: TrainingSpace
) -> None:
    pupr = _mirror_of(space, "kutim-pupr")
    new = practice_account_create(actor=tree.actor("hub"), space=space,
                                  trainee_name="Rina Lestari",
                                  roles=[(space.root, Role.HUB_VERIFIER), (pupr, Role.LIAISON)])
    user = new.account.user
    assert user.username == f"latihan-{space.code}-01"
    assert user.check_password(new.password)
    assert len(new.password) == 19
    assert new.password not in user.password
    assert set(RoleAssignment.objects.filter(user=user).values_list("node_id", "role")) == {
        (space.root.pk, Role.HUB_VERIFIER), (pupr.pk, Role.LIAISON)}
    assert user.practice_account.space == space  # type: ignore[attr-defined]
    payload = AuditEntry.objects.get(action="training.account_create").payload
    assert "Rina" not in str(payload)
    second = practice_account_create(actor=tree.actor("hub"), space=space, trainee_name="Budi",
                                     roles=[(pupr, Role.UNIT_OFFICER)])
    assert second.account.user.username.endswith("-02")
    assert second.password != new.password


@pytest.mark.parametrize("case", ["real_node", "verifier_on_unit", "national_role", "none"])
def test_practice_account_refuses_roles_outside_the_space(
    tree: Tree, space: TrainingSpace, case: str
) -> None:
    roles = {
        "real_node": [(tree.pupr, Role.LIAISON)],
        "verifier_on_unit": [(_mirror_of(space, "kutim-pupr"), Role.HUB_VERIFIER)],
        "national_role": [(space.root, Role.AUDITOR)],
        "none": [],
    }[case]
    with pytest.raises(ValidationFailed):
        practice_account_create(actor=tree.actor("hub"), space=space, trainee_name="Andi",
                                roles=roles)
    assert not PracticeAccount.objects.exists()
    assert not User.objects.filter(username__startswith="latihan-").exists()


def test_practice_account_needs_the_trainer(tree: Tree, space: TrainingSpace) -> None:
    with pytest.raises(PermissionDenied):
        practice_account_create(actor=tree.actor("liaison_pupr"), space=space,
                                trainee_name="Andi", roles=[(space.root, Role.HUB_VERIFIER)])


def test_reset_deletes_practice_work_and_refills_keeping_accounts(
    tree: Tree, space: TrainingSpace
) -> None:
    pupr = _mirror_of(space, "kutim-pupr")
    trainee = practice_account_create(actor=tree.actor("hub"), space=space,
                                      trainee_name="Andi",
                                      roles=[(space.root, Role.HUB_VERIFIER)]).account.user
    first = Report.objects.filter(tier=space.root).order_by("id").first()
    assert first is not None
    report_services.report_dispose(actor=actor_for_user(trainee), report_id=first.pk,
                                   node_code=pupr.code)
    old_ids = set(Report.objects.filter(tier=space.root).values_list("pk", flat=True))
    real = Report.objects.filter(is_training=False).count()

    filled = training_space_reset(actor=tree.actor("hub"), space=space)

    assert filled == 6
    now_ids = set(Report.objects.filter(tier=space.root).values_list("pk", flat=True))
    assert len(now_ids) == 6
    assert not now_ids & old_ids
    assert not ReportEvent.objects.filter(report_id__in=old_ids).exists()
    assert not ReportEvent.objects.filter(actor=trainee).exists()
    assert PracticeAccount.objects.filter(user=trainee).exists()
    assert Report.objects.filter(is_training=False).count() == real
    space.refresh_from_db()
    assert space.reset_at is not None
    assert AuditEntry.objects.get(action="training.reset").payload == {"deleted": 6,
                                                                      "reports": 6}


def test_delete_removes_everything_of_the_space(tree: Tree, space: TrainingSpace) -> None:
    pupr = _mirror_of(space, "kutim-pupr")
    trainee = practice_account_create(actor=tree.actor("hub"), space=space,
                                      trainee_name="Andi",
                                      roles=[(space.root, Role.HUB_VERIFIER)]).account.user
    liaison = practice_account_create(actor=tree.actor("hub"), space=space, trainee_name="Sri",
                                      roles=[(pupr, Role.LIAISON)]).account.user
    report = Report.objects.filter(tier=space.root).order_by("id").first()
    assert report is not None
    report_services.report_dispose(actor=actor_for_user(trainee), report_id=report.pk,
                                   node_code=pupr.code)
    report_services.report_acknowledge(actor=actor_for_user(liaison), report_id=report.pk)
    nodes_before = OrgNode.objects.count()
    root_code = space.root.code

    with pytest.raises(PermissionDenied):
        training_space_delete(actor=tree.actor("hub_samarinda"), space=space)
    training_space_delete(actor=tree.actor("hub"), space=space)

    assert not TrainingSpace.objects.exists()
    assert not Report.objects.filter(is_training=True).exists()
    assert not User.objects.filter(pk__in=[trainee.pk, liaison.pk]).exists()
    assert not OrgNode.objects.filter(code__startswith=root_code).exists()
    assert OrgNode.objects.count() == nodes_before - 4
    assert tree.kutim.pk in set(OrgNode.objects.values_list("pk", flat=True))
    assert AuditEntry.objects.get(action="training.delete").payload == {
        "root": root_code, "reports": 6, "accounts": 2, "nodes": 4}

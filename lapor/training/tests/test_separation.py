"""The training wall (issue #12): a practice report never reaches a public endpoint, a real
staff member's inbox or any outbound message to a real person, and practice accounts never
see real reports. Each guarantee is checked next to a real report in the same state, so a
check that passes only because nothing is shown at all would fail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from lapor.core import clock
from lapor.core.errors import NotFound, PermissionDenied, ValidationFailed
from lapor.notifications.digest import send_digests
from lapor.notifications.dispatcher import dispatch
from lapor.notifications.models import (
    CallbackEndpoint,
    Channel,
    Notification,
    OutboxMessage,
)
from lapor.orgs.actors import PUBLIC, actor_for_user
from lapor.orgs.models import EscalationStep, NodeKind, Role, Sop
from lapor.orgs.selectors import nodes_list
from lapor.orgs.services import role_assign, role_grant, sop_update
from lapor.reports import feed, permissions, services
from lapor.reports.models import Report
from lapor.reports.states import Status
from lapor.reports.submission import report_submit
from lapor.sla.notices import sweep_notices
from lapor.sla.sweep import sweep_deadlines
from lapor.training.models import PracticeAccount, TrainingSpace
from lapor.training.tests.helpers import mirror, practice_reports, trainee, verifier
from lapor.workspace.actions import disposition_targets
from lapor.workspace.tests.helpers import signed_in
from tests.api_client import ApiClient
from tests.factories import Tree, drive

# A region no hub covers: an unaddressed report about it waits in the national pool.
NO_HUB = "31.71.01"

pytestmark = pytest.mark.django_db


def _disposed_practice_report(tree: Tree, space: TrainingSpace) -> Report:
    _, hub_trainee = verifier(tree, space)
    report = practice_reports(space)[0]
    services.report_dispose(actor=hub_trainee, report_id=report.pk,
                            node_code=mirror(space, "kutim-pupr").code)
    report.refresh_from_db()
    assert report.status == Status.DISPOSED
    assert not report.is_confidential
    return report


def test_practice_report_never_on_a_public_endpoint(tree: Tree, space: TrainingSpace) -> None:
    practice = _disposed_practice_report(tree, space)
    real = drive(tree, "disposed", title="Lampu jalan padam di Jalan Yos Sudarso")
    client, api = Client(), ApiClient()

    assert set(feed.public_scope().values_list("pk", flat=True)) == {real.pk}
    stats = feed.public_stats()
    assert stats.total == Report.objects.filter(is_training=False).count() == 1
    assert stats.active_agencies == 1
    for path in ("/", "/laporan/", f"/laporan/?q={practice.title[:12]}"):
        page = client.get(path).content.decode()
        assert practice.title not in page, path
    assert real.title in client.get("/laporan/").content.decode()
    for number, expected in ((real.tracking_number, 200), (practice.tracking_number, 404)):
        assert client.get(f"/laporan/{number}/").status_code == expected
        assert client.get(f"/lacak/{number}/").status_code == expected
        assert api.get(f"/track/{number}").status_code == expected
        assert client.get(f"/open311/v2/requests/{number}.json").status_code == expected
    requests = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in requests] == [real.tracking_number]
    assert practice.title not in client.get("/open311/v2/requests.xml").content.decode()


def test_a_full_practice_lifecycle_sends_nothing_to_anyone_outside(
    tree: Tree, space: TrainingSpace
) -> None:
    for user in tree.users.values():
        user.email = f"{user.username}@kutim.example"
        user.save(update_fields=["email"])
    # Webhooks on the national root would receive every event in the tree.
    CallbackEndpoint.objects.create(node=tree.root, name="SIPP", url="http://127.0.0.1:9/x",
                                    secret="s", created_at=clock.now())
    pupr, bina_marga = mirror(space, "kutim-pupr"), mirror(space, "kutim-pupr-binamarga")
    EscalationStep.objects.create(agency=space.root, order=1, node=space.root)
    hub = trainee(tree, space, (space.root, Role.HUB_VERIFIER), email="andi@example.org")
    liaison = trainee(tree, space, (pupr, Role.LIAISON), email="sri@example.org")
    sub_liaison = trainee(tree, space, (bina_marga, Role.LIAISON), email="budi@example.org")
    trainee(tree, space, (space.root, Role.SUPERVISOR), email="bupati@example.org")
    # Even a practice report carrying a reporter's address (the fill never stores one).
    contacted = report_submit(
        actor=PUBLIC, practice=True, target_agency_code=space.root.code, type="complaint",
        title="Sampah menumpuk di pasar", body="Sampah di Pasar Induk menumpuk seminggu.",
        region_code="64.08.04", reporter_name="Warga", reporter_email="warga@example.org",
        reporter_phone="0812-3456-7890").report
    first, held, *rest = practice_reports(space)
    late = rest[0]
    start = clock.now()
    with clock.frozen(start):
        for report, node in ((first, pupr), (contacted, pupr)):
            services.report_dispose(actor=actor_for_user(hub), report_id=report.pk,
                                    node_code=node.code)
        services.report_hold(actor=actor_for_user(hub), report_id=held.pk,
                             question="Di mana tepatnya?")
        services.report_acknowledge(actor=actor_for_user(liaison), report_id=first.pk)
        services.report_forward(actor=actor_for_user(liaison), report_id=first.pk,
                                node_code=bina_marga.code)
        services.report_follow_up(actor=actor_for_user(sub_liaison), report_id=first.pk,
                                  body="Sudah ditambal.", final=True)
        services.report_return(actor=actor_for_user(liaison), report_id=contacted.pk,
                               reason="Bukan wewenang PUPR.")
    # Weeks later: reminders, overdue notices, escalation, digest, automatic close/archive.
    for days in (3, 8, 20, 40):
        with clock.frozen(start + timedelta(days=days)):
            sweep_notices()
            sweep_deadlines()
            send_digests()
            dispatch()
    first.refresh_from_db()
    held.refresh_from_db()
    late.refresh_from_db()
    assert (first.status, held.status) == (Status.CLOSED, Status.ARCHIVED)
    # A real report through the same steps, for contrast: it does send e-mail and webhooks.
    with clock.frozen(start):
        real = drive(tree, "responded")
        dispatch()

    practice_users = set(PracticeAccount.objects.values_list("user_id", flat=True))
    training_rows = OutboxMessage.objects.filter(report__is_training=True)
    assert training_rows.exists()
    assert not training_rows.exclude(channel=Channel.INAPP).exists()
    assert set(training_rows.values_list("recipient_user_id", flat=True)) <= practice_users
    assert not OutboxMessage.objects.filter(recipient_user_id__in=practice_users).exclude(
        channel=Channel.INAPP).exists()
    assert not OutboxMessage.objects.filter(audience="reporter", report__is_training=True
                                            ).exists()
    events = set(training_rows.values_list("event", flat=True))
    assert {"staff.assigned", "staff.returned"} <= events
    notes = Notification.objects.filter(report__is_training=True)
    assert notes.exists()
    assert set(notes.values_list("user_id", flat=True)) <= practice_users
    real_rows = OutboxMessage.objects.filter(report=real)
    assert real_rows.filter(channel=Channel.EMAIL).exists()
    assert real_rows.filter(channel=Channel.WEBHOOK).exists()
    titles = [r.title for r in Report.objects.filter(is_training=True)]
    numbers = [r.tracking_number for r in Report.objects.filter(is_training=True)]
    assert mail.outbox
    for sent in mail.outbox:
        text = sent.subject + sent.body
        assert not any(t in text for t in titles)
        assert not any(n in text for n in numbers)
        assert not set(sent.to) & {"andi@example.org", "sri@example.org", "budi@example.org",
                                   "bupati@example.org", "warga@example.org"}


def test_real_staff_never_see_practice_reports(tree: Tree, space: TrainingSpace) -> None:
    practice = _disposed_practice_report(tree, space)
    real = drive(tree, "disposed")
    for name in ("national", "hub", "liaison_pupr", "supervisor_kutim", "auditor",
                 "hub_samarinda", "sysadmin"):
        visible = set(permissions.reports_visible_to(tree.actor(name))
                      .values_list("is_training", flat=True))
        assert True not in visible, name
    assert permissions.can_read(tree.actor("national"), real)
    with pytest.raises(NotFound):
        services.report_note(actor=tree.actor("national"), report_id=practice.pk, body="Cek.")
    for name in ("national", "hub", "auditor"):
        page = signed_in(name).get("/petugas/", {"subtree": "on"}).content.decode()
        assert practice.title not in page, name
        assert signed_in(name).get(f"/petugas/laporan/{practice.pk}/").status_code == 404
    inbox = signed_in("national").get("/petugas/", {"subtree": "on"}).content.decode()
    assert real.title in inbox


def test_practice_accounts_never_see_real_reports(tree: Tree, space: TrainingSpace) -> None:
    real = drive(tree, "disposed")
    confidential = drive(tree, "submitted", is_confidential=True)
    pupr = mirror(space, "kutim-pupr")
    users = [trainee(tree, space, (space.root, Role.HUB_VERIFIER)),
             trainee(tree, space, (pupr, Role.LIAISON), (pupr, Role.UNIT_OFFICER)),
             trainee(tree, space, (space.root, Role.SUPERVISOR))]
    for user in users:
        actor = actor_for_user(user)
        visible = permissions.reports_visible_to(actor)
        assert not visible.filter(is_training=False).exists()
        for report in (real, confidential):
            assert not permissions.can_read(actor, report)
            assert permissions.verifier_for(actor, report) is None
            assert permissions.handler_for(actor, report) is None
            with pytest.raises(NotFound):
                services.report_note(actor=actor, report_id=report.pk, body="Cek.")
        page = signed_in(user.username).get(f"/petugas/laporan/{real.pk}/")
        assert page.status_code == 404
    assert permissions.reports_visible_to(actor_for_user(users[2])).count() == 6


def test_real_reports_never_enter_a_space(tree: Tree, space: TrainingSpace) -> None:
    fields = {"type": "complaint", "title": "Jalan rusak parah", "region_code": "64.08.04",
              "body": "Jalan di depan pasar rusak parah sejak sebulan."}
    with pytest.raises(ValidationFailed):
        report_submit(actor=PUBLIC, target_agency_code=space.root.code, **fields)
    with pytest.raises(ValidationFailed):
        report_submit(actor=PUBLIC, target_agency_code=tree.kutim.code, practice=True, **fields)
    with pytest.raises(ValidationFailed):
        report_submit(actor=PUBLIC, practice=True, **fields)
    national_pool = drive(tree, "submitted", target_agency_code=None, region_code=NO_HUB)
    national = tree.actor("national")
    targets = {n.code for n in disposition_targets(national, national_pool)}
    assert tree.kutim.code in targets
    assert not {c for c in targets if c.startswith("latihan-")}
    with pytest.raises(ValidationFailed):
        services.report_dispose(actor=national, report_id=national_pool.pk,
                                node_code=mirror(space, "kutim-pupr").code)
    assert space.root not in nodes_list(kind=NodeKind.AGENCY)
    agencies = [o["code"] for o in ApiClient().get("/orgs", {"kind": "agency"}).json()]
    assert tree.kutim.code in agencies
    assert space.root.code not in agencies
    form = Client().get("/lapor/").content.decode()
    assert tree.kutim.name in form
    assert space.root.name not in form
    assert Report.objects.filter(is_training=True).count() == 6


def test_an_unaddressed_real_report_never_routes_into_a_space(tree: Tree,
                                                               space: TrainingSpace) -> None:
    """The space's hub mirrors Kutai Timur's region and has verifiers, yet region routing
    (lapor.orgs.selectors.region_hub) never picks it, even with Kutai Timur's setting off."""
    role_assign(user=tree.users["hub_samarinda"], node=space.root, role=Role.HUB_VERIFIER)
    assert not Sop.objects.get(node=space.root).receives_region_reports
    Sop.objects.filter(node=space.root).update(receives_region_reports=True)
    assert drive(tree, "submitted", target_agency_code=None).tier == tree.kutim
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, receives_region_reports=False)
    assert drive(tree, "submitted", target_agency_code=None).tier == tree.root


def test_a_trainee_admin_cannot_pull_a_real_officer_into_the_space(
    tree: Tree, space: TrainingSpace
) -> None:
    hub_trainee, actor = verifier(tree, space)
    real_officer = tree.users["liaison_pupr"]
    with pytest.raises(PermissionDenied):
        role_grant(actor=actor, user=real_officer, node=mirror(space, "kutim-pupr"),
                   role=Role.LIAISON)
    response = signed_in(hub_trainee.username).post(
        f"/petugas/admin/{space.root.code}/pengguna/beri/",
        {"username": real_officer.username, "node": mirror(space, "kutim-pupr").code,
         "role": Role.LIAISON})
    assert response.status_code == 403
    assert not permissions.reports_visible_to(actor_for_user(real_officer)).filter(
        is_training=True).exists()
    # Granting inside the real agency still works for its real admin.
    role_grant(actor=tree.actor("hub"), user=real_officer, node=tree.dinkes, role=Role.LIAISON)

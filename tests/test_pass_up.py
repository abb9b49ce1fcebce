"""Passing a report up (lapor.reports.services.report_pass_up, docs/lifecycle.md "Routing").

A report naming no agency waits in the pool of its region's hub (tests/test_region_routing.py).
When the matter is outside the hub's tree (PLN, the police, a ministry), the hub's verifier
passes it to the next tier that verifies: the province's hub when it receives its region's
reports, else the national pool, whose verifiers dispose it anywhere. Before, the hub could
only archive it as out of scope: a wrong door.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from lapor.core import clock
from lapor.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lapor.notifications.models import OutboxMessage
from lapor.orgs.models import NodeKind, OrgNode, Role
from lapor.orgs.services import node_create, sop_update
from lapor.reports import services
from lapor.reports.deadlines import clock_for
from lapor.reports.models import Report, ReportEvent, Visibility
from lapor.workspace.tests.helpers import report_url, signed_in
from tests.api_client import login
from tests.factories import PASSWORD, Tree, make_user, submit

pytestmark = pytest.mark.django_db

SANGATTA_UTARA = "64.08.04"
REASON = "Gangguan listrik PLN: bukan wewenang pemerintah kabupaten."
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09.00 WITA
THURSDAY = datetime(2026, 3, 5, 1, 0, tzinfo=UTC)


def _unaddressed(tree: Tree, **more: Any) -> Report:
    """A Sangatta report naming no agency: region routing brings it to Kutai Timur's hub."""
    report = submit(tree, target_agency_code=None, region_code=SANGATTA_UTARA, **more).report
    assert (report.tier, report.target_agency) == (tree.kutim, None)
    return report


def _province(tree: Tree) -> OrgNode:
    kaltim = node_create(code="kaltim", name="Pemerintah Provinsi Kalimantan Timur",
                         kind=NodeKind.AGENCY, parent=tree.root, is_hub=True, region_id="64")
    node_create(code="kaltim-pupr", name="Dinas PUPR Provinsi", kind=NodeKind.UNIT,
                parent=kaltim)
    tree.users["hub_kaltim"] = make_user("hub_kaltim", (kaltim, Role.HUB_VERIFIER))
    sop_update(actor=tree.actor("hub_kaltim"), agency=kaltim, receives_region_reports=True)
    return kaltim


# ---------------------------------------------------------------- the service


def test_the_hub_passes_it_up_to_the_national_pool_which_disposes_it_anywhere(
        tree: Tree) -> None:
    report = _unaddressed(tree, at=MONDAY)
    with clock.frozen(THURSDAY):
        services.report_pass_up(actor=tree.actor("hub"), report_id=report.pk, reason=REASON,
                                expected_version=report.version)
    report.refresh_from_db()
    assert report.status == "submitted"
    assert (report.tier, report.current_node, report.agency) == (tree.root, tree.root, None)
    # A new verification clock of the receiving tier's SOP, started when it was passed up.
    sop, calendar = clock_for(tree.root, around=THURSDAY)
    assert report.verify_due_at == calendar.deadline(THURSDAY, sop.verify_days)
    assert report.staff_due_at == report.verify_due_at
    assert report.verify_due_at > THURSDAY
    event = report.events.get(kind="pass_up")
    assert (event.from_status, event.to_status) == ("submitted", "submitted")
    assert (event.actor_role, event.actor_node) == ("hub_verifier", tree.kutim)
    assert event.visibility == Visibility.INTERNAL
    assert event.body == REASON
    assert event.payload == {"from_node": "kutim", "to_node": tree.root.code}
    # The national verifier disposes it outside Kutai Timur's tree (Samarinda's Dishub here).
    services.report_dispose(actor=tree.actor("national"), report_id=report.pk,
                            node_code=tree.samarinda_dishub.code)
    report.refresh_from_db()
    assert (report.status, report.current_node, report.agency) == (
        "disposed", tree.samarinda_dishub, tree.samarinda)


def test_the_province_hub_comes_first_then_the_national_pool(tree: Tree) -> None:
    kaltim = _province(tree)
    report = _unaddressed(tree)
    services.report_pass_up(actor=tree.actor("hub"), report_id=report.pk, reason=REASON)
    report.refresh_from_db()
    assert (report.tier, report.current_node, report.agency) == (kaltim, kaltim, kaltim)
    assert report.events.get(kind="pass_up").payload["to_node"] == "kaltim"
    # Kutai Timur's hub no longer holds nor reads it; the province's may pass it on to the
    # national pool.
    with pytest.raises(NotFound):
        services.report_pass_up(actor=tree.actor("hub"), report_id=report.pk, reason=REASON)
    services.report_pass_up(actor=tree.actor("hub_kaltim"), report_id=report.pk,
                            reason="Wewenang kementerian.")
    report.refresh_from_db()
    assert report.tier == tree.root
    # The national pool has nothing above it.
    with pytest.raises(PermissionDenied):
        services.report_pass_up(actor=tree.actor("national"), report_id=report.pk,
                                reason=REASON)


def test_a_report_on_hold_is_passed_up_and_its_hold_ends(tree: Tree) -> None:
    report = _unaddressed(tree)
    services.report_hold(actor=tree.actor("hub"), report_id=report.pk, question="Di mana?")
    services.report_pass_up(actor=tree.actor("hub"), report_id=report.pk, reason=REASON)
    report.refresh_from_db()
    assert (report.status, report.tier) == ("submitted", tree.root)
    assert report.hold_due_at is None
    assert report.verify_days_left is None
    assert report.events.get(kind="pass_up").from_status == "on_hold"


def test_a_report_addressed_to_the_hub_by_its_reporter_is_not_passed_up(tree: Tree) -> None:
    report = submit(tree).report  # the reporter chose Kutai Timur
    with pytest.raises(Conflict) as refused:
        services.report_pass_up(actor=tree.actor("hub"), report_id=report.pk, reason=REASON)
    assert refused.value.code == "addressed_by_reporter"
    report.refresh_from_db()
    assert (report.tier, report.version) == (tree.kutim, 1)
    assert not ReportEvent.objects.filter(report=report, kind="pass_up").exists()


def _liaison_kutim(tree: Tree) -> str:
    """A liaison of Kutai Timur's agency itself: reads the hub's pool, verifies nothing."""
    tree.users["liaison_kutim"] = make_user("liaison_kutim", (tree.kutim, Role.LIAISON))
    return "liaison_kutim"


def test_refusals_stale_version_liaison_status_and_empty_reason(tree: Tree) -> None:
    report = _unaddressed(tree)
    with pytest.raises(PermissionDenied):
        services.report_pass_up(actor=tree.actor(_liaison_kutim(tree)), report_id=report.pk,
                                reason=REASON)
    with pytest.raises(Conflict) as stale:
        services.report_pass_up(actor=tree.actor("hub"), report_id=report.pk, reason=REASON,
                                expected_version=report.version + 1)
    assert stale.value.code == "concurrent_update"
    with pytest.raises(ValidationFailed):
        services.report_pass_up(actor=tree.actor("hub"), report_id=report.pk, reason="  ")
    services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                            node_code=tree.pupr.code)
    with pytest.raises(Conflict) as late:
        services.report_pass_up(actor=tree.actor("hub"), report_id=report.pk, reason=REASON)
    assert late.value.code == "invalid_transition"
    report.refresh_from_db()
    assert report.tier == tree.kutim
    assert not ReportEvent.objects.filter(report=report, kind="pass_up").exists()


# ---------------------------------------------------------------- the API


def test_api_pass_up(tree: Tree) -> None:
    report = _unaddressed(tree)
    hub = login("hub", PASSWORD)
    stale = hub.post(f"/reports/{report.pk}/pass-up",
                     {"reason": REASON, "expected_version": report.version + 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "concurrent_update"
    liaison = login(_liaison_kutim(tree), PASSWORD)
    assert liaison.post(f"/reports/{report.pk}/pass-up", {"reason": REASON}).status_code == 403
    response = hub.post(f"/reports/{report.pk}/pass-up",
                        {"reason": REASON, "expected_version": report.version})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert response.json()["tier"]["code"] == tree.root.code
    # It has left Kutai Timur's pool: the hub no longer reads it.
    assert hub.get(f"/reports/{report.pk}").status_code == 404
    report.refresh_from_db()
    assert report.tier == tree.root
    addressed = submit(tree).report
    refused = hub.post(f"/reports/{addressed.pk}/pass-up", {"reason": REASON})
    assert refused.status_code == 409
    assert refused.json()["code"] == "addressed_by_reporter"


# ---------------------------------------------------------------- the workspace


def test_workspace_form_for_the_hub_verifier_and_its_post(tree: Tree) -> None:
    report = _unaddressed(tree)
    client = signed_in("hub")
    html = client.get(report_url(report.pk)).content.decode()
    assert 'id="form-pass_up"' in html
    assert "Teruskan ke tingkat atas" in html
    assert "Hanya petugas" in html  # the reason's declared visibility, next to the field
    # Not for a report the reporter addressed to the hub.
    addressed = submit(tree).report
    assert 'id="form-pass_up"' not in client.get(report_url(addressed.pk)).content.decode()
    response = client.post(report_url(report.pk, "pass_up"),
                           {"reason": REASON, "expected_version": report.version})
    assert response.status_code == 302, response.content.decode()[-2000:]
    # The report has left the hub's view: back to the inbox, with the confirmation.
    assert response["Location"] == "/petugas/"
    inbox = client.get("/petugas/").content.decode()
    assert "Laporan diteruskan ke tingkat verifikasi di atasnya." in inbox
    report.refresh_from_db()
    assert report.tier == tree.root
    # The national verifier now sees the dispose form for it.
    national = signed_in("national").get(report_url(report.pk)).content.decode()
    assert 'id="form-dispose"' in national
    assert 'id="form-pass_up"' not in national


def test_the_receiving_tiers_verifiers_are_told_and_the_reporter_is_not(tree: Tree) -> None:
    kaltim = _province(tree)
    report = _unaddressed(tree)
    services.report_pass_up(actor=tree.actor("hub"), report_id=report.pk, reason=REASON)
    event = report.events.get(kind="pass_up")
    rows = OutboxMessage.objects.filter(key__startswith=f"e{event.pk}:")
    # The province hub's verifier (in-app and e-mail), never the hub that passed it on, and
    # nothing for the reporter: passing up is internal.
    assert {row.audience for row in rows} == {"staff"}
    assert {row.event for row in rows} == {"staff.passed_up"}
    assert {row.recipient_user.username for row in rows} == {"hub_kaltim"}
    body = rows.filter(channel="inapp").get().body
    assert kaltim.name in body
    assert REASON in body  # the internal reason reaches staff only

"""Issue 18, routing: a report that names no agency reaches the hub of its region.

The one rule (lapor.orgs.selectors.report_receiver, called by report_submit): the regency/city's
hub when its SOP receives its region's unaddressed reports and it has a verifier, else the
province's, else the national pool. Every way in goes through it; the channels' and intake's
own doors are tested beside them (lapor/channels/tests/test_region_routing.py,
lapor/intake/tests/test_region_routing.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings

from lapor.core.errors import NotFound, PermissionDenied, ValidationFailed
from lapor.intake.walk_in import walk_in_submit
from lapor.open311.keys import open311_key_create
from lapor.orgs.actors import actor_for_user
from lapor.orgs.models import NodeKind, OrgNode, Role, Sop
from lapor.orgs.selectors import region_hub
from lapor.orgs.services import node_create, sop_update
from lapor.portal.tests.helpers import form_data, number_in
from lapor.reports import services
from lapor.reports.models import Report
from lapor.reports.selectors import InboxFilters, inbox
from lapor.sopdoc.document import sop_document
from lapor.workspace.tests.helpers import signed_in
from tests.api_client import ApiClient, login
from tests.factories import PASSWORD, Tree, make_user, submit

pytestmark = pytest.mark.django_db

SANGATTA_UTARA = "64.08.04"
BERAU = "64.03.01"  # Kalimantan Timur, a regency without a hub in the test tree
JAKARTA = "31.71.01"  # a province without any hub in the test tree


def _province(tree: Tree, *, receives: bool = True) -> OrgNode:
    """Pemerintah Provinsi Kalimantan Timur: a hub with a verifier, region 64."""
    kaltim = node_create(code="kaltim", name="Pemerintah Provinsi Kalimantan Timur",
                         kind=NodeKind.AGENCY, parent=tree.root, is_hub=True, region_id="64")
    node_create(code="kaltim-pupr", name="Dinas PUPR Provinsi", kind=NodeKind.UNIT,
                parent=kaltim)
    tree.users["hub_kaltim"] = make_user("hub_kaltim", (kaltim, Role.HUB_VERIFIER))
    if receives:
        sop_update(actor=tree.actor("hub_kaltim"), agency=kaltim, receives_region_reports=True)
    return kaltim


def _unaddressed(tree: Tree, region: str = SANGATTA_UTARA, **more: Any) -> Report:
    return submit(tree, target_agency_code=None, region_code=region, **more).report


def _switch(tree: Tree, on: bool) -> None:
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, receives_region_reports=on)


# ---------------------------------------------------------------- the rule


def test_a_report_naming_no_agency_waits_in_its_regencys_hub(tree: Tree) -> None:
    moment = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09.00 WITA
    report = _unaddressed(tree, at=moment)
    assert (report.tier, report.agency, report.current_node, report.target_agency) == (
        tree.kutim, tree.kutim, tree.kutim, None)
    # Its verification clock is the hub's: Kutai Timur's SOP and zone (WITA), not Jakarta's.
    sop = Sop.objects.get(node=tree.kutim)
    assert report.verify_due_at is not None
    assert report.verify_due_at.astimezone(ZoneInfo("Asia/Makassar")).hour == 23
    assert report.events.get(kind="submit").payload["tier"] == "kutim"
    assert sop.receives_region_reports  # default on for a regency hub


def test_a_village_code_and_the_regency_code_route_alike(tree: Tree) -> None:
    assert region_hub("64.08.04.2001") == tree.kutim
    assert region_hub("64.08") == tree.kutim
    assert region_hub("64.72.01") == tree.samarinda
    assert region_hub("64") is None


def test_an_addressed_report_keeps_its_agency_whatever_its_region(tree: Tree) -> None:
    report = submit(tree, target_agency_code=tree.samarinda.code,
                    region_code=SANGATTA_UTARA).report
    assert report.tier == tree.samarinda
    # A named agency without verifiers: the national pool disposes it (agency kept as hint).
    berau = node_create(code="berau", name="Pemerintah Kabupaten Berau", kind=NodeKind.AGENCY,
                        parent=tree.root, is_hub=False, region_id="64.03")
    report = submit(tree, target_agency_code=berau.code, region_code=SANGATTA_UTARA).report
    assert (report.tier, report.target_agency) == (tree.root, berau)


def test_without_a_regency_hub_the_provinces_hub_receives_it(tree: Tree) -> None:
    kaltim = _province(tree)
    assert _unaddressed(tree, BERAU).tier == kaltim
    # Kutai Timur's hub still comes first for its own region.
    assert _unaddressed(tree).tier == tree.kutim
    _switch(tree, False)
    assert _unaddressed(tree).tier == kaltim


def test_without_any_hub_it_waits_in_the_national_pool(tree: Tree) -> None:
    assert _unaddressed(tree, JAKARTA).tier == tree.root
    assert _unaddressed(tree, BERAU).tier == tree.root  # no province hub in this tree
    _province(tree, receives=False)  # a province hub that does not take them
    assert _unaddressed(tree, BERAU).tier == tree.root


def test_the_setting_off_sends_the_regions_reports_to_the_national_pool(tree: Tree) -> None:
    _switch(tree, False)
    report = _unaddressed(tree)
    assert (report.tier, report.agency, report.current_node) == (tree.root, None, tree.root)
    # A report addressed to the hub still reaches it.
    assert submit(tree).report.tier == tree.kutim
    _switch(tree, True)
    assert _unaddressed(tree).tier == tree.kutim


def test_a_hub_without_an_active_verifier_is_no_door(tree: Tree) -> None:
    hub = tree.users["hub"]
    hub.is_active = False
    hub.save(update_fields=["is_active"])
    assert _unaddressed(tree).tier == tree.root


def test_only_a_hub_agency_with_a_region_can_switch_it_on(tree: Tree) -> None:
    kemenkes = node_create(code="kemenkes", name="Kementerian Kesehatan", kind=NodeKind.AGENCY,
                           parent=tree.root, is_hub=True)
    admin = make_user("hub_kemenkes", (kemenkes, Role.HUB_VERIFIER))
    with pytest.raises(ValidationFailed) as refused:
        sop_update(actor=actor_for_user(admin), agency=kemenkes, receives_region_reports=True)
    assert refused.value.field == "receives_region_reports"
    assert not Sop.objects.get(node=kemenkes).receives_region_reports
    # Another agency's hub may not change Kutai Timur's setting.
    with pytest.raises(PermissionDenied):
        sop_update(actor=tree.actor("hub_samarinda"), agency=tree.kutim,
                   receives_region_reports=False)
    assert Sop.objects.get(node=tree.kutim).receives_region_reports


# ---------------------------------------------------------------- the hub verifies it


def test_the_hub_verifies_a_routed_report_like_its_own(tree: Tree) -> None:
    hub = tree.actor("hub")
    held = _unaddressed(tree)
    services.report_hold(actor=hub, report_id=held.pk, question="Di RT berapa tepatnya?")
    services.report_set_privacy(actor=hub, report_id=held.pk, confidential=True)
    archived = _unaddressed(tree)
    services.report_archive(actor=hub, report_id=archived.pk, reason="spam")
    disposed = _unaddressed(tree)
    services.report_dispose(actor=hub, report_id=disposed.pk, node_code=tree.pupr.code)
    for report, status in ((held, "on_hold"), (archived, "archived"), (disposed, "disposed")):
        report.refresh_from_db()
        assert report.status == status
    assert disposed.current_node == tree.pupr
    event = disposed.events.get(kind="dispose")
    assert (event.actor_role, event.actor_node) == ("hub_verifier", tree.kutim)
    # The national verifier is above it and may reverse the hub's archive.
    services.report_unarchive(actor=tree.actor("national"), report_id=archived.pk,
                              reason="Bukan spam.")


def test_the_routed_report_is_in_the_hubs_inbox_not_another_hubs(tree: Tree) -> None:
    report = _unaddressed(tree)
    page = inbox(tree.actor("hub"), node=tree.kutim, filters=InboxFilters(), cursor=None,
                 limit=50)
    assert [r.pk for r in page.items] == [report.pk]
    other = inbox(tree.actor("hub_samarinda"), node=tree.samarinda, filters=InboxFilters(),
                  cursor=None, limit=50)
    assert other.items == []
    with pytest.raises(NotFound):  # another agency's report: not even visible
        services.report_dispose(actor=tree.actor("hub_samarinda"), report_id=report.pk,
                                node_code=tree.samarinda_dishub.code)


# ---------------------------------------------------------------- every way in


def test_portal_leave_it_to_the_verifiers(client: Client, tree: Tree) -> None:
    response = client.post("/lapor/", form_data(tree, target_agency=""), follow=True)
    report = Report.objects.get(tracking_number=number_in(response.content.decode()))
    assert (report.channel, report.tier, report.target_agency) == ("web", tree.kutim, None)


def test_api_without_target_agency(tree: Tree) -> None:
    response = ApiClient().post("/reports", {
        "type": "complaint", "title": "Lampu jalan mati di Jalan Yos Sudarso",
        "body": "Sudah dua minggu lampu jalan di depan SDN 001 Sangatta Utara mati total.",
        "region_code": SANGATTA_UTARA, "reporter_email": "budi@example.org"})
    assert response.status_code == 201, response.content
    report = Report.objects.get(tracking_number=response.json()["tracking_number"])
    assert (report.channel, report.tier, report.target_agency) == ("web", tree.kutim, None)


def test_open311_request(client: Client, tree: Tree) -> None:
    key = open311_key_create(name="Aplikasi kota").raw
    with override_settings(LAPOR_OPEN311_AGENCY=""):
        response = client.post("/open311/v2/requests.json", {
            "api_key": key, "service_code": tree.category.code, "lat": "0.51",
            "long": "117.65", "attribute[region_code]": SANGATTA_UTARA,
            "description": "Saluran air tersumbat dan meluap ke jalan setiap hujan."})
    assert response.status_code == 200, response.content
    report = Report.objects.get(tracking_number=response.json()[0]["service_request_id"])
    assert (report.channel, report.tier, report.target_agency) == (
        "integration", tree.kutim, None)


def test_walk_in_at_the_national_desk(tree: Tree) -> None:
    submitted = walk_in_submit(
        actor=tree.actor("national"), desk_code="", channel="walk_in", type="complaint",
        title="Jalan berlubang di depan pasar",
        body="Jalan di depan Pasar Induk Sangatta berlubang besar dan berbahaya.",
        region_code=SANGATTA_UTARA)
    assert (submitted.report.tier, submitted.report.target_agency) == (tree.kutim, None)


# ---------------------------------------------------------------- where the setting is shown


def test_the_sop_page_shows_and_saves_the_setting(tree: Tree) -> None:
    hub = signed_in("hub")
    page = hub.get("/petugas/admin/kutim/sop/").content.decode()
    assert 'name="receives_region_reports"' in page
    assert re.search(r'name="receives_region_reports"[^>]*checked', page)
    assert "Terima laporan wilayah ini yang tidak menyebut instansi tujuan" in page
    data = {"verify_days": 3, "first_followup_days": 5, "reply_window_days": 10,
            "hold_days": 10, "escalate_after_days": 2, "timezone": "WITA", "sms_keyword": ""}
    assert hub.post("/petugas/admin/kutim/sop/settings/", data).status_code == 302  # unticked
    assert not Sop.objects.get(node=tree.kutim).receives_region_reports
    assert _unaddressed(tree).tier == tree.root
    assert hub.post("/petugas/admin/kutim/sop/settings/",
                    {**data, "receives_region_reports": "on"}).status_code == 302
    assert Sop.objects.get(node=tree.kutim).receives_region_reports
    assert _unaddressed(tree).tier == tree.kutim


def test_the_api_reads_and_changes_the_setting(tree: Tree) -> None:
    hub = login("hub", PASSWORD)
    assert hub.get("/orgs/kutim/sop").json()["receives_region_reports"] is True
    changed = hub.patch("/orgs/kutim/sop", {"receives_region_reports": False})
    assert changed.status_code == 200
    assert changed.json()["receives_region_reports"] is False
    assert _unaddressed(tree).tier == tree.root
    national = login("national", PASSWORD)
    refused = national.patch("/orgs/nasional/sop", {"receives_region_reports": True})
    assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (
        422, "invalid_target", "receives_region_reports")
    schema = ApiClient().get("/openapi.json").json()["components"]["schemas"]
    assert "receives_region_reports" in schema["SopOut"]["properties"]
    assert "receives_region_reports" in schema["SopIn"]["properties"]


def test_the_sop_document_says_which_reports_the_hub_receives(tree: Tree) -> None:
    def verify_row() -> str:
        return next(s.requirements for s in sop_document(tree.kutim).steps if s.key == "verify")

    assert tree.kutim.region is not None
    assert (f"tanpa instansi tujuan tentang wilayah {tree.kutim.region.name} dari semua kanal"
            in verify_row())
    _switch(tree, False)
    assert "hub provinsi atau verifikator nasional" in verify_row()


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_switches_it_on_for_regency_hubs_with_verifiers(
    regions: None, tree: Tree
) -> None:
    node_create(code="berau", name="Pemerintah Kabupaten Berau", kind=NodeKind.AGENCY,
                parent=tree.root, is_hub=True, region_id="64.03")  # no verifier
    _province(tree, receives=False)
    before = [("orgs", "0002_sop_urgent_max_days")]
    after = [("orgs", "0003_sop_receives_region_reports")]
    try:
        MigrationExecutor(connection).migrate(before)
        MigrationExecutor(connection).migrate(after)
        switched = dict(Sop.objects.values_list("node__code", "receives_region_reports"))
        assert switched == {"nasional": False, "kutim": True, "samarinda": True,
                            "berau": False, "kaltim": False}
    finally:
        # Back to every app's latest state: going back to orgs 0002 also unapplied the apps
        # that depend on later orgs migrations (federation), which the next tests need.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

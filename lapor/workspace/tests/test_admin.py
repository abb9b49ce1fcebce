"""Agency admin pages: who may open them, SOP edits persisted, roles granted and revoked."""

from __future__ import annotations

from datetime import date

import pytest

from lapor.audit.models import AuditEntry
from lapor.orgs.models import DayOff, EscalationStep, RoleAssignment, RoutingRule, Sop
from lapor.workspace.tests.helpers import signed_in
from tests.factories import Tree

pytestmark = pytest.mark.django_db
SOP = "/petugas/admin/kutim/sop/"
USERS = "/petugas/admin/kutim/pengguna/"


def test_who_may_open_the_admin_pages(tree: Tree) -> None:
    hub = signed_in("hub")
    assert hub.get(SOP).status_code == 200
    assert hub.get(USERS).status_code == 200
    assert 'href="/petugas/admin/kutim/sop/"' in hub.get("/petugas/").content.decode()
    liaison = signed_in("liaison_pupr")
    assert liaison.get(SOP).status_code == 403
    assert liaison.get(USERS).status_code == 403
    assert "/petugas/admin/" not in liaison.get("/petugas/").content.decode()
    assert liaison.get("/petugas/admin/").status_code == 403
    assert signed_in("hub_samarinda").get(SOP).status_code == 404
    assert signed_in("hub_samarinda").post(SOP + "settings/", {}).status_code == 404
    # System administrators configure every agency (no report content).
    sysadmin = signed_in("sysadmin")
    assert sysadmin.get(SOP).status_code == 200
    assert "Kutai Timur" in sysadmin.get("/petugas/admin/").content.decode()


def test_sop_settings_are_saved_and_bounded(tree: Tree) -> None:
    hub = signed_in("hub")
    data = {"verify_days": 2, "first_followup_days": 4, "reply_window_days": 10,
            "hold_days": 7, "escalate_after_days": 3, "timezone": "WITA",
            "sms_keyword": "kutim"}
    assert hub.post(SOP + "settings/", data).status_code == 302
    sop = Sop.objects.get(node=tree.kutim)
    assert (sop.verify_days, sop.first_followup_days, sop.hold_days, sop.sms_keyword) == (
        2, 4, 7, "KUTIM")
    response = hub.post(SOP + "settings/", {**data, "verify_days": 9})
    assert response.status_code == 422
    assert "batas nasional" in response.content.decode()
    assert Sop.objects.get(node=tree.kutim).verify_days == 2


def test_sop_page_sets_what_makes_a_report_urgent(tree: Tree) -> None:
    hub = signed_in("hub")
    page = hub.get(SOP).content.decode()
    assert "Laporan mendesak: tingkat penyelesaian sampai" in page
    assert '<option value="2" selected>' in page
    data = {"verify_days": 3, "first_followup_days": 5, "reply_window_days": 10,
            "hold_days": 10, "escalate_after_days": 2, "timezone": "WITA",
            "urgent_max_days": "5"}
    assert hub.post(SOP + "settings/", data).status_code == 302
    assert Sop.objects.get(node=tree.kutim).urgent_max_days == 5
    refused = hub.post(SOP + "settings/", {**data, "urgent_max_days": "3"})
    assert refused.status_code == 422
    assert Sop.objects.get(node=tree.kutim).urgent_max_days == 5


def test_days_off_routing_and_escalation(tree: Tree) -> None:
    hub = signed_in("hub")
    assert hub.post(SOP + "day_off/", {"day": "2026-09-01", "reason": "HUT Kutim"}
                    ).status_code == 302
    assert DayOff.objects.filter(node=tree.kutim, date=date(2026, 9, 1)).exists()
    assert "HUT Kutim" in hub.get(SOP).content.decode()
    assert hub.post(SOP + "day_off_remove/", {"day": "2026-09-01"}).status_code == 302
    assert not DayOff.objects.filter(node=tree.kutim).exists()
    rules = "jalan,64.08,kutim-pupr,10\n,64.08.04,kutim-dinkes"
    assert hub.post(SOP + "routing/", {"rules": rules}).status_code == 302
    assert RoutingRule.objects.filter(agency=tree.kutim).count() == 2
    bad = hub.post(SOP + "routing/", {"rules": "jalan,64.08,samarinda-dishub,1"})
    assert bad.status_code == 422
    assert RoutingRule.objects.filter(agency=tree.kutim).count() == 2
    assert hub.post(SOP + "escalation/", {"nodes": "kutim-pupr\nkutim"}).status_code == 302
    assert [s.node.code for s in EscalationStep.objects.filter(agency=tree.kutim)] == [
        "kutim-pupr", "kutim"]
    assert AuditEntry.objects.filter(action="sop.routing_rules").exists()


def test_grant_and_revoke_roles(tree: Tree) -> None:
    hub = signed_in("hub")
    html = hub.get(USERS).content.decode()
    assert "liaison_pupr" in html
    assert "hub_samarinda" not in html
    response = hub.post(USERS + "beri/", {"username": "citizen", "node": "kutim-dinkes",
                                          "role": "unit_officer"})
    assert response.status_code == 302
    row = RoleAssignment.objects.get(user__username="citizen")
    assert AuditEntry.objects.filter(action="role.grant").exists()
    # An agency admin cannot hand out system roles.
    refused = hub.post(USERS + "beri/", {"username": "citizen", "node": "kutim",
                                         "role": "sysadmin"})
    assert refused.status_code in (403, 422)
    assert hub.post(USERS + "cabut/", {"assignment": row.pk}).status_code == 302
    assert not RoleAssignment.objects.filter(pk=row.pk).exists()
    assert AuditEntry.objects.filter(action="role.revoke").exists()
    other = RoleAssignment.objects.get(user__username="hub_samarinda")
    assert hub.post(USERS + "cabut/", {"assignment": other.pk}).status_code == 404
    own = RoleAssignment.objects.get(user__username="hub")
    hub.post(USERS + "cabut/", {"assignment": own.pk})
    assert RoleAssignment.objects.filter(pk=own.pk).exists()

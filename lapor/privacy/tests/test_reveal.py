"""Revealing an anonymous reporter: permission, reason, audit entry, processing record, once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from lapor.audit.models import AuditEntry
from lapor.core.errors import NotFound, PermissionDenied, ValidationFailed
from lapor.privacy.models import IdentityAccess, Purpose
from lapor.privacy.services import can_reveal, identity_reveal, reveal_grant, reveal_revoke
from lapor.reports.models import Report
from tests.api_client import ApiClient, login
from tests.factories import PASSWORD, Tree, submit

NAME, NIK = "Wiryawan Kusumadewangga", "6408041203850001"
PHONE_E164, EMAIL = "+6281298765432", "wiryawan.kd@example.org"
REASON = "Pelapor terancam; polisi meminta kontak resmi."


def _anonymous(tree: Tree) -> Report:
    report: Report = submit(tree, is_anonymous=True, reporter_name=NAME, reporter_nik=NIK,
                            reporter_phone="0812-9876-5432", reporter_email=EMAIL).report
    return report


def _grant(tree: Tree, username: str) -> None:
    assert reveal_grant(actor=tree.actor("national"), user=tree.users[username])


def test_no_role_holds_the_reveal_permission_by_default(tree: Tree) -> None:
    assert not any(can_reveal(user) for user in tree.users.values())
    tree.users["national"].is_superuser = True
    tree.users["national"].save()
    assert not can_reveal(tree.users["national"])  # superuser status does not imply it


def test_only_a_national_verifier_grants_and_it_is_audited(tree: Tree) -> None:
    for granter in ("hub", "auditor", "sysadmin", "supervisor_kutim", "citizen"):
        with pytest.raises(PermissionDenied):
            reveal_grant(actor=tree.actor(granter), user=tree.users["hub"])
    assert not can_reveal(tree.users["hub"])
    _grant(tree, "hub")
    assert can_reveal(tree.users["hub"])
    assert not reveal_grant(actor=tree.actor("national"), user=tree.users["hub"])  # no change
    entry = AuditEntry.objects.get(action="identity.reveal_grant")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        tree.users["national"].pk, "user", str(tree.users["hub"].pk))
    assert reveal_revoke(actor=tree.actor("national"), user=tree.users["hub"])
    assert not can_reveal(tree.users["hub"])
    assert AuditEntry.objects.filter(action="identity.reveal_revoke").count() == 1
    # Through a group counts too.
    group = Group.objects.create(name="reveal")
    group.permissions.add(Permission.objects.get(codename="reveal_identity"))
    tree.users["auditor"].groups.add(group)
    assert can_reveal(tree.users["auditor"])


def test_grant_reveal_command(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("privacy", "grant-reveal", "hub", "--by", "national")
    assert "privacy.reveal_identity granted to hub" in capsys.readouterr().out
    assert can_reveal(tree.users["hub"])
    with pytest.raises(CommandError, match="Only a national verifier"):
        call_command("privacy", "grant-reveal", "auditor", "--by", "hub")
    with pytest.raises(CommandError, match="No user"):
        call_command("privacy", "grant-reveal", "nobody", "--by", "national")
    call_command("privacy", "revoke-reveal", "hub", "--by", "national")
    assert not can_reveal(tree.users["hub"])


def test_reveal_service_checks_access_permission_and_reason(tree: Tree) -> None:
    report = _anonymous(tree)
    with pytest.raises(PermissionDenied):
        identity_reveal(actor=tree.actor("hub"), report_id=report.pk, reason=REASON)
    _grant(tree, "hub")
    _grant(tree, "hub_samarinda")
    with pytest.raises(NotFound):  # no read access: 404 even with the permission
        identity_reveal(actor=tree.actor("hub_samarinda"), report_id=report.pk, reason=REASON)
    with pytest.raises(ValidationFailed):
        identity_reveal(actor=tree.actor("hub"), report_id=report.pk, reason=" too short  ")
    assert IdentityAccess.objects.count() == 0
    assert not AuditEntry.objects.filter(action="identity.reveal").exists()
    identity = identity_reveal(actor=tree.actor("hub"), report_id=report.pk, reason=REASON)
    assert (identity.name, identity.nik, identity.phone, identity.email) == (
        NAME, NIK, PHONE_E164, EMAIL)


def test_reveal_endpoint(tree: Tree) -> None:
    report = _anonymous(tree)
    path = f"/reports/{report.pk}/reveal-identity"
    hub = login("hub", PASSWORD)
    assert hub.post(path, {"reason": REASON}).status_code == 403
    _grant(tree, "hub")
    _grant(tree, "hub_samarinda")
    assert login("hub_samarinda", PASSWORD).post(path, {"reason": REASON}).status_code == 404
    assert hub.post(path, {"reason": "pendek"}).status_code == 422
    assert hub.post(path, {}).status_code == 422
    assert hub.post("/reports/999999/reveal-identity", {"reason": REASON}).status_code == 404
    assert not AuditEntry.objects.filter(action="identity.reveal").exists()

    response = hub.post(path, {"reason": REASON})
    assert response.status_code == 200, response.content
    assert response.json() == {"name": NAME, "email": EMAIL, "phone": PHONE_E164, "nik": NIK}

    entry = AuditEntry.objects.get(action="identity.reveal")
    assert (entry.actor_id, entry.actor_role, entry.target_type, entry.target_id) == (
        tree.users["hub"].pk, "hub_verifier", "report", str(report.pk))
    assert entry.payload == {"reason_length": len(REASON)}
    record = IdentityAccess.objects.get()
    assert (record.report_id, record.user_id, record.purpose) == (
        report.pk, tree.users["hub"].pk, Purpose.REVEAL)
    # The identity was in that response only: the staff view keeps hiding it.
    view = hub.get(f"/reports/{report.pk}")
    assert view.status_code == 200
    assert view.json()["reporter"] is None
    for secret in (NAME, NIK, "81298765432", EMAIL):
        assert secret not in view.content.decode()
    assert IdentityAccess.objects.count() == 1


def test_citizen_and_anonymous_callers_cannot_reveal(tree: Tree) -> None:
    report = _anonymous(tree)
    path = f"/reports/{report.pk}/reveal-identity"
    assert ApiClient().post(path, {"reason": REASON}).status_code == 401
    assert login("citizen", PASSWORD).post(path, {"reason": REASON}).status_code == 403

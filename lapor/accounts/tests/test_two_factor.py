"""TOTP two-factor sign-in for staff: enrollment, codes, recovery codes, the enrollment token."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lapor.accounts import two_factor
from lapor.accounts.models import User
from lapor.audit.models import AuditEntry
from lapor.core import clock
from lapor.orgs.models import Role
from lapor.orgs.services import role_assign
from tests.api_client import ApiClient, current_totp, login
from tests.factories import PASSWORD, TOTP_KEY, Tree, make_tree, make_user


@pytest.fixture
def tree(db: None) -> Tree:
    return make_tree()


def _login(username: str, otp: str | None = None) -> Any:
    body = {"username": username, "password": PASSWORD}
    if otp is not None:
        body["otp"] = otp
    return ApiClient().post("/auth/login", body)


def _wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def _code_for(key: bytes) -> str:
    return f"{totp(key):06d}"


def _unthrottle(user: User) -> None:
    """django-otp delays the next check by a second after a wrong code; tests don't wait."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_count=0,
                                                throttling_failure_timestamp=None)


def test_citizen_login_needs_no_second_factor(tree: Tree) -> None:
    response = _login("citizen")
    assert response.status_code == 200
    assert response.json()["user"]["roles"] == []


def test_staff_users_of_the_factories_have_a_confirmed_authenticator(tree: Tree) -> None:
    device = two_factor.confirmed_totp(tree.users["hub"])
    assert device is not None
    assert device.key == TOTP_KEY
    assert two_factor.confirmed_totp(tree.users["citizen"]) is None


def test_staff_without_a_code_is_refused(tree: Tree) -> None:
    response = _login("hub")
    assert response.status_code == 401
    assert response.json()["code"] == "otp_required"
    assert response.json()["field"] == "otp"


def test_staff_with_a_wrong_code_is_refused_and_audited(tree: Tree) -> None:
    response = _login("hub", _wrong(current_totp("hub") or ""))
    assert response.status_code == 401
    assert response.json()["code"] == "otp_invalid"
    failed = AuditEntry.objects.filter(action="auth.login_failed").get()
    assert failed.actor_id == tree.users["hub"].pk
    assert failed.payload == {"reason": "otp"}


def test_a_wrong_password_never_reveals_the_second_factor(tree: Tree) -> None:
    response = ApiClient().post("/auth/login", {"username": "hub", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_staff_with_the_current_code_gets_a_token(tree: Tree) -> None:
    response = _login("hub", current_totp("hub"))
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiClient(token=token).get("/auth/me").json()["username"] == "hub"


def test_a_code_cannot_be_replayed(tree: Tree) -> None:
    code = current_totp("hub")
    assert _login("hub", code).status_code == 200
    assert _login("hub", code).json()["code"] == "otp_invalid"


def test_a_recovery_code_works_once(tree: Tree) -> None:
    codes = two_factor.recovery_codes_replace(user=tree.users["hub"])
    assert len(codes) == 10
    assert len(set(codes)) == 10
    # Grouped or upper-case input is accepted: what matters is the letters and digits.
    spaced = f"{codes[0][:4].upper()}-{codes[0][4:]}"
    assert _login("hub", spaced).status_code == 200
    again = _login("hub", codes[0])
    assert again.status_code == 401
    assert again.json()["code"] == "otp_invalid"
    assert _login("hub", codes[1]).status_code == 200


def test_regenerating_recovery_codes_needs_a_current_code(tree: Tree) -> None:
    old = two_factor.recovery_codes_replace(user=tree.users["hub"])
    hub = login("hub", PASSWORD)
    wrong = hub.post("/auth/otp/recovery-codes", {"code": _wrong(current_totp("hub") or "")})
    assert wrong.status_code == 401
    _unthrottle(tree.users["hub"])
    response = hub.post("/auth/otp/recovery-codes", {"code": current_totp("hub")})
    assert response.status_code == 200
    new = response.json()["recovery_codes"]
    assert len(new) == 10
    assert not set(new) & set(old)
    assert _login("hub", old[0]).json()["code"] == "otp_invalid"
    assert _login("hub", new[0]).status_code == 200
    assert AuditEntry.objects.filter(action="auth.recovery_codes_regenerated").count() == 1


def test_citizens_have_no_recovery_codes(tree: Tree) -> None:
    citizen = login("citizen", PASSWORD)
    response = citizen.post("/auth/otp/recovery-codes", {"code": "123456"})
    assert response.status_code == 403


def _enrollment_token(username: str) -> str:
    response = _login(username)
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "otp_enrollment_required"
    return str(body["detail"]["enrollment_token"])


def test_enrollment_end_to_end(tree: Tree) -> None:
    user = make_user("petugas_baru", (tree.pupr, Role.UNIT_OFFICER))
    two_factor.two_factor_reset(user=user)

    enrollment = ApiClient(token=_enrollment_token("petugas_baru"))
    started = enrollment.post("/auth/otp/enroll")
    assert started.status_code == 200, started.content
    body = started.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/")
    assert body["secret"] in body["otpauth_uri"]
    assert (body["digits"], body["period"]) == (6, 30)
    key = base64.b32decode(body["secret"])

    wrong = enrollment.post("/auth/otp/confirm", {"code": _wrong(_code_for(key))})
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "otp_invalid"
    assert two_factor.confirmed_totp(user) is None
    _unthrottle(user)

    confirmed = enrollment.post("/auth/otp/confirm", {"code": _code_for(key)})
    assert confirmed.status_code == 200, confirmed.content
    result = confirmed.json()
    assert len(result["recovery_codes"]) == 10
    assert result["user"]["roles"] == [{"role": "unit_officer", "node": "kutim-pupr"}]
    assert ApiClient(token=result["token"]).get("/auth/me").status_code == 200
    assert two_factor.confirmed_totp(user) is not None

    # The enrollment token is spent; signing in now needs the new authenticator.
    assert enrollment.post("/auth/otp/enroll").status_code == 401
    assert _login("petugas_baru").json()["code"] == "otp_required"
    assert _login("petugas_baru", result["recovery_codes"][0]).status_code == 200
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"auth.otp_enrollment_started", "auth.otp_enroll", "auth.otp_confirmed"} <= actions


def test_the_enrollment_token_is_good_for_nothing_else(tree: Tree) -> None:
    user = make_user("petugas_baru", (tree.pupr, Role.UNIT_OFFICER))
    two_factor.two_factor_reset(user=user)
    enrollment = ApiClient(token=_enrollment_token("petugas_baru"))
    assert enrollment.get("/auth/me").status_code == 401
    assert enrollment.get("/inbox", {"node": "kutim-pupr"}).status_code == 401
    assert enrollment.post("/auth/otp/recovery-codes", {"code": "123456"}).status_code == 401
    assert enrollment.post("/auth/logout").status_code == 401
    # And a normal API token is not an enrollment token.
    hub = login("hub", PASSWORD)
    assert hub.post("/auth/otp/enroll").status_code == 401
    assert hub.post("/auth/otp/confirm", {"code": "123456"}).status_code == 401


def test_confirm_before_enroll_is_a_conflict(tree: Tree) -> None:
    user = make_user("petugas_baru", (tree.pupr, Role.UNIT_OFFICER))
    two_factor.two_factor_reset(user=user)
    enrollment = ApiClient(token=_enrollment_token("petugas_baru"))
    response = enrollment.post("/auth/otp/confirm", {"code": "123456"})
    assert response.status_code == 409
    assert response.json()["code"] == "otp_not_enrolled"


def test_the_enrollment_token_expires(tree: Tree) -> None:
    user = make_user("petugas_baru", (tree.pupr, Role.UNIT_OFFICER))
    two_factor.two_factor_reset(user=user)
    enrollment = ApiClient(token=_enrollment_token("petugas_baru"))
    with clock.frozen(clock.now() + timedelta(minutes=11)):
        assert enrollment.post("/auth/otp/enroll").status_code == 401


def test_enrollment_token_is_stored_hashed(tree: Tree) -> None:
    user = make_user("petugas_baru", (tree.pupr, Role.UNIT_OFFICER))
    two_factor.two_factor_reset(user=user)
    raw = _enrollment_token("petugas_baru")
    stored = list(user.otp_enrollments.values_list("token_hash", flat=True))
    assert len(stored) == 1
    assert raw not in stored[0]


def test_a_citizen_who_becomes_staff_must_enroll(tree: Tree) -> None:
    role_assign(user=tree.users["citizen"], node=tree.pupr, role=Role.LIAISON)
    assert _login("citizen").json()["code"] == "otp_enrollment_required"


def test_user_command_resets_two_factor(tree: Tree) -> None:
    call_command("user", "reset-2fa", "hub")
    assert two_factor.confirmed_totp(tree.users["hub"]) is None
    assert _login("hub").json()["code"] == "otp_enrollment_required"

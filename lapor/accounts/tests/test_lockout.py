"""Login throttling with django-axes: lockout per (username, client address), 429 + Retry-After."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from lapor.audit.models import AuditEntry
from tests.api_client import current_totp
from tests.factories import PASSWORD, Tree, make_tree


@pytest.fixture
def tree(db: None) -> Tree:
    return make_tree()


def _login(username: str, password: str, *, otp: str | None = None,
           ip: str = "198.51.100.7") -> Any:
    body = {"username": username, "password": password}
    if otp is not None:
        body["otp"] = otp
    return Client().post("/api/v1/auth/login", json.dumps(body),
                         content_type="application/json", REMOTE_ADDR=ip)


def _wrong(code: str | None) -> str:
    return f"{(int(code or '0') + 500_000) % 1_000_000:06d}"


def test_lockout_after_five_wrong_passwords(tree: Tree) -> None:
    for _ in range(4):
        response = _login("hub", "wrong-password")
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_credentials"
    locked = _login("hub", "wrong-password")
    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_attempts"
    assert locked["Retry-After"] == str(15 * 60)

    # Even the right password and code are refused while locked out…
    right = _login("hub", PASSWORD, otp=current_totp("hub"))
    assert right.status_code == 429
    assert right.json()["code"] == "too_many_attempts"
    assert int(right["Retry-After"]) > 0
    # …from that address only: the lockout is per username and address together.
    elsewhere = _login("hub", PASSWORD, otp=current_totp("hub"), ip="203.0.113.9")
    assert elsewhere.status_code == 200
    # Other accounts from the same address are not affected.
    assert _login("citizen", PASSWORD).status_code == 200

    failed = AuditEntry.objects.filter(action="auth.login_failed")
    assert failed.count() == 6
    assert all(e.actor_id == tree.users["hub"].pk for e in failed)
    reasons = [e.payload["reason"] for e in failed.order_by("seq")]
    assert reasons == ["password"] * 4 + ["locked_out"] * 2


def test_failed_codes_count_toward_the_lockout(tree: Tree) -> None:
    for _ in range(4):
        response = _login("hub", PASSWORD, otp=_wrong(current_totp("hub")))
        assert response.json()["code"] == "otp_invalid"
    locked = _login("hub", PASSWORD, otp=_wrong(current_totp("hub")))
    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_attempts"
    assert "Retry-After" in locked
    assert _login("hub", PASSWORD, otp=current_totp("hub")).status_code == 429


def test_a_successful_login_resets_the_count(tree: Tree) -> None:
    for _ in range(4):
        assert _login("hub", "wrong-password").status_code == 401
    assert _login("hub", PASSWORD, otp=current_totp("hub")).status_code == 200
    for _ in range(4):
        assert _login("hub", "wrong-password").status_code == 401


def test_unknown_usernames_are_locked_out_too(tree: Tree) -> None:
    for _ in range(4):
        assert _login("nobody", "wrong-password").status_code == 401
    assert _login("nobody", "wrong-password").status_code == 429
    entry = AuditEntry.objects.filter(action="auth.login_failed").first()
    assert entry is not None
    assert entry.actor_id is None
    assert "nobody" not in json.dumps(entry.payload)


def test_login_documents_429_in_openapi(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert {"200", "401", "403", "429"} <= set(responses)

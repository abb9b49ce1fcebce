"""Staff sign-in with two factors, enrollment, recovery codes, lockout, sign-out."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lapor.accounts.two_factor import recovery_codes_replace, two_factor_reset
from lapor.audit.models import AuditEntry
from lapor.workspace.tests.helpers import LOGIN, signed_in
from tests.api_client import current_totp
from tests.factories import PASSWORD, Tree

pytestmark = pytest.mark.django_db


def _post(client: Client, username: str, password: str = PASSWORD, otp: str = "") -> object:
    return client.post(LOGIN, {"username": username, "password": password, "otp": otp})


def test_login_page_renders_without_inline_script(tree: Tree) -> None:
    response = Client().get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="otp"' in html
    assert "<script>" not in html
    assert " style=" not in html
    assert "onclick" not in html


def test_password_and_totp_sign_in_verified_session(tree: Tree) -> None:
    client = Client()
    response = _post(client, "hub", otp=current_totp("hub") or "")
    assert response.status_code == 302
    assert response["Location"] == "/petugas/"
    inbox = client.get("/petugas/")
    assert inbox.status_code == 200
    assert "Hub" in inbox.content.decode()
    assert AuditEntry.objects.filter(action="auth.login").exists()


def test_next_is_followed_only_inside_the_site(tree: Tree) -> None:
    client = Client()
    response = client.post(LOGIN + "?next=/petugas/admin/", {
        "username": "hub", "password": PASSWORD, "otp": current_totp("hub"),
        "next": "/petugas/admin/"})
    assert response["Location"] == "/petugas/admin/"
    response = Client().post(LOGIN, {"username": "hub", "password": PASSWORD,
                                     "otp": current_totp("hub"), "next": "https://evil.example/"})
    assert response["Location"] == "/petugas/"


def test_wrong_code_and_missing_code_are_refused(tree: Tree) -> None:
    client = Client()
    response = _post(client, "hub", otp="000000")
    assert response.status_code == 401
    assert "Kode verifikasi dua langkah salah" in response.content.decode()
    assert _post(client, "hub").status_code == 401
    assert client.get("/petugas/").status_code == 302


def test_wrong_password_keeps_username_not_password(tree: Tree) -> None:
    response = _post(Client(), "hub", password="wrong-password-123", otp="123456")
    html = response.content.decode()
    assert response.status_code == 401
    assert 'value="hub"' in html
    assert "wrong-password-123" not in html


def test_lockout_shows_the_wait(tree: Tree) -> None:
    client = Client()
    for _ in range(5):
        _post(client, "hub", password="wrong-password-123")
    response = _post(client, "hub", otp=current_totp("hub") or "")
    assert response.status_code == 429
    assert re.search(r"Coba lagi dalam 15 menit", response.content.decode())


def test_citizen_account_is_refused(tree: Tree) -> None:
    client = Client()
    response = _post(client, "citizen")
    assert response.status_code == 403
    assert client.get("/petugas/").status_code == 302


def test_recovery_code_signs_in_once(tree: Tree) -> None:
    codes = recovery_codes_replace(user=tree.users["hub"])
    client = Client()
    assert _post(client, "hub", otp=codes[0]).status_code == 302
    assert client.get("/petugas/").status_code == 200
    assert _post(Client(), "hub", otp=codes[0]).status_code == 401


def test_session_without_second_factor_is_sent_to_sign_in(tree: Tree) -> None:
    client = Client()
    client.force_login(tree.users["hub"])
    response = client.get("/petugas/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_not_signed_in_goes_to_login_with_next(tree: Tree) -> None:
    response = Client().get("/petugas/laporan/1/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/petugas/laporan/1/"


def test_enrollment_shows_qr_then_confirms_and_shows_recovery_codes(tree: Tree) -> None:
    user = tree.users["liaison_pupr"]
    two_factor_reset(user=user)
    client = Client()
    response = _post(client, "liaison_pupr")
    assert response.status_code == 302
    assert response["Location"] == "/petugas/masuk/autentikator/"
    page = client.get("/petugas/masuk/autentikator/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html
    assert "otpauth://totp/" in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post("/petugas/masuk/autentikator/", {"code": "000000"})
    assert wrong.status_code == 401
    # django-otp throttles the device for a second after a wrong code.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0,
                                                   throttling_failure_timestamp=None)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    done = client.post("/petugas/masuk/autentikator/", {"code": code})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/petugas/").status_code == 200
    assert TOTPDevice.objects.get(user=user).confirmed


def test_enrollment_page_without_a_pending_sign_in_goes_back(tree: Tree) -> None:
    response = Client().get("/petugas/masuk/autentikator/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN


def test_sign_out_is_post_only(tree: Tree) -> None:
    client = signed_in("hub")
    assert client.get("/petugas/keluar/").status_code == 405
    assert client.post("/petugas/keluar/").status_code == 302
    assert client.get("/petugas/").status_code == 302
    assert AuditEntry.objects.filter(action="auth.logout").exists()

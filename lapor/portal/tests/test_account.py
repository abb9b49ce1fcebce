"""Optional citizen accounts: sign up, sign in (staff refused), my reports, sign out."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from lapor.accounts.models import User
from lapor.audit.models import AuditEntry
from lapor.portal.tests.helpers import submit
from tests.factories import PASSWORD, Tree

pytestmark = pytest.mark.django_db

STRONG = "kopi-susu-panas-pagi-7"


def test_sign_up_with_phone_normalises_and_signs_in(client: Client, tree: Tree) -> None:
    response = client.post("/akun/daftar/", {
        "display_name": "Budi Santoso", "identifier": "0812-3456-7891",
        "password": STRONG, "password_again": STRONG,
    }, follow=True)
    html = response.content.decode()
    user = User.objects.get(username="+6281234567891")
    assert user.phone == "+6281234567891"
    assert user.display_name == "Budi Santoso"
    assert "Akun Anda sudah siap" in html
    assert "Masuk sebagai Budi Santoso" in html
    # A report sent now belongs to the account and is listed.
    number, _ = submit(client, tree)
    html = client.get("/akun/laporan-saya/").content.decode()
    assert number in html
    assert "Lampu jalan mati" in html


def test_sign_up_refusals_keep_input(client: Client, tree: Tree) -> None:
    User.objects.create_user(username="ada@example.org", password=STRONG)
    html = client.post("/akun/daftar/", {
        "display_name": "Ada", "identifier": "ADA@example.org",
        "password": STRONG, "password_again": STRONG,
    }).content.decode()
    assert "Data sudah ada." in html
    assert 'value="ADA@example.org"' in html
    html = client.post("/akun/daftar/", {
        "display_name": "Ada", "identifier": "baru@example.org",
        "password": "pendek", "password_again": "pendek",
    }).content.decode()
    assert 'id="id_password_error"' in html
    html = client.post("/akun/daftar/", {
        "display_name": "Ada", "identifier": "baru@example.org",
        "password": STRONG, "password_again": STRONG + "x",
    }).content.decode()
    assert "Kedua kata sandi tidak sama." in html
    assert not User.objects.filter(username="baru@example.org").exists()


def test_login_my_reports_and_logout(client: Client, tree: Tree) -> None:
    User.objects.create_user(username="ani@example.org", password=STRONG, display_name="Ani")
    html = client.post("/akun/masuk/", {"identifier": "ani@example.org",
                                        "password": "salah"}).content.decode()
    assert "Nama pengguna atau kata sandi salah." in html
    response = client.post("/akun/masuk/", {"identifier": " Ani@Example.org ",
                                            "password": STRONG})
    assert response["Location"] == "/akun/laporan-saya/"
    html = client.get("/akun/laporan-saya/").content.decode()
    assert "Anda belum mengirim laporan" in html
    assert "Keluar" in html
    client.post("/akun/keluar/")
    assert client.get("/akun/laporan-saya/")["Location"] == "/akun/masuk/"


def test_staff_account_is_refused(client: Client, tree: Tree) -> None:
    response = client.post("/akun/masuk/", {"identifier": "hub", "password": PASSWORD})
    html = response.content.decode()
    assert "Ini akun petugas" in html
    assert "/petugas/masuk/" in html
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=2)
def test_login_failures_lock_out(client: Client, tree: Tree) -> None:
    User.objects.create_user(username="ani@example.org", password=STRONG)
    for _ in range(2):
        client.post("/akun/masuk/", {"identifier": "ani@example.org", "password": "salah"})
    response = client.post("/akun/masuk/", {"identifier": "ani@example.org",
                                            "password": STRONG})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk" in response.content.decode()


def test_sign_in_attempts_are_audited_without_names(client: Client, tree: Tree) -> None:
    user = User.objects.create_user(username="ani@example.org", password=STRONG)
    client.post("/akun/masuk/", {"identifier": "ani@example.org", "password": "salah"})
    client.post("/akun/masuk/", {"identifier": "ani@example.org", "password": STRONG})
    entries = list(AuditEntry.objects.filter(target_id=str(user.pk)).order_by("pk"))
    assert [e.action for e in entries] == ["auth.login_failed", "auth.login"]
    assert "ani@example.org" not in str([e.payload for e in entries])

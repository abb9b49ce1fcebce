"""The identity vault: encryption, rotation, key configuration, blind index, processing records."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from lapor.audit.models import AuditEntry
from lapor.core.errors import ValidationFailed
from lapor.orgs.actors import PUBLIC, reporter_actor
from lapor.privacy import vault
from lapor.privacy.identity import identity_read, reports_with_contact
from lapor.privacy.keyfile import blind_index_key, encryption_keys
from lapor.privacy.models import IdentityAccess, Purpose
from lapor.reports.models import ReporterContact
from tests.factories import Tree, submit

NAME, NIK = "Wiryawan Kusumadewangga", "6408041203850001"
PHONE, PHONE_E164, EMAIL = "+62 812-9876-5432", "+6281298765432", "wiryawan.kd@example.org"
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _submit_identity(tree: Tree, **overrides: object) -> object:
    fields = {"reporter_name": NAME, "reporter_nik": NIK, "reporter_phone": PHONE,
              "reporter_email": EMAIL, **overrides}
    return submit(tree, **fields).report


def _raw_contact_rows() -> list[tuple[object, ...]]:
    table = ReporterContact._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608  (table name from the model)
        return list(cursor.fetchall())


# ---------------------------------------------------------------- the cipher


def test_round_trip_and_tamper_detection() -> None:
    token = vault.encrypt(NAME)
    assert token != NAME
    assert NAME not in token
    assert vault.decrypt(token) == NAME
    assert vault.encrypt(NAME) != token  # random IV: equal values don't look equal
    assert vault.decrypt(vault.encrypt("")) == ""
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(vault.InvalidToken):
        vault.decrypt(tampered)


def test_first_key_encrypts_every_key_decrypts() -> None:
    with override_settings(LAPOR_ENCRYPTION_KEYS=[KEY_A]):
        old = vault.encrypt(NAME)
    with override_settings(LAPOR_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        assert vault.decrypt(old) == NAME
        new = vault.encrypt(NAME)
        assert not vault.is_current(old)
        assert vault.is_current(new)
        assert vault.is_current(vault.rotate(old))
    with override_settings(LAPOR_ENCRYPTION_KEYS=[KEY_B]), pytest.raises(vault.InvalidToken):
        vault.decrypt(old)


def test_keys_rotate_re_encrypts_every_column(tree: Tree) -> None:
    with override_settings(LAPOR_ENCRYPTION_KEYS=[KEY_A]):
        report = _submit_identity(tree)
        identity_read(actor=tree.actor("national"), report=report, purpose=Purpose.REVEAL,
                      reason="Perintah pengadilan nomor 12/2026 untuk saksi.")
    before = ReporterContact.objects.get(report=report)
    with override_settings(LAPOR_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        call_command("keys", "rotate", "--batch-size", "1")
    after = ReporterContact.objects.get(report=report)
    assert after.name != before.name
    assert (after.phone_index, after.email_index) == (before.phone_index, before.email_index)
    with override_settings(LAPOR_ENCRYPTION_KEYS=[KEY_B]):
        identity = identity_read(actor=tree.actor("national"), report=report,
                                 purpose=Purpose.STAFF_VIEW)
        assert identity is not None
        assert (identity.name, identity.nik, identity.phone, identity.email) == (
            NAME, NIK, PHONE_E164, EMAIL)
        reason = IdentityAccess.objects.filter(purpose=Purpose.REVEAL).get().reason
        assert vault.decrypt(reason).startswith("Perintah pengadilan")
        assert reports_with_contact(phone="081298765432").get() == report
    entry = AuditEntry.objects.get(action="keys.rotate")
    assert entry.payload["reports_reportercontact"] == {"rows": 1, "values": 4}
    assert entry.payload["privacy_identityaccess"] == {"rows": 1, "values": 1}


def test_keys_rotate_command_reports_counts(tree: Tree, capsys: pytest.CaptureFixture[str]) -> (
    None
):
    _submit_identity(tree)
    _submit_identity(tree)
    call_command("keys", "rotate")
    out = capsys.readouterr().out
    assert "reports_reportercontact: 2 rows, 8 values re-encrypted" in out


# ---------------------------------------------------------------- key configuration


def test_missing_keys_fail_outside_demo_mode(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAPOR_ENCRYPTION_KEYS is required"):
        encryption_keys(None, demo=False, data_dir=tmp_path)
    with pytest.raises(ImproperlyConfigured, match="LAPOR_BLIND_INDEX_KEY is required"):
        blind_index_key(None, demo=False, data_dir=tmp_path)
    with pytest.raises(ImproperlyConfigured, match="key 2 is not a Fernet key"):
        encryption_keys(f"{KEY_A},not-a-key", demo=False, data_dir=tmp_path)
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        blind_index_key("short", demo=False, data_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_demo_mode_keeps_generated_keys_in_the_data_dir(tmp_path: Path) -> None:
    keys = encryption_keys(None, demo=True, data_dir=tmp_path)
    assert encryption_keys(None, demo=True, data_dir=tmp_path) == keys
    index_key = blind_index_key(None, demo=True, data_dir=tmp_path)
    assert blind_index_key(None, demo=True, data_dir=tmp_path) == index_key
    for name in ("encryption_keys", "blind_index_key"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    assert encryption_keys(f" {KEY_A} , {KEY_B} ", demo=False, data_dir=tmp_path) == [
        KEY_A, KEY_B]


def test_production_start_without_key_fails_fast(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in {"LAPOR_ENCRYPTION_KEYS", "LAPOR_DEMO_MODE", "LAPOR_DEBUG"}}
    env.update(LAPOR_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="lapor.config.settings",
               LAPOR_SECRET_KEY="x" * 60)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode != 0
    assert "LAPOR_ENCRYPTION_KEYS is required" in result.stderr


# ---------------------------------------------------------------- storage


def test_database_columns_never_hold_plaintext(tree: Tree) -> None:
    _submit_identity(tree)
    rows = _raw_contact_rows()
    assert len(rows) == 1
    raw = " ".join(str(value) for value in rows[0])
    for secret in (NAME, "Wiryawan", "Kusumadewangga", NIK, PHONE, PHONE_E164, "81298765432",
                   EMAIL, "wiryawan", "example.org"):
        assert secret not in raw


def test_nik_is_optional_and_exactly_sixteen_digits(tree: Tree) -> None:
    report = submit(tree).report
    identity = identity_read(actor=tree.actor("hub"), report=report, purpose=Purpose.STAFF_VIEW)
    assert identity is not None
    assert identity.nik == ""
    grouped = _submit_identity(tree, reporter_nik="640804 120385 0001")
    identity = identity_read(actor=tree.actor("hub"), report=grouped, purpose=Purpose.STAFF_VIEW)
    assert identity is not None
    assert identity.nik == NIK
    for bad in ("640804120385000", "64080412038500012", "64080412038500O1"):
        with pytest.raises(ValidationFailed) as exc_info:
            submit(tree, reporter_nik=bad)
        assert (exc_info.value.code, exc_info.value.field) == ("invalid_nik", "reporter_nik")
    assert repr(identity) == "Identity(<redacted>)"


def test_blind_index_finds_reporters_without_plaintext(tree: Tree) -> None:
    first = _submit_identity(tree)
    second = _submit_identity(tree, reporter_email="", reporter_name="")
    other = submit(tree).report
    assert set(reports_with_contact(phone="0812 9876 5432")) == {first, second}
    assert set(reports_with_contact(phone="+6281298765432")) == {first, second}
    assert set(reports_with_contact(email="  Wiryawan.KD@Example.org ")) == {first}
    assert set(reports_with_contact(email="siti@example.org")) == {other}
    assert not reports_with_contact(phone="0812 0000 0000").exists()
    assert not reports_with_contact().exists()
    # Empty values never index: reports without an e-mail don't match each other.
    assert ReporterContact.objects.get(report=second).email_index == ""
    # Domains are separated and the key matters.
    assert vault.blind_index("phone", "x") != vault.blind_index("email", "x")
    with override_settings(LAPOR_BLIND_INDEX_KEY="another-blind-index-key-0123456789abcdef"):
        assert not reports_with_contact(phone=PHONE).exists()
    assert vault.normalise_handle("telegram", "@Wiryawan") == "telegram:wiryawan"
    assert vault.handle_index("telegram", "@Wiryawan") == vault.handle_index("Telegram",
                                                                              "wiryawan")
    assert vault.handle_index("telegram", "  ") == ""


# ---------------------------------------------------------------- processing records


def test_every_identity_read_is_recorded(tree: Tree) -> None:
    report = _submit_identity(tree)
    hub = tree.actor("hub")
    assert IdentityAccess.objects.count() == 0
    for _ in range(2):
        identity = identity_read(actor=hub, report=report, purpose=Purpose.STAFF_VIEW)
        assert identity is not None
        assert identity.name == NAME
    records = list(IdentityAccess.objects.order_by("id"))
    assert len(records) == 2
    assert {(r.report_id, r.user_id, r.actor_kind, r.actor_role, r.purpose, r.reason)
            for r in records} == {(report.pk, tree.users["hub"].pk, "staff", "hub_verifier",
                                   "staff_view", "")}
    # The reporter reads their own identity (recorded); nobody else may use that purpose.
    own = identity_read(actor=reporter_actor(report_id=report.pk), report=report,
                        purpose=Purpose.REPORTER_ACCESS)
    assert own is not None
    assert identity_read(actor=PUBLIC, report=report, purpose=Purpose.REPORTER_ACCESS) is None
    assert IdentityAccess.objects.count() == 3


def test_anonymous_identity_is_not_read_unless_revealed(tree: Tree) -> None:
    report = _submit_identity(tree, is_anonymous=True)
    national = tree.actor("national")
    assert identity_read(actor=national, report=report, purpose=Purpose.STAFF_VIEW) is None
    assert identity_read(actor=national, report=report,
                         purpose=Purpose.CHANNEL_CONTINUITY) is None
    assert IdentityAccess.objects.count() == 0
    revealed = identity_read(actor=national, report=report, purpose=Purpose.REVEAL,
                             reason="Diperlukan untuk perlindungan saksi.")
    assert revealed is not None
    assert revealed.nik == NIK
    record = IdentityAccess.objects.get()
    assert record.purpose == Purpose.REVEAL
    assert "saksi" not in record.reason
    assert vault.decrypt(record.reason) == "Diperlukan untuk perlindungan saksi."

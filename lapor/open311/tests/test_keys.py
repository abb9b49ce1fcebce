"""Open311 API keys: stored hashed, printed once by the command, revocable, audited."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lapor.audit.models import AuditEntry
from lapor.open311.keys import open311_key_authenticate, open311_key_create, open311_key_revoke
from lapor.open311.models import ApiKey

pytestmark = pytest.mark.django_db


def _command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("open311", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_key_add_prints_the_key_once_and_stores_only_its_hash() -> None:
    out, err = _command("key", "add", "FixMyStreet Kutim")
    raw = out.strip()
    assert raw.startswith("l311_")
    assert len(raw) > 40
    assert raw not in err
    key = ApiKey.objects.get()
    assert key.name == "FixMyStreet Kutim"
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = " ".join(str(v) for v in ApiKey.objects.values_list().get())
    assert raw not in stored
    assert raw[5:] not in stored
    assert open311_key_authenticate(raw) == key
    # Listing shows the prefix, never the key.
    listing, _ = _command("key", "list")
    assert "FixMyStreet Kutim" in listing
    assert f"l311_{key.prefix}…" in listing
    assert raw not in listing
    assert AuditEntry.objects.filter(action="open311.key_created", target_id=str(key.pk)).exists()


def test_key_revoke_stops_the_key_and_is_audited() -> None:
    created = open311_key_create(name="Old app")
    out, _ = _command("key", "revoke", str(created.key.pk))
    assert "revoked" in out
    assert open311_key_authenticate(created.raw) is None
    listing, _ = _command("key", "list")
    assert "revoked" in listing
    open311_key_revoke(key_id=created.key.pk)  # idempotent
    assert AuditEntry.objects.filter(action="open311.key_revoked").count() == 1
    with pytest.raises(CommandError):
        _command("key", "revoke", "999999")


def test_key_add_refuses_an_empty_name() -> None:
    with pytest.raises(CommandError):
        _command("key", "add", "   ")
    assert not ApiKey.objects.exists()


def test_authenticate_refuses_garbage() -> None:
    open311_key_create(name="App")
    for raw in ("", "l311_", "x" * 500, "l311_" + "a" * 300, "Bearer l311_abc"):
        assert open311_key_authenticate(raw) is None

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from lapor.audit.models import AuditEntry
from lapor.audit.services import GENESIS, _digest, audit_record, audit_verify
from lapor.orgs.actors import SYSTEM

pytestmark = pytest.mark.django_db


def _chain(n: int) -> list[AuditEntry]:
    return [audit_record(action="sop.update", actor=SYSTEM, target_type="orgnode",
                         target_id=i, payload={"verify_days": i}) for i in range(n)]


def test_entries_chain_to_each_other() -> None:
    first, second, third = _chain(3)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.entry_hash
    assert third.prev_hash == second.entry_hash
    assert [e.seq for e in AuditEntry.objects.all()] == [1, 2, 3]
    result = audit_verify()
    assert result.ok
    assert result.checked == 3


def test_an_edited_entry_is_found() -> None:
    _chain(4)
    AuditEntry.objects.filter(seq=2).update(payload={"verify_days": 3})
    result = audit_verify()
    assert (result.ok, result.first_bad_seq, result.problem) == (
        False, 2, "entry content changed")


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries = _chain(3)
    forged = entries[1]
    forged.payload = {"verify_days": 99}
    forged.entry_hash = _digest(forged)
    forged.save()
    result = audit_verify()
    assert (result.first_bad_seq, result.problem) == (3, "chain broken (previous entry changed)")


def test_a_deleted_entry_is_found_and_the_command_fails() -> None:
    _chain(3)
    AuditEntry.objects.filter(seq=2).delete()
    assert audit_verify().first_bad_seq == 2
    with pytest.raises(CommandError, match="#2: missing entry"):
        call_command("audit", "verify")


def test_the_command_reports_an_intact_log() -> None:
    _chain(2)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "2 entries verified" in out.getvalue()

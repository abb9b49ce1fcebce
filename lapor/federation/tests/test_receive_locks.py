"""A local change and a received entry of the same report, at once (PostgreSQL): both finish.

A local service locks the report, then the link's row (the journal's next seq); the receiver
used to lock the link's row first, then the report it applies: a deadlock PostgreSQL broke by
failing one of them (a 500 for the staff member). The receiver now serialises on an advisory
lock and takes the row after the report (lapor.federation.receive)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from lapor.federation import mirror
from lapor.federation.journal import journal_append
from lapor.federation.models import EntryKind, JournalEntry, Link
from lapor.federation.receive import journal_receive
from lapor.federation.services import peer_add
from lapor.reports.models import Report
from tests.factories import Tree, submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("no_auto_journal")]


def test_a_local_change_and_a_received_entry_of_one_report_both_finish(
        tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    link = peer_add(agency_code="kutim", url="https://region.example")[0]
    report = submit(tree).report
    local_has_report = threading.Event()
    errors: list[BaseException] = []

    def apply_locking_the_report(link: Link, entry: dict[str, Any]) -> None:
        # What applying a snapshot does first: write (lock) the report's row.
        list(Report.objects.select_for_update().filter(pk=report.pk))

    monkeypatch.setattr(mirror, "apply_entry", apply_locking_the_report)

    def local_change() -> None:
        try:
            with transaction.atomic():
                list(Report.objects.select_for_update().filter(pk=report.pk))
                local_has_report.set()
                # Let the receiver start and block on the report before the seq is taken.
                threading.Event().wait(0.5)
                journal_append(link=link, report=report, kind=EntryKind.REPORT)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def receive() -> None:
        try:
            local_has_report.wait(5)
            journal_receive(link, [{"seq": 1, "kind": "report", "report": None}])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=local_change), threading.Thread(target=receive)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert Link.objects.get(pk=link.pk).received_through == 1
    # No entry refused (a push of the new entry to the unreachable example peer may have
    # failed meanwhile: that is the sender's error, "peer_unreachable").
    assert not Link.objects.get(pk=link.pk).last_error.startswith("entry")
    assert JournalEntry.objects.filter(link=link, report=report).count() == 1

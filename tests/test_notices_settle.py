"""``notices_settle`` (lapor.sla.notices, for data loaded in bulk: ``lapor seed``, issue #21):
it records exactly the notices the sweep would have issued by now, without their messages,
so the sweep that runs next has nothing left to catch up on."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lapor.core import clock
from lapor.notifications.models import DeadlineNotice, OutboxMessage
from lapor.orgs.models import Sop
from lapor.reports.models import Report
from lapor.sla.notices import NoticeResult, notices_settle, sweep_notices
from tests.factories import Tree, drive

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
NOW = datetime(2026, 6, 24, 10, 0, tzinfo=WITA)


def notices() -> set[tuple[object, ...]]:
    return set(DeadlineNotice.objects.values_list(
        "report_id", "due_at", "deadline_kind", "level", "next_check_at"))


def loaded(tree: Tree) -> None:
    """Late and nearly due reports, as a bulk load leaves them: nobody ran the sweep."""
    Sop.objects.filter(node=tree.kutim).update(escalate_after_days=2)
    for days in (40, 20, 9, 6):
        drive(tree, "submitted", at=NOW - timedelta(days=days))
        drive(tree, "disposed", at=NOW - timedelta(days=days), forwarded=True)
        drive(tree, "in_progress", at=NOW - timedelta(days=days))
    drive(tree, "submitted", at=NOW - timedelta(days=2))  # due within the reminder window


def test_settle_records_what_the_sweep_would_issue(tree: Tree) -> None:
    loaded(tree)
    with clock.frozen(NOW):
        swept = sweep_notices(limit=10_000)
    expected = notices()
    assert swept.overdue
    assert swept.escalations
    assert swept.reminders
    # Back to the loaded state: no notices, and nothing marked on the reports.
    DeadlineNotice.objects.all().delete()
    OutboxMessage.objects.all().delete()
    Report.objects.update(noticed_staff_due_at=None, escalation_check_at=None,
                          noticed_resolution_due_at=None)
    with clock.frozen(NOW):
        settled = notices_settle()
    assert settled == swept
    assert notices() == expected
    assert not OutboxMessage.objects.exists()


def test_after_settling_the_sweep_has_nothing_to_do(tree: Tree) -> None:
    loaded(tree)
    messages = OutboxMessage.objects.count()  # the reports' own (submitted, disposed, …)
    with clock.frozen(NOW):
        assert notices_settle() != NoticeResult()
        assert notices_settle() == NoticeResult()  # idempotent
        assert sweep_notices(limit=10_000) == NoticeResult()
    assert OutboxMessage.objects.count() == messages

"""Two sweeps at once issue each deadline notice once (PostgreSQL: real concurrent
connections; the unique ``DeadlineNotice`` row and the unique delivery keys decide)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from lapor.config.scheduler import claim_slot, minute_slot
from lapor.core import clock
from lapor.notifications.models import DeadlineNotice, OutboxMessage
from lapor.reports import services
from lapor.sla.notices import NoticeResult, sweep_notices
from tests.factories import Tree, submit
from tests.races import race

WITA = ZoneInfo("Asia/Makassar")
race_db = pytest.mark.django_db(transaction=True)
DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def sweep_at(moment: datetime) -> Callable[[], NoticeResult]:
    def call() -> NoticeResult:
        with clock.frozen(moment):
            return sweep_notices()
    return call


@pytest.mark.postgres
@race_db
@override_settings(TASKS=DUMMY_TASKS)
def test_two_sweeps_at_once_send_one_reminder(tree: Tree) -> None:
    reports = []
    for _ in range(5):
        report = submit(tree, at=datetime(2026, 6, 1, 9, 0, tzinfo=WITA)).report
        with clock.frozen(datetime(2026, 6, 2, 9, 0, tzinfo=WITA)):
            services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                    node_code=tree.pupr.code)
        reports.append(report)
    # Disposed Tue 2 June: 5 HK → Tue 9 June; one working day left on Mon 8 June.
    results = race(*(sweep_at(datetime(2026, 6, 8, 9, 0, tzinfo=WITA)) for _ in range(4)))
    assert all(isinstance(r, NoticeResult) for r in results), results
    assert sum(r.reminders for r in results) == 5
    assert DeadlineNotice.objects.filter(level="reminder").count() == 5
    for report in reports:
        rows = OutboxMessage.objects.filter(key__startswith=f"sla:r{report.pk}:",
                                            event="staff.reminder")
        assert list(rows.values_list("recipient_user__username", "channel")) == [
            ("liaison_pupr", "inapp")]


@pytest.mark.postgres
@race_db
def test_one_worker_claims_each_minute_slot() -> None:
    slot = minute_slot(datetime(2026, 6, 8, 1, 0, 30, tzinfo=WITA))
    results = race(*(lambda: claim_slot("sla.sweep_deadlines", slot) for _ in range(4)))
    assert sorted(results) == [False, False, False, True]

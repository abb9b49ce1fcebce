"""The reminder sweep moves on past reports already reminded: with more reports due the same
day than one batch holds, each sweep reminds the next ones, and the due morning's reminder
still comes for every one (lapor/sla/notices.py ``_reminders``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from lapor.core import clock
from lapor.notifications.models import DeadlineNotice
from lapor.reports import services
from lapor.sla.notices import sweep_notices
from tests.factories import Tree, submit

WITA = ZoneInfo("Asia/Makassar")
DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.mark.django_db
@override_settings(TASKS=DUMMY_TASKS)
def test_reminders_beyond_the_first_batch_are_issued(tree: Tree) -> None:
    reports = []
    for _ in range(3):
        report = submit(tree, at=datetime(2026, 6, 1, 9, 0, tzinfo=WITA)).report
        with clock.frozen(datetime(2026, 6, 2, 9, 0, tzinfo=WITA)):
            services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                    node_code=tree.pupr.code)
        reports.append(report.pk)
    # Disposed Tue 2 June: 5 HK → Tue 9 June; the working day before is Mon 8 June.
    for minute in range(5):
        with clock.frozen(datetime(2026, 6, 8, 9, minute, tzinfo=WITA)):
            sweep_notices(limit=1)
    reminded = DeadlineNotice.objects.filter(level="reminder")
    assert sorted(reminded.values_list("report_id", flat=True)) == sorted(reports)
    # Each row waits for the due morning: local midnight of Tue 9 June.
    assert set(reminded.values_list("next_check_at", flat=True)) == {
        datetime(2026, 6, 9, 0, 0, tzinfo=WITA)}
    for minute in range(5):
        with clock.frozen(datetime(2026, 6, 9, 0, minute, tzinfo=WITA)):
            sweep_notices(limit=1)
    due = DeadlineNotice.objects.filter(level="reminder-due")
    assert sorted(due.values_list("report_id", flat=True)) == sorted(reports)

"""The deadline sweep's worker killed mid-run (issue #11): the next run finishes the work and
every automatic transition (and the message it causes) happens exactly once.

The notification side (a worker SIGKILLed in the middle of a delivery, retried after its lease,
delivered once at the provider) is tests/test_outbox_crash.py; this covers a different task.

Many reports on hold are past their 10 HK. A worker process runs the sweep, slowed down by a
short pause before each report (a slow machine; the per-report transaction is the real one),
and is SIGKILLed after it archived some of them. A second run (the scheduler enqueues the sweep
every minute) archives the rest: one ``auto_archive`` event and one set of outbox rows per
report, none twice, none missing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.db import connection

from lapor.notifications.models import OutboxMessage
from lapor.regions.loader import load_shipped_regions
from lapor.reports.models import Report, ReportEvent
from lapor.reports.states import Status
from tests.factories import drive, make_tree

HELD = 40
# A Monday in January 2026: 10 working days on hold ended long before the real "now".
HELD_AT = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
SWEEP = """
import time
import django
django.setup()
from lapor.reports import services
from lapor.sla import sweep
real = services.report_auto_archive
def slow(*, report_id):
    time.sleep(0.15)
    return real(report_id=report_id)
sweep.report_auto_archive = slow
print(sweep.sweep_deadlines())
"""


def _sweep_process() -> subprocess.Popen[bytes]:
    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/"
           f"{settings['NAME']}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lapor.config.settings_test",
           "DATABASE_URL": url}
    return subprocess.Popen(  # noqa: S603  (our own interpreter and a fixed script)
        [sys.executable, "-c", SWEEP], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL)


def _archived() -> int:
    return ReportEvent.objects.filter(kind="auto_archive").count()


@pytest.mark.django_db(transaction=True)
def test_sweep_killed_mid_run_then_rerun_archives_each_report_once() -> None:
    load_shipped_regions()
    tree = make_tree()
    held = [drive(tree, "on_hold", at=HELD_AT, reporter_email=f"p{i}@example.org").pk
            for i in range(HELD)]
    last_outbox = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    first = _sweep_process()
    try:
        deadline = time.monotonic() + 60
        while _archived() < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        first.kill()
    killed_after = _archived()
    assert 0 < killed_after < HELD, killed_after
    # Nothing half-done for the report being handled when it died: each report is either
    # still on hold with no event, or archived with exactly one.
    for report in Report.objects.filter(pk__in=held):
        events = ReportEvent.objects.filter(report=report, kind="auto_archive").count()
        assert (report.status, events) in ((Status.ON_HOLD, 0), (Status.ARCHIVED, 1))

    second = _sweep_process()
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0
    assert f"archived={HELD - killed_after}" in output.decode(), output

    per_report = Counter(ReportEvent.objects.filter(kind="auto_archive")
                         .values_list("report_id", flat=True))
    assert per_report == dict.fromkeys(held, 1)
    assert set(Report.objects.filter(pk__in=held).values_list("status", flat=True)) == {
        Status.ARCHIVED}
    # The messages the archive causes (the reporter's e-mail): as many for every report, at
    # least one, never doubled by the rerun; delivery keys stay unique.
    messages = Counter(OutboxMessage.objects.filter(pk__gt=last_outbox)
                       .values_list("report_id", flat=True))
    assert set(messages) == set(held)
    assert len(set(messages.values())) == 1, messages
    keys = list(OutboxMessage.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))

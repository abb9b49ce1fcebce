"""One deadline vocabulary (lapor.workdays.due) read the same way by the inbox tabs, the API's
``due_soon`` filter and the daily digest (issue #20: they used to mean the end of the next
working day, 2 working days and 2 calendar days).

Friday 14 Aug 2026 08:00 WITA, before the Independence Day weekend (Sat 15, Sun 16, Mon 17
off). Kutai Timur's verifier has four reports (3 HK to verify):
submitted Mon 10 → due Thu 13 (overdue); Tue 11 → due Fri 14 (today);
Thu 13 → Fri 14, Tue 18, due Wed 19 (soon: the 2nd working day after today);
Fri 14 07:00 → due Thu 20 (none of them).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from lapor.core import clock
from lapor.core.pagination import Page
from lapor.notifications.digest import send_digests
from lapor.notifications.models import OutboxMessage
from lapor.reports import selectors
from lapor.reports.models import Report
from tests.factories import Tree, submit

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
FRIDAY = datetime(2026, 8, 14, 8, 0, tzinfo=WITA)


@pytest.fixture
def due(tree: Tree) -> dict[str, str]:
    made = {
        "overdue": submit(tree, at=datetime(2026, 8, 10, 9, 0, tzinfo=WITA)),
        "today": submit(tree, at=datetime(2026, 8, 11, 9, 0, tzinfo=WITA)),
        "soon": submit(tree, at=datetime(2026, 8, 13, 9, 0, tzinfo=WITA)),
        "later": submit(tree, at=datetime(2026, 8, 14, 7, 0, tzinfo=WITA)),
    }
    return {k: v.report.tracking_number for k, v in made.items()}


def _numbers(page: Page[Report]) -> set[str]:
    return {r.tracking_number for r in page.items}


def test_inbox_tabs_and_api_filter_read_the_same_words(tree: Tree, due: dict[str, str]) -> None:
    hub = tree.actor("hub")
    with clock.frozen(FRIDAY):
        counts = selectors.inbox_counts(hub, tree.kutim, selectors.InboxFilters())
        assert counts == {"all": 4, "overdue": 1, "today": 1, "soon": 1}
        for tab in ("overdue", "today", "soon"):
            page = selectors.inbox(hub, node=tree.kutim, filters=selectors.InboxFilters(due=tab),
                                   cursor=None, limit=25)
            assert _numbers(page) == {due[tab]}
        # The API's due_soon: today or soon, Wednesday included (it used to stop at the end of
        # the next working day, Tuesday).
        page = selectors.inbox(hub, node=tree.kutim,
                               filters=selectors.InboxFilters(due_soon=True), cursor=None,
                               limit=25)
        assert _numbers(page) == {due["today"], due["soon"]}
        page = selectors.inbox(hub, node=tree.kutim,
                               filters=selectors.InboxFilters(overdue=False), cursor=None,
                               limit=25)
        assert _numbers(page) == {due["today"], due["soon"], due["later"]}


def test_digest_lists_what_the_inbox_calls_due(tree: Tree, due: dict[str, str]) -> None:
    # Two calendar days from Friday morning ended on Sunday: the Wednesday report was missing.
    with clock.frozen(FRIDAY):
        send_digests()
    digest = OutboxMessage.objects.get(event="staff.digest", recipient_user__username="hub")
    assert digest.subject == "Ringkasan harian 2026-08-14: 1 terlambat, 2 jatuh tempo"
    for key in ("overdue", "today", "soon"):
        assert f"#{due[key]}" in digest.body
    assert f"#{due['later']}" not in digest.body

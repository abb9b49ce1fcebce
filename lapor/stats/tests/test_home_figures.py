"""The home page's figures come from the counters (lapor.stats.selectors.home_figures): the same
numbers as the live aggregate once refreshed, a constant number of queries whatever the number
of reports, and the live aggregate before the first refresh of a new installation."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lapor.reports.feed import public_stats
from lapor.reports.models import Report
from lapor.stats.maintenance import stats_refresh
from lapor.stats.selectors import home_figures
from tests.factories import Tree, drive, submit

pytestmark = pytest.mark.django_db


def _figures(page: str) -> list[str]:
    return re.findall(r'<li class="stat"><strong>([^<]+)</strong>', page)


def test_before_the_first_refresh_the_live_aggregate_is_shown(tree: Tree) -> None:
    submit(tree)
    drive(tree, "closed")
    assert home_figures() == public_stats()
    assert home_figures().total == 2
    page = Client().get("/").content.decode()
    assert _figures(page) == ["2", "50%", "1", "1"]


def test_after_a_refresh_the_counters_give_the_same_figures(tree: Tree) -> None:
    for status in ("submitted", "disposed", "responded", "closed", "closed", "archived"):
        drive(tree, status)
    submit(tree, is_confidential=True, title="Pungutan liar oleh oknum kecamatan")
    submit(tree, target_agency_code=tree.samarinda.code, region_code="64.72")
    practice = drive(tree, "closed", title="Latihan Bimtek jalan berlubang")
    Report.objects.filter(pk=practice.pk).update(is_training=True)
    stats_refresh()
    live = public_stats()
    assert (live.total, live.followed_up, live.active_agencies) == (8, 3, 2)
    with CaptureQueriesContext(connection) as queries:
        counted = home_figures()
    assert counted == live
    assert len(queries) <= 4  # state, root node, status cells, agencies: never the reports
    assert "reports_report" not in " ".join(q["sql"] for q in queries.captured_queries)
    page = Client().get("/").content.decode()
    assert _figures(page) == ["8", "38%", "3", "2"]
    # A new report appears at the next refresh (the worker runs it every minute).
    submit(tree)
    assert home_figures().total == 8
    stats_refresh()
    assert home_figures().total == 9 == public_stats().total

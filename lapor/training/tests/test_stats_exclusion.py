"""Practice reports stay out of statistics and exports (lapor.stats, built alongside: this
checks its entry points with a space in the database next to real reports)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from lapor.core import clock
from lapor.reports import services
from lapor.reports.models import Report
from lapor.stats.exports import ListFilters, report_scope
from lapor.stats.maintenance import facts_refresh
from lapor.stats.models import ReportFact
from lapor.stats.selectors import Period, is_public_node, public_agencies
from lapor.training.models import TrainingSpace
from lapor.training.tests.helpers import mirror, practice_reports, verifier
from tests.factories import Tree, drive

pytestmark = pytest.mark.django_db


def test_practice_reports_never_reach_statistics_or_exports(
    tree: Tree, space: TrainingSpace
) -> None:
    _, hub_trainee = verifier(tree, space)
    for report in practice_reports(space)[:3]:
        services.report_dispose(actor=hub_trainee, report_id=report.pk,
                                node_code=mirror(space, "kutim-pupr").code)
    real = drive(tree, "disposed")

    facts_refresh(Report.objects.values_list("pk", flat=True), now=clock.now())
    assert set(ReportFact.objects.values_list("report_id", flat=True)) == {real.pk}

    today = clock.now().date()
    month = date(today.year, today.month, 1)
    filters = ListFilters(period=Period(start=month, end=month))
    national = tree.actor("national")
    scope = report_scope(national, tree.root, filters, ZoneInfo("Asia/Makassar"))
    assert set(scope.values_list("pk", flat=True)) == {real.pk}
    assert not is_public_node(space.root)
    assert space.root not in public_agencies()

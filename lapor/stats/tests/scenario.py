"""The known data set of the statistics tests: fourteen Kutai Timur reports in known states.

Every step goes through the real services at a frozen moment. ``T0`` is Monday 6 July 2026,
10:00 WITA; the figures are read at ``NOW``, three weeks later. Hand-derived expectations live
next to each test (lapor/stats/tests/test_figures.py explains each number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lapor.core import clock
from lapor.reports import services
from lapor.reports.models import Report
from tests.factories import Tree, drive, reporter_of, submit

# A region no hub covers: an unaddressed report about it waits in the national pool.
NO_HUB = "31.71.01"

T0 = datetime(2026, 7, 6, 2, 0, tzinfo=UTC)  # Mon 10:00 WITA
NOW = datetime(2026, 7, 27, 2, 0, tzinfo=UTC)  # Mon 10:00 WITA, three weeks later
DAY = timedelta(days=1)


@dataclass
class Scenario:
    reports: dict[str, Report]


def _at(moment: datetime, fn: Any, **kwargs: Any) -> Any:
    with clock.frozen(moment):
        return fn(**kwargs)


def _disposed(tree: Tree, *, at: datetime, node: str = "", **overrides: Any) -> Report:
    with clock.frozen(T0):
        report = submit(tree, **overrides).report
    _at(at, services.report_dispose, actor=tree.actor("hub"), report_id=report.pk,
        node_code=node or tree.pupr.code)
    return report


def _follow(tree: Tree, report: Report, *, at: datetime, final: bool,
            who: str = "liaison_pupr") -> None:
    _at(at, services.report_follow_up, actor=tree.actor(who), report_id=report.pk,
        body="Sudah kami tangani di lapangan.", final=final)


def _reply(report: Report, *, at: datetime, accept: bool, rating: int | None = None) -> None:
    _at(at, services.report_reporter_reply, actor=reporter_of(report), report_id=report.pk,
        accept=accept, rating=rating, body="" if accept else "Belum selesai, masih berlubang.")


def build(tree: Tree, *, training: bool = True) -> Scenario:
    r: dict[str, Report] = {}
    r["A"] = drive(tree, "submitted", at=T0)  # verification overdue at NOW
    r["B"] = submit(tree, at=NOW - timedelta(hours=1), channel="sms",
                    region_code="64.08.05").report  # fresh: nothing due yet
    r["C"] = drive(tree, "on_hold", at=T0)
    r["D"] = drive(tree, "archived", at=T0)
    r["E"] = drive(tree, "disposed", at=T0)  # no follow-up: overdue
    r["F"] = drive(tree, "disposed", at=T0, forwarded=True)  # at Bina Marga, overdue
    r["G"] = drive(tree, "in_progress", at=T0)  # acknowledged only: overdue
    r["H"] = drive(tree, "responded", at=T0)  # same-day final follow-up
    r["I"] = drive(tree, "closed", at=T0)  # accepted, rating 5
    r["J"] = _disposed(tree, at=T0)
    _follow(tree, r["J"], at=T0 + 2 * DAY, final=True)  # 2 HK
    _reply(r["J"], at=T0 + 3 * DAY, accept=True, rating=2)
    r["K"] = _disposed(tree, at=T0 + DAY)  # disposed Tue 7 July
    _follow(tree, r["K"], at=T0 + 10 * DAY, final=False)  # Thu 16 July: 7 HK, late
    r["L"] = drive(tree, "responded", at=T0)
    _reply(r["L"], at=T0 + DAY, accept=False)  # reopened
    r["M"] = _disposed(tree, at=T0 + 7 * DAY)  # verified Mon 13 July: late
    _follow(tree, r["M"], at=T0 + 7 * DAY, final=True)
    _reply(r["M"], at=T0 + 8 * DAY, accept=True, rating=4)
    r["N"] = _disposed(tree, at=T0, node=tree.dinkes.code, channel="whatsapp",
                       type="aspiration", category_code=tree.urgent.code)
    _follow(tree, r["N"], at=T0 + 3 * DAY, final=True, who="liaison_dinkes")  # 3 HK, late
    # Outside Kutai Timur: Samarinda, and the national pool.
    r["S"] = submit(tree, at=T0, target_agency_code=tree.samarinda.code,
                    region_code="64.72").report
    r["P"] = submit(tree, at=T0, target_agency_code=None, region_code=NO_HUB).report
    if training:
        # A practice report (training sandbox): set the flag the way lapor.training's
        # practice submission does, on a report that otherwise looks real.
        practice = drive(tree, "closed", at=T0)
        Report.objects.filter(pk=practice.pk).update(is_training=True)
        r["training"] = practice
    for report in r.values():
        report.refresh_from_db()
    return Scenario(reports=r)

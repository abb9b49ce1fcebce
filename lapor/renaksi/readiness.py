"""Readiness of each perangkat daerah and kecamatan, computed from the system, never typed
(docs/renaksi.md "Readiness").

For every unit of an agency (:func:`lapor.renaksi.services.plan_units`) one :class:`Cell` per
:class:`~lapor.renaksi.models.Indicator`. A unit's figures include its sub-units (the nodes
whose path starts with the unit's): a bidang's liaison, a puskesmas's reports.

- ``liaison``: liaison officer accounts on the unit (active users with the role on an active
  node), and how many of them have two-factor sign-in enrolled (a confirmed TOTP device,
  :mod:`lapor.accounts.two_factor`). Met: at least one, all enrolled; partial: some not
  enrolled; not met: none.
- ``sop``: the agency's current approved SOP document (:func:`lapor.sopdoc.selectors.
  sop_current`: number, approval date). Met: approved; not met otherwise. One SOP covers the
  agency's units (lapor.sopdoc), so the cell is the same on every row.
- ``training``: the practice accounts of the agency's training spaces holding a role on the
  unit's copy who completed a practice scenario, i.e. posted a follow-up or a final follow-up
  on a practice report of their space (count, last date;
  :func:`lapor.training.selectors.trained_by_unit`). Met: at least one.
- ``first_report``: the first real (non-training) report the unit followed up: the earliest
  follow-up or final follow-up event by an officer acting at the unit (date). Met: one.
- ``on_time``: share of the unit's reports whose first follow-up came within its deadline
  (on time ÷ followed up or overdue, the dashboards' "first follow-up on time"), for reports
  submitted in the last 90 days (the agency's local dates, today included). Met: at least
  80 %; partial: 50 % to 80 %; not met below; no data when no such report was due yet.
- ``overdue``: the unit's open reports past their staff deadline now (the dashboards'
  "overdue now"). Met: zero; not met otherwise.
- ``satisfaction``: the reporters' mean rating (1–5) of the unit's reports submitted in the
  last 90 days that carry one (given when the reporter accepts the answer). Met: at least 4;
  partial: 3 to 4; not met below; no data without ratings.

``on_time``, ``overdue`` and ``satisfaction`` are read from the statistics counters
(:func:`lapor.stats.selectors.counters_by_node`, :func:`~lapor.stats.selectors.overdue_by_node`)
so they agree with the dashboards (and follow the reports within the counters' minute).

Each cell carries the link to its source page (a workspace path, reversed by URL name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import formats
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from lapor.core import clock
from lapor.core.localtime import format_date, zone_info
from lapor.orgs.models import OrgNode, Role, RoleAssignment
from lapor.orgs.selectors import sop_for
from lapor.renaksi.models import Indicator
from lapor.renaksi.services import plan_units
from lapor.reports.models import ReportEvent
from lapor.sopdoc.selectors import sop_current
from lapor.stats.figures import Figures
from lapor.stats.selectors import counters_by_node, overdue_by_node
from lapor.training.selectors import COMPLETING_KINDS, TrainedUnit, trained_by_unit

# The window of the on-time share and the satisfaction, in local days (today included).
WINDOW_DAYS = 90
ON_TIME_MET, ON_TIME_PARTIAL = 0.8, 0.5
SATISFACTION_MET, SATISFACTION_PARTIAL = 4.0, 3.0

# Levels of a cell, for the colour and the words beside it.
MET = "met"
PARTIAL = "partial"
NOT_MET = "not_met"
NO_DATA = "no_data"


@dataclass(frozen=True)
class Cell:
    indicator: str  # an Indicator value
    level: str  # MET | PARTIAL | NOT_MET | NO_DATA
    text: str  # short words shown in the cell (translated), e.g. "2 dari 3 ber-2FA"
    link: str  # the source page (a path of this site), "" when there is none
    value: float | int | None = None  # the figure itself (count, share 0..1, mean rating)
    on: date | datetime | None = None  # the date that goes with it (approval, last training…)

    @property
    def met(self) -> bool:
        return self.level == MET


@dataclass
class UnitReadiness:
    unit: OrgNode
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.cells.values() if c.met)

    @property
    def ready(self) -> bool:
        """Ready to handle complaints: officers with two-factor, an approved SOP, trained."""
        return all(self.cells[i].met for i in (Indicator.LIAISON, Indicator.SOP,
                                                 Indicator.TRAINING) if i in self.cells)


def agency_readiness(agency: OrgNode, *, units: list[OrgNode] | None = None,
                     ) -> list[UnitReadiness]:
    """Every unit's readiness (or only ``units``), in a bounded number of queries whatever the
    number of units (about a dozen: each source is one aggregate over the agency's subtree,
    grouped by node, then rolled up to the units in Python)."""
    units = plan_units(agency) if units is None else list(units)
    if not units:
        return []
    sources = _Sources.load(agency, units)
    return [UnitReadiness(unit=u, cells={
        Indicator.LIAISON: sources.liaison_cell(u),
        Indicator.SOP: sources.sop,
        Indicator.TRAINING: sources.training_cell(u),
        Indicator.FIRST_REPORT: sources.first_report_cell(u),
        Indicator.ON_TIME: sources.on_time_cell(u),
        Indicator.OVERDUE: sources.overdue_cell(u),
        Indicator.SATISFACTION: sources.satisfaction_cell(u),
    }) for u in units]


def indicator_met(agency: OrgNode, indicator: str, units: list[OrgNode]) -> bool:
    """Whether every one of ``units`` meets ``indicator`` now (an activity's proof)."""
    rows = agency_readiness(agency, units=units)
    return bool(rows) and all(r.cells[indicator].met for r in rows)


# ---------------------------------------------------------------- sources


def _number(value: float, digits: int) -> str:
    """``3,7`` in Indonesian, ``3.7`` in English (rounded; the active language's separator)."""
    return formats.number_format(round(value, digits), digits, use_l10n=True)


def _percent(share: float) -> str:
    """One decimal, as the dashboards write a share (``55,6%``)."""
    return f"{_number(share * 100, 1)}%"


def _level(value: float, met: float, partial: float) -> str:
    if value >= met:
        return MET
    return PARTIAL if value >= partial else NOT_MET


def _liaison_rows(agency: OrgNode) -> list[tuple[int, int, bool]]:
    """(node id, user id, two-factor enrolled) of every active liaison officer in the
    agency's subtree."""
    enrolled = TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)
    return list(RoleAssignment.objects.filter(
        role=Role.LIAISON, user__is_active=True, node__is_active=True,
        node__path__startswith=agency.path)
        .annotate(enrolled=Exists(enrolled)).values_list("node_id", "user_id", "enrolled"))


def _first_answers(agency: OrgNode) -> dict[int, datetime]:
    """Per node of the agency's subtree, the moment of its first follow-up on a real
    report."""
    rows = (ReportEvent.objects.filter(kind__in=COMPLETING_KINDS, report__is_training=False,
                                       actor_node__path__startswith=agency.path)
            .values("actor_node_id").annotate(first=Min("created_at")).order_by()
            .values_list("actor_node_id", "first"))
    return {node_id: first for node_id, first in rows if node_id is not None}


def _first_reports(firsts: dict[int, tuple[int, datetime]]) -> dict[int, int]:
    """Per unit, the report of its first follow-up event (one query)."""
    if not firsts:
        return {}
    condition = Q(pk__in=[])
    for node_id, at in firsts.values():
        condition |= Q(actor_node_id=node_id, created_at=at)
    events = (ReportEvent.objects.filter(condition, kind__in=COMPLETING_KINDS,
                                         report__is_training=False)
              .order_by("id").values_list("actor_node_id", "created_at", "report_id"))
    found: dict[tuple[int, datetime], int] = {}
    for node_id, at, report_id in events:
        found.setdefault((node_id, at), report_id)
    return {unit: found[key] for unit, key in firsts.items() if key in found}


@dataclass
class _Sources:
    """Everything the cells are made of, read once for the agency."""

    agency: OrgNode
    zone: str
    sop: Cell
    liaisons: dict[int, dict[int, bool]]  # unit id -> user id -> enrolled
    trained: dict[int, TrainedUnit]
    firsts: dict[int, tuple[int, datetime]]  # unit id -> (node id, moment)
    first_reports: dict[int, int]  # unit id -> report id
    counters: dict[int, dict[str, int]]  # unit id -> the statistics counters (90 days)
    overdue: dict[int, int]

    @classmethod
    def load(cls, agency: OrgNode, units: list[OrgNode]) -> _Sources:
        zone = sop_for(agency).timezone
        today = dj_timezone.localtime(clock.now(), zone_info(zone)).date()
        paths = {u.path: u.pk for u in units}
        nodes = dict(OrgNode.objects.filter(path__startswith=agency.path)
                     .values_list("pk", "path"))

        def unit_of(node_id: int) -> int | None:
            path = nodes.get(node_id)
            if path is None or not path.startswith(agency.path) or path == agency.path:
                return None
            head = path[len(agency.path):].split("/", 1)[0]
            return paths.get(f"{agency.path}{head}/")

        liaisons: dict[int, dict[int, bool]] = {}
        for node_id, user_id, enrolled in _liaison_rows(agency):
            unit = unit_of(node_id)
            if unit is not None:
                liaisons.setdefault(unit, {})[user_id] = bool(enrolled)
        firsts: dict[int, tuple[int, datetime]] = {}
        for node_id, at in _first_answers(agency).items():
            unit = unit_of(node_id)
            if unit is not None and (unit not in firsts or at < firsts[unit][1]):
                firsts[unit] = (node_id, at)
        ids = [u.pk for u in units]
        return cls(
            agency=agency, zone=zone, sop=_sop_cell(agency, zone),
            liaisons=liaisons, trained=trained_by_unit(agency), firsts=firsts,
            first_reports=_first_reports(firsts),
            counters=counters_by_node(ids, first_day=today - timedelta(days=WINDOW_DAYS - 1),
                                    last_day=today),
            overdue=overdue_by_node(ids))

    def _dashboard(self, unit: OrgNode, anchor: str = "") -> str:
        return reverse("workspace:stats:dashboard", kwargs={"code": unit.code}) + anchor

    def liaison_cell(self, unit: OrgNode) -> Cell:
        users = self.liaisons.get(unit.pk, {})
        link = reverse("workspace:admin_users", kwargs={"code": self.agency.code})
        if not users:
            return Cell(Indicator.LIAISON, NOT_MET, _("No liaison officer yet"), link,
                        value=0)
        enrolled = sum(users.values())
        text = ngettext("%(enrolled)d of %(total)d liaison officer with two-factor sign-in",
                        "%(enrolled)d of %(total)d liaison officers with two-factor sign-in",
                        len(users)) % {"enrolled": enrolled, "total": len(users)}
        return Cell(Indicator.LIAISON, MET if enrolled == len(users) else PARTIAL, text, link,
                    value=enrolled)

    def training_cell(self, unit: OrgNode) -> Cell:
        link = reverse("workspace:training:index")
        trained = self.trained.get(unit.pk)
        if trained is None:
            return Cell(Indicator.TRAINING, NOT_MET, _("No officer trained yet"), link,
                        value=0)
        text = ngettext("%(count)d officer trained, last on %(date)s",
                        "%(count)d officers trained, last on %(date)s",
                        trained.count) % {"count": trained.count,
                                          "date": format_date(trained.last_at, self.zone)}
        return Cell(Indicator.TRAINING, MET, text, link, value=trained.count,
                    on=trained.last_at)

    def first_report_cell(self, unit: OrgNode) -> Cell:
        first = self.firsts.get(unit.pk)
        if first is None:
            return Cell(Indicator.FIRST_REPORT, NOT_MET, _("No report handled yet"),
                        self._dashboard(unit))
        report_id = self.first_reports.get(unit.pk)
        link = (reverse("workspace:report", kwargs={"report_id": report_id})
                if report_id is not None else self._dashboard(unit))
        return Cell(Indicator.FIRST_REPORT, MET,
                    _("Followed up on %(date)s") % {"date": format_date(first[1], self.zone)},
                    link, value=report_id, on=first[1])

    def on_time_cell(self, unit: OrgNode) -> Cell:
        link = self._dashboard(unit)
        counters = self.counters.get(unit.pk)
        rate = Figures.of(counters).followup_rate if counters is not None else None
        if counters is None or rate is None:
            return Cell(Indicator.ON_TIME, NO_DATA, _("No report yet"), link)
        on_time = counters["followup_on_time"]
        due = on_time + counters["followup_late"] + counters["followup_overdue"]
        text = _("%(on_time)d of %(due)d on time (%(share)s)") % {
            "on_time": on_time, "due": due, "share": _percent(rate)}
        return Cell(Indicator.ON_TIME, _level(rate, ON_TIME_MET, ON_TIME_PARTIAL), text, link,
                    value=rate)

    def overdue_cell(self, unit: OrgNode) -> Cell:
        link = self._dashboard(unit, "#sec-overdue")
        count = self.overdue.get(unit.pk, 0)
        if not count:
            return Cell(Indicator.OVERDUE, MET, _("No overdue report"), link, value=0)
        text = ngettext("%(count)d overdue report", "%(count)d overdue reports",
                        count) % {"count": count}
        return Cell(Indicator.OVERDUE, NOT_MET, text, link, value=count)

    def satisfaction_cell(self, unit: OrgNode) -> Cell:
        link = self._dashboard(unit)
        counters = self.counters.get(unit.pk)
        figures = Figures.of(counters) if counters is not None else None
        mean = figures.rating_avg if figures is not None else None
        if figures is None or mean is None:
            return Cell(Indicator.SATISFACTION, NO_DATA, _("No rating yet"), link)
        text = ngettext("%(mean)s of 5 (%(count)d rating)",
                        "%(mean)s of 5 (%(count)d ratings)",
                        figures.rated) % {"mean": _number(mean, 1), "count": figures.rated}
        return Cell(Indicator.SATISFACTION, _level(mean, SATISFACTION_MET, SATISFACTION_PARTIAL),
                    text, link, value=mean)


def _sop_cell(agency: OrgNode, zone: str) -> Cell:
    link = reverse("workspace:admin_sop_document", kwargs={"code": agency.code})
    version = sop_current(agency)
    if version is None or version.approved_at is None:
        return Cell(Indicator.SOP, NOT_MET, _("SOP not approved yet"), link)
    text = _("%(number)s, approved on %(date)s") % {
        "number": version.number, "date": format_date(version.approved_at, zone)}
    return Cell(Indicator.SOP, MET, text, link, value=None, on=version.approved_at)

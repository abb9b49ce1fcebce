"""``lapor seed`` (lapor.demo.seed): national tree, parallel COPY, tracking numbers, indexes.

The seed COPYs through its own connections from forked worker processes, so the database tests
are transactional and need PostgreSQL.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet
from stdnum import verhoeff

from lapor.core import clock
from lapor.core.models import Marker
from lapor.demo import data
from lapor.demo.loader import load_demo
from lapor.demo.seed import (
    DEFERRED_MARKER,
    INDEXED_TABLES,
    LANES,
    SeedOptions,
    SeedRefused,
    check_reset,
    seed,
    stats_behind,
    tracking_number,
    unit_specs,
)
from lapor.orgs.models import NodeKind, OrgNode, Sop
from lapor.regions.models import Region
from lapor.reports.models import (
    LATE_UNNOTICED,
    RESOLUTION_UNNOTICED,
    Disposition,
    Report,
    ReporterContact,
    ReportEvent,
)
from lapor.stats.models import ReportFact

REPORTS = 300
# The status every event kind leaves a report in, and the one it starts from.
MOVES = {
    "submit": ("", "submitted"), "hold": ("submitted", "on_hold"),
    "archive": ("submitted", "archived"), "dispose": ("submitted", "disposed"),
    "forward": ("disposed", "disposed"), "acknowledge": ("disposed", "in_progress"),
    "follow_up": ("in_progress", "in_progress"), "respond": ("in_progress", "responded"),
    "accept": ("responded", "closed"), "auto_close": ("responded", "closed"),
}


def _real() -> QuerySet[Report]:
    """The seeded and demo reports, without the demo training space's practice reports."""
    return Report.objects.filter(is_training=False)


def test_tracking_numbers_are_distinct_and_carry_a_verhoeff_digit() -> None:
    numbers = [tracking_number(i, lane) for lane in (0, 1, LANES - 1) for i in range(1, 5001)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert len(number) == 12
        assert number.isdigit()
        assert verhoeff.is_valid(number)


def test_refuses_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(SeedRefused, match="PostgreSQL"):
        seed(SeedOptions(reports=10, migrate=False, log=lambda _: None))


def test_reset_needs_a_bench_database_or_force(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(connection.settings_dict, "NAME", "lapor")
    with pytest.raises(SeedRefused, match="bench"):
        check_reset(SeedOptions(reset=True))
    check_reset(SeedOptions(reset=True, force=True))
    check_reset(SeedOptions(reset=False))
    monkeypatch.setitem(connection.settings_dict, "NAME", "lapor_bench_1m")
    check_reset(SeedOptions(reset=True))


def test_unit_set_is_the_demo_opd_list_plus_one_unit_per_kecamatan() -> None:
    region = Region(code="11.01", name="Kabupaten Aceh Selatan", level=2)
    districts = [Region(code=f"11.01.0{i}", name=f"Kluet {i}", level=3) for i in (1, 2)]
    specs = unit_specs("kab-aceh-selatan", region, districts)
    kutim_units = [s.code.removeprefix("kutim-") for s in data.NODES if s.parent == data.KUTIM]
    units = [s.code.removeprefix("kab-aceh-selatan-") for s in specs
             if s.kind == NodeKind.UNIT]
    assert units == [*kutim_units, "kec-kluet-1", "kec-kluet-2"]
    assert {s.region for s in specs if s.code.endswith(("-kec-kluet-1", "-kec-kluet-2"))} == {
        "11.01.01", "11.01.02"}
    assert all(s.parent == "kab-aceh-selatan" or s.kind == NodeKind.SUBUNIT for s in specs)


# ---------------------------------------------------------------- PostgreSQL


@pytest.fixture
def postgres_only(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("lapor seed loads with COPY: PostgreSQL only")


def _options(**kw: Any) -> SeedOptions:
    defaults: dict[str, Any] = {"reports": REPORTS, "agencies": 3, "workers": 2, "batch": 70,
                                "migrate": False, "progress_seconds": 0.5,
                                "log": lambda _: None}
    return SeedOptions(**{**defaults, **kw})


def _index_names() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)",
                    [list(INDEXED_TABLES)])
        return {name for (name,) in cur.fetchall()}


def _tree_snapshot(agency: OrgNode) -> list[tuple[Any, ...]]:
    return list(OrgNode.objects.filter(path__startswith=agency.path).order_by("id")
                .values_list("id", "code", "name", "kind", "parent_id", "agency_id", "path",
                             "depth", "region_id"))


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
def test_seed_over_three_regencies_with_two_workers() -> None:
    load_demo(reports=0)
    kutim = OrgNode.objects.get(code=data.KUTIM)
    kutim_before = _tree_snapshot(kutim)
    indexes_before = _index_names()

    # The demo's training space brings a few practice reports of its own: count past them.
    contacts, events, dispositions = (ReporterContact.objects.count(),
                                      ReportEvent.objects.count(), Disposition.objects.count())

    summary = seed(_options(defer_indexes="yes", stats="yes"))

    # Counts.
    assert summary["reports"] == REPORTS == _real().count()
    assert summary["workers"] == 2
    assert ReporterContact.objects.count() - contacts == REPORTS
    assert summary["counts"]["events"] == ReportEvent.objects.count() - events
    assert summary["counts"]["dispositions"] == Disposition.objects.count() - dispositions
    # The deferred indexes are back, and nothing is left to rebuild.
    assert summary["indexes_deferred"] > 10
    assert _index_names() == indexes_before
    assert not Marker.objects.filter(key=DEFERRED_MARKER).exists()
    # The sweep's backlog is settled and marked on the reports (before the indexes came back):
    # its work lists hold nothing that fell due before the seed ended.
    assert summary["notices"]["overdue"] > 0
    assert not _real().filter(LATE_UNNOTICED, staff_due_at__lt=clock.now()).exists()
    assert not _real().filter(RESOLUTION_UNNOTICED, resolution_due_at__lt=clock.now()).exists()
    # The statistics are built from every seeded report, and the per-minute refresh starts
    # after the seed's last event (nothing of the seed left for its turns).
    assert summary["stats"]["rebuilt"] is True
    assert summary["stats"]["events_behind"] >= summary["counts"]["events"]
    assert ReportFact.objects.filter(report_id__in=_real().values("pk")).count() == REPORTS
    assert stats_behind() == 0

    # Three regencies (Kutai Timur first, as the demo made it) and their provinces.
    # (The demo's training space is an agency node too, outside the seed's tree.)
    agencies = {n.pk: n for n in OrgNode.objects.filter(kind=NodeKind.AGENCY,
                                                        training_space__isnull=True)}
    regencies = [a for a in agencies.values() if len(a.region_id or "") == 5]
    province_codes = {str(a.region_id)[:2] for a in regencies}
    provinces = [a for a in agencies.values() if a.region_id in province_codes]
    seeded = {a.pk for a in regencies + provinces}
    assert kutim in regencies
    assert len(regencies) == 3
    assert len(provinces) == len(province_codes)
    assert summary["agencies"] == len(seeded)
    used = Counter(_real().values_list("agency_id", flat=True))
    assert {a.pk for a in regencies} < set(used) <= seeded
    assert _tree_snapshot(kutim) == kutim_before
    for agency in regencies + provinces:
        assert agency.is_hub
        assert Sop.objects.filter(node=agency).exists()
        if agency.code.startswith(("kab-", "kota-", "prov-")):  # not the demo's kutim, kaltim
            units = OrgNode.objects.filter(parent=agency, kind=NodeKind.UNIT)
            kecamatan = Region.objects.filter(parent_id=agency.region_id, level=3).count()
            assert units.filter(code__contains="-kec-").count() == kecamatan
            assert units.exclude(code__contains="-kec-").count() == len(
                [s for s in data.NODES if s.parent == data.KUTIM])
    # Node paths exactly as node_create makes them.
    for node in OrgNode.objects.filter(agency_id__in=seeded).select_related("parent"):
        parent = node.parent
        assert parent is not None
        assert node.path == f"{parent.path}{node.pk}/"
        assert node.depth == parent.depth + 1
        assert node.agency_id == (node.pk if node.kind == NodeKind.AGENCY
                                  else parent.agency_id)

    # Tracking numbers: unique, 12 digits with a valid Verhoeff check digit.
    numbers = list(_real().values_list("tracking_number", flat=True))
    assert len(set(numbers)) == REPORTS
    assert all(len(n) == 12 and verhoeff.is_valid(n) for n in numbers)

    # Every report sits in its own agency's tree and in one of its regions.
    nodes = {n.pk: n for n in OrgNode.objects.all()}
    now = clock.now()
    events: dict[int, list[ReportEvent]] = defaultdict(list)
    for event in ReportEvent.objects.order_by("report_id", "created_at", "id"):
        events[event.report_id].append(event)
    dispositions: dict[int, list[Disposition]] = defaultdict(list)
    for d in Disposition.objects.order_by("id"):
        dispositions[d.report_id].append(d)
    for report in _real().all():
        agency = nodes[report.agency_id]
        assert report.tier_id == report.target_agency_id == report.agency_id
        assert nodes[report.current_node_id].agency_id == report.agency_id
        assert report.region_id.startswith(f"{agency.region_id}.")
        assert report.submitted_at <= report.updated_at <= now
        # The timeline is a chain of moves ending in the report's status.
        timeline = events[report.pk]
        assert timeline[0].kind == "submit"
        status = ""
        for event in timeline:
            assert (event.from_status, event.to_status) == MOVES[event.kind]
            assert event.from_status == status
            assert event.created_at <= now
            status = event.to_status
        assert status == report.status
        # Dispositions: at most one active, at the current node while the report is open.
        hops = dispositions[report.pk]
        active = [d for d in hops if d.state == "active"]
        assert len(active) <= 1
        if report.status in ("disposed", "in_progress", "responded"):
            assert active[0].node_id == report.current_node_id
            assert nodes[active[0].node_id].agency_id == report.agency_id
        elif report.status in ("submitted", "on_hold", "archived"):
            assert hops == []
            assert report.current_node_id == report.agency_id
        else:
            assert report.status == "closed"
            assert active == []
            assert report.closed_at is not None
        if report.status == "on_hold":
            assert report.hold_due_at is not None
            assert report.hold_due_at > now
        if report.status == "responded":
            assert report.reply_due_at is not None
            assert report.reply_due_at > now

    # Idempotent tree: a second run adds reports but no node, and leaves Kutai Timur alone.
    nodes_before = OrgNode.objects.count()
    again = seed(_options(reports=50, workers=1, defer_indexes="no"))
    assert again["nodes_created"] == 0
    # Fewer events than one refresh turn: left to the refresh (--stats auto).
    assert again["stats"] == {"rebuilt": False, "events_behind": again["counts"]["events"]}
    assert stats_behind() == again["counts"]["events"]
    assert OrgNode.objects.count() == nodes_before
    assert _tree_snapshot(kutim) == kutim_before
    assert _real().count() == REPORTS + 50
    assert _real().values("tracking_number").distinct().count() == REPORTS + 50


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
def test_single_agency_mode_and_taken_tracking_numbers() -> None:
    """``--agency kutim`` (bench/run.py) builds no tree; a tracking number already used by
    the application moves the seeded report to another lane."""
    load_demo(reports=0)
    nodes_before = OrgNode.objects.count()
    seed(_options(reports=1, agency=data.KUTIM, workers=1))
    taken = _real().get()
    with connection.cursor() as cur:  # the first id the next seed reserves
        cur.execute("SELECT GREATEST((SELECT max(id) FROM reports_report), "
                    "(SELECT last_value FROM reports_report_id_seq)) + 1")
        next_id = cur.fetchone()[0]
    # Another report with the number the next seeded id would get in lane 0.
    _real().filter(pk=taken.pk).update(tracking_number=tracking_number(next_id + 1))

    summary = seed(_options(reports=40, agency=data.KUTIM, workers=2))

    assert summary["nodes_created"] == 0
    assert OrgNode.objects.count() == nodes_before
    kutim = OrgNode.objects.get(code=data.KUTIM)
    assert set(_real().values_list("agency_id", flat=True)) == {kutim.pk}
    moved = _real().get(pk=next_id + 1)
    assert moved.tracking_number == tracking_number(next_id + 1, 1)
    assert _real().values("tracking_number").distinct().count() == 41


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
def test_management_command_runs_on_postgres() -> None:
    load_demo(reports=0)
    call_command("seed", "--reports", "20", "--agency", data.KUTIM, "--workers", "1")
    assert _real().count() == 20


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
def test_rerun_adds_only_the_missing_nodes() -> None:
    load_demo(reports=0)
    first = seed(_options(reports=0, agencies=2))
    assert first["nodes_created"] > 0
    count = OrgNode.objects.count()
    OrgNode.objects.filter(code__endswith="-rsud", code__startswith="prov-").delete()
    OrgNode.objects.filter(code__contains="-kec-", code__startswith="kab-").order_by(
        "-code").first().delete()  # type: ignore[union-attr]

    again = seed(_options(reports=0, agencies=2))

    assert again["nodes_created"] == 2
    assert OrgNode.objects.count() == count
    rsud = OrgNode.objects.select_related("parent").get(code__endswith="-rsud",
                                                         code__startswith="prov-")
    assert rsud.parent is not None
    assert rsud.path == f"{rsud.parent.path}{rsud.pk}/"
    assert rsud.agency_id == rsud.parent_id

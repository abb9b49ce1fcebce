"""One time zone per report (issue 18, "One time zone per report, and deadlines read as dates").

Every time about a report is shown in one zone: the zone of the region the report is about
until it is disposed, then the zone of the agency that holds it (lapor.reports.zones). A
deadline reads as the working day it ends on, with that zone, never as a minute after midnight
(lapor.core.localtime). A closed or archived report shows no countdown.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from lapor.core import clock
from lapor.core.localtime import deadline_day, format_date, format_deadline, format_moment
from lapor.notifications.models import OutboxMessage
from lapor.orgs.models import NodeKind, OrgNode, Role
from lapor.orgs.services import node_create
from lapor.regions.zones import region_zone
from lapor.reports import services
from lapor.reports.models import Report, ReportEvent
from lapor.reports.states import Action
from lapor.reports.zones import report_zone, report_zones
from lapor.workdays.calendar import TIMEZONES, indonesian_calendar
from lapor.workspace.tests.helpers import report_url, signed_in
from tests.api_client import ApiClient, login
from tests.factories import PASSWORD, Tree, drive, make_user, submit

pytestmark = pytest.mark.django_db

WIB, WITA, WIT = (ZoneInfo(TIMEZONES[z]) for z in ("WIB", "WITA", "WIT"))
# Tue 8 Dec 2026, 15.12 WITA (07:12 UTC): the moment.
MOMENT = datetime(2026, 12, 8, 15, 12, tzinfo=WITA)
PAPUA_DISTRICT = "91.03.01"  # a district of Kabupaten Jayapura, Papua (WIT)
PASER_DISTRICT = "64.01.01"  # Batu Sopang, Kabupaten Paser, Kalimantan Timur (WITA): no hub


def _ministry(tree: Tree) -> OrgNode:
    """A WIB agency without a hub (a ministry in Jakarta) with a liaison."""
    node = node_create(code="kemenkes", name="Kementerian Kesehatan", kind=NodeKind.AGENCY,
                       parent=tree.root, region_id="31")
    tree.users["liaison_kemenkes"] = make_user("liaison_kemenkes", (node, Role.LIAISON))
    return node


def _national_pool(tree: Tree, region_code: str, **fields: object) -> Report:
    """A report no hub receives: it waits for the national verifier (clock in WIB)."""
    report = submit(tree, at=MOMENT, region_code=region_code, target_agency_code=None,
                    **fields).report
    assert report.tier_id == tree.root.pk
    return report


# ---------------------------------------------------------------- the zone of a region


@pytest.mark.parametrize(("code", "zone"), [
    ("64", "WITA"), ("64.08", "WITA"), ("64.08.04", "WITA"), ("64.08.04.2001", "WITA"),
    ("51.71", "WITA"), ("73", "WITA"), ("31", "WIB"), ("61.71", "WIB"), ("62", "WIB"),
    ("91.03", "WIT"), ("82", "WIT"), ("96", "WIT"), ("", "WIB"), (None, "WIB"), ("99", "WIB"),
])
def test_region_zone_comes_from_the_province(code: str | None, zone: str) -> None:
    assert region_zone(code) == zone


# ---------------------------------------------------------------- the zone of a report


def test_kutai_timur_report_reads_wita_before_and_after_disposition(tree: Tree) -> None:
    report = submit(tree, at=MOMENT).report
    assert report_zone(report) == "WITA"
    with clock.frozen(MOMENT):
        services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                node_code=tree.pupr.code)
    report.refresh_from_db()
    assert report_zone(report) == "WITA"


def test_report_in_the_national_pool_reads_its_region_zone(tree: Tree) -> None:
    """The national pool's clock is WIB; a report about Kalimantan Timur still reads WITA."""
    report = _national_pool(tree, PASER_DISTRICT)
    assert report_zone(report) == "WITA"
    with clock.frozen(MOMENT):
        services.report_hold(actor=tree.actor("national"), report_id=report.pk,
                             question="Di desa mana?")
    report.refresh_from_db()
    assert report_zone(report) == "WITA"


def test_wit_report_disposed_to_a_wib_agency_reads_wib_then_wit_when_handed_back(
    tree: Tree,
) -> None:
    ministry = _ministry(tree)
    report = _national_pool(tree, PAPUA_DISTRICT)
    assert report_zone(report) == "WIT"
    with clock.frozen(MOMENT):
        services.report_dispose(actor=tree.actor("national"), report_id=report.pk,
                                node_code=ministry.code)
    report.refresh_from_db()
    assert report_zone(report) == "WIB"
    with clock.frozen(MOMENT):
        services.report_return(actor=tree.actor("liaison_kemenkes"), report_id=report.pk,
                               reason="Bukan kewenangan kementerian.")
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report_zone(report) == "WIT"


def test_archived_and_closed_reports_keep_their_last_zone(tree: Tree) -> None:
    archived = _national_pool(tree, PAPUA_DISTRICT)
    with clock.frozen(MOMENT):
        services.report_archive(actor=tree.actor("national"), report_id=archived.pk,
                                reason="spam")
    archived.refresh_from_db()
    assert report_zone(archived) == "WIT"
    closed = drive(tree, "closed", at=MOMENT)
    assert report_zone(closed) == "WITA"


def test_report_zones_agrees_with_report_zone_in_one_query_per_list(
    tree: Tree, django_assert_num_queries: object
) -> None:
    ministry = _ministry(tree)
    papua = _national_pool(tree, PAPUA_DISTRICT)
    disposed = _national_pool(tree, PAPUA_DISTRICT)
    with clock.frozen(MOMENT):
        services.report_dispose(actor=tree.actor("national"), report_id=disposed.pk,
                                node_code=ministry.code)
    kutim = drive(tree, "in_progress", at=MOMENT)
    reports = list(Report.objects.filter(pk__in=[papua.pk, disposed.pk, kutim.pk])
                   .select_related("current_node"))
    with django_assert_num_queries(1):  # type: ignore[operator]
        zones = report_zones(reports)
    assert zones == {r.pk: report_zone(r) for r in reports}
    assert zones == {papua.pk: "WIT", disposed.pk: "WIB", kutim.pk: "WITA"}


# ---------------------------------------------------------------- the formatter


def test_a_moment_reads_in_the_zone_with_its_abbreviation() -> None:
    assert format_moment(MOMENT, "WITA", language="id") == "8 Desember 2026 15.12 WITA"
    assert format_moment(MOMENT, "WIB", language="id") == "8 Desember 2026 14.12 WIB"
    assert format_moment(MOMENT, "WIT", language="id") == "8 Desember 2026 16.12 WIT"
    assert format_moment(MOMENT, "Asia/Makassar", language="en").endswith(" WITA")
    assert "December" in format_moment(MOMENT, "WITA", language="en")
    assert format_moment(None, "WITA") == "—"
    assert format_date(MOMENT, "WITA", language="id") == "8 Desember 2026"


def test_a_deadline_reads_as_the_day_it_ends() -> None:
    # End of Thu 10 Dec 2026 in WITA, as the calendar stores it.
    due = datetime(2026, 12, 10, 23, 59, 59, tzinfo=WITA)
    assert format_deadline(due, "WITA", language="id") == (
        "Kamis, 10 Desember 2026, akhir hari kerja WITA")
    assert format_deadline(due, "WITA", language="en") == (
        "Thursday, 10 December 2026, end of working day WITA")
    assert format_deadline(None, "WITA") == "—"


@pytest.mark.parametrize("clock_zone", ["WIB", "WITA", "WIT"])
@pytest.mark.parametrize("shown_in", ["WIB", "WITA", "WIT"])
def test_a_deadline_set_in_any_zone_keeps_its_day_in_every_zone(
    clock_zone: str, shown_in: str
) -> None:
    """A WIB clock's 23:59:59 is 0.59 WITA the next day: the day shown must not move."""
    calendar = indonesian_calendar(tz_name=TIMEZONES[clock_zone], years=[2026, 2027])
    due = calendar.deadline(MOMENT, 2)  # Tue 8 Dec + 2 HK = Thu 10 Dec
    assert deadline_day(due) == date(2026, 12, 10)
    text = format_deadline(due, shown_in, language="id")
    assert text == f"Kamis, 10 Desember 2026, akhir hari kerja {shown_in}"
    assert not re.search(r"\d{1,2}[.:]\d{2}", text)


# ---------------------------------------------------------------- the same event everywhere


def _proven(report: Report, code: str) -> Client:
    client = Client()
    response = client.post(f"/lacak/{report.tracking_number}/kode/", {"access_code": code})
    assert response.status_code == 302
    return client


def _deadline_for(html: str, label: str) -> str:
    found = re.search(re.escape(label) + r"</dt>\s*<dd>([^<]*)", html)
    assert found, f"no {label!r} on the page"
    return found.group(1).strip()


def test_every_surface_shows_one_zone_before_and_after_disposition(tree: Tree) -> None:
    """A report about Papua (WIT) waits in the national pool (WIB clock), is disposed to a
    ministry in Jakarta (WIB): first everything reads WIT, afterwards everything WIB."""
    ministry = _ministry(tree)
    with clock.frozen(MOMENT):
        submitted = submit(tree, region_code=PAPUA_DISTRICT, target_agency_code=None)
    report = submitted.report
    reporter = _proven(report, submitted.access_code)
    staff = signed_in("national")
    received = "8 Desember 2026 16.12 WIT"  # 15.12 WITA = 16.12 WIT = 14.12 WIB

    with clock.frozen(MOMENT):
        track = reporter.get(f"/lacak/{report.tracking_number}/").content.decode()
        workspace = staff.get(report_url(report.pk)).content.decode()
    assert received in track
    assert received in workspace
    for html in (track, workspace):
        assert " WIB" not in html
    # The verification clock is the national pool's (WIB): its 23:59:59 WIB is 01.59 WIT the
    # day after; the page shows the day it ends, in the report's zone.
    verify = _deadline_for(workspace, "Batas verifikasi dan disposisi")
    assert verify == "Jumat, 11 Desember 2026, akhir hari kerja WIT"
    submitted_message = OutboxMessage.objects.get(report_id=report.pk,
                                                  event="reporter.submitted")
    assert verify in submitted_message.body

    with clock.frozen(MOMENT):
        services.report_dispose(actor=tree.actor("national"), report_id=report.pk,
                                node_code=ministry.code)
        track = reporter.get(f"/lacak/{report.tracking_number}/").content.decode()
        public = Client().get(f"/laporan/{report.tracking_number}/").content.decode()
        workspace = staff.get(report_url(report.pk)).content.decode()
        ministry_page = signed_in("liaison_kemenkes").get(report_url(report.pk)).content.decode()
    dispose = ReportEvent.objects.get(report=report, kind=Action.DISPOSE)
    dispose_text = format_moment(dispose.created_at, "WIB", language="id")
    assert dispose_text == "8 Desember 2026 14.12 WIB"
    for html in (track, public, workspace, ministry_page):
        assert "8 Desember 2026 14.12 WIB" in html  # received and disposed, both in WIB
        assert " WIT<" not in html
        assert " WIT " not in html
        assert " WITA" not in html
    follow_up = _deadline_for(workspace, "Batas tindak lanjut pertama")
    assert follow_up.endswith("akhir hari kerja WIB")
    assert _deadline_for(ministry_page, "Batas tindak lanjut pertama") == follow_up
    assigned = OutboxMessage.objects.filter(report_id=report.pk, event="reporter.disposed")
    assert assigned.exists()
    assert all(follow_up in m.body for m in assigned)
    staff_notice = OutboxMessage.objects.filter(report_id=report.pk, event="staff.assigned")
    assert staff_notice.exists()
    assert all(follow_up in m.body for m in staff_notice)


def test_kutai_timur_tracking_and_workspace_agree_on_wita(tree: Tree) -> None:
    with clock.frozen(MOMENT):
        submitted = submit(tree)
        services.report_hold(actor=tree.actor("hub"), report_id=submitted.report.pk,
                             question="Di mana tepatnya?")
    report = submitted.report
    report.refresh_from_db()
    with clock.frozen(MOMENT):
        track = _proven(report, submitted.access_code).get(
            f"/lacak/{report.tracking_number}/").content.decode()
        workspace = signed_in("hub").get(report_url(report.pk)).content.decode()
    assert "8 Desember 2026 15.12 WITA" in track
    assert "8 Desember 2026 15.12 WITA" in workspace
    answer = _deadline_for(track, "Jawab sebelum")
    assert re.fullmatch(r"\w+, \d{1,2} \w+ 2026, akhir hari kerja WITA", answer), answer
    assert answer == _deadline_for(workspace, "Batas jawaban pelapor")
    held = OutboxMessage.objects.filter(report_id=report.pk, event="reporter.hold")
    assert held.exists()
    assert all(answer in m.body for m in held)


def test_deadlines_read_as_dates_never_as_times(tree: Tree) -> None:
    report = drive(tree, "disposed", at=MOMENT)
    with clock.frozen(MOMENT):
        html = signed_in("liaison_pupr").get(report_url(report.pk)).content.decode()
    section = html[html.index('id="deadline-title"'):]
    section = section[:section.index("</section>")]
    assert "akhir hari kerja WITA" in section
    assert not re.search(r"\d{1,2}\.\d{2} WIT", section)
    assert "hari kerja lagi" in section  # an open report counts down


def test_closed_report_shows_no_countdown(tree: Tree) -> None:
    report = drive(tree, "closed", at=MOMENT)
    with clock.frozen(MOMENT):
        html = signed_in("liaison_pupr").get(report_url(report.pk)).content.decode()
    section = html[html.index('id="deadline-title"'):]
    section = section[:section.index("</section>")]
    assert "akhir hari kerja WITA" in section
    for countdown in ("hari kerja lagi", "jatuh tempo hari ini", "terlambat"):
        assert countdown not in section


def test_archived_report_shows_no_countdown(tree: Tree) -> None:
    report = drive(tree, "archived", at=MOMENT)
    with clock.frozen(MOMENT):
        html = signed_in("hub").get(report_url(report.pk)).content.decode()
    section = html[html.index('id="deadline-title"'):]
    section = section[:section.index("</section>")]
    for countdown in ("hari kerja lagi", "jatuh tempo hari ini", "terlambat"):
        assert countdown not in section


def test_export_rows_carry_the_report_zone_and_deadline_dates(tree: Tree) -> None:
    report = drive(tree, "disposed", at=MOMENT)
    client = signed_in("supervisor_kutim")
    response = client.get("/petugas/dasbor/kutim/laporan.csv",
                          {"from": "2026-12", "to": "2026-12"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    lines = [line.split(",") for line in text.strip().splitlines()]
    header, row = lines[0], next(r for r in lines[1:] if r[0] == report.tracking_number)
    assert header[:3] == ["Nomor pelacakan", "Dikirim", "Zona waktu"]
    assert row[1:3] == ["2026-12-08 15:12", "WITA"]
    # First follow-up: 5 HK after Tue 8 Dec 2026 is Tue 15 Dec (23:59:59 WITA, 15:59:59 UTC).
    assert report.staff_due_at == datetime(2026, 12, 15, 15, 59, 59, tzinfo=UTC)
    assert row[header.index("Tenggat")] == "2026-12-15"


def test_the_api_names_the_zone_to_show_times_in(tree: Tree) -> None:
    ministry = _ministry(tree)
    with clock.frozen(MOMENT):
        submitted = submit(tree, region_code=PAPUA_DISTRICT, target_agency_code=None)
    report = submitted.report
    path = f"/track/{report.tracking_number}"
    assert ApiClient().get(path).json()["time_zone"] == "WIT"
    full = ApiClient().get(f"{path}/full", headers={"X-Access-Code": submitted.access_code})
    assert full.json()["time_zone"] == "WIT"
    with clock.frozen(MOMENT):
        services.report_dispose(actor=tree.actor("national"), report_id=report.pk,
                                node_code=ministry.code)
    assert ApiClient().get(path).json()["time_zone"] == "WIB"
    staff = login("national", PASSWORD).get(f"/reports/{report.pk}")
    assert staff.status_code == 200
    assert staff.json()["time_zone"] == "WIB"

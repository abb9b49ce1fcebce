"""Who may do what to a report, who sees it, and what each audience is shown.

Refusals: ``PermissionDenied`` (403) when the actor may read the report but not make the move,
``NotFound`` (404) when the actor may not even see it, so another agency's report, or any
report for a system administrator, looks like no report at all (ARCHITECTURE habit 5).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from lapor.core import clock
from lapor.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from lapor.orgs.actors import PUBLIC, Actor
from lapor.reports import presenters, services
from lapor.reports.models import Report
from lapor.reports.permissions import can_read, reports_of_reporter, reports_visible_to
from lapor.reports.selectors import InboxFilters, inbox, report_for_staff
from lapor.reports.states import Status
from tests.factories import Tree, drive, reporter_of, submit

# A region no hub covers: an unaddressed report about it waits in the national pool.
NO_HUB = "31.71.01"

STAFF = [
    "national", "hub", "liaison_pupr", "officer_pupr", "liaison_binamarga", "liaison_dinkes",
    "supervisor_kutim", "supervisor_pupr", "auditor", "sysadmin", "hub_samarinda",
    "liaison_samarinda",
]
# Besides staff: a citizen account that did not file the report, the report's own reporter
# (access code), the reporter of another report, and the anonymous public.
ROLES = [*STAFF, "citizen", "reporter", "other_reporter", "public"]

# Staff who can read a Kutai Timur report still in the hub's verification pool ...
POOL_READERS = frozenset({"national", "hub", "supervisor_kutim", "auditor"})
# ... and one disposed to Dinas PUPR.
PUPR_READERS = POOL_READERS | {"liaison_pupr", "officer_pupr", "supervisor_pupr"}

type Call = Callable[[Actor, Tree, Report], Any]


@dataclass(frozen=True)
class Case:
    status: str
    call: Call
    allowed: frozenset[str]
    readers: frozenset[str]
    forwarded: bool = False
    national_pool: bool = False


def _hold(a: Actor, t: Tree, r: Report) -> Any:
    return services.report_hold(actor=a, report_id=r.pk, question="Di mana lokasinya?")


CASES: dict[str, Case] = {
    "hold": Case("submitted", _hold, frozenset({"national", "hub"}), POOL_READERS),
    "hold_in_national_pool": Case(
        "submitted", _hold, frozenset({"national"}),
        frozenset({"national", "auditor"}), national_pool=True),
    "archive": Case("submitted", lambda a, t, r: services.report_archive(
        actor=a, report_id=r.pk, reason="spam"), frozenset({"national", "hub"}), POOL_READERS),
    "set_privacy": Case("submitted", lambda a, t, r: services.report_set_privacy(
        actor=a, report_id=r.pk, anonymous=True), frozenset({"national", "hub"}), POOL_READERS),
    "dispose": Case("submitted", lambda a, t, r: services.report_dispose(
        actor=a, report_id=r.pk, node_code=t.pupr.code), frozenset({"national", "hub"}),
        POOL_READERS),
    # Only a strictly higher tier reverses an archive: the hub cannot undo its own.
    "unarchive": Case("archived", lambda a, t, r: services.report_unarchive(
        actor=a, report_id=r.pk, reason="Keliru."), frozenset({"national"}), POOL_READERS),
    # Internal notes: verifiers and handlers; supervisors (pimpinan) and auditors only read.
    "note_in_pool": Case("submitted", lambda a, t, r: services.report_note(
        actor=a, report_id=r.pk, body="Catatan."),
        frozenset({"national", "hub"}), POOL_READERS),
    "forward": Case("disposed", lambda a, t, r: services.report_forward(
        actor=a, report_id=r.pk, node_code=t.bina_marga.code),
        frozenset({"liaison_pupr", "hub"}), PUPR_READERS),
    "return_to_verifier": Case("disposed", lambda a, t, r: services.report_return(
        actor=a, report_id=r.pk, reason="Bukan wewenang."),
        frozenset({"liaison_pupr", "hub"}), PUPR_READERS),
    "return_to_forwarder": Case("disposed", lambda a, t, r: services.report_return(
        actor=a, report_id=r.pk, reason="Bukan wewenang."),
        frozenset({"liaison_binamarga", "liaison_pupr", "hub"}),
        PUPR_READERS | {"liaison_binamarga"}, forwarded=True),
    "acknowledge": Case("disposed", lambda a, t, r: services.report_acknowledge(
        actor=a, report_id=r.pk), frozenset({"liaison_pupr", "hub"}), PUPR_READERS),
    "follow_up": Case("disposed", lambda a, t, r: services.report_follow_up(
        actor=a, report_id=r.pk, body="Sedang dikerjakan."),
        frozenset({"liaison_pupr", "officer_pupr", "hub"}), PUPR_READERS),
    "final_follow_up": Case("in_progress", lambda a, t, r: services.report_follow_up(
        actor=a, report_id=r.pk, body="Selesai.", final=True),
        frozenset({"liaison_pupr", "officer_pupr", "hub"}), PUPR_READERS),
    "close": Case("responded", lambda a, t, r: services.report_close(
        actor=a, report_id=r.pk, reason="Selesai."), frozenset({"national", "hub"}),
        PUPR_READERS),
    "note_when_disposed": Case("disposed", lambda a, t, r: services.report_note(
        actor=a, report_id=r.pk, body="Catatan."),
        frozenset({"national", "hub", "liaison_pupr", "officer_pupr"}), PUPR_READERS),
    "provide_info": Case("on_hold", lambda a, t, r: services.report_provide_info(
        actor=a, report_id=r.pk, body="Depan pasar."), frozenset({"reporter"}), POOL_READERS),
    "accept": Case("responded", lambda a, t, r: services.report_reporter_reply(
        actor=a, report_id=r.pk, accept=True, rating=5), frozenset({"reporter"}),
        PUPR_READERS),
    "reopen": Case("responded", lambda a, t, r: services.report_reporter_reply(
        actor=a, report_id=r.pk, accept=False, body="Belum beres."), frozenset({"reporter"}),
        PUPR_READERS),
    "reporter_message": Case("disposed", lambda a, t, r: services.report_reporter_message(
        actor=a, report_id=r.pk, body="Ada kabar?"), frozenset({"reporter"}), PUPR_READERS),
}


def actor_named(name: str, tree: Tree, report: Report, other: Report) -> Actor:
    if name == "reporter":
        return reporter_of(report)
    if name == "other_reporter":
        return reporter_of(other)
    if name == "public":
        return PUBLIC
    return tree.actor(name)


def outcome(fn: Callable[[], Any]) -> str:
    try:
        fn()
    except PermissionDenied:
        return "403"
    except NotFound:
        return "404"
    except ApplicationError as exc:
        return f"{type(exc).__name__}:{exc.code}"
    return "ok"


@pytest.mark.parametrize("name", list(CASES))
def test_action_by_every_role(tree: Tree, name: str) -> None:
    """The action × role table: allowed, 403 (reads it, may not act) or 404 (cannot see it).

    Staff views are for staff only: a reporter calling a staff action gets a 404, like the
    public; staff calling a reporter action get a 403 if they can read the report as staff.

    Each role acts on the same report inside a savepoint that is rolled back, so every role
    meets the report in the same status.
    """
    case = CASES[name]
    overrides: dict[str, Any] = (
        {"target_agency_code": None, "region_code": NO_HUB} if case.national_pool else {})
    report = drive(tree, case.status, forwarded=case.forwarded, **overrides)
    other = submit(tree).report
    expected = {
        role: "ok" if role in case.allowed else "403" if role in case.readers else "404"
        for role in ROLES
    }
    actual = {}
    for role in ROLES:
        actor = actor_named(role, tree, report, other)
        with transaction.atomic():
            actual[role] = outcome(lambda actor=actor: case.call(actor, tree, report))
            transaction.set_rollback(True)
    mismatches = {
        role: f"got {actual[role]}, expected {expected[role]}"
        for role in ROLES if actual[role] != expected[role]
    }
    assert mismatches == {}


def test_outsider_with_a_stale_version_learns_nothing(tree: Tree) -> None:
    """A 404 must come before the version check: the 409 "concurrent_update" carries the
    report's current version, which an actor who cannot see the report must not learn."""
    report = drive(tree, "submitted")
    leaks = {}
    for name in ("hub_samarinda", "liaison_samarinda", "liaison_dinkes", "sysadmin"):
        try:
            services.report_hold(actor=tree.actor(name), report_id=report.pk,
                                 question="?", expected_version=report.version + 5)
        except NotFound:
            continue
        except Conflict as exc:
            leaks[name] = (exc.code, exc.detail)
    assert leaks == {}


# ---------------------------------------------------------------- what each role sees


@pytest.fixture
def landscape(tree: Tree) -> dict[str, Report]:
    """Reports in every corner of the tree, keyed by where they are."""
    hub = tree.actor("hub")
    national = tree.actor("national")
    reports = {
        "pool": drive(tree, "submitted"),
        "pupr": drive(tree, "disposed"),
        "dinkes": submit(tree).report,
        "binamarga": drive(tree, "disposed", forwarded=True),
        "bm_returned": drive(tree, "disposed", forwarded=True),
        "pupr_returned": drive(tree, "disposed"),
        "national_pool": submit(tree, target_agency_code=None, region_code=NO_HUB).report,
        "national_to_pupr": submit(tree, target_agency_code=None, region_code=NO_HUB).report,
        "samarinda": submit(tree, target_agency_code=tree.samarinda.code).report,
        "confidential_dinkes": submit(tree, is_confidential=True).report,
        "citizen_own": submit(tree, target_agency_code=None, region_code=NO_HUB,
                              actor=tree.actor("citizen")).report,
        "closed_pupr": drive(tree, "closed"),
    }
    for key in ("dinkes", "confidential_dinkes"):
        services.report_dispose(actor=hub, report_id=reports[key].pk, node_code=tree.dinkes.code)
    services.report_return(actor=tree.actor("liaison_binamarga"),
                           report_id=reports["bm_returned"].pk, reason="Bukan wewenang.")
    services.report_return(actor=tree.actor("liaison_pupr"),
                           report_id=reports["pupr_returned"].pk, reason="Bukan wewenang.")
    services.report_dispose(actor=national, report_id=reports["national_to_pupr"].pk,
                            node_code=tree.pupr.code)
    for report in reports.values():
        report.refresh_from_db()
    return reports


KUTIM_SIDE = {"pool", "pupr", "dinkes", "binamarga", "bm_returned", "pupr_returned",
              "national_to_pupr", "confidential_dinkes", "closed_pupr"}
PUPR_SIDE = {"pupr", "binamarga", "bm_returned", "pupr_returned", "national_to_pupr",
             "closed_pupr"}
VISIBLE: dict[str, set[str] | None] = {  # None: everything
    "national": None,
    "auditor": None,
    "hub": KUTIM_SIDE,
    "supervisor_kutim": KUTIM_SIDE,
    # A unit sees what was disposed into its subtree, also after handing it back.
    "liaison_pupr": PUPR_SIDE,
    "officer_pupr": PUPR_SIDE,
    "supervisor_pupr": PUPR_SIDE,
    "liaison_binamarga": {"binamarga", "bm_returned"},
    "liaison_dinkes": {"dinkes", "confidential_dinkes"},
    "hub_samarinda": {"samarinda"},
    "liaison_samarinda": set(),
    # Configuration needs no report content.
    "sysadmin": set(),
    # Reporters follow their reports through reports_of_reporter, never the staff scoper.
    "citizen": set(),
}


def test_reports_visible_to_each_role(tree: Tree, landscape: dict[str, Report]) -> None:
    """One landscape, every role: ``reports_visible_to`` returns exactly the expected set."""
    by_pk = {r.pk: k for k, r in landscape.items()}
    mismatches = {}
    for role, expected in VISIBLE.items():
        wanted = set(landscape) if expected is None else expected
        seen = {by_pk.get(pk, f"?{pk}")
                for pk in reports_visible_to(tree.actor(role)).values_list("pk", flat=True)}
        if seen != wanted:
            mismatches[role] = {"unexpected": seen - wanted, "missing": wanted - seen}
    assert mismatches == {}


def test_reporters_follow_only_their_own_reports(
    tree: Tree, landscape: dict[str, Report]
) -> None:
    own = landscape["pupr"]
    assert list(reports_of_reporter(reporter_of(own))) == [own]
    assert list(reports_of_reporter(tree.actor("citizen"))) == [landscape["citizen_own"]]
    for actor in (PUBLIC, tree.actor("national"), tree.actor("hub")):
        assert not reports_of_reporter(actor).exists()
    # The staff scoper gives reporters and the public nothing.
    for actor in (reporter_of(own), tree.actor("citizen"), PUBLIC):
        assert not reports_visible_to(actor).exists()
        assert not can_read(actor, own)


def test_report_for_staff_is_404_outside_scope(tree: Tree, landscape: dict[str, Report]) -> None:
    report = landscape["dinkes"]
    assert report_for_staff(tree.actor("liaison_dinkes"), report.pk) == report
    for role in ("liaison_pupr", "hub_samarinda", "sysadmin"):
        with pytest.raises(NotFound):
            report_for_staff(tree.actor(role), report.pk)


def _inbox_keys(tree: Tree, landscape: dict[str, Report], role: str, node_code: str,
                **filters: Any) -> set[str]:
    node = next(n for n in (tree.root, tree.kutim, tree.pupr, tree.bina_marga, tree.dinkes,
                            tree.samarinda, tree.samarinda_dishub) if n.code == node_code)
    page = inbox(tree.actor(role), node=node, filters=InboxFilters(**filters), cursor=None,
                 limit=100)
    by_pk = {r.pk: k for k, r in landscape.items()}
    return {by_pk[r.pk] for r in page.items}


INBOXES = [
    ("hub", "kutim", {}, {"pool", "pupr_returned"}),
    ("hub", "kutim", {"include_subtree": True},
     KUTIM_SIDE - {"closed_pupr"}),
    ("hub", "kutim", {"include_subtree": True, "status": ["closed"]}, {"closed_pupr"}),
    ("liaison_pupr", "kutim-pupr", {}, {"pupr", "bm_returned", "national_to_pupr"}),
    ("liaison_pupr", "kutim-pupr", {"include_subtree": True},
     {"pupr", "bm_returned", "national_to_pupr", "binamarga"}),
    ("liaison_pupr", "kutim-dinkes", {"include_subtree": True}, set()),
    ("liaison_binamarga", "kutim-pupr-binamarga", {}, {"binamarga"}),
    ("liaison_dinkes", "kutim-dinkes", {}, {"dinkes", "confidential_dinkes"}),
    ("supervisor_pupr", "kutim-pupr", {"include_subtree": True},
     {"pupr", "bm_returned", "national_to_pupr", "binamarga"}),
    ("liaison_samarinda", "kutim", {"include_subtree": True}, set()),
    ("hub_samarinda", "nasional", {"include_subtree": True}, {"samarinda"}),
    ("sysadmin", "nasional", {"include_subtree": True}, set()),
    ("national", "nasional", {}, {"national_pool", "citizen_own"}),
    ("auditor", "nasional", {"include_subtree": True},
     {"national_pool", "citizen_own", "samarinda", *KUTIM_SIDE} - {"closed_pupr"}),
]


def test_inbox_is_scoped_to_what_the_actor_sees(
    tree: Tree, landscape: dict[str, Report]
) -> None:
    mismatches = {}
    for role, node_code, filters, expected in INBOXES:
        got = _inbox_keys(tree, landscape, role, node_code, **filters)
        if got != expected:
            key = f"{role}@{node_code} {filters}"
            mismatches[key] = {"unexpected": got - expected, "missing": expected - got}
    assert mismatches == {}


def test_inbox_pages_with_a_keyset_cursor(tree: Tree, django_assert_max_num_queries: Any) -> None:
    start = clock.now() - timedelta(days=3)
    made = [submit(tree, at=start + timedelta(minutes=i)).report for i in range(5)]
    hub = tree.actor("hub")
    seen: list[int] = []
    cursor = None
    while True:
        with django_assert_max_num_queries(1):
            page = inbox(hub, node=tree.kutim, filters=InboxFilters(), cursor=cursor, limit=2)
            rows = [presenters.list_item(r, "id") for r in page.items]
        seen += [row["id"] for row in rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [r.pk for r in reversed(made)]


def test_inbox_overdue_filter(tree: Tree) -> None:
    # Submitted a month ago: its 3 HK to verify have run out ("nilai merah").
    early = submit(tree, at=clock.now() - timedelta(days=30)).report
    fresh = submit(tree).report
    on_hold = drive(tree, "on_hold", at=clock.now() - timedelta(days=30))
    hub = tree.actor("hub")

    def keys(overdue: bool) -> set[int]:
        page = inbox(hub, node=tree.kutim, filters=InboxFilters(overdue=overdue), cursor=None,
                     limit=10)
        return {r.pk for r in page.items}

    assert keys(overdue=True) == {early.pk}
    # On hold the clock is the reporter's: never overdue for staff.
    assert keys(overdue=False) == {fresh.pk, on_hold.pk}


# ---------------------------------------------------------------- privacy in the views


def _dump(view: dict[str, Any]) -> str:
    return json.dumps(view, default=str, ensure_ascii=False)


@pytest.mark.parametrize("role", ["national", "hub", "supervisor_kutim", "auditor",
                                  "liaison_pupr", "officer_pupr", "supervisor_pupr"])
def test_staff_never_see_an_anonymous_reporter(tree: Tree, role: str) -> None:
    report = drive(tree, "in_progress", is_anonymous=True)
    actor = tree.actor(role)
    view = presenters.staff_view(report_for_staff(actor, report.pk), "id", actor=actor)
    assert view["reporter"] is None
    text = _dump(view)
    for secret in ("Siti", "siti@example.org", "6281234567890"):
        assert secret not in text


def test_staff_see_a_named_reporter(tree: Tree) -> None:
    report = drive(tree, "disposed")
    actor = tree.actor("liaison_pupr")
    view = presenters.staff_view(report_for_staff(actor, report.pk), "id", actor=actor)
    assert view["reporter"] == {"name": "Siti Aminah", "email": "siti@example.org",
                                "phone": "+6281234567890"}


def _busy_report(tree: Tree, **overrides: Any) -> Report:
    """A report whose timeline has every visibility: hold, notes, forward, returns,
    a reporter message, a reporter-only follow-up, and public follow-ups."""
    report = submit(tree, **overrides).report
    rid = report.pk
    hub = tree.actor("hub")
    reporter = reporter_of(report)
    services.report_hold(actor=hub, report_id=rid, question="PERTANYAAN-TUNDA")
    services.report_provide_info(actor=reporter, report_id=rid, body="JAWABAN-PELAPOR")
    services.report_note(actor=hub, report_id=rid, body="CATATAN-INTERNAL-1")
    services.report_dispose(actor=hub, report_id=rid, node_code=tree.pupr.code,
                            note="DISPOSISI-CATATAN")
    services.report_forward(actor=tree.actor("liaison_pupr"), report_id=rid,
                            node_code=tree.bina_marga.code, note="TERUSKAN-CATATAN")
    services.report_return(actor=tree.actor("liaison_binamarga"), report_id=rid,
                           reason="KEMBALI-ALASAN")
    services.report_note(actor=tree.actor("officer_pupr"), report_id=rid,
                         body="CATATAN-INTERNAL-2")
    services.report_reporter_message(actor=reporter, report_id=rid, body="PESAN-PELAPOR")
    services.report_follow_up(actor=tree.actor("officer_pupr"), report_id=rid,
                              body="TINDAK-LANJUT-PRIVAT", public=False)
    services.report_follow_up(actor=tree.actor("liaison_pupr"), report_id=rid,
                              body="TINDAK-LANJUT-PUBLIK", final=True)
    report.refresh_from_db()
    return report


INTERNAL_KINDS = {"note", "forward", "return_to_forwarder", "return_to_verifier"}
INTERNAL_TEXTS = {"CATATAN-INTERNAL-1", "CATATAN-INTERNAL-2", "TERUSKAN-CATATAN",
                  "KEMBALI-ALASAN"}
REPORTER_TEXTS = {"PERTANYAAN-TUNDA", "JAWABAN-PELAPOR", "PESAN-PELAPOR",
                  "TINDAK-LANJUT-PRIVAT"}


def test_reporter_view_never_contains_internal_events(tree: Tree) -> None:
    report = _busy_report(tree)
    view = presenters.reporter_view(report, "id")
    kinds = [e["kind"] for e in view["timeline"]]
    assert not INTERNAL_KINDS & set(kinds)
    assert kinds == ["submit", "hold", "provide_info", "dispose", "reporter_message",
                     "follow_up", "respond"]
    text = _dump(view)
    for secret in INTERNAL_TEXTS:
        assert secret not in text
    for shown in (*REPORTER_TEXTS, "TINDAK-LANJUT-PUBLIK"):
        assert shown in text


def test_staff_view_contains_every_event(tree: Tree) -> None:
    report = _busy_report(tree)
    view = presenters.staff_view(report, "id", actor=tree.actor("national"))
    assert {e["visibility"] for e in view["events"]} == {"public", "reporter", "internal"}
    text = _dump(view)
    for shown in (*INTERNAL_TEXTS, *REPORTER_TEXTS):
        assert shown in text


def test_public_view_contains_only_public_events(tree: Tree) -> None:
    report = _busy_report(tree)
    view = presenters.public_view(report, "id")
    assert [e["kind"] for e in view["timeline"]] == ["submit", "dispose", "respond"]
    text = _dump(view)
    for secret in (*INTERNAL_TEXTS, *REPORTER_TEXTS, "Siti", "siti@example.org"):
        assert secret not in text
    assert "TINDAK-LANJUT-PUBLIK" in text
    dispose = view["timeline"][1]
    # Only whitelisted payload keys leave in public: the unit's name, not its code or tier.
    assert dispose["payload"] == {"node_name": "Dinas PUPR"}
    assert view["timeline"][0]["payload"] == {}


def test_public_view_of_a_confidential_report_hides_agency_and_bodies(tree: Tree) -> None:
    report = _busy_report(tree, is_confidential=True)
    view = presenters.public_view(report, "id")
    assert view["agency"] is None
    assert view["timeline"]
    assert all(e["body"] == "" for e in view["timeline"])
    assert "TINDAK-LANJUT-PUBLIK" not in _dump(view)
    assert "title" not in view
    assert "body" not in view


def test_public_view_of_a_confidential_report_names_no_organisation(tree: Tree) -> None:
    """Rahasia: the whole report is hidden from the public. Hiding ``agency`` is pointless if
    the timeline still names the verifying agency (``actor_node``) and the unit it was
    disposed to (dispose payload ``node_name``)."""
    report = _busy_report(tree, is_confidential=True)
    text = _dump(presenters.public_view(report, "id"))
    for name in ("kutim", "Kutai Timur", "PUPR", "Bina Marga"):
        assert name not in text


def test_confidential_report_is_still_seen_by_the_chain(tree: Tree) -> None:
    report = drive(tree, "disposed", is_confidential=True)
    for role in ("hub", "liaison_pupr", "auditor", "national"):
        assert can_read(tree.actor(role), report)
    for role in ("liaison_dinkes", "hub_samarinda", "sysadmin"):
        assert not can_read(tree.actor(role), report)
    assert report.status == Status.DISPOSED


def test_visible_report_ids_is_reports_visible_to_read_the_other_way(tree: Tree) -> None:
    """Staff search starts from these ids for a small scope: they must be exactly the reports
    reports_visible_to gives, for every role, including a report another agency holds now
    that passed through Kutai Timur (seen only through its disposition hop)."""
    from lapor.orgs.actors import READER_ROLES  # noqa: PLC0415
    from lapor.orgs.models import NodeKind  # noqa: PLC0415
    from lapor.reports.permissions import visible_report_ids  # noqa: PLC0415

    national = tree.actor("national")
    drive(tree, "in_progress")
    drive(tree, "disposed", forwarded=True)
    drive(tree, "submitted")
    submit(tree, target_agency_code=tree.samarinda.code, region_code="64.72")
    travelled = submit(tree, target_agency_code=None, region_code=NO_HUB).report  # national
    services.report_dispose(actor=national, report_id=travelled.pk, node_code=tree.pupr.code)
    services.report_return(actor=tree.actor("liaison_pupr"), report_id=travelled.pk,
                           reason="Bukan wewenang Dinas PUPR")
    services.report_dispose(actor=national, report_id=travelled.pk,
                            node_code=tree.samarinda_dishub.code)
    for name in tree.users:
        actor = tree.actor(name)
        expected = set(reports_visible_to(actor).values_list("pk", flat=True))
        found = visible_report_ids(actor, cap=1_000)
        if any(a.node_kind == NodeKind.ROOT and a.role in READER_ROLES
               for a in actor.assignments):
            assert found is None, name  # a reader of the whole country: "many"
            continue
        assert found == expected, name
    assert travelled.pk in visible_report_ids(tree.actor("liaison_pupr"), cap=1_000)  # type: ignore[operator]
    # Over the cap: "many".
    assert visible_report_ids(tree.actor("hub"), cap=2) is None
    assert visible_report_ids(PUBLIC, cap=1_000) == set()

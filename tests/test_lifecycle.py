"""The report lifecycle against the transition table (DOMAIN.md "Lifecycle").

Every allowed move of ``lapor.reports.states.TRANSITIONS`` is made through its service, and every
move the table does not allow is refused with ``Conflict("invalid_transition")`` without writing
anything. Each change must append exactly one event with the right from/to status, actor role and
visibility, bump ``version``, and leave the deadlines of the new status set or cleared.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from lapor.core import clock
from lapor.core.errors import (
    ApplicationError,
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from lapor.orgs.actors import PUBLIC, reporter_actor
from lapor.privacy import vault
from lapor.reports import services
from lapor.reports.models import (
    Disposition,
    DispositionState,
    Report,
    ReporterContact,
    ReportEvent,
    Visibility,
)
from lapor.reports.states import TRANSITIONS, Action, ArchiveReason, Status, next_status
from lapor.reports.submission import (
    _access_code_digest,
    reporter_authenticate,
    tracking_number_valid,
)
from tests.factories import Tree, drive, reporter_of, submit

# A region no hub covers: an unaddressed report about it waits in the national pool.
NO_HUB = "31.71.01"

WITA = ZoneInfo("Asia/Makassar")
# Far after any deadline these tests create: the automatic transitions are due by then.
FAR_FUTURE = datetime(2099, 1, 5, 12, 0, tzinfo=UTC)

# Actions that change no status: their events carry no from/to status.
NON_TRANSITIONS = {Action.NOTE, Action.REPORTER_MESSAGE, Action.SET_PRIVACY, Action.SUPPORT}

# Who may see each kind of event (DOMAIN.md "Every change is an event ... with which visibility").
EVENT_VISIBILITY: dict[Action, str] = {
    Action.HOLD: Visibility.REPORTER,
    Action.PROVIDE_INFO: Visibility.REPORTER,
    Action.ARCHIVE: Visibility.PUBLIC,
    Action.AUTO_ARCHIVE: Visibility.PUBLIC,
    Action.UNARCHIVE: Visibility.PUBLIC,
    Action.DISPOSE: Visibility.PUBLIC,
    Action.FORWARD: Visibility.INTERNAL,
    Action.RETURN_TO_FORWARDER: Visibility.INTERNAL,
    Action.RETURN_TO_VERIFIER: Visibility.INTERNAL,
    Action.PASS_UP: Visibility.INTERNAL,
    Action.ACKNOWLEDGE: Visibility.PUBLIC,
    Action.FOLLOW_UP: Visibility.PUBLIC,
    Action.RESPOND: Visibility.PUBLIC,
    Action.ACCEPT: Visibility.REPORTER,
    Action.REOPEN: Visibility.REPORTER,
    Action.CLOSE: Visibility.PUBLIC,
    Action.AUTO_CLOSE: Visibility.PUBLIC,
    Action.NOTE: Visibility.INTERNAL,
    Action.REPORTER_MESSAGE: Visibility.REPORTER,
    Action.SET_PRIVACY: Visibility.REPORTER,
}

# The role recorded on the event when ``perform`` makes the move.
EVENT_ROLE: dict[Action, str] = {
    **dict.fromkeys(EVENT_VISIBILITY, "hub_verifier"),
    Action.UNARCHIVE: "national_verifier",
    Action.PROVIDE_INFO: "reporter",
    Action.ACCEPT: "reporter",
    Action.REOPEN: "reporter",
    Action.REPORTER_MESSAGE: "reporter",
    Action.AUTO_ARCHIVE: "system",
    Action.AUTO_CLOSE: "system",
}


def wita(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WITA)


def end_of_day(year: int, month: int, day: int, tz: ZoneInfo = WITA) -> datetime:
    """A deadline: 23:59:59 local time of the given day."""
    return datetime(year, month, day, 23, 59, 59, tzinfo=tz)


def perform(action: Action, tree: Tree, report: Report) -> Any:
    """Make ``action`` on ``report`` with an actor allowed to make it whenever the status is."""
    hub = tree.actor("hub")
    rid = report.pk
    reporter = reporter_of(report)
    calls: dict[Action, Callable[[], Any]] = {
        Action.HOLD: lambda: services.report_hold(
            actor=hub, report_id=rid, question="Mohon kirim foto lokasi."),
        Action.PROVIDE_INFO: lambda: services.report_provide_info(
            actor=reporter, report_id=rid, body="Foto terlampir, di depan pintu utara pasar."),
        Action.ARCHIVE: lambda: services.report_archive(
            actor=hub, report_id=rid, reason=ArchiveReason.TOO_GENERAL, note="Kurang rinci."),
        Action.AUTO_ARCHIVE: lambda: _at(FAR_FUTURE, services.report_auto_archive, rid),
        Action.UNARCHIVE: lambda: services.report_unarchive(
            actor=tree.actor("national"), report_id=rid, reason="Alasan arsip keliru."),
        Action.DISPOSE: lambda: services.report_dispose(
            actor=hub, report_id=rid, node_code=tree.dinkes.code, note="Mohon ditangani."),
        Action.FORWARD: lambda: services.report_forward(
            actor=hub, report_id=rid, node_code=tree.bina_marga.code, note="Ranah Bina Marga."),
        Action.RETURN_TO_FORWARDER: lambda: services.report_return(
            actor=hub, report_id=rid, reason="Bukan wewenang bidang ini."),
        Action.RETURN_TO_VERIFIER: lambda: services.report_return(
            actor=hub, report_id=rid, reason="Bukan wewenang dinas ini."),
        Action.PASS_UP: lambda: services.report_pass_up(
            actor=hub, report_id=rid, reason="Wewenang PLN, bukan pemerintah kabupaten."),
        Action.ACKNOWLEDGE: lambda: services.report_acknowledge(actor=hub, report_id=rid),
        Action.FOLLOW_UP: lambda: services.report_follow_up(
            actor=hub, report_id=rid, body="Tim sudah meninjau lokasi.", final=False),
        Action.RESPOND: lambda: services.report_follow_up(
            actor=hub, report_id=rid, body="Jalan sudah diperbaiki.", final=True),
        Action.ACCEPT: lambda: services.report_reporter_reply(
            actor=reporter, report_id=rid, accept=True, rating=4, body="Terima kasih."),
        Action.REOPEN: lambda: services.report_reporter_reply(
            actor=reporter, report_id=rid, accept=False, body="Lubang masih ada."),
        Action.CLOSE: lambda: services.report_close(
            actor=hub, report_id=rid, reason="Sudah selesai ditangani."),
        Action.AUTO_CLOSE: lambda: _at(FAR_FUTURE, services.report_auto_close, rid),
        Action.NOTE: lambda: services.report_note(
            actor=hub, report_id=rid, body="Catatan internal: cek anggaran."),
        Action.REPORTER_MESSAGE: lambda: services.report_reporter_message(
            actor=reporter, report_id=rid, body="Apakah ada kabar terbaru?"),
        Action.SET_PRIVACY: lambda: services.report_set_privacy(
            actor=hub, report_id=rid, confidential=True),
        Action.SUPPORT: lambda: services.report_support(report_id=rid, supporter_key="warga-1"),
    }
    return calls[action]()


def _at(moment: datetime, fn: Callable[..., bool], report_id: int) -> bool:
    with clock.frozen(moment):
        return fn(report_id=report_id)


def start_for(action: Action, status: str, tree: Tree) -> Report:
    """A report in ``status`` shaped so that ``action`` could apply (forwarded for a return to
    the forwarder, which needs a forwarded hop; naming no agency for a pass-up, which needs a
    report the region routing brought to the hub)."""
    unaddressed: dict[str, Any] = (
        {"target_agency_code": None, "region_code": "64.08.04"}
        if action == Action.PASS_UP else {})
    return drive(tree, status, forwarded=action == Action.RETURN_TO_FORWARDER, **unaddressed)


def events_of(report: Report) -> list[ReportEvent]:
    return list(ReportEvent.objects.filter(report=report).order_by("created_at", "id"))


def assert_deadlines_match_status(report: Report) -> None:
    """Which clock runs in each status (stored deadlines, DOMAIN.md "Deadlines")."""
    status = report.status
    handled_due = (
        report.followup_due_at if report.first_followup_at is None else report.resolution_due_at
    )
    if status == Status.SUBMITTED:
        assert report.verify_due_at is not None
        assert report.staff_due_at == report.verify_due_at
        assert report.hold_due_at is None
        assert report.closed_at is None
    elif status == Status.ON_HOLD:
        assert report.hold_due_at is not None
        assert report.staff_due_at is None
        assert report.verify_days_left is not None
    elif status == Status.ARCHIVED:
        assert report.staff_due_at is None
        assert report.hold_due_at is None
        assert report.closed_at is not None
        assert report.archive_reason in ArchiveReason.values
    elif status in (Status.DISPOSED, Status.IN_PROGRESS):
        assert report.followup_due_at is not None
        assert report.resolution_due_at is not None
        assert report.followup_due_at <= report.resolution_due_at
        assert report.staff_due_at == handled_due
        assert report.verify_days_left is None
        assert report.reply_due_at is None
        assert report.closed_at is None
    elif status == Status.RESPONDED:
        assert report.staff_due_at is None
        assert report.reply_due_at is not None
        assert report.responded_at is not None
    else:
        assert status == Status.CLOSED
        assert report.staff_due_at is None
        assert report.closed_at is not None


# ---------------------------------------------------------------- the table itself


def test_every_action_but_submit_has_a_table_row_and_a_driver() -> None:
    assert set(TRANSITIONS) == set(Action) - {Action.SUBMIT}
    assert set(EVENT_VISIBILITY) | {Action.SUPPORT} == set(TRANSITIONS)


def test_next_status_reads_the_table() -> None:
    assert next_status(Action.DISPOSE, "submitted") == Status.DISPOSED
    assert next_status(Action.DISPOSE, "disposed") is None
    assert next_status(Action.SUBMIT, "submitted") is None


ALLOWED = [
    pytest.param(action, start, target, id=f"{action}-from-{start}")
    for action, moves in TRANSITIONS.items()
    for start, target in moves.items()
]
# Per status, the actions the table does not allow from it.
REFUSED: dict[Status, list[Action]] = {
    status: [action for action, moves in TRANSITIONS.items() if status not in moves]
    for status in Status
}


@pytest.mark.parametrize(("action", "start", "target"), ALLOWED)
def test_allowed_transition_writes_state_and_exactly_one_event(
    tree: Tree, action: Action, start: Status, target: Status
) -> None:
    report = start_for(action, start, tree)
    before_events = ReportEvent.objects.filter(report=report).count()
    before_version = report.version

    result = perform(action, tree, report)

    if action in (Action.AUTO_ARCHIVE, Action.AUTO_CLOSE):
        assert result is True
    report.refresh_from_db()
    assert report.status == target
    new_events = list(ReportEvent.objects.filter(report=report).order_by("id")[before_events:])
    if action == Action.SUPPORT:
        # A "dukung" is a Support row and a counter, not a change of the report.
        assert new_events == []
        assert report.support_count == 1
        assert report.version == before_version
        return
    assert report.version == before_version + 1
    assert len(new_events) == 1
    event = new_events[0]
    assert event.kind == action.value
    assert event.visibility == EVENT_VISIBILITY[action]
    assert event.actor_role == EVENT_ROLE[action]
    if action in NON_TRANSITIONS:
        assert (event.from_status, event.to_status) == ("", "")
    else:
        assert (event.from_status, event.to_status) == (start, target)
    if EVENT_ROLE[action] == "hub_verifier":
        assert event.actor == tree.users["hub"]
        assert event.actor_node_id == tree.kutim.pk
    elif EVENT_ROLE[action] == "national_verifier":
        assert event.actor == tree.users["national"]
        assert event.actor_node_id == tree.root.pk
    else:
        assert event.actor is None
        assert event.actor_node_id is None
    assert_deadlines_match_status(report)
    active = Disposition.objects.filter(report=report, state=DispositionState.ACTIVE)
    if target in (Status.DISPOSED, Status.IN_PROGRESS, Status.RESPONDED):
        assert active.count() == 1
        assert active.get().node_id == report.current_node_id
    else:
        assert not active.exists()


@pytest.mark.parametrize("status", list(Status))
def test_actions_refused_where_the_table_does_not_allow_them(tree: Tree, status: Status) -> None:
    """Every action missing from the table for ``status`` is a 409 ``invalid_transition`` and
    writes nothing. (One report per status serves every refused action: none may change it.)"""
    assert REFUSED[status], "every status refuses some action"
    reports: dict[bool, Report] = {}
    failures: list[str] = []
    for action in REFUSED[status]:
        forwarded = action == Action.RETURN_TO_FORWARDER and status in (
            Status.RESPONDED, Status.CLOSED)
        if forwarded not in reports:
            reports[forwarded] = drive(tree, status, forwarded=forwarded)
        report = reports[forwarded]
        before = Report.objects.values().get(pk=report.pk)
        before_events = ReportEvent.objects.filter(report=report).count()
        if action in (Action.AUTO_ARCHIVE, Action.AUTO_CLOSE):
            # The automatic transitions are idempotent: "nothing to do", not an error.
            outcome: object = perform(action, tree, report)
            if outcome is not False:
                failures.append(f"{action}: returned {outcome!r}, expected False")
        else:
            try:
                perform(action, tree, report)
            except Conflict as exc:
                if (exc.code, exc.status) != ("invalid_transition", 409):
                    failures.append(f"{action}: Conflict {exc.code}")
            except ApplicationError as exc:
                failures.append(f"{action}: {type(exc).__name__} {exc.code}")
            else:
                failures.append(f"{action}: was allowed")
        if Report.objects.values().get(pk=report.pk) != before:
            failures.append(f"{action}: changed the report")
        if ReportEvent.objects.filter(report=report).count() != before_events:
            failures.append(f"{action}: wrote an event")
    assert failures == []


# ---------------------------------------------------------------- the happy path


def test_happy_path_end_to_end(tree: Tree) -> None:
    hub = tree.actor("hub")
    liaison_pupr = tree.actor("liaison_pupr")
    liaison_bm = tree.actor("liaison_binamarga")
    liaison_dinkes = tree.actor("liaison_dinkes")
    steps: list[tuple[str, str, str, str, str]] = []  # kind, from, to, role, visibility

    def step(moment: datetime, fn: Callable[[], Any]) -> Report:
        with clock.frozen(moment):
            fn()
        report.refresh_from_db()
        assert_deadlines_match_status(report)
        event = ReportEvent.objects.filter(report=report).latest("created_at", "id")
        steps.append((event.kind, event.from_status, event.to_status, event.actor_role,
                      event.visibility))
        return report

    created = submit(tree, at=wita(2026, 4, 6, 8, 0))
    report = created.report
    rid = report.pk
    reporter = reporter_authenticate(tracking_number=report.tracking_number,
                                     access_code=created.access_code)
    assert report.status == Status.SUBMITTED
    assert report.tier == tree.kutim
    assert report.current_node == tree.kutim
    assert report.version == 1
    assert_deadlines_match_status(report)

    step(wita(2026, 4, 6, 9), lambda: services.report_hold(
        actor=hub, report_id=rid, question="Di ruas jalan mana tepatnya?"))
    assert report.status == Status.ON_HOLD
    step(wita(2026, 4, 7, 9), lambda: services.report_provide_info(
        actor=reporter, report_id=rid, body="Jalan Yos Sudarso, depan Pasar Induk."))
    assert report.status == Status.SUBMITTED
    step(wita(2026, 4, 7, 10), lambda: services.report_dispose(
        actor=hub, report_id=rid, node_code=tree.pupr.code, note="Mohon ditindaklanjuti."))
    assert (report.status, report.current_node, report.agency) == (
        Status.DISPOSED, tree.pupr, tree.kutim)
    assert report.verified_at == wita(2026, 4, 7, 10)
    step(wita(2026, 4, 7, 11), lambda: services.report_forward(
        actor=liaison_pupr, report_id=rid, node_code=tree.bina_marga.code))
    assert (report.status, report.current_node) == (Status.DISPOSED, tree.bina_marga)
    step(wita(2026, 4, 7, 12), lambda: services.report_return(
        actor=liaison_bm, report_id=rid, reason="Ruas ini jalan provinsi."))
    assert (report.status, report.current_node) == (Status.DISPOSED, tree.pupr)
    step(wita(2026, 4, 7, 13), lambda: services.report_return(
        actor=liaison_pupr, report_id=rid, reason="Bukan wewenang PUPR kabupaten."))
    assert (report.status, report.current_node, report.agency) == (
        Status.SUBMITTED, tree.kutim, tree.kutim)
    assert report.followup_due_at is None
    assert report.resolution_due_at is None
    assert not Disposition.objects.filter(report=report, state="active").exists()
    step(wita(2026, 4, 8, 9), lambda: services.report_dispose(
        actor=hub, report_id=rid, node_code=tree.dinkes.code))
    assert (report.status, report.current_node) == (Status.DISPOSED, tree.dinkes)
    # The first verification time is kept across a re-disposition.
    assert report.verified_at == wita(2026, 4, 7, 10)
    step(wita(2026, 4, 8, 10), lambda: services.report_acknowledge(
        actor=liaison_dinkes, report_id=rid))
    assert report.status == Status.IN_PROGRESS
    assert report.first_followup_at is None
    step(wita(2026, 4, 9, 10), lambda: services.report_follow_up(
        actor=liaison_dinkes, report_id=rid, body="Petugas sudah ke lokasi."))
    assert report.status == Status.IN_PROGRESS
    assert report.first_followup_at == wita(2026, 4, 9, 10)
    assert report.staff_due_at == report.resolution_due_at
    step(wita(2026, 4, 10, 10), lambda: services.report_follow_up(
        actor=liaison_dinkes, report_id=rid, body="Sudah diperbaiki.", final=True))
    assert report.status == Status.RESPONDED
    assert report.responded_at == wita(2026, 4, 10, 10)
    first_resolution_due = report.resolution_due_at
    step(wita(2026, 4, 13, 10), lambda: services.report_reporter_reply(
        actor=reporter, report_id=rid, accept=False, body="Masih berlubang di sisi kiri."))
    assert report.status == Status.IN_PROGRESS
    assert report.reply_due_at is None
    assert report.resolution_due_at is not None
    assert first_resolution_due is not None
    assert report.resolution_due_at > first_resolution_due
    step(wita(2026, 4, 14, 10), lambda: services.report_follow_up(
        actor=liaison_dinkes, report_id=rid, body="Sisi kiri juga sudah ditambal.", final=True))
    assert report.status == Status.RESPONDED
    step(wita(2026, 4, 15, 10), lambda: services.report_reporter_reply(
        actor=reporter, report_id=rid, accept=True, rating=4, body="Terima kasih."))
    assert report.status == Status.CLOSED
    assert report.rating == 4
    assert report.closed_at == wita(2026, 4, 15, 10)

    assert steps == [
        ("hold", "submitted", "on_hold", "hub_verifier", "reporter"),
        ("provide_info", "on_hold", "submitted", "reporter", "reporter"),
        ("dispose", "submitted", "disposed", "hub_verifier", "public"),
        ("forward", "disposed", "disposed", "liaison", "internal"),
        ("return_to_forwarder", "disposed", "disposed", "liaison", "internal"),
        ("return_to_verifier", "disposed", "submitted", "liaison", "internal"),
        ("dispose", "submitted", "disposed", "hub_verifier", "public"),
        ("acknowledge", "disposed", "in_progress", "liaison", "public"),
        ("follow_up", "in_progress", "in_progress", "liaison", "public"),
        ("respond", "in_progress", "responded", "liaison", "public"),
        ("reopen", "responded", "in_progress", "reporter", "reporter"),
        ("respond", "in_progress", "responded", "liaison", "public"),
        ("accept", "responded", "closed", "reporter", "reporter"),
    ]
    # One event per change plus the submission; one version per change.
    events = events_of(report)
    assert events[0].kind == "submit"
    assert len(events) == 1 + len(steps)
    assert report.version == 1 + len(steps)
    assert events[-1].payload == {"rating": 4}
    # Every hop is kept: PUPR (returned), Bina Marga (returned), Dinas Kesehatan (ended).
    hops = list(Disposition.objects.filter(report=report).order_by("created_at", "id")
                .values_list("node__code", "state", "parent__node__code", "return_reason"))
    assert hops == [
        ("kutim-pupr", "returned", None, "Bukan wewenang PUPR kabupaten."),
        ("kutim-pupr-binamarga", "returned", "kutim-pupr", "Ruas ini jalan provinsi."),
        ("kutim-dinkes", "ended", None, ""),
    ]


def test_return_events_name_both_nodes(tree: Tree) -> None:
    report = drive(tree, "disposed", forwarded=True)
    services.report_return(actor=tree.actor("liaison_binamarga"), report_id=report.pk,
                           reason="Bukan wewenang bidang.")
    services.report_return(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                           reason="Bukan wewenang dinas.")
    payloads = [e.payload for e in events_of(report) if e.kind.startswith("return")]
    assert payloads == [
        {"from_node": "kutim-pupr-binamarga", "to_node": "kutim-pupr"},
        {"from_node": "kutim-pupr", "to_node": "kutim"},
    ]


def test_forward_only_down_the_assignees_subtree(tree: Tree) -> None:
    report = drive(tree, "disposed")
    for node in (tree.pupr, tree.dinkes, tree.kutim, tree.samarinda_dishub):
        with pytest.raises(ValidationFailed) as exc_info:
            services.report_forward(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                                    node_code=node.code)
        assert (exc_info.value.code, exc_info.value.field) == ("invalid_target", "node")
    with pytest.raises(ValidationFailed) as exc_info:
        services.report_forward(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                                node_code="no-such-node")
    assert exc_info.value.code == "unknown_node"
    report.refresh_from_db()
    assert report.version == 2


def test_forward_from_in_progress_hands_over_and_keeps_the_clocks(tree: Tree) -> None:
    report = drive(tree, "in_progress")
    due = (report.followup_due_at, report.resolution_due_at, report.staff_due_at)
    services.report_forward(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                            node_code=tree.bina_marga.code)
    report.refresh_from_db()
    assert report.status == Status.DISPOSED
    assert (report.followup_due_at, report.resolution_due_at, report.staff_due_at) == due


def test_dispose_targets_must_lie_in_the_verifiers_subtree(tree: Tree) -> None:
    report = drive(tree, "submitted")
    for node in (tree.kutim, tree.samarinda, tree.samarinda_dishub, tree.root):
        with pytest.raises(ValidationFailed) as exc_info:
            services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                    node_code=node.code)
        assert exc_info.value.code == "invalid_target"
    with pytest.raises(ValidationFailed) as exc_info:
        services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                node_code=tree.pupr.code, resolution_days=7)
    assert exc_info.value.field == "resolution_days"
    services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                            node_code=tree.bina_marga.code)
    report.refresh_from_db()
    assert (report.current_node, report.agency) == (tree.bina_marga, tree.kutim)


def test_close_by_verifier_ends_the_disposition(tree: Tree) -> None:
    report = drive(tree, "in_progress", at=wita(2026, 4, 1, 9))
    with pytest.raises(ValidationFailed) as exc_info:
        services.report_close(actor=tree.actor("hub"), report_id=report.pk, reason="  ")
    assert exc_info.value.code == "text_too_short"
    with clock.frozen(wita(2030, 1, 2, 9)):
        services.report_close(actor=tree.actor("national"), report_id=report.pk,
                              reason="Ditangani lewat jalur lain.")
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert report.closed_at == wita(2030, 1, 2, 9)
    assert report.rating is None
    assert list(Disposition.objects.filter(report=report).values_list("state", flat=True)) == [
        "ended"
    ]
    event = events_of(report)[-1]
    assert (event.kind, event.body, event.visibility, event.actor_role) == (
        "close", "Ditangani lewat jalur lain.", "public", "national_verifier")


# ---------------------------------------------------------------- archive and unarchive


@pytest.mark.parametrize("reason", [r for r in ArchiveReason.values if r != "duplicate"])
@pytest.mark.parametrize("start", ["submitted", "on_hold"])
def test_archive_with_each_reason(tree: Tree, reason: str, start: str) -> None:
    report = drive(tree, start)
    version = report.version
    services.report_archive(actor=tree.actor("hub"), report_id=report.pk, reason=reason,
                            note="Lihat ketentuan.")
    report.refresh_from_db()
    assert (report.status, report.archive_reason, report.duplicate_of) == (
        Status.ARCHIVED, reason, None)
    assert report.version == version + 1
    assert_deadlines_match_status(report)
    event = events_of(report)[-1]
    assert (event.kind, event.from_status, event.to_status, event.visibility) == (
        "archive", start, "archived", "public")
    assert event.payload == {"reason": reason}
    assert event.body == "Lihat ketentuan."


def test_archive_as_duplicate_points_to_the_survivor(tree: Tree) -> None:
    survivor = drive(tree, "disposed")
    report = drive(tree, "submitted")
    services.report_archive(actor=tree.actor("hub"), report_id=report.pk, reason="duplicate",
                            duplicate_of=survivor.tracking_number)
    report.refresh_from_db()
    assert report.duplicate_of == survivor
    assert report.archive_reason == "duplicate"
    assert events_of(report)[-1].payload == {
        "reason": "duplicate", "duplicate_of": survivor.tracking_number}
    assert list(survivor.duplicates.all()) == [report]


def test_archive_as_duplicate_needs_another_visible_report(tree: Tree) -> None:
    report = drive(tree, "submitted")
    elsewhere = submit(tree, target_agency_code=tree.samarinda.code).report
    for duplicate_of in (None, "", "123456789012", report.tracking_number,
                         elsewhere.tracking_number):
        with pytest.raises(ValidationFailed) as exc_info:
            services.report_archive(actor=tree.actor("hub"), report_id=report.pk,
                                    reason="duplicate", duplicate_of=duplicate_of)
        assert (exc_info.value.code, exc_info.value.field) == ("not_found", "duplicate_of")
    with pytest.raises(ValidationFailed) as exc_info:
        services.report_archive(actor=tree.actor("hub"), report_id=report.pk, reason="boring")
    assert (exc_info.value.code, exc_info.value.field) == ("invalid_reason", "reason")
    report.refresh_from_db()
    assert (report.status, report.version) == (Status.SUBMITTED, 1)


def test_national_unarchives_a_kutim_archive_and_takes_it(tree: Tree) -> None:
    report = drive(tree, "submitted", at=wita(2026, 4, 1, 9))
    survivor = drive(tree, "submitted", at=wita(2026, 4, 1, 9))
    with clock.frozen(wita(2026, 4, 2, 9)):
        services.report_archive(actor=tree.actor("hub"), report_id=report.pk,
                                reason="duplicate", duplicate_of=survivor.tracking_number)
    with clock.frozen(wita(2026, 4, 6, 9)):
        services.report_unarchive(actor=tree.actor("national"), report_id=report.pk,
                                  reason="Bukan duplikat: lokasinya berbeda.")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert (report.tier, report.current_node, report.agency) == (tree.root, tree.root, None)
    assert (report.archive_reason, report.duplicate_of, report.closed_at) == ("", None, None)
    assert report.version == 3
    # A fresh verification clock of the national tier (WIB): Mon 6 Apr 2026 is day 0.
    assert report.verify_due_at == end_of_day(2026, 4, 9, ZoneInfo("Asia/Jakarta"))
    assert_deadlines_match_status(report)
    event = events_of(report)[-1]
    assert (event.kind, event.from_status, event.to_status, event.actor_role,
            event.visibility, event.body) == (
        "unarchive", "archived", "submitted", "national_verifier", "public",
        "Bukan duplikat: lokasinya berbeda.")


def test_hub_cannot_unarchive_its_own_archive(tree: Tree) -> None:
    report = drive(tree, "archived")
    with pytest.raises(PermissionDenied):
        services.report_unarchive(actor=tree.actor("hub"), report_id=report.pk,
                                  reason="Berubah pikiran.")
    report.refresh_from_db()
    assert report.status == Status.ARCHIVED


def test_nobody_is_above_the_national_tier(tree: Tree) -> None:
    report = submit(tree, target_agency_code=None, region_code=NO_HUB).report
    assert report.tier == tree.root
    services.report_archive(actor=tree.actor("national"), report_id=report.pk, reason="spam")
    with pytest.raises(PermissionDenied):
        services.report_unarchive(actor=tree.actor("national"), report_id=report.pk,
                                  reason="Bukan spam.")
    with pytest.raises(NotFound):
        services.report_unarchive(actor=tree.actor("hub"), report_id=report.pk,
                                  reason="Bukan spam.")


def test_unarchive_needs_a_reason(tree: Tree) -> None:
    report = drive(tree, "archived")
    with pytest.raises(ValidationFailed) as exc_info:
        services.report_unarchive(actor=tree.actor("national"), report_id=report.pk, reason="")
    assert (exc_info.value.code, exc_info.value.field) == ("text_too_short", "reason")


# ---------------------------------------------------------------- optimistic concurrency


STAFF_CALLS: dict[str, tuple[str, Callable[[Tree, Report, int | None], Any]]] = {
    "hold": ("submitted", lambda t, r, v: services.report_hold(
        actor=t.actor("hub"), report_id=r.pk, question="Foto?", expected_version=v)),
    "archive": ("submitted", lambda t, r, v: services.report_archive(
        actor=t.actor("hub"), report_id=r.pk, reason="spam", expected_version=v)),
    "unarchive": ("archived", lambda t, r, v: services.report_unarchive(
        actor=t.actor("national"), report_id=r.pk, reason="Keliru.", expected_version=v)),
    "set_privacy": ("submitted", lambda t, r, v: services.report_set_privacy(
        actor=t.actor("hub"), report_id=r.pk, anonymous=True, expected_version=v)),
    "dispose": ("submitted", lambda t, r, v: services.report_dispose(
        actor=t.actor("hub"), report_id=r.pk, node_code="kutim-dinkes", expected_version=v)),
    "forward": ("disposed", lambda t, r, v: services.report_forward(
        actor=t.actor("liaison_pupr"), report_id=r.pk, node_code="kutim-pupr-binamarga",
        expected_version=v)),
    "return": ("disposed", lambda t, r, v: services.report_return(
        actor=t.actor("liaison_pupr"), report_id=r.pk, reason="Bukan wewenang.",
        expected_version=v)),
    "acknowledge": ("disposed", lambda t, r, v: services.report_acknowledge(
        actor=t.actor("liaison_pupr"), report_id=r.pk, expected_version=v)),
    "follow_up": ("in_progress", lambda t, r, v: services.report_follow_up(
        actor=t.actor("officer_pupr"), report_id=r.pk, body="Sedang dikerjakan.",
        expected_version=v)),
    "respond": ("in_progress", lambda t, r, v: services.report_follow_up(
        actor=t.actor("liaison_pupr"), report_id=r.pk, body="Selesai.", final=True,
        expected_version=v)),
    "close": ("responded", lambda t, r, v: services.report_close(
        actor=t.actor("hub"), report_id=r.pk, reason="Selesai.", expected_version=v)),
}


@pytest.mark.parametrize("name", list(STAFF_CALLS))
def test_stale_expected_version_is_a_concurrent_update(tree: Tree, name: str) -> None:
    status, call = STAFF_CALLS[name]
    report = drive(tree, status)
    before = Report.objects.values().get(pk=report.pk)
    events = ReportEvent.objects.filter(report=report).count()
    for stale in (report.version - 1, report.version + 1):
        with pytest.raises(Conflict) as exc_info:
            call(tree, report, stale)
        assert exc_info.value.code == "concurrent_update"
        assert exc_info.value.detail == {"version": report.version}
    assert Report.objects.values().get(pk=report.pk) == before
    assert ReportEvent.objects.filter(report=report).count() == events
    call(tree, report, report.version)
    report.refresh_from_db()
    assert report.version == before["version"] + 1


# ---------------------------------------------------------------- privacy flags


def test_set_privacy_makes_stricter_one_event_per_change(tree: Tree) -> None:
    report = drive(tree, "submitted")
    hub = tree.actor("hub")
    services.report_set_privacy(actor=hub, report_id=report.pk, anonymous=True)
    services.report_set_privacy(actor=hub, report_id=report.pk, anonymous=True,
                                confidential=True)
    report.refresh_from_db()
    assert (report.is_anonymous, report.is_confidential) == (True, True)
    assert report.version == 3
    privacy = [e for e in events_of(report) if e.kind == "set_privacy"]
    assert [e.payload for e in privacy] == [{"anonymous": True}, {"confidential": True}]
    assert {e.visibility for e in privacy} == {"reporter"}
    # Asking for what is already set changes nothing and writes nothing.
    services.report_set_privacy(actor=hub, report_id=report.pk, anonymous=True,
                                confidential=True)
    report.refresh_from_db()
    assert report.version == 3
    assert len(events_of(report)) == 3


def test_set_privacy_on_hold_is_allowed(tree: Tree) -> None:
    report = drive(tree, "on_hold")
    services.report_set_privacy(actor=tree.actor("national"), report_id=report.pk,
                                anonymous=True)
    report.refresh_from_db()
    assert report.is_anonymous


@pytest.mark.parametrize("flag", ["anonymous", "confidential"])
def test_set_privacy_refuses_loosening(tree: Tree, flag: str) -> None:
    report = drive(tree, "submitted", **{f"is_{flag}": True})
    with pytest.raises(ValidationFailed) as exc_info:
        services.report_set_privacy(actor=tree.actor("hub"), report_id=report.pk,
                                    **{flag: False})
    assert exc_info.value.code == "privacy_loosening"
    report.refresh_from_db()
    assert getattr(report, f"is_{flag}") is True
    assert report.version == 1


def test_privacy_loosening_error_names_the_field_being_loosened(tree: Tree) -> None:
    """The 422 must point at ``confidential`` when that is the flag being loosened."""
    report = drive(tree, "submitted", is_confidential=True)
    with pytest.raises(ValidationFailed) as exc_info:
        services.report_set_privacy(actor=tree.actor("hub"), report_id=report.pk,
                                    confidential=False)
    assert exc_info.value.field == "confidential"


def test_set_privacy_false_on_an_open_flag_is_no_change(tree: Tree) -> None:
    report = drive(tree, "submitted")
    services.report_set_privacy(actor=tree.actor("hub"), report_id=report.pk,
                                anonymous=False, confidential=False)
    report.refresh_from_db()
    assert (report.is_anonymous, report.is_confidential, report.version) == (False, False, 1)


# ---------------------------------------------------------------- reporter side


def test_reporter_reply_validation(tree: Tree) -> None:
    report = drive(tree, "responded")
    reporter = reporter_of(report)
    for rating in (None, 0, 6):
        with pytest.raises(ValidationFailed) as exc_info:
            services.report_reporter_reply(actor=reporter, report_id=report.pk, accept=True,
                                           rating=rating)
        assert (exc_info.value.code, exc_info.value.field) == ("rating_required", "rating")
    with pytest.raises(ValidationFailed) as exc_info:
        services.report_reporter_reply(actor=reporter, report_id=report.pk, accept=False)
    assert exc_info.value.field == "body"
    report.refresh_from_db()
    assert report.status == Status.RESPONDED


@pytest.mark.parametrize("rating", [1, 5])
def test_accept_keeps_the_rating(tree: Tree, rating: int) -> None:
    report = drive(tree, "responded")
    services.report_reporter_reply(actor=reporter_of(report), report_id=report.pk, accept=True,
                                   rating=rating)
    report.refresh_from_db()
    assert (report.status, report.rating) == (Status.CLOSED, rating)


def test_reporter_with_an_account_acts_on_own_report(tree: Tree) -> None:
    citizen = tree.actor("citizen")
    report = submit(tree, actor=citizen).report
    assert report.reporter_user == tree.users["citizen"]
    services.report_hold(actor=tree.actor("hub"), report_id=report.pk, question="Kapan?")
    services.report_provide_info(actor=citizen, report_id=report.pk, body="Kemarin sore.")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    event = events_of(report)[-1]
    # The reporter is recorded by role only, never as a user on the timeline.
    assert (event.actor, event.actor_role) == (None, "reporter")


def test_support_once_per_supporter_never_on_confidential(tree: Tree) -> None:
    report = drive(tree, "disposed")
    assert services.report_support(report_id=report.pk, supporter_key="a") == 1
    assert services.report_support(report_id=report.pk, supporter_key="b") == 2
    with pytest.raises(Conflict) as exc_info:
        services.report_support(report_id=report.pk, supporter_key="a")
    assert exc_info.value.code == "already_supported"
    secret = drive(tree, "disposed", is_confidential=True)
    with pytest.raises(NotFound):
        services.report_support(report_id=secret.pk, supporter_key="a")


def test_unknown_report_is_not_found(tree: Tree) -> None:
    missing = 987_654
    with pytest.raises(NotFound):
        services.report_hold(actor=tree.actor("national"), report_id=missing, question="?")
    with pytest.raises(NotFound):
        services.report_provide_info(actor=reporter_actor(report_id=missing),
                                     report_id=missing, body="Halo")
    with pytest.raises(NotFound):
        services.report_support(report_id=missing, supporter_key="a")


# ---------------------------------------------------------------- submission


def test_submission_records_event_contact_and_first_deadline(tree: Tree) -> None:
    created = submit(tree, at=wita(2026, 4, 6, 9), reporter_phone="0812-3456-7890",
                     reporter_email="Siti@Example.ORG")
    report = created.report
    assert report.status == Status.SUBMITTED
    assert (report.tier, report.agency, report.current_node, report.target_agency) == (
        tree.kutim, tree.kutim, tree.kutim, tree.kutim)
    assert report.verify_due_at == end_of_day(2026, 4, 9)
    contact = ReporterContact.objects.get(report=report)
    assert (vault.decrypt(contact.email), vault.decrypt(contact.phone)) == (
        "siti@example.org", "+6281234567890")
    [event] = events_of(report)
    assert (event.kind, event.from_status, event.to_status, event.actor_role,
            event.visibility, event.actor) == (
        "submit", "", "submitted", "reporter", "public", None)
    assert event.payload == {"channel": "web", "tier": "kutim"}


def test_report_to_an_agency_without_hub_waits_in_the_national_pool(tree: Tree) -> None:
    report = submit(tree, target_agency_code=None, region_code=NO_HUB).report
    assert (report.tier, report.agency, report.current_node) == (tree.root, None, tree.root)


def test_tracking_number_is_twelve_digits_with_a_verhoeff_check(tree: Tree) -> None:
    numbers = {submit(tree).report.tracking_number for _ in range(5)}
    assert len(numbers) == 5
    for number in numbers:
        assert len(number) == 12
        assert number.isdigit()
        assert number[0] != "0"
        assert tracking_number_valid(number)
        # Every single-digit typo and every neighbour swap is caught.
        for i in range(12):
            typo = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1:]
            assert not tracking_number_valid(typo)
        for i in range(11):
            if number[i] != number[i + 1]:
                swapped = number[:i] + number[i + 1] + number[i] + number[i + 2:]
                assert not tracking_number_valid(swapped)
    assert not tracking_number_valid("12345")
    assert not tracking_number_valid("12345678901a")


def test_access_code_is_stored_only_as_a_keyed_hash(tree: Tree) -> None:
    created = submit(tree)
    report = created.report
    code = created.access_code
    assert len(code.replace("-", "")) == 16
    assert code not in report.access_code_hash
    assert report.access_code_hash == _access_code_digest(code)
    actor = reporter_authenticate(tracking_number=report.tracking_number, access_code=code)
    assert actor.report_id == report.pk
    # Read aloud or copied from an SMS: case and separators do not matter.
    loose = code.lower().replace("-", " ")
    assert reporter_authenticate(tracking_number=report.tracking_number,
                                 access_code=loose).report_id == report.pk
    other = submit(tree)
    for number, attempt in ((report.tracking_number, other.access_code),
                            (report.tracking_number, ""),
                            ("999999999999", code)):
        with pytest.raises(NotAuthenticated) as exc_info:
            reporter_authenticate(tracking_number=number, access_code=attempt)
        assert exc_info.value.code == "invalid_access_code"


def test_submission_refuses_bad_input_and_writes_nothing(tree: Tree) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"type": "praise"}, "validation_error", "type"),
        ({"title": "abc"}, "text_too_short", "title"),
        ({"region_code": "99.99"}, "unknown_region", "region_code"),
        ({"category_code": "nope"}, "unknown_category", "category_code"),
        ({"target_agency_code": tree.pupr.code}, "unknown_node", "target_agency_code"),
        ({"reporter_phone": "12"}, "invalid_phone", "reporter_phone"),
        ({"reporter_email": "not-an-email"}, "invalid_email", "reporter_email"),
    ]
    for overrides, code, field in cases:
        with pytest.raises(ValidationFailed) as exc_info:
            submit(tree, actor=PUBLIC, **overrides)
        assert (exc_info.value.code, exc_info.value.field) == (code, field)
    assert not Report.objects.exists()
    assert not ReportEvent.objects.exists()


def test_auto_transitions_wait_for_their_deadline(tree: Tree) -> None:
    on_hold = drive(tree, "on_hold")
    responded = drive(tree, "responded")
    assert on_hold.hold_due_at is not None
    assert responded.reply_due_at is not None
    with clock.frozen(on_hold.hold_due_at):
        assert services.report_auto_archive(report_id=on_hold.pk) is False
    with clock.frozen(responded.reply_due_at - timedelta(hours=1)):
        assert services.report_auto_close(report_id=responded.pk) is False
    on_hold.refresh_from_db()
    responded.refresh_from_db()
    assert (on_hold.status, responded.status) == (Status.ON_HOLD, Status.RESPONDED)

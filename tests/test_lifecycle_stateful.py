"""A stateful property test of the report lifecycle (issue #11).

Hypothesis drives the real services (real database, no mocks) with random actions by random
actors of the test tree at random times over the Indonesian working-day calendar, plus the
periodic deadline sweep. After every step it checks:

- every call either succeeded or raised an :class:`ApplicationError` with a declared code, and
  a refused call changed nothing (status, version, events, deadlines);
- a successful change moved the status only along ``TRANSITIONS`` for the action recorded on
  its event, appended exactly one event and bumped ``version`` by one;
- deadlines follow the rules of ``lapor.reports.services``: a deadline is kept, cleared, or set
  afresh from the moment of the action (never before it); only ``provide_info`` (resuming a
  held verification clock), ``unarchive``, a return to the verifier, ``dispose`` and a
  reporter's ``reopen`` may set one, and a kept deadline never moves; ``staff_due_at`` is
  always the deadline of whoever holds the report in its status;
- exactly one active disposition in a handling status, none otherwise;
- privacy: the public view never contains an anonymous reporter's planted identity nor any
  confidential content; no staff view (for each staff user who may read the report) contains
  an anonymous reporter's identity; internal notes reach neither the public nor the reporter.

Each example runs inside a savepoint that is rolled back afterwards, so examples are independent;
``derandomize=True`` makes CI runs reproducible.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from lapor.core import clock
from lapor.core.errors import MESSAGES, ApplicationError
from lapor.orgs.actors import Actor
from lapor.reports import presenters, services
from lapor.reports.models import Disposition, DispositionState, Report, ReportEvent
from lapor.reports.permissions import reports_visible_to
from lapor.reports.states import HANDLING_STATUSES, TRANSITIONS, Action, ArchiveReason, Status
from lapor.sla.sweep import sweep_deadlines
from tests.factories import Tree, reporter_of, submit

# Friday 13 March 2026, 09:00 WITA: the first weeks cross weekends, Nyepi (19 March), Idul Fitri
# 1447 H (20-21 March) and its cuti bersama.
START = datetime(2026, 3, 13, 1, 0, tzinfo=UTC)
STAFF = (
    "national", "hub", "liaison_pupr", "officer_pupr", "liaison_binamarga", "liaison_dinkes",
    "supervisor_kutim", "supervisor_pupr", "auditor", "sysadmin", "hub_samarinda",
    "liaison_samarinda",
)
ACTORS = (*STAFF, "reporter", "other_reporter", "citizen")
# Half the time the actor is the one the action is meant for (else few calls would succeed).
WHO = st.one_of(st.just("right"), st.sampled_from(ACTORS))
VERIFIER_OF = {"kutim": "hub", "nasional": "national", "samarinda": "hub_samarinda"}
HANDLER_OF = {
    "kutim-pupr": "liaison_pupr", "kutim-pupr-binamarga": "liaison_binamarga",
    "kutim-dinkes": "liaison_dinkes", "kutim": "hub", "samarinda-dishub": "liaison_samarinda",
    "samarinda": "hub_samarinda", "nasional": "national",
}
NODES = ("nasional", "kutim", "kutim-pupr", "kutim-pupr-binamarga", "kutim-dinkes",
         "samarinda", "samarinda-dishub", "no-such-node")
# Weighted towards the targets a verifier or a liaison would pick.
TARGETS = st.one_of(st.sampled_from(("kutim-pupr", "kutim-dinkes", "kutim-pupr-binamarga")),
                    st.sampled_from(NODES))
DEADLINES = ("verify_due_at", "hold_due_at", "followup_due_at", "resolution_due_at",
             "reply_due_at")
# Which deadline each action may set afresh (from the moment of the action).
MAY_SET: dict[str, set[str]] = {
    Action.HOLD: {"hold_due_at"},
    Action.PROVIDE_INFO: {"verify_due_at"},
    Action.UNARCHIVE: {"verify_due_at"},
    Action.RETURN_TO_VERIFIER: {"verify_due_at"},
    Action.DISPOSE: {"followup_due_at", "resolution_due_at"},
    Action.RESPOND: {"reply_due_at"},
    Action.REOPEN: {"resolution_due_at"},
}
# Which deadline each action may clear.
MAY_CLEAR: dict[str, set[str]] = {
    Action.PROVIDE_INFO: {"hold_due_at"},
    Action.ARCHIVE: {"hold_due_at"},
    Action.AUTO_ARCHIVE: {"hold_due_at"},
    Action.RETURN_TO_VERIFIER: {"followup_due_at", "resolution_due_at"},
    Action.REOPEN: {"reply_due_at"},
}
HOURS = (1, 3, 8, 16, 24, 49, 24 * 4, 24 * 9, 24 * 15, 24 * 22)


def _plain(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


class Planted:
    """What was planted in one report, to look for where it must not appear."""

    def __init__(self, n: int, *, anonymous: bool, confidential: bool) -> None:
        self.n = n
        self.name = f"Pelapor Rahasia {n:04d}X"
        self.email = f"planted{n:04d}@example.org"
        self.phone = f"08129999{n:04d}"
        self.marker = f"KONTEN-{n:04d}-Q"
        self.anonymous = anonymous
        self.confidential = confidential


class LifecycleMachine(RuleBasedStateMachine):
    tree: ClassVar[Tree]
    actors: ClassVar[dict[str, Actor]]

    reports = Bundle("reports")

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = START
        self.planted: dict[int, Planted] = {}
        self.count = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # ------------------------------------------------------------ helpers

    def _actor(self, name: str, report_id: int, meant_for: str = "reporter") -> Actor:
        if name == "right":
            report = Report.objects.select_related("tier", "current_node").get(pk=report_id)
            name = {
                "reporter": "reporter",
                "verifier": VERIFIER_OF.get(report.tier.code, "national"),
                "unarchiver": "national",
                "handler": HANDLER_OF.get(report.current_node.code, "national"),
            }[meant_for]
        if name == "reporter":
            return reporter_of(Report(pk=report_id))
        if name == "other_reporter":
            return reporter_of(Report(pk=-report_id))
        return self.actors[name]

    def _snapshot(self, report_id: int) -> dict[str, Any]:
        report = Report.objects.get(pk=report_id)
        return {
            "status": report.status,
            "version": report.version,
            "events": ReportEvent.objects.filter(report_id=report_id).count(),
            "anonymous": report.is_anonymous,
            "confidential": report.is_confidential,
            "support": report.support_count,
            "staff_due_at": report.staff_due_at,
            **{name: getattr(report, name) for name in DEADLINES},
        }

    def _call(self, report_id: int, func: Any, **kwargs: Any) -> None:
        """Call one service at the machine's time and check the step (see module docstring)."""
        before = self._snapshot(report_id)
        last_event = ReportEvent.objects.filter(report_id=report_id).order_by("-id").first()
        refused: ApplicationError | None = None
        with clock.frozen(self.now):
            try:
                func(report_id=report_id, **kwargs)
            except ApplicationError as exc:
                refused = exc
        if refused is not None:
            event(f"{func.__name__}: {refused.code}")
            assert refused.code in MESSAGES, refused.code
            assert 400 <= refused.status < 600
            after = self._snapshot(report_id)
            assert after == before, (func.__name__, refused.code, before, after)
            return
        event(f"{func.__name__}: ok")
        self._check_change(report_id, before, last_event.pk if last_event else 0)
        self._check_privacy(report_id)

    def _check_change(self, report_id: int, before: dict[str, Any], last_event_id: int) -> None:
        after = self._snapshot(report_id)
        new_events = list(ReportEvent.objects.filter(report_id=report_id, pk__gt=last_event_id)
                          .order_by("id"))
        if after["version"] == before["version"]:
            # No change (support, or privacy already as asked): no event, nothing moved.
            assert new_events == []
            assert {k: v for k, v in after.items() if k != "support"} == {
                k: v for k, v in before.items() if k != "support"}
            return
        assert after["version"] == before["version"] + 1
        assert len(new_events) == 1, [e.kind for e in new_events]
        event = new_events[0]
        assert after["events"] == before["events"] + 1
        action = Action(event.kind)
        if event.to_status:
            assert event.from_status == before["status"]
            assert event.to_status == after["status"]
        if action in (Action.NOTE, Action.REPORTER_MESSAGE, Action.SET_PRIVACY):
            assert after["status"] == before["status"]
            assert before["status"] in TRANSITIONS[action]
        else:
            assert TRANSITIONS[action].get(Status(before["status"])) == after["status"], (
                action, before["status"], after["status"])
        self._check_deadlines(action, before, after)

    def _check_deadlines(self, action: Action, before: dict[str, Any],
                         after: dict[str, Any]) -> None:
        for name in DEADLINES:
            old, new = before[name], after[name]
            if old == new:
                continue
            if new is None:
                assert name in MAY_CLEAR.get(action, set()), (action, name, "cleared")
                continue
            assert name in MAY_SET.get(action, set()), (action, name, old, new)
            # Set afresh: from the moment of the action, never in the past ...
            assert new >= self.now, (action, name, new, self.now)
            # ... and never earlier than the one it replaces, except a verification clock that
            # restarts (unarchive, hand-back to the verifier) at a tier with its own SOP.
            if old is not None and action not in (Action.UNARCHIVE, Action.RETURN_TO_VERIFIER):
                assert new >= old, (action, name, old, new)

    # ------------------------------------------------------------ invariants

    @invariant()
    def every_report_is_consistent(self) -> None:
        if not self.planted:
            return
        for report in Report.objects.filter(pk__in=self.planted):
            active = Disposition.objects.filter(report=report,
                                                state=DispositionState.ACTIVE).count()
            assert active == (1 if report.status in HANDLING_STATUSES else 0), (
                report.status, active)
            expected_staff_due = {
                Status.SUBMITTED: report.verify_due_at,
                Status.ON_HOLD: None,
                Status.ARCHIVED: None,
                Status.RESPONDED: None,
                Status.CLOSED: None,
            }.get(Status(report.status), (
                report.followup_due_at if report.first_followup_at is None
                else report.resolution_due_at))
            assert report.staff_due_at == expected_staff_due, report.status
            if report.status == Status.ON_HOLD:
                assert report.hold_due_at is not None
            if report.status == Status.RESPONDED:
                assert report.reply_due_at is not None
            if report.status in (Status.ARCHIVED, Status.CLOSED):
                assert report.closed_at is not None
            assert report.version == ReportEvent.objects.filter(
                report=report).exclude(kind__startswith="attachment").count()

    def _check_privacy(self, report_id: int) -> None:
        planted = self.planted[report_id]
        report = Report.objects.select_related(
            "region", "category", "tier", "agency", "current_node", "target_agency").get(
            pk=report_id)
        identity = (planted.name, planted.email, planted.phone)
        with clock.frozen(self.now):
            public = _plain(presenters.public_view(report, "id"))
            if report.is_anonymous:
                assert not any(value in public for value in identity)
            if report.is_confidential:
                assert planted.marker not in public
                assert report.title not in public
            assert "CATATAN-INTERNAL" not in public
            own = _plain(presenters.reporter_view(report, "id"))
            assert "CATATAN-INTERNAL" not in own
            for name in STAFF:
                actor = self.actors[name]
                if not reports_visible_to(actor).filter(pk=report_id).exists():
                    continue
                staff = _plain(presenters.staff_view(report, "id", actor=actor))
                if report.is_anonymous:
                    assert not any(value in staff for value in identity), name
            # A sysadmin reads no report content by default (DOMAIN.md "Roles").
            assert not reports_visible_to(self.actors["sysadmin"]).filter(pk=report_id).exists()

    # ------------------------------------------------------------ rules

    @initialize(target=reports)
    def first_report(self) -> int:
        return self._submit(anonymous=True, confidential=False, national=False)

    @precondition(lambda self: len(self.planted) < 4)
    @rule(target=reports, anonymous=st.booleans(), confidential=st.booleans(),
          national=st.booleans())
    def submit_report(self, anonymous: bool, confidential: bool, national: bool) -> int:
        return self._submit(anonymous=anonymous, confidential=confidential, national=national)

    def _submit(self, *, anonymous: bool, confidential: bool, national: bool) -> int:
        self.count += 1
        planted = Planted(self.count, anonymous=anonymous, confidential=confidential)
        result = submit(
            self.tree, at=self.now, is_anonymous=anonymous, is_confidential=confidential,
            target_agency_code=None if national else "kutim",
            # National: about a region no hub covers (Gambir, Jakarta).
            region_code="31.71.01" if national else "64.08.04",
            title=f"Jalan rusak {planted.marker}",
            body=f"Jalan di depan pasar berlubang besar. {planted.marker}",
            reporter_name=planted.name, reporter_email=planted.email,
            reporter_phone=planted.phone,
        )
        report_id = result.report.pk
        self.planted[report_id] = planted
        assert ReportEvent.objects.filter(report_id=report_id).count() == 1
        self._check_privacy(report_id)
        return report_id

    @rule(hours=st.sampled_from(HOURS))
    def time_passes(self, hours: int) -> None:
        """Time moves on; the periodic sweep (every minute in production) has run by then."""
        self.now += timedelta(hours=hours)
        self.sweep()

    @rule(days=st.sampled_from((11, 15, 22)))
    def weeks_pass(self, days: int) -> None:
        """Long enough for a hold (10 HK) or a reply window (10 HK) to run out."""
        self.time_passes(24 * days)

    @rule()
    def sweep(self) -> None:
        before = {pk: self._snapshot(pk) for pk in self.planted}
        with clock.frozen(self.now):
            sweep_deadlines()
        for pk, old in before.items():
            new = self._snapshot(pk)
            if new == old:
                continue
            # Only the two automatic moves, each with its one event, and only when due.
            if old["status"] == Status.ON_HOLD:
                assert old["hold_due_at"] < self.now
                assert new["status"] == Status.ARCHIVED
                action = Action.AUTO_ARCHIVE
            else:
                assert old["status"] == Status.RESPONDED
                assert old["reply_due_at"] < self.now
                assert new["status"] == Status.CLOSED
                action = Action.AUTO_CLOSE
            event(f"sweep: {action}")
            assert new["version"] == old["version"] + 1
            assert new["events"] == old["events"] + 1
            last = ReportEvent.objects.filter(report_id=pk).order_by("-id").first()
            assert last is not None
            assert last.kind == action
            self._check_deadlines(action, old, new)
            self._check_privacy(pk)
        # Nothing due is left behind.
        due = Report.objects.filter(pk__in=self.planted).filter(
            status=Status.ON_HOLD, hold_due_at__lt=self.now).count()
        due += Report.objects.filter(pk__in=self.planted).filter(
            status=Status.RESPONDED, reply_due_at__lt=self.now).count()
        assert due == 0

    @rule(report=reports, pick=st.integers(0, 3))
    def progress(self, report: int, pick: int) -> None:
        """The next move a diligent official or reporter would make, by the right actor: keeps
        the random walk reaching the later statuses."""
        status = Report.objects.values_list("status", flat=True).get(pk=report)
        options: list[tuple[Any, str, dict[str, Any]]] = {
            Status.SUBMITTED: [
                (services.report_dispose, "verifier", {"node_code": "kutim-pupr"}),
                (services.report_dispose, "verifier", {"node_code": "kutim-dinkes"}),
                (services.report_hold, "verifier", {"question": "Di mana?"}),
            ],
            Status.ON_HOLD: [(services.report_provide_info, "reporter",
                              {"body": "Di depan pasar."})],
            Status.ARCHIVED: [(services.report_unarchive, "unarchiver", {"reason": "Lengkap."})],
            Status.DISPOSED: [
                (services.report_acknowledge, "handler", {}),
                (services.report_forward, "handler", {"node_code": "kutim-pupr-binamarga"}),
                (services.report_return, "handler", {"reason": "Bukan wewenang."}),
            ],
            Status.IN_PROGRESS: [
                (services.report_follow_up, "handler", {"body": "Sedang dikerjakan."}),
                (services.report_follow_up, "handler", {"body": "Selesai.", "final": True}),
            ],
            Status.RESPONDED: [
                (services.report_reporter_reply, "reporter", {"accept": True, "rating": 4}),
                (services.report_reporter_reply, "reporter",
                 {"accept": False, "body": "Belum beres."}),
            ],
            Status.CLOSED: [(services.report_reporter_message, "reporter", {"body": "Terima"})],
        }[Status(status)]
        func, meant_for, kwargs = options[pick % len(options)]
        self._call(report, func, actor=self._actor("right", report, meant_for), **kwargs)

    # The same move under more names, so the walk takes it about a quarter of the time.
    @rule(report=reports, pick=st.integers(0, 3))
    def progress_again(self, report: int, pick: int) -> None:
        self.progress(report, pick)

    @rule(report=reports, pick=st.integers(0, 3))
    def progress_more(self, report: int, pick: int) -> None:
        self.progress(report, pick)

    @rule(report=reports, pick=st.integers(0, 3))
    def progress_further(self, report: int, pick: int) -> None:
        self.progress(report, pick)

    @rule(report=reports, who=WHO)
    def hold(self, report: int, who: str) -> None:
        actor = self._actor(who, report, "verifier")
        self._call(report, services.report_hold, actor=actor,
                   question="Mohon lengkapi lokasi kejadian.")

    @rule(report=reports, who=WHO)
    def provide_info(self, report: int, who: str) -> None:
        actor = self._actor(who, report, "reporter")
        self._call(report, services.report_provide_info, actor=actor,
                   body="Lokasinya di depan pasar induk.")

    @rule(report=reports, who=WHO,
          reason=st.sampled_from([*ArchiveReason.values, "bogus"]), other=reports)
    def archive(self, report: int, who: str, reason: str, other: int) -> None:
        tracking = Report.objects.values_list("tracking_number", flat=True).get(pk=other)
        actor = self._actor(who, report, "verifier")
        self._call(report, services.report_archive, actor=actor,
                   reason=reason, duplicate_of=tracking, note="Arsip.")

    @rule(report=reports, who=WHO)
    def unarchive(self, report: int, who: str) -> None:
        actor = self._actor(who, report, "unarchiver")
        self._call(report, services.report_unarchive, actor=actor,
                   reason="Ternyata laporan ini lengkap.")

    @rule(report=reports, who=WHO,
          anonymous=st.sampled_from([None, True, False]),
          confidential=st.sampled_from([None, True, False]))
    def set_privacy(self, report: int, who: str, anonymous: bool | None,
                    confidential: bool | None) -> None:
        before = Report.objects.get(pk=report)
        actor = self._actor(who, report, "verifier")
        self._call(report, services.report_set_privacy, actor=actor,
                   anonymous=anonymous, confidential=confidential)
        after = Report.objects.get(pk=report)
        # Stricter only, never looser.
        assert after.is_anonymous >= before.is_anonymous
        assert after.is_confidential >= before.is_confidential

    @rule(report=reports, who=WHO, node=TARGETS,
          days=st.sampled_from([None, 2, 5, 14, 60, 3]))
    def dispose(self, report: int, who: str, node: str, days: int | None) -> None:
        actor = self._actor(who, report, "verifier")
        self._call(report, services.report_dispose, actor=actor,
                   node_code=node, resolution_days=days, note="Mohon ditindaklanjuti.")

    @rule(report=reports, who=WHO, node=TARGETS)
    def forward(self, report: int, who: str, node: str) -> None:
        actor = self._actor(who, report, "handler")
        self._call(report, services.report_forward, actor=actor,
                   node_code=node, note="Diteruskan.")

    @rule(report=reports, who=WHO)
    def hand_back(self, report: int, who: str) -> None:
        actor = self._actor(who, report, "handler")
        self._call(report, services.report_return, actor=actor,
                   reason="Bukan wewenang kami.")

    @rule(report=reports, who=WHO)
    def acknowledge(self, report: int, who: str) -> None:
        actor = self._actor(who, report, "handler")
        self._call(report, services.report_acknowledge, actor=actor)

    @rule(report=reports, who=WHO, final=st.booleans(),
          public=st.booleans())
    def follow_up(self, report: int, who: str, final: bool, public: bool) -> None:
        marker = self.planted[report].marker
        actor = self._actor(who, report, "handler")
        self._call(report, services.report_follow_up, actor=actor,
                   body=f"Tindak lanjut {marker}", final=final, public=public)

    @rule(report=reports, who=WHO)
    def close(self, report: int, who: str) -> None:
        actor = self._actor(who, report, "verifier")
        self._call(report, services.report_close, actor=actor,
                   reason="Selesai ditangani.")

    @rule(report=reports, who=WHO, accept=st.booleans(),
          rating=st.sampled_from([None, 0, 1, 3, 5, 6]))
    def reporter_reply(self, report: int, who: str, accept: bool, rating: int | None) -> None:
        actor = self._actor(who, report, "reporter")
        self._call(report, services.report_reporter_reply, actor=actor,
                   accept=accept, rating=rating, body="" if accept else "Belum beres.")

    @rule(report=reports, who=WHO)
    def reporter_message(self, report: int, who: str) -> None:
        actor = self._actor(who, report, "reporter")
        self._call(report, services.report_reporter_message, actor=actor,
                   body="Ada kabar terbaru?")

    @rule(report=reports, who=WHO)
    def note(self, report: int, who: str) -> None:
        actor = self._actor(who, report, "handler")
        self._call(report, services.report_note, actor=actor,
                   body="CATATAN-INTERNAL: cek ke lapangan.")

    @rule(report=reports, key=st.sampled_from(["a", "b"]))
    def support(self, report: int, key: str) -> None:
        before = self._snapshot(report)
        refused: ApplicationError | None = None
        with clock.frozen(self.now):
            try:
                services.report_support(report_id=report, supporter_key=key * 64)
            except ApplicationError as exc:
                refused = exc
        if refused is not None:
            assert refused.code in ("not_found", "invalid_transition", "already_supported")
            assert self._snapshot(report) == before
            return
        after = self._snapshot(report)
        assert after["support"] == before["support"] + 1
        assert after["events"] == before["events"]
        assert after["version"] == before["version"]
        assert not after["confidential"]


@pytest.mark.django_db
def test_lifecycle_state_machine(tree: Tree) -> None:
    LifecycleMachine.tree = tree
    LifecycleMachine.actors = {name: tree.actor(name) for name in (*STAFF, "citizen")}
    run_state_machine_as_test(
        LifecycleMachine,
        settings=settings(
            max_examples=25, stateful_step_count=40, deadline=None, derandomize=True,
            database=None, suppress_health_check=[HealthCheck.too_slow],
        ),
    )

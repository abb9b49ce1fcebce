"""Rules that live once (issue #20): each test pins the meaning of one rule at its owner.

* who may close, forward, write as the reporter: the predicates of ``lapor.reports.permissions``,
  asked by the services and by the workspace pages alike, so the pages offer exactly what the
  services accept;
* what the reporter's writing does in each status: ``report_reporter_write`` and
  ``lapor.reports.states.reporter_write_action`` (every channel calls the service; the adapter
  tests sit with each adapter);
* which reports wait for whom in the daily digest: ``lapor.reports.permissions.work_waiting_for``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from lapor.core import clock
from lapor.core.errors import ApplicationError, NotFound, PermissionDenied
from lapor.orgs.actors import PUBLIC, Actor, reporter_actor
from lapor.orgs.models import OrgNode
from lapor.reports import permissions as perms
from lapor.reports import services
from lapor.reports.models import Report, ReportEvent
from lapor.reports.states import TRANSITIONS, Action, Status, reporter_write_action
from lapor.workspace.actions import available_actions, forward_targets
from tests.factories import Tree, drive, reporter_of, submit
from tests.test_permissions import NO_HUB, STAFF

pytestmark = pytest.mark.django_db


def _accepted(call: Callable[[], Any]) -> bool:
    """Whether the service accepts the call; always rolled back."""
    with transaction.atomic():
        try:
            call()
        except ApplicationError:
            return False
        finally:
            transaction.set_rollback(True)
    return True


# ---------------------------------------------------------------- the page asks the service


@pytest.mark.parametrize(("status", "forwarded"), [
    ("submitted", False), ("disposed", False), ("disposed", True), ("in_progress", False),
    ("responded", False), ("closed", False),
])
def test_workspace_offers_close_and_forward_exactly_when_the_service_accepts(
    tree: Tree, status: str, forwarded: bool,
) -> None:
    report = drive(tree, status, forwarded=forwarded)
    nodes = list(OrgNode.objects.all())
    mismatches: dict[tuple[str, str], Any] = {}
    allowed: set[tuple[str, str]] = set()
    for name in STAFF:
        actor = tree.actor(name)
        offered = available_actions(actor, report)
        closes = _accepted(lambda actor=actor: services.report_close(
            actor=actor, report_id=report.pk, reason="Selesai."))
        targets = {node.code for node in nodes if _accepted(
            lambda actor=actor, node=node: services.report_forward(
                actor=actor, report_id=report.pk, node_code=node.code))}
        listed = {node.code for node in forward_targets(report)} if "forward" in offered else set()
        if ("close" in offered) != closes:
            mismatches[(name, "close")] = {"offered": "close" in offered, "accepted": closes}
        if listed != targets:
            mismatches[(name, "forward")] = {"offered": sorted(listed), "accepted": sorted(targets)}
        allowed |= {(name, "close")} if closes else set()
        allowed |= {(name, "forward")} if targets else set()
    assert mismatches == {}
    # The comparison is not empty: who may act, per status (hub verifiers act as liaisons).
    assert allowed == {
        "submitted": set(),
        "disposed": {("liaison_pupr", "forward"), ("hub", "forward"), ("national", "close"),
                     ("hub", "close")} if not forwarded else {
                     ("national", "close"), ("hub", "close")},
        "in_progress": {("liaison_pupr", "forward"), ("hub", "forward"), ("national", "close"),
                        ("hub", "close")},
        "responded": {("national", "close"), ("hub", "close")},
        "closed": set(),
    }[status]


def test_closer_is_a_verifier_of_the_tier_or_the_hub_of_the_agency(tree: Tree) -> None:
    """A report the national pool disposed into Kutai Timur: the national verifier closes it as
    the verifier of its tier, the Kutai Timur hub as the hub of the agency holding it; the
    liaison handling it and another agency's hub do not."""
    report = submit(tree, target_agency_code=None, region_code=NO_HUB).report
    services.report_dispose(actor=tree.actor("national"), report_id=report.pk,
                            node_code=tree.pupr.code)
    report.refresh_from_db()
    hub = tree.actor("hub")
    assert perms.verifier_for(hub, report) is None
    grant = perms.closer_for(hub, report)
    assert grant is not None
    assert grant.node_id == tree.kutim.pk
    assert perms.closer_for(tree.actor("national"), report) is not None
    for name in ("liaison_pupr", "officer_pupr", "supervisor_kutim", "hub_samarinda"):
        assert perms.closer_for(tree.actor(name), report) is None, name


def test_forward_target_is_an_active_node_strictly_below_the_holder(tree: Tree) -> None:
    assert perms.valid_forward_target(tree.pupr, tree.bina_marga)
    assert not perms.valid_forward_target(tree.pupr, tree.pupr)
    assert not perms.valid_forward_target(tree.pupr, tree.dinkes)
    assert not perms.valid_forward_target(tree.pupr, tree.kutim)
    tree.bina_marga.is_active = False
    assert not perms.valid_forward_target(tree.pupr, tree.bina_marga)


def test_who_writes_as_the_reporter(tree: Tree) -> None:
    """The one proven report for an access code; an account's own filed reports; never staff,
    never the public, and ``reports_of_reporter`` says the same."""
    own = submit(tree, actor=tree.actor("citizen")).report
    other = submit(tree).report
    citizen = tree.actor("citizen")
    cases: dict[str, tuple[Actor, Report, bool]] = {
        "code, its report": (reporter_of(other), other, True),
        "code, another report": (reporter_of(other), own, False),
        "code and account, another report": (reporter_actor(report_id=other.pk,
                                                            user=citizen.user), own, False),
        "account, its report": (citizen, own, True),
        "account, another report": (citizen, other, False),
        "staff": (tree.actor("hub"), other, False),
        "public": (PUBLIC, other, False),
    }
    for name, (actor, report, expected) in cases.items():
        assert perms.is_reporter_of(actor, report) is expected, name
        listed = perms.reports_of_reporter(actor).filter(pk=report.pk).exists()
        assert listed is expected, name


# ---------------------------------------------------------------- the reporter writes


def test_reporter_write_action_is_read_from_the_transition_table() -> None:
    for status in Status:
        expected = (Action.PROVIDE_INFO if status in TRANSITIONS[Action.PROVIDE_INFO]
                    else Action.REPORTER_MESSAGE if status in TRANSITIONS[Action.REPORTER_MESSAGE]
                    else None)
        assert reporter_write_action(status) == expected, status
    assert {s for s in Status if reporter_write_action(s) is not None} == {
        Status.SUBMITTED, Status.ON_HOLD, Status.DISPOSED, Status.IN_PROGRESS,
        Status.RESPONDED}


@pytest.mark.parametrize(("status", "kind", "after"), [
    ("on_hold", "provide_info", "submitted"),
    ("submitted", "reporter_message", "submitted"),
    ("disposed", "reporter_message", "disposed"),
    ("in_progress", "reporter_message", "in_progress"),
    ("responded", "reporter_message", "responded"),
    ("archived", None, "archived"),
    ("closed", None, "closed"),
])
def test_reporter_write_by_status(tree: Tree, status: str, kind: str | None, after: str) -> None:
    """On hold the text answers the verifier's question (verification resumes); while the
    report is open otherwise it is a message; archived or closed it is refused (409)."""
    report = drive(tree, status)
    before = set(ReportEvent.objects.filter(report=report).values_list("pk", flat=True))
    try:
        services.report_reporter_write(actor=reporter_of(report), report_id=report.pk,
                                       body="Lokasinya depan masjid.")
        outcome = None
    except ApplicationError as exc:
        outcome = exc.code
    report.refresh_from_db()
    assert report.status == after
    new = list(ReportEvent.objects.filter(report=report).exclude(pk__in=before)
               .values_list("kind", "body"))
    if kind is None:
        assert (outcome, new) == ("invalid_transition", [])
    else:
        assert (outcome, new) == (None, [(kind, "Lokasinya depan masjid.")])


def test_reporter_write_past_the_hold_window_is_refused(tree: Tree) -> None:
    report = drive(tree, "on_hold")
    assert report.hold_due_at is not None
    with clock.frozen(report.hold_due_at + timedelta(seconds=1)):
        assert not _accepted(lambda: services.report_reporter_write(
            actor=reporter_of(report), report_id=report.pk, body="Terlambat."))


def test_only_the_reporter_writes(tree: Tree) -> None:
    report = drive(tree, "disposed")
    with pytest.raises(PermissionDenied):
        services.report_reporter_write(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                                       body="Saya petugas.")
    for actor in (tree.actor("hub_samarinda"), PUBLIC, reporter_of(submit(tree).report)):
        with pytest.raises(NotFound):
            services.report_reporter_write(actor=actor, report_id=report.pk, body="Halo.")


# ---------------------------------------------------------------- the digest's officers


def test_work_waiting_for_each_role(tree: Tree) -> None:
    """Verifiers: submitted reports in their own tier's pool; liaisons, unit officers and hub
    verifiers (lapor.orgs.actors.HANDLER_ROLES): disposed or in-progress reports held in their
    subtree. Supervisors and auditors only read."""
    pool = drive(tree, "submitted")
    held = drive(tree, "disposed", forwarded=True)
    national = submit(tree, target_agency_code=None, region_code=NO_HUB).report
    waiting = {pool.pk: "pool", held.pk: "held", national.pk: "national"}
    expected = {
        "national": {"national"}, "hub": {"pool", "held"}, "liaison_pupr": {"held"},
        "officer_pupr": {"held"}, "liaison_binamarga": {"held"}, "liaison_dinkes": set(),
        "supervisor_kutim": set(), "auditor": set(), "hub_samarinda": set(),
    }
    for name, wanted in expected.items():
        found = Report.objects.filter(perms.work_waiting_for(tree.actor(name)))
        assert {waiting[pk] for pk in found.values_list("pk", flat=True)} == wanted, name

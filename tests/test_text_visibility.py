"""Every free text staff write into a report reaches exactly the readers its declaration names
(lapor.reports.visibility, issue 18 "A note meant for staff is never public").

One test per declared field: a distinctive text is written through the real service, the report
is brought where the public can see it, and every surface is read: the public report page, the
tracking page without and with the access code, the JSON tracking API (public and reporter),
Open311 (``GET requests`` and ``requests/<id>``), the public feed and statistics, the reporter's
data export (UU PDP), the staff page, and the outbox messages to the reporter and to the
reporters who follow the report (a merged duplicate's). Where the declaration allows a reader,
the text must be there (on the surfaces that show texts); where it does not, it must not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from lapor.notifications.models import Audience, OutboxMessage
from lapor.orgs.actors import reporter_actor
from lapor.reports import services
from lapor.reports.merge import MERGE_EVENT, report_merge
from lapor.reports.models import Report, Visibility
from lapor.reports.states import Action, ArchiveReason, EventKind
from lapor.reports.visibility import REVEAL_KIND, TEXT_FIELDS, declared, text_visibility
from tests.api_client import ApiClient, current_totp
from tests.factories import PASSWORD, Tree, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _many_lookups(settings: Any) -> None:
    # Every surface of every field is read from one test address.
    settings.LAPOR_RATE_LOOKUPS_PER_MINUTE = 100_000


@dataclass
class Written:
    report: Report
    access_code: str
    text: str
    kind: str
    event_visibility: str = Visibility.PUBLIC


def _new(tree: Tree, **more: Any) -> tuple[Report, str]:
    """A new report, followed by the reporter of a duplicate merged into it (the public
    events of a report reach its followers)."""
    submitted = submit(tree, **more)
    duplicate = submit(tree, reporter_email="pengikut@example.org").report
    report_merge(actor=tree.actor("hub"), report_id=duplicate.pk,
                 into=submitted.report.tracking_number)
    return submitted.report, submitted.access_code


def _dispose(tree: Tree, report: Report, note: str = "") -> None:
    services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                            node_code=tree.pupr.code, note=note)


# ---------------------------------------------------------------- one way to write each field
# Each leaves the report listed in public (disposed or later) wherever the lifecycle allows, so
# that the public surfaces really are read.

def _w_dispose(tree: Tree, text: str) -> Written:
    report, code = _new(tree)
    _dispose(tree, report, note=text)
    return Written(report, code, text, Action.DISPOSE)


def _w_forward(tree: Tree, text: str) -> Written:
    report, code = _new(tree)
    _dispose(tree, report)
    services.report_forward(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                            node_code=tree.bina_marga.code, note=text)
    return Written(report, code, text, Action.FORWARD, Visibility.INTERNAL)


def _w_return_to_verifier(tree: Tree, text: str) -> Written:
    report, code = _new(tree)
    _dispose(tree, report)
    services.report_return(actor=tree.actor("liaison_pupr"), report_id=report.pk, reason=text)
    _dispose(tree, report)
    return Written(report, code, text, Action.RETURN_TO_VERIFIER, Visibility.INTERNAL)


def _w_return_to_forwarder(tree: Tree, text: str) -> Written:
    report, code = _new(tree)
    _dispose(tree, report)
    services.report_forward(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                            node_code=tree.bina_marga.code)
    services.report_return(actor=tree.actor("liaison_binamarga"), report_id=report.pk,
                           reason=text)
    return Written(report, code, text, Action.RETURN_TO_FORWARDER, Visibility.INTERNAL)


def _w_note(tree: Tree, text: str) -> Written:
    report, code = _new(tree)
    _dispose(tree, report)
    services.report_note(actor=tree.actor("officer_pupr"), report_id=report.pk, body=text)
    return Written(report, code, text, Action.NOTE, Visibility.INTERNAL)


def _w_unarchive(tree: Tree, text: str) -> Written:
    report, code = _new(tree)
    services.report_archive(actor=tree.actor("hub"), report_id=report.pk,
                            reason=ArchiveReason.TOO_GENERAL)
    services.report_unarchive(actor=tree.actor("national"), report_id=report.pk, reason=text)
    services.report_dispose(actor=tree.actor("national"), report_id=report.pk,
                            node_code=tree.kutim.code)
    return Written(report, code, text, Action.UNARCHIVE)


def _w_pass_up(tree: Tree, text: str) -> Written:
    # Routed to Kutai Timur's hub by its region, passed up, then disposed by the national pool.
    report, code = _new(tree, target_agency_code=None)
    services.report_pass_up(actor=tree.actor("hub"), report_id=report.pk, reason=text)
    services.report_dispose(actor=tree.actor("national"), report_id=report.pk,
                            node_code=tree.pupr.code)
    return Written(report, code, text, Action.PASS_UP, Visibility.INTERNAL)


def _w_merge(tree: Tree, text: str) -> Written:
    survivor, code = _new(tree)
    _dispose(tree, survivor)
    duplicate = submit(tree, reporter_email="duplikat@example.org").report
    report_merge(actor=tree.actor("hub"), report_id=duplicate.pk,
                 into=survivor.tracking_number, note=text)
    return Written(survivor, code, text, MERGE_EVENT, Visibility.INTERNAL)


def _w_hold(tree: Tree, text: str) -> Written:
    report, code = _new(tree)
    services.report_hold(actor=tree.actor("hub"), report_id=report.pk, question=text)
    services.report_provide_info(actor=reporter_actor(report_id=report.pk), report_id=report.pk,
                                 body="Di depan Pasar Induk, sebelah masjid.")
    _dispose(tree, report)
    return Written(report, code, text, Action.HOLD, Visibility.REPORTER)


def _w_archive(tree: Tree, text: str) -> Written:
    # An archived report is never listed: the public reads only its tracking page.
    report, code = _new(tree)
    services.report_archive(actor=tree.actor("hub"), report_id=report.pk,
                            reason=ArchiveReason.TOO_GENERAL, note=text)
    return Written(report, code, text, Action.ARCHIVE)


def _w_close(tree: Tree, text: str) -> Written:
    report, code = _new(tree)
    _dispose(tree, report)
    services.report_close(actor=tree.actor("hub"), report_id=report.pk, reason=text)
    return Written(report, code, text, Action.CLOSE)


def _follow_up(*, final: bool, public: bool) -> Callable[[Tree, str], Written]:
    def write(tree: Tree, text: str) -> Written:
        report, code = _new(tree)
        _dispose(tree, report)
        services.report_follow_up(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                                  body=text, final=final, public=public)
        return Written(report, code, text, Action.RESPOND if final else Action.FOLLOW_UP,
                       Visibility.PUBLIC if public else Visibility.REPORTER)
    return write


def _reporter_text(kind: str) -> Callable[[Tree, str], Written]:
    def write(tree: Tree, text: str) -> Written:
        report, code = _new(tree)
        me = reporter_actor(report_id=report.pk)
        if kind == Action.PROVIDE_INFO:
            services.report_hold(actor=tree.actor("hub"), report_id=report.pk,
                                 question="Di mana tepatnya?")
            services.report_provide_info(actor=me, report_id=report.pk, body=text)
            _dispose(tree, report)
        else:
            _dispose(tree, report)
            if kind == Action.REPORTER_MESSAGE:
                services.report_reporter_message(actor=me, report_id=report.pk, body=text)
            else:
                services.report_follow_up(actor=tree.actor("liaison_pupr"),
                                          report_id=report.pk, body="Sudah ditambal.",
                                          final=True)
                services.report_reporter_reply(actor=me, report_id=report.pk,
                                               accept=kind == Action.ACCEPT, rating=4,
                                               body=text)
        return Written(report, code, text, kind, Visibility.REPORTER)
    return write


WRITERS: dict[tuple[str, str], Callable[[Tree, str], Written]] = {
    (Action.DISPOSE, "note"): _w_dispose,
    (Action.FORWARD, "note"): _w_forward,
    (Action.RETURN_TO_FORWARDER, "reason"): _w_return_to_forwarder,
    (Action.RETURN_TO_VERIFIER, "reason"): _w_return_to_verifier,
    (Action.NOTE, "body"): _w_note,
    (Action.UNARCHIVE, "reason"): _w_unarchive,
    (Action.PASS_UP, "reason"): _w_pass_up,
    (MERGE_EVENT, "note"): _w_merge,
    (Action.HOLD, "question"): _w_hold,
    (Action.ARCHIVE, "note"): _w_archive,
    (Action.CLOSE, "reason"): _w_close,
    (Action.FOLLOW_UP, "body"): _follow_up(final=False, public=True),
    (Action.RESPOND, "body"): _follow_up(final=True, public=True),
    (Action.PROVIDE_INFO, "body"): _reporter_text(Action.PROVIDE_INFO),
    (Action.REPORTER_MESSAGE, "body"): _reporter_text(Action.REPORTER_MESSAGE),
    (Action.REOPEN, "body"): _reporter_text(Action.REOPEN),
    (Action.ACCEPT, "body"): _reporter_text(Action.ACCEPT),
}
# The per-entry narrowing of a follow-up ("only for the reporter").
NARROWED: dict[str, Callable[[Tree, str], Written]] = {
    "follow_up only for the reporter": _follow_up(final=False, public=False),
    "respond only for the reporter": _follow_up(final=True, public=False),
}


# Timeline kinds that never carry a text (their events are appended with an empty body).
WITHOUT_TEXT = {EventKind.SUBMIT, EventKind.AUTO_ARCHIVE, EventKind.ACKNOWLEDGE,
                EventKind.AUTO_CLOSE, EventKind.SET_PRIVACY, EventKind.SUPPORT,
                EventKind.ATTACHMENT_ADDED, EventKind.ATTACHMENT_PUBLISHED,
                EventKind.ENTERED_ON_BEHALF}


def test_every_declared_field_is_tested_and_every_writer_declared() -> None:
    timeline = {(f.kind, f.field) for f in TEXT_FIELDS if f.kind != REVEAL_KIND}
    assert timeline == set(WRITERS)
    # A new kind of timeline entry must either be declared or be known to carry no text.
    assert {f.kind for f in TEXT_FIELDS if f.kind != REVEAL_KIND} == set(EventKind) - WITHOUT_TEXT


# ---------------------------------------------------------------- the surfaces

def _text(response: Any) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode()


def _reporter_page(number: str, code: str) -> str:
    browser = Client()
    proven = browser.post(f"/lacak/{number}/kode/", {"access_code": code})
    assert proven.status_code == 302, _text(proven)
    page = browser.get(f"/lacak/{number}/")
    assert page.status_code == 200
    assert "Riwayat dan pesan" in _text(page)  # the reporter's whole thread, not the public one
    return _text(page)


def _staff_page(username: str, report: Report) -> str:
    browser = Client()
    signed_in = browser.post("/petugas/masuk/", {"username": username, "password": PASSWORD,
                                                 "otp": current_totp(username) or ""})
    assert signed_in.status_code == 302
    page = browser.get(f"/petugas/laporan/{report.pk}/")
    assert page.status_code == 200
    return _text(page)


def _outbox(report: Report, *, follower: bool) -> str:
    rows = OutboxMessage.objects.filter(audience=Audience.REPORTER)
    if follower:
        rows = rows.filter(key__contains=":follower")
    else:
        rows = rows.filter(report_id=report.pk).exclude(key__contains=":follower")
    return "\n".join(f"{m.subject}\n{m.body}" for m in rows)


def _surfaces(written: Written) -> dict[str, tuple[Visibility, str, bool]]:
    """Surface name -> (its audience, its text, does it show timeline texts at all)."""
    report, number, code = written.report, written.report.tracking_number, written.access_code
    anyone, api = Client(), ApiClient()
    public_page = anyone.get(f"/laporan/{number}/")
    listed = public_page.status_code == 200
    open311_list = anyone.get("/open311/v2/requests.json", {"service_request_id": number})
    open311_one = anyone.get(f"/open311/v2/requests/{number}.json")
    full = api.get(f"/track/{number}/full", headers={"X-Access-Code": code})
    assert full.status_code == 200, full.content
    export = api.get(f"/track/{number}/my-data", headers={"X-Access-Code": code})
    assert export.status_code == 200, export.content
    return {
        "public report page": (Visibility.PUBLIC, _text(public_page), listed),
        "public tracking page": (Visibility.PUBLIC, _text(anyone.get(f"/lacak/{number}/")),
                                 True),
        "public tracking API": (Visibility.PUBLIC, _text(api.get(f"/track/{number}")), True),
        "Open311 GET requests": (Visibility.PUBLIC, _text(open311_list), listed),
        "Open311 GET service_request": (Visibility.PUBLIC, _text(open311_one), listed),
        "public feed": (Visibility.PUBLIC, _text(anyone.get("/laporan/")), False),
        "public statistics": (Visibility.PUBLIC, _text(anyone.get("/statistik/kutim/")), False),
        "reporter tracking page": (Visibility.REPORTER, _reporter_page(number, code), True),
        "reporter tracking API": (Visibility.REPORTER, _text(full), True),
        "reporter data export": (Visibility.REPORTER, _text(export), True),
        "messages to the reporter": (Visibility.REPORTER, _outbox(report, follower=False),
                                     False),
        "messages to followers": (Visibility.PUBLIC, _outbox(report, follower=True), False),
        "staff report page": (Visibility.INTERNAL, _staff_page("hub", report), True),
    }


_RANK = {Visibility.PUBLIC: 0, Visibility.REPORTER: 1, Visibility.INTERNAL: 2}
FOLLOW_UPS = (Action.FOLLOW_UP, Action.RESPOND)


def _must_show(surface: str, kind: str, shows_texts: bool) -> bool:
    """Must an allowed text be on ``surface``? Open311 shows one text, the newest public
    follow-up (status_notes); messages carry the text of a question or a follow-up."""
    if surface.startswith("Open311"):
        return shows_texts and kind in FOLLOW_UPS
    if surface == "messages to the reporter":
        return kind in (Action.HOLD, *FOLLOW_UPS)
    return shows_texts


def _check(written: Written) -> None:
    readers = text_visibility(written.kind, written.event_visibility)
    for surface, (audience, text, shows_texts) in _surfaces(written).items():
        if _RANK[readers] > _RANK[audience]:
            assert written.text not in text, f"{written.kind} text ({readers}) on {surface}"
        elif _must_show(surface, written.kind, shows_texts):
            assert written.text in text, f"{written.kind} text ({readers}) missing on {surface}"


@pytest.mark.parametrize(("kind", "field"), list(WRITERS), ids=str)
def test_each_text_reaches_exactly_its_declared_readers(tree: Tree, kind: str,
                                                        field: str) -> None:
    text = f"Teks-{kind}-{field}-Q7ZK hanya untuk yang berhak"
    written = WRITERS[(kind, field)](tree, text)
    assert written.kind == kind
    _check(written)


@pytest.mark.parametrize("case", list(NARROWED))
def test_a_follow_up_narrowed_to_the_reporter(tree: Tree, case: str) -> None:
    written = NARROWED[case](tree, f"Jawaban-{case.split(maxsplit=1)[0]}-Q7ZK khusus pelapor")
    assert text_visibility(written.kind, written.event_visibility) == Visibility.REPORTER
    _check(written)


def test_the_decisions(tree: Tree) -> None:
    """The declarations themselves, as docs/security.md states them."""
    assert declared(Action.DISPOSE) == declared(Action.FORWARD) == Visibility.INTERNAL
    assert declared(Action.RETURN_TO_VERIFIER) == declared(Action.NOTE) == Visibility.INTERNAL
    assert declared(Action.HOLD) == declared(Action.ARCHIVE) == Visibility.REPORTER
    assert declared(Action.RESPOND) == Visibility.PUBLIC
    assert declared("some_new_kind") == Visibility.INTERNAL  # undeclared: fail closed


def test_the_archive_category_is_a_label_and_never_the_note(tree: Tree) -> None:
    """The reporter reads the archive category and the note; the public, on the tracking page
    of an archived report (never listed), neither the note nor the category."""
    written = _w_archive(tree, "Catatan-arsip-Q7ZK untuk pelapor")
    public = _text(Client().get(f"/lacak/{written.report.tracking_number}/"))
    assert "Terlalu umum" not in public
    assert written.text not in public
    mine = _reporter_page(written.report.tracking_number, written.access_code)
    assert "Terlalu umum" in mine
    assert written.text in mine

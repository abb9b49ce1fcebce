"""Review findings of the federation code (issue #22): each test proves one defect."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from lapor.core import clock
from lapor.core.errors import Conflict
from lapor.federation import journal, mirror, transport
from lapor.federation.commands import command_forward
from lapor.federation.models import EntryKind, JournalEntry, Link, LinkRole
from lapor.federation.signing import signed_headers, signing_key, signing_key_encrypt
from lapor.federation.tests.stub_peer import journal_ack, stub_peer
from lapor.notifications.models import Audience, OutboxMessage
from lapor.privacy import vault
from lapor.reports import services
from lapor.reports.models import Report, ReporterContact, ReportEvent
from lapor.reports.submission import tracking_number_of
from tests.factories import Tree, drive, reporter_of, submit

JOURNAL = "/api/v1/federation/journal"
TOKEN = "lfed_" + "A" * 43


def _meta(headers: dict[str, str]) -> dict[str, str]:
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}


def _upstream(tree: Tree) -> Link:
    return Link.objects.create(role=LinkRole.UPSTREAM, agency=tree.kutim,
                               url="https://national.example",
                               signing_key_encrypted=signing_key_encrypt(signing_key(TOKEN)),
                               lane=3, created_at=clock.now() - timedelta(days=1))


def _post(headers: dict[str, str], raw: bytes) -> Any:
    return Client().post(JOURNAL, data=raw, content_type="application/json", **_meta(headers))


# ---------------------------------------------------------------- signed endpoints


@pytest.mark.parametrize("bad", ["é" * 64, "ü" + "0" * 63])
def test_a_non_ascii_signature_is_a_401_not_a_500(tree: Tree, bad: str) -> None:
    # On a regional instance the national sends no bearer token: anyone who knows the
    # (public) agency code reaches the signature check.
    _upstream(tree)
    raw = json.dumps({"entries": []}).encode()
    headers = signed_headers(agency_code="kutim", key=signing_key(TOKEN), method="POST",
                             path=JOURNAL, body=raw)
    headers["X-Lapor-Signature"] = bad
    response = _post(headers, raw)
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "bad_signature"


def test_a_nul_in_the_link_header_is_a_401_not_a_500(tree: Tree) -> None:
    _upstream(tree)
    raw = json.dumps({"entries": []}).encode()
    headers = signed_headers(agency_code="kutim\x00", key=signing_key(TOKEN), method="POST",
                             path=JOURNAL, body=raw)
    response = _post(headers, raw)
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "unknown_peer"


def test_a_signed_but_absurd_timestamp_is_stale_not_a_500(tree: Tree) -> None:
    _upstream(tree)
    raw = json.dumps({"entries": []}).encode()
    headers = signed_headers(agency_code="kutim", key=signing_key(TOKEN), method="POST",
                             path=JOURNAL, body=raw, timestamp=10**400)
    response = _post(headers, raw)
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "stale_request"


# ---------------------------------------------------------------- journal order


def test_a_command_never_travels_ahead_of_the_state_it_needs(tree: Tree) -> None:
    # National: a report disposed into the region (entry 1: the region gets it), then the
    # reporter writes on the national portal (entry 2, a command for the region, the holder
    # now), then one more local entry (e.g. the attachment of an e-mail reply, entry 3).
    link = Link.objects.create(role=LinkRole.PEER, agency=tree.kutim,
                               url="https://region.example", signing_key_encrypted="-",
                               lane=3, created_at=clock.now() - timedelta(days=1))
    report = submit(tree, region_code="31.71", target_agency_code="").report
    services.report_dispose(actor=tree.actor("national"), report_id=report.pk,
                            node_code=tree.pupr.code)
    with pytest.raises(Conflict):
        services.report_reporter_write(actor=reporter_of(report), report_id=report.pk,
                                       body="Lubangnya makin besar.")
    command_forward(report=report, action="write", args={"body": "Lubangnya makin besar."})
    journal.journal_append(link=link, report=report, kind=EntryKind.REPORT)
    entries = list(JournalEntry.objects.filter(link=link).order_by("seq"))
    assert [e.kind for e in entries] == ["report", "command", "report"]
    wire = mirror.snapshot_entries(link, entries)
    # The receiver applies in seq order: the command (seq 2) needs the report (seq 1) there,
    # else the region has no such report yet and drops the reporter's message.
    assert wire[1]["kind"] == "command"
    assert wire[0]["report"] is not None
    assert wire[0]["report"]["current_node"] == tree.pupr.code


def test_smaller_requests_still_carry_the_contact_of_a_report(
        tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    # Region: report A filed (entry 1, its first: it carries the reporter's contact), B
    # filed (entry 2), a note on A (entry 3). Snapshots too large for one request: the push
    # sends fewer entries per request. A's state and contact must still arrive.
    monkeypatch.setattr(transport, "BODY_MAX", 500)
    with stub_peer(journal_ack) as national:
        link = Link.objects.create(
            role=LinkRole.UPSTREAM, agency=tree.kutim, url=national.url,
            token_encrypted=vault.encrypt(TOKEN),
            signing_key_encrypted=signing_key_encrypt(signing_key(TOKEN)),
            lane=3, created_at=clock.now() - timedelta(days=1))
        first = submit(tree).report
        submit(tree, reporter_name="Budi")
        services.report_note(actor=tree.actor("hub"), report_id=first.pk, body="Cek lokasi.")
        assert link.entries.count() == 3
        transport.push(link)
    snapshots = [e["report"] for r in national.received for e in r.json()["entries"]
                 if e.get("report") and e["report"]["tracking_number"] == first.tracking_number]
    assert snapshots, "report A never travelled with its state"
    assert any(s["contact"] and s["contact"]["name"] == "Siti Aminah" for s in snapshots)


# ---------------------------------------------------------------- reporter messages, contact


def _arrived(tree: Tree, source: Report) -> tuple[Link, Report]:
    """On a region: ``source`` (a national report) arrives over the upstream link, in lane
    3, with its reporter's contact (not anonymous); the region holds it when it sits in the
    region's subtree."""
    link = _upstream(tree)
    data = mirror.snapshot(link, source, with_contact=True)
    data["tracking_number"] = tracking_number_of(3 * mirror.LANE_SIZE + 7)
    for event in data["events"]:
        event["id"] += 10**6
    data = json.loads(json.dumps(data))
    mirror.apply_entry(link, {"seq": 1, "kind": "report", "report": data})
    return link, Report.objects.get(tracking_number=data["tracking_number"])


def test_the_holder_does_not_message_a_reporter_of_the_other_instance(tree: Tree) -> None:
    # A national report disposed to PUPR is worked on the region. The national instance,
    # where it was filed, messages the reporter when the region's acknowledgement arrives
    # there; the region must not message them too (twice, through its own channels).
    _, copy = _arrived(tree, drive(tree, "disposed"))
    assert ReporterContact.objects.filter(report=copy).exists()
    services.report_acknowledge(actor=tree.actor("liaison_pupr"), report_id=copy.pk)
    event = ReportEvent.objects.get(report=copy, kind="acknowledge")
    rows = OutboxMessage.objects.filter(key__startswith=f"e{event.pk}:")
    assert not rows.filter(audience=Audience.REPORTER).exists()


def test_a_copy_made_anonymous_where_it_is_held_drops_the_reporter_contact(tree: Tree) -> None:
    # A national report for Kutai Timur (not anonymous: its contact travelled) is verified
    # on the region, whose verifier makes it anonymous. The region is not where it was
    # filed: from then on it keeps no identity of that reporter (docs: "the other side
    # stores no contact row at all"), as when the change comes from the other side.
    _, copy = _arrived(tree, submit(tree).report)
    assert ReporterContact.objects.filter(report=copy).exists()
    services.report_set_privacy(actor=tree.actor("hub"), report_id=copy.pk, anonymous=True)
    copy.refresh_from_db()
    assert copy.is_anonymous
    assert not ReporterContact.objects.filter(report=copy).exists()

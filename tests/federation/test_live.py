"""Federation between two live instances (issue #22): a national instance (PostgreSQL) and a
regional instance of Kutai Timur (SQLite), two ``lapor serve`` processes with their own data
directories, env files and databases, linked with ``lapor federation peer add`` and
``lapor federation upstream set`` (tests/federation/harness.py).

Every wait is a deadline on a condition (the journal is pushed after commit, and again each
minute), never an assertion on speed. The outage lasts ``LAPOR_FED_OUTAGE_SECONDS`` (60, the
issue's minute: the region's per-minute push and the outbox's retries fail meanwhile, so
what arrives afterwards is what the journal kept).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import time
from typing import Any

import pytest

from tests.demo_journey import log_problems
from tests.federation.harness import AGENCY, Answer, Instance, Pair, call, wait_for

pytestmark = pytest.mark.postgres

ARRIVAL = 180.0  # seconds: the deadline for anything to cross (generous on a busy machine)
OUTAGE = float(os.environ.get("LAPOR_FED_OUTAGE_SECONDS", "60"))
JAKARTA = "31.71.01"  # Gambir: no hub of its own, so a report for it waits in the national pool


def _visible(instance: Instance, number: str) -> dict[str, Any]:
    answer = wait_for(lambda: (a := instance.track(number)).status == 200 and a,
                      timeout=ARRIVAL, what=f"{number} on the {instance.name} instance")
    return dict(answer.data)


def _timeline(view: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(e["kind"], e["from_status"], e["to_status"], e["body"]) for e in view["timeline"]]


def _status_is(instance: Instance, number: str, status: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        answer = instance.track(number)
        return answer.data if answer.status == 200 and answer.data["status"] == status else None
    return dict(wait_for(check, timeout=ARRIVAL,
                         what=f"{number} {status} on the {instance.name} instance"))


def _report_id(instance: Instance, user: str, node: str, number: str) -> int:
    """The instance's own id of ``number``, from ``user``'s inbox of ``node`` (waiting for it
    to arrive there)."""
    def find() -> int | None:
        answer = instance.api("GET", f"/inbox?node={node}&include_subtree=true", user=user)
        assert answer.status == 200, answer
        return next((item["id"] for item in answer.data["items"]
                     if item["tracking_number"] == number), None)
    return int(wait_for(find, timeout=ARRIVAL,
                        what=f"{number} in {user}'s inbox on the {instance.name} instance"))


def _ok(answer: Answer, *expected: int) -> Any:
    assert answer.status in (expected or (200,)), f"{answer.status} {answer.data}"
    return answer.data


def _queue_out(pair: Pair) -> int:
    found = re.search(r"queue out: (\d+)", pair.status(pair.region))
    assert found, pair.status(pair.region)
    return int(found.group(1))


def _drained(pair: Pair) -> None:
    wait_for(lambda: _queue_out(pair) == 0, timeout=ARRIVAL, every=2,
             what="the region's journal acknowledged by the national instance")


def _work(instance: Instance, report_id: int, body: str, *, final: bool) -> None:
    """PUPR's liaison takes the report and writes a follow-up."""
    _ok(instance.api("POST", f"/reports/{report_id}/acknowledge", body={}, user="pupr"))
    _ok(instance.api("POST", f"/reports/{report_id}/follow-ups", user="pupr",
                     body={"body": body, "final": final}))


# ---------------------------------------------------------------- what flows


def _step_a_report_filed_regionally_is_on_the_national_instance(pair: Pair) -> None:
    filed = pair.region.submit(title="Lampu jalan padam di Jalan Soekarno-Hatta",
                               reporter_name="Rahmat Hidayat",
                               reporter_email="rahmat.hidayat@example.org")
    number, code = filed["tracking_number"], filed["access_code"]

    national = _visible(pair.national, number)
    regional = _ok(pair.region.track(number))
    assert national["tracking_number"] == number
    assert national["status"] == regional["status"] == "submitted"
    assert _timeline(national) == _timeline(regional)
    # One access code opens the reporter's view on both instances.
    for instance in (pair.region, pair.national):
        full = _ok(instance.api("GET", f"/track/{number}/full",
                                headers={"X-Access-Code": code}))
        assert full["title"] == "Lampu jalan padam di Jalan Soekarno-Hatta"
    # A named reporter's contact travels (re-encrypted by the national vault).
    assert _contacts(pair.national, number) == 1
    pair.ledger["region"].append(number)


def _step_a_national_disposition_is_worked_regionally_and_closed_by_the_reporter_nationally(
    pair: Pair,
) -> None:
    filed = pair.national.submit(
        title="Pelayanan KTP-el warga Kutai Timur di Jakarta", region_code=JAKARTA,
        target_agency_code=None, reporter_name="Dewi Lestari",
        reporter_email="dewi.lestari@example.org",
        body="Warga Kutai Timur yang bekerja di Jakarta tidak dapat mencetak KTP-el; mohon "
             "Disdukcapil Kutai Timur memberi jalan keluar.")
    number, code = filed["tracking_number"], filed["access_code"]
    reporter = {"X-Access-Code": code}

    national_id = _report_id(pair.national, "nasional", "nasional", number)
    _ok(pair.national.api("POST", f"/reports/{national_id}/dispose", user="nasional",
                          body={"node": AGENCY, "note": "Kewenangan Pemkab Kutai Timur."}))

    # Delivered to the region, in its hub verifier's inbox, with the national deadlines.
    region_id = _report_id(pair.region, "kominfo", AGENCY, number)
    regional = _ok(pair.region.api("GET", f"/reports/{region_id}", user="kominfo"))
    national = _ok(pair.national.api("GET", f"/reports/{national_id}", user="nasional"))
    assert regional["status"] == national["status"] == "disposed"
    assert regional["tracking_number"] == number
    assert regional["deadlines"] == national["deadlines"]
    # While the region holds it, the national instance may not change it: the local 409.
    refused = pair.national.api("POST", f"/reports/{national_id}/notes", user="nasional",
                                body={"body": "Mohon dipercepat."})
    assert (refused.status, refused.code) == (409, "held_by_peer")

    _ok(pair.region.api("POST", f"/reports/{region_id}/forward", user="kominfo",
                        body={"node": "kutim-pupr"}))
    answer = "Surat keterangan pengganti KTP-el dapat diunduh; KTP-el dicetak di Sangatta."
    _work(pair.region, region_id, answer, final=True)

    # The reporter sees the follow-up on the national portal, with the same access code.
    responded = _status_is(pair.national, number, "responded")
    assert answer in [event["body"] for event in responded["timeline"]]
    full = _ok(pair.national.api("GET", f"/track/{number}/full", headers=reporter))
    assert full["status"] == "responded"

    # Accepting there is forwarded to the region, which holds the report.
    forwarded = pair.national.api("POST", f"/track/{number}/reply", headers=reporter,
                                  body={"accept": True, "rating": 5})
    assert (forwarded.status, forwarded.code) == (202, "forwarded_to_peer")
    regional_closed = _status_is(pair.region, number, "closed")
    national_closed = _status_is(pair.national, number, "closed")
    assert _timeline(national_closed) == _timeline(regional_closed)
    # The reporter's own timeline (with the acceptance) is the same on both, the reply once.
    views = [_ok(instance.api("GET", f"/track/{number}/full", headers=reporter))
             for instance in (pair.national, pair.region)]
    assert _timeline(views[0]) == _timeline(views[1])
    assert [e["kind"] for e in views[0]["timeline"]].count("accept") == 1
    assert views[0]["rating"] == views[1]["rating"] == 5
    pair.ledger["national_to_region"].append(number)


def _step_an_outage_of_the_national_instance_delays_and_loses_nothing(pair: Pair) -> None:
    _drained(pair)
    pair.national.stop(kill=True)
    down_at = time.monotonic()
    numbers = [pair.region.submit(title=f"Drainase tersumbat di RT {n:02d}",
                                  reporter_name=f"Pelapor Banjir {n}",
                                  reporter_email=f"banjir{n}@example.org",
                                  category_code="drainase-banjir")["tracking_number"]
               for n in range(1, 6)]
    worked = numbers[:2]
    for index, number in enumerate(worked):
        report_id = _report_id(pair.region, "kominfo", AGENCY, number)
        _ok(pair.region.api("POST", f"/reports/{report_id}/dispose", user="kominfo",
                            body={"node": "kutim-pupr"}))
        _work(pair.region, report_id, f"Tim SDA membersihkan saluran RT {index + 1:02d}.",
              final=False)
    waiting = _queue_out(pair)
    assert waiting >= len(numbers)  # the journal keeps them while the national is down
    time.sleep(max(0.0, OUTAGE - (time.monotonic() - down_at)))

    pair.national.start()  # the same data directory and database
    samples = [waiting]
    wait_for(lambda: samples.append(_queue_out(pair)) or samples[-1] == 0,
             timeout=ARRIVAL, every=2, what="the backlog drained after the outage")
    assert samples[0] > 0
    assert samples[-1] == 0

    # Each once, created in the order it was filed there (a batch carries a report's state
    # at its first entry), with the moment it was filed.
    rows = pair.national.query(
        "SELECT tracking_number FROM reports_report WHERE tracking_number = ANY(%s) "
        "ORDER BY id", (numbers,))
    assert [row[0] for row in rows] == numbers
    for number in numbers:
        national, regional = _ok(pair.national.track(number)), _ok(pair.region.track(number))
        assert national["status"] == regional["status"]
        assert _timeline(national) == _timeline(regional)  # every event once, in order
    for number in worked:
        follow_ups = [e for e in _ok(pair.national.track(number))["timeline"]
                      if e["kind"] == "follow_up"]
        assert len(follow_ups) == 1
    assert _link_positions(pair)["national_received"] == _link_positions(pair)["region_written"]
    pair.ledger["region"] += numbers


def _link_positions(pair: Pair) -> dict[str, int]:
    national = pair.national.query("SELECT received_through FROM federation_link "
                                   "WHERE role = 'peer'")
    region = pair.region.query("SELECT next_seq - 1, sent_through FROM federation_link "
                               "WHERE role = 'upstream'")
    return {"national_received": int(national[0][0]), "region_written": int(region[0][0]),
            "region_acknowledged": int(region[0][1])}


# ---------------------------------------------------------------- trust


def _signed(pair: Pair, body: bytes, *, key: bytes | None = None,
            timestamp: int | None = None) -> dict[str, str]:
    """A region's request to the national journal, signed as docs/federation.md says."""
    token = pair.token
    key = key or hmac.new(token.encode(), b"lapor-federation-signing-v1",
                          hashlib.sha256).digest()
    when = str(timestamp if timestamp is not None else int(time.time()))
    message = f"{when}\nPOST\n/api/v1/federation/journal\n".encode() + body
    return {"Authorization": f"Bearer {token}", "X-Lapor-Link": AGENCY,
            "X-Lapor-Timestamp": when,
            "X-Lapor-Signature": hmac.new(key, message, hashlib.sha256).hexdigest()}


def _journal(pair: Pair, body: bytes, headers: dict[str, str]) -> Answer:
    return call(pair.national.api_base, "POST", "/federation/journal", raw=body,
                headers=headers)


def _step_a_replayed_or_tampered_request_is_refused(pair: Pair) -> None:
    body = json.dumps({"entries": []}).encode()
    headers = _signed(pair, body)

    first = _journal(pair, body, headers)
    assert first.status == 200, first
    assert isinstance(first.data["received_through"], int)
    replayed = _journal(pair, body, headers)  # the same bytes, the same signature
    assert (replayed.status, replayed.code) == (401, "replayed_request")

    fresh = _signed(pair, body, timestamp=int(time.time()) + 1)
    tampered = _journal(pair, b'{"entries": [{"seq": 1}]}', fresh)  # body changed in transit
    assert (tampered.status, tampered.code) == (401, "bad_signature")
    resigned = _signed(pair, body, key=hashlib.sha256(b"a guessed key").digest())
    forged = _journal(pair, body, resigned)  # signed again with a key that is not the link's
    assert (forged.status, forged.code) == (401, "bad_signature")
    stale = _journal(pair, body, _signed(pair, body, timestamp=int(time.time()) - 3600))
    assert (stale.status, stale.code) == (401, "stale_request")
    wrong_token = {**_signed(pair, body), "Authorization": "Bearer lfed_" + "x" * 43}
    unknown = _journal(pair, body, wrong_token)
    assert (unknown.status, unknown.code) == (401, "unknown_peer")


# ---------------------------------------------------------------- privacy

NAME = "Sekartaji Purbaningrum"
NIK = "6408045507900002"
PHONE = "+62 813-5555-0192"
EMAIL = "sekartaji.pb@example.org"
IDENTITY = (NAME, "Sekartaji", "Purbaningrum", NIK, PHONE, "+6281355550192", "6281355550192",
            "081355550192", "81355550192", "813-5555-0192", EMAIL, "sekartaji.pb")


def _contacts(instance: Instance, number: str) -> int:
    rows = instance.query("SELECT count(*) FROM reports_reportercontact c JOIN reports_report r "
                          "ON r.id = c.report_id WHERE r.tracking_number = %s", (number,))
    return int(rows[0][0])


def _step_an_anonymous_reporters_identity_stays_where_it_was_filed(pair: Pair) -> None:
    filed = pair.region.submit(
        title="Pungutan di loket pelayanan kecamatan", is_anonymous=True,
        category_code="pungli", reporter_name=NAME, reporter_nik=NIK, reporter_phone=PHONE,
        reporter_email=EMAIL,
        body="Petugas loket meminta uang tambahan untuk surat keterangan tanpa kuitansi.")
    number = filed["tracking_number"]
    report_id = _report_id(pair.region, "kominfo", AGENCY, number)
    _ok(pair.region.api("POST", f"/reports/{report_id}/dispose", user="kominfo",
                        body={"node": "kutim-inspektorat"}))
    _visible(pair.national, number)
    _drained(pair)
    pair.ledger["region"].append(number)

    # Where it was filed: one contact row, encrypted (no plaintext in any text column).
    assert _contacts(pair.region, number) == 1
    assert pair.region.scan(IDENTITY) == []
    # On the national instance: no contact row at all, and the identity nowhere.
    assert _contacts(pair.national, number) == 0
    assert pair.national.scan(IDENTITY) == []
    national_id = _report_id(pair.national, "nasional", "nasional", number)
    staff = _ok(pair.national.api("GET", f"/reports/{national_id}", user="nasional"))
    assert staff["reporter"] is None
    assert NAME not in json.dumps(staff)


# ---------------------------------------------------------------- compliance


def _figure(instance: Instance, user: str, code: str) -> int:
    answer = instance.api("GET", f"/stats/nodes/{code}", user=user)
    return int(_ok(answer)["totals"]["reports"] or 0)


def _step_the_national_dashboard_counts_the_regions_reports(pair: Pair) -> None:
    # A report that never leaves the national instance, beside the region's.
    pair.national.submit(title="Stok vaksin di fasilitas kesehatan", target_agency_code="kemenkes",
                         region_code=JAKARTA, reporter_name="Budi Santoso",
                         reporter_email="budi.santoso@example.org")
    _drained(pair)

    def balanced() -> tuple[int, int, int] | None:
        national_root = _figure(pair.national, "nasional", "nasional")
        national_local = _figure(pair.national, "nasional", "kemenkes")
        regional = _figure(pair.region, "bupati", AGENCY)
        expected = len(pair.ledger["region"]) + len(pair.ledger["national_to_region"])
        if regional == expected and national_root == national_local + regional:
            return national_root, national_local, regional
        return None

    _, national_local, regional = wait_for(
        balanced, timeout=ARRIVAL, every=5, what="the dashboards' counters refreshed")
    assert national_local == 1
    assert _figure(pair.national, "nasional", AGENCY) == regional


# ---------------------------------------------------------------- the test


# One test for the whole story: the pair of servers takes minutes to build, and pytest-xdist
# would build one per worker for separate tests (its ``loadgroup`` does not group under this
# pytest). Each step is a function named for what it checks; a failure's traceback names it.
@pytest.mark.timeout(1800)
def test_two_live_instances_share_reports_once_in_order_and_privately(pair: Pair) -> None:
    _step_a_report_filed_regionally_is_on_the_national_instance(pair)
    _step_a_national_disposition_is_worked_regionally_and_closed_by_the_reporter_nationally(pair)
    _step_an_outage_of_the_national_instance_delays_and_loses_nothing(pair)
    _step_a_replayed_or_tampered_request_is_refused(pair)
    _step_an_anonymous_reporters_identity_stays_where_it_was_filed(pair)
    _step_the_national_dashboard_counts_the_regions_reports(pair)
    # Nothing went wrong on the way: no traceback, no ERROR line in either server's log.
    for instance in (pair.national, pair.region):
        assert log_problems(instance.log_path.read_text(errors="replace")) == [], instance.name

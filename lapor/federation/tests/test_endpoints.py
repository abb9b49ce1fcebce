"""The receiving endpoints through Django's test client: signatures, replays, stale and
unknown peers, malformed bodies, the handshake's answer."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from lapor.core import clock
from lapor.federation import keys
from lapor.federation.models import Link, SeenSignature
from lapor.federation.services import peer_add
from lapor.federation.signing import signed_headers, signing_key
from lapor.reports import numbering
from tests.factories import Tree, submit

JOURNAL = "/api/v1/federation/journal"
HELLO = "/api/v1/federation/hello"


def _client() -> Client:
    return Client(enforce_csrf_checks=True)


def _meta(headers: dict[str, str]) -> dict[str, str]:
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}


def _post(token: str, body: dict[str, Any], *, agency: str = "kutim",
          timestamp: int | None = None, key: bytes | None = None) -> Any:
    raw = json.dumps(body).encode()
    headers = signed_headers(agency_code=agency, key=key or signing_key(token), method="POST",
                             path=JOURNAL, body=raw, token=token, timestamp=timestamp)
    return _client().post(JOURNAL, data=raw, content_type="application/json", **_meta(headers))


def _get_hello(token: str, *, agency: str = "kutim") -> Any:
    headers = signed_headers(agency_code=agency, key=signing_key(token), method="GET",
                             path=HELLO, body=b"", token=token)
    return _client().get(HELLO, **_meta(headers))


@pytest.fixture
def applied(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A stand-in for the mirror's apply (F2's work): records the seqs it was given."""
    seen: list[int] = []
    from lapor.federation import mirror  # noqa: PLC0415

    monkeypatch.setattr(mirror, "apply_entry", lambda link, entry: seen.append(entry["seq"]))
    return seen


def test_hello_answers_lane_reserved_numbers_and_key(tree: Tree) -> None:
    # A national number already in lane 1 must be handed over as reserved.
    low, _ = numbering.lane_bounds(1)
    in_lane = submit(tree).report
    in_lane.tracking_number = "1" + str(low + 12345).zfill(10) + "0"
    in_lane.save(update_fields=["tracking_number"])
    link, token = peer_add(agency_code="kutim", url="https://region.example")
    response = _get_hello(token)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["agency"] == "kutim"
    assert body["lane"] == link.lane == 1
    assert body["reserved_numbers"] == [in_lane.tracking_number]
    assert base64.b64decode(body["access_code_key"]) == keys.shared_access_code_key()


def test_journal_applies_and_acknowledges(tree: Tree, applied: list[int]) -> None:
    _, token = peer_add(agency_code="kutim", url="https://region.example")
    response = _post(token, {"entries": [{"seq": 2, "kind": "report"},
                                         {"seq": 1, "kind": "report"}]})
    assert response.status_code == 200, response.content
    assert response.json() == {"received_through": 2, "error": None}
    assert applied == [1, 2]
    assert Link.objects.get().received_through == 2


def test_replayed_request_refused(tree: Tree, applied: list[int]) -> None:
    _, token = peer_add(agency_code="kutim", url="https://region.example")
    raw = json.dumps({"entries": [{"seq": 1, "kind": "report"}]}).encode()
    headers = signed_headers(agency_code="kutim", key=signing_key(token), method="POST",
                             path=JOURNAL, body=raw, token=token)
    first = _client().post(JOURNAL, data=raw, content_type="application/json",
                           **_meta(headers))
    again = _client().post(JOURNAL, data=raw, content_type="application/json",
                           **_meta(headers))
    assert first.status_code == 200
    assert again.status_code == 401
    assert again.json()["code"] == "replayed_request"
    assert applied == [1]
    assert SeenSignature.objects.count() == 1


def test_stale_request_refused(tree: Tree, applied: list[int]) -> None:
    _, token = peer_add(agency_code="kutim", url="https://region.example")
    old = int(clock.now().timestamp()) - 301
    response = _post(token, {"entries": [{"seq": 1, "kind": "report"}]}, timestamp=old)
    assert response.status_code == 401
    assert response.json()["code"] == "stale_request"
    ahead = int(clock.now().timestamp()) + 301
    response = _post(token, {"entries": [{"seq": 1, "kind": "report"}]}, timestamp=ahead)
    assert response.json()["code"] == "stale_request"
    assert applied == []


def test_bad_signature_refused(tree: Tree, applied: list[int]) -> None:
    _, token = peer_add(agency_code="kutim", url="https://region.example")
    response = _post(token, {"entries": [{"seq": 1, "kind": "report"}]},
                     key=signing_key(token + "x"))
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    # The body changed after signing: also a bad signature.
    raw = json.dumps({"entries": [{"seq": 1, "kind": "report"}]}).encode()
    headers = signed_headers(agency_code="kutim", key=signing_key(token), method="POST",
                             path=JOURNAL, body=raw, token=token)
    tampered = raw.replace(b"1", b"2")
    response = _client().post(JOURNAL, data=tampered, content_type="application/json",
                              **_meta(headers))
    assert response.json()["code"] == "bad_signature"
    assert applied == []


def test_unknown_peer_refused(tree: Tree, applied: list[int]) -> None:
    _, token = peer_add(agency_code="kutim", url="https://region.example")
    other = "lfed_" + "A" * 43
    # A token nobody was given, signed correctly with it.
    assert _post(other, {"entries": []}).json()["code"] == "unknown_peer"
    # The right token for another agency code.
    assert _post(token, {"entries": []}, agency="samarinda").json()["code"] == "unknown_peer"
    # No headers at all.
    response = _client().post(JOURNAL, data=b'{"entries": []}', content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "unknown_peer"
    assert _get_hello(other).status_code == 401
    assert applied == []


def test_malformed_body_is_422_never_500(tree: Tree, applied: list[int]) -> None:
    _, token = peer_add(agency_code="kutim", url="https://region.example")
    for body in ({}, {"entries": "x"}, {"entries": [{"kind": "report"}]},
                 {"entries": [{"seq": 0}]}, {"entries": [{"seq": True}]}, {"entries": [3]}):
        response = _post(token, body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["code"] in ("required", "validation_error")
    raw = b"{not json"
    headers = signed_headers(agency_code="kutim", key=signing_key(token), method="POST",
                             path=JOURNAL, body=raw, token=token)
    response = _client().post(JOURNAL, data=raw, content_type="application/json",
                              **_meta(headers))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_json"
    assert applied == []


def test_entry_that_cannot_be_applied_stops_the_batch(tree: Tree,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from lapor.core.errors import ValidationFailed  # noqa: PLC0415
    from lapor.federation import mirror  # noqa: PLC0415

    def apply(link: Link, entry: dict[str, Any]) -> None:
        if entry["seq"] == 2:
            raise ValidationFailed("unknown_node")

    monkeypatch.setattr(mirror, "apply_entry", apply)
    _, token = peer_add(agency_code="kutim", url="https://region.example")
    response = _post(token, {"entries": [{"seq": n, "kind": "report"} for n in (1, 2, 3)]})
    assert response.status_code == 200
    assert response.json() == {"received_through": 1, "error": "unknown_node"}
    link = Link.objects.get()
    assert link.received_through == 1
    assert link.last_error == "entry 2: unknown_node"


def test_openapi_documents_the_endpoints(tree: Tree) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    journal = schema["paths"]["/api/v1/federation/journal"]["post"]
    assert "replayed_request" in journal["description"]
    assert "requestBody" in journal
    assert "/api/v1/federation/hello" in schema["paths"]


def test_the_region_accepts_the_nationals_signed_journal_without_a_bearer(
        tree: Tree, applied: list[int]) -> None:
    from lapor.federation.services import upstream_set  # noqa: PLC0415
    from lapor.federation.signing import token_new  # noqa: PLC0415
    from lapor.federation.tests.stub_peer import stub_peer  # noqa: PLC0415

    token = token_new()
    key = base64.b64encode(bytes(32)).decode()
    with stub_peer(lambda got: (200, {"agency": "kutim", "lane": 1, "reserved_numbers": [],
                                      "access_code_key": key})) as national:
        upstream_set(url=national.url, agency_code="kutim", token=token)
    raw = json.dumps({"entries": [{"seq": 1, "kind": "report"}]}).encode()
    headers = signed_headers(agency_code="kutim", key=signing_key(token), method="POST",
                             path=JOURNAL, body=raw)
    assert "Authorization" not in headers
    response = _client().post(JOURNAL, data=raw, content_type="application/json",
                              **_meta(headers))
    assert response.status_code == 200, response.content
    assert response.json()["received_through"] == 1
    assert applied == [1]
    # A region answers no handshake.
    assert _get_hello(token).json()["code"] == "unknown_peer"

"""``/api/v1/federation/*``: what another Lapor instance calls (issue #22, docs/federation.md).

No session, no CSRF: every request is signed with the link's key (``X-Lapor-Link``,
``X-Lapor-Timestamp``, ``X-Lapor-Signature``; from a region also ``Authorization: Bearer
lfed_…``) and checked before its body is read (lapor.federation.signing).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from lapor.core.api import ObjectBody, StrictJSONParser, errors
from lapor.core.errors import NotAuthenticated, ValidationFailed
from lapor.federation.models import Link, LinkRole
from lapor.federation.receive import journal_receive_detail
from lapor.federation.services import hello_answer, numbers_receive
from lapor.federation.signing import (
    HEADER_LINK,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    SignedRequest,
    request_verify,
)
from lapor.federation.transport import NUMBERS_BATCH

router = Router(tags=["federation"])

# At most this many entries in one request (a sender sends LAPOR_FEDERATION_BATCH, 100).
ENTRIES_MAX = 1000

_SIGNED = (
    "Signed: `X-Lapor-Link` (the federated agency's code), `X-Lapor-Timestamp` (unix "
    "seconds), `X-Lapor-Signature` (hex HMAC-SHA256, under the link's key, of "
    "`\"{timestamp}\\n{METHOD}\\n{path}\\n\" + body`); a regional instance also sends "
    "`Authorization: Bearer lfed_…`. Refused with 401: `unknown_peer` (no such link, wrong "
    "token), `bad_signature`, `stale_request` (timestamp more than "
    "`LAPOR_FEDERATION_SKEW_SECONDS` off), `replayed_request` (a signature already accepted)."
)


def _link(request: HttpRequest) -> Link:
    return request_verify(SignedRequest(
        method=request.method or "", path=request.path, body=request.body,
        agency_code=request.headers.get(HEADER_LINK, ""),
        timestamp=request.headers.get(HEADER_TIMESTAMP, ""),
        signature=request.headers.get(HEADER_SIGNATURE, ""),
        authorization=request.headers.get("Authorization", "")))


class JournalEntryIn(ObjectBody):
    seq: int = Field(ge=1, description="The entry's position in the link's journal (1, 2, …)")
    kind: str = Field(description="`report` (a report's state and new events) or `command` "
                      "(a reporter's action for the instance holding the report)")


class JournalIn(ObjectBody):
    entries: list[JournalEntryIn] = Field(
        max_length=ENTRIES_MAX,
        description="Entries in any order; each also carries the snapshot fields "
        "(docs/federation.md, \"Snapshot format\").")


class JournalOut(Schema):
    received_through: int = Field(
        description="Every entry up to this seq is applied here: the sender forgets them "
        "and sends again from the next one")
    error: str | None = Field(
        default=None, description="Why the entry after `received_through` was not applied "
        "(its error code), when one in the batch was refused")


class HelloOut(Schema):
    agency: str = Field(description="The federated agency's code")
    lane: int = Field(description="The tracking-number lane given to the regional instance")
    reserved_numbers: list[str] = Field(
        description="Tracking numbers the national instance already issued in that lane")
    access_code_key: str = Field(description="The shared access-code key (base64)")


class NumbersIn(ObjectBody):
    numbers: list[str] = Field(
        max_length=NUMBERS_BATCH,
        description="Tracking numbers the regional instance has issued (each twelve ASCII "
        "digits with a valid Verhoeff check digit)")


class NumbersOut(Schema):
    reserved: int = Field(
        description="Distinct numbers of the request now reserved: never issued here")
    already_issued: int = Field(
        description="Of those, numbers a report of this instance already has (not a copy "
        "received from this region): a collision from before the link that cannot be "
        "undone; such a report cannot be shared with the region")
    already_issued_numbers: list[str] = Field(
        description="The first 100 of those numbers, ascending")


def _entries(request: HttpRequest) -> list[dict[str, Any]]:
    """The body's entries, each a JSON object with an integer ``seq`` ≥ 1 (422 otherwise);
    UTF-8 JSON within the API's depth and character rules (lapor.core.api)."""
    data = StrictJSONParser().parse_body(request)
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValidationFailed("required", field="entries")
    if len(entries) > ENTRIES_MAX:
        raise ValidationFailed("request_too_large", field="entries")
    for index, entry in enumerate(entries):
        seq = entry.get("seq") if isinstance(entry, dict) else None
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise ValidationFailed("validation_error", field=f"entries.{index}.seq")
    return entries


@router.post(
    "/federation/journal",
    response={200: JournalOut, **errors(401)},
    summary="Receive journal entries from the other instance of a federation link",
    description=(
        "Applies the entries of the link's journal in order, exactly once: entry `n` only "
        "after `n - 1`, each in its own transaction with the link's counter; an entry at or "
        "below the counter is a repeat and acknowledged without applying; a gap or an entry "
        "that cannot be applied stops the batch (the answer says how far it got, and why). "
        "Retries are therefore safe (the `Idempotency-Key` header, "
        "`<agency>:<first seq>-<last seq>`, is informative). " + _SIGNED
        + " A body that is not `{\"entries\": [{\"seq\": n, …}, …]}` is 422."),
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": JournalIn.model_json_schema()}}}},
)
def federation_journal(request: HttpRequest) -> dict[str, Any]:
    link = _link(request)
    entries = _entries(request)
    received_through, error = journal_receive_detail(link, entries)
    return {"received_through": received_through, "error": error or None}


@router.get(
    "/federation/hello",
    response={200: HelloOut, **errors(401)},
    summary="The handshake of a regional instance (national instance only)",
    description=(
        "Answered by the national instance to the regional instance of a `peer` link (what "
        "`lapor federation upstream set` calls): the lane of tracking numbers the region "
        "issues from, the numbers already issued in it here (never to be issued there), and "
        "the access-code key the instances share. " + _SIGNED),
)
def federation_hello(request: HttpRequest) -> dict[str, Any]:
    link = _link(request)
    if link.role != LinkRole.PEER:
        raise NotAuthenticated("unknown_peer")
    return hello_answer(link)


@router.post(
    "/federation/numbers",
    response={200: NumbersOut, **errors(401)},
    summary="Reserve a regional instance's existing tracking numbers (national instance only)",
    description=(
        "Called by `lapor federation upstream set` on the regional instance of a `peer` link, "
        "after the handshake: the tracking numbers it issued before the link (drawn anywhere "
        "in the number space), in batches of at most " f"{NUMBERS_BATCH:,}" + ". The national "
        "instance reserves them and never issues one of them, so a report it later shares "
        "with the region cannot collide with one of the region's own. Idempotent (a number "
        "sent again stays reserved once). A body that is not `{\"numbers\": [...]}` is 422 "
        "`required`; a number that is not twelve ASCII digits with a valid check digit is "
        "422 `invalid_entry` (`field`: `numbers.<index>`), more than the batch size 422 "
        "`request_too_large`: nothing is stored then. " + _SIGNED),
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": NumbersIn.model_json_schema()}}}},
)
def federation_numbers(request: HttpRequest) -> dict[str, Any]:
    link = _link(request)
    if link.role != LinkRole.PEER:
        raise NotAuthenticated("unknown_peer")
    data = StrictJSONParser().parse_body(request)
    return numbers_receive(link, data.get("numbers") if isinstance(data, dict) else None)

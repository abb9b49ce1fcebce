"""Making links between instances (``lapor federation peer add`` / ``upstream set``), audited.

On the **national** instance :func:`peer_add` registers a regional instance as the home of
one hub agency's subtree: a new token (returned once, stored hashed), the lowest free
tracking-number lane ≥ 1 (never drawn here again), and the shared access-code key made at
the first peering. On the **regional** instance :func:`upstream_set` first makes the signed
handshake with the national instance (``GET /api/v1/federation/hello``), then hands over its
existing tracking numbers (``POST /api/v1/federation/numbers``, :func:`numbers_receive` on the
national side, which reserves them: numbers a region issued before its link lie anywhere in
the space); only when both work does it store the link, its lane with the numbers already
issued in it, and the shared key.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.core.errors import Conflict, ValidationFailed
from lapor.federation import keys, transport
from lapor.federation.models import Link, LinkRole, MirroredReport, Origin
from lapor.federation.signing import (
    TOKEN_PREFIX,
    signing_key,
    signing_key_encrypt,
    token_hash,
    token_new,
)
from lapor.orgs.models import NodeKind, OrgNode
from lapor.privacy import vault
from lapor.reports import numbering
from lapor.reports.models import Report
from lapor.reports.submission import tracking_number_valid

logger = logging.getLogger(__name__)

URL_MAX = 300
# The numbers a national instance names back when a region's numbers collide with its own.
ISSUED_SAMPLE = 100
_TOKEN = re.compile(r"^lfed_[A-Za-z0-9_\-]{43}$")


def _check_url(url: str) -> str:
    url = url.strip().rstrip("/")
    try:
        if len(url) > URL_MAX:
            raise DjangoValidationError("too long")
        URLValidator(schemes=["http", "https"])(url)
    except DjangoValidationError:
        raise ValidationFailed("validation_error", field="url") from None
    return url


def _hub_agency(agency_code: str) -> OrgNode:
    agency = OrgNode.objects.filter(code=agency_code, kind=NodeKind.AGENCY, is_hub=True,
                                    is_active=True).first()
    if agency is None:
        raise ValidationFailed("unknown_node", field="agency")
    return agency


def _free_lane(lane: int | None) -> int:
    taken = set(Link.objects.values_list("lane", flat=True)) | set(numbering.given_lanes())
    if lane is not None:
        if not 1 <= lane < numbering.LANES:
            raise ValidationFailed("validation_error", field="lane")
        if lane in taken:
            raise Conflict("already_linked", field="lane")
        return lane
    free = next((n for n in range(1, numbering.LANES) if n not in taken), None)
    if free is None:
        raise Conflict("already_linked", field="lane")
    return free


def peer_add(*, agency_code: str, url: str, lane: int | None = None) -> tuple[Link, str]:
    """Register the regional instance at ``url`` as the home of hub agency ``agency_code``
    (national side). Returns the link and its token, shown only now (stored hashed).
    Refuses an agency already linked (409 ``already_linked``), a code that is not an active
    hub agency (422 ``unknown_node``), a taken or out-of-range ``lane``."""
    url = _check_url(url)
    agency = _hub_agency(agency_code)
    token = token_new()
    try:
        with transaction.atomic():
            if Link.objects.filter(agency=agency).exists():
                raise Conflict("already_linked", field="agency")
            chosen = _free_lane(lane)
            link = Link.objects.create(
                role=LinkRole.PEER, agency=agency, url=url, token_hash=token_hash(token),
                signing_key_encrypted=signing_key_encrypt(signing_key(token)), lane=chosen,
                created_at=clock.now())
            numbering.number_lane_give(chosen)
            keys.shared_key_ensure()
            audit_record(action="federation.peer_added", target_type="federation_link",
                         target_id=link.pk,
                         payload={"agency": agency.code, "url": url, "lane": chosen})
    except IntegrityError:  # a concurrent peer add for the same agency or lane
        raise Conflict("already_linked", field="agency") from None
    return link, token


@dataclass(frozen=True)
class UpstreamSet:
    """What :func:`upstream_set_detail` did: the link, and how the national instance took
    this instance's existing tracking numbers."""

    link: Link
    numbers_sent: int
    reserved: int
    # Numbers the national instance had already issued for a report of its own before the
    # link: a collision that cannot be undone (that report cannot be shared to this side).
    already_issued: int
    already_issued_numbers: list[str]


def _strict_number(value: object) -> bool:
    """Twelve ASCII digits (nothing to normalise) with a valid Verhoeff check."""
    return (isinstance(value, str) and len(value) == 12 and value.isascii()
            and value.isdigit() and tracking_number_valid(value))


@dataclass
class _Sent:
    through_pk: int = 0
    numbers: int = 0
    reserved: int = 0
    already_issued: int = 0
    issued_numbers: list[str] = field(default_factory=list)


def _numbers_send(*, url: str, agency_code: str, token: str, sent: _Sent) -> None:
    """Send the numbers of this instance's reports after ``sent.through_pk`` (every report
    filed here, training ones too; not the copies received from the national instance) in
    batches of ``transport.NUMBERS_BATCH``; ``sent`` adds up the answers."""
    received = MirroredReport.objects.filter(report=OuterRef("pk"), origin=Origin.PEER)
    issued = sent.issued_numbers
    while True:
        rows = list(Report.objects.filter(pk__gt=sent.through_pk).filter(~Exists(received))
                    .order_by("pk").values_list("pk", "tracking_number")
                    [: transport.NUMBERS_BATCH])
        if not rows:
            return
        # A number that is not a valid twelve-digit one can never be drawn there: skipped.
        numbers = [number for _, number in rows if _strict_number(number)]
        if numbers:
            answer = transport.numbers_send(url=url, agency_code=agency_code, token=token,
                                            numbers=numbers)
            sent.numbers += len(numbers)
            sent.reserved += answer.reserved
            sent.already_issued += answer.already_issued
            issued.extend(answer.already_issued_numbers[: ISSUED_SAMPLE - len(issued)])
        sent.through_pk = rows[-1][0]


def upstream_set_detail(*, url: str, agency_code: str, token: str) -> UpstreamSet:
    """Link this regional instance to the national instance at ``url`` for its hub agency
    ``agency_code``, with the token ``peer add`` printed there. The signed handshake comes
    first, then this instance's existing tracking numbers go to the national instance, which
    never issues them from then on (they were drawn anywhere in the space before the link);
    if either fails nothing is stored here (run it again) and
    :class:`lapor.federation.transport.PeerFailed` says why (``peer_unreachable`` or the
    national instance's code, e.g. ``unknown_peer``). Setting it again for the same agency
    replaces the URL and credentials (the journal positions stay); another agency is
    refused (409 ``already_linked``)."""
    url = _check_url(url)
    token = token.strip()
    if not _TOKEN.match(token) or not token.startswith(TOKEN_PREFIX):
        raise ValidationFailed("validation_error", field="token")
    agency = _hub_agency(agency_code)
    existing = Link.objects.filter(role=LinkRole.UPSTREAM).first()
    if existing is not None and existing.agency_id != agency.pk:
        raise Conflict("already_linked", field="agency")
    if Link.objects.filter(agency=agency, role=LinkRole.PEER).exists():
        raise Conflict("already_linked", field="agency")
    answer = transport.hello(url=url, agency_code=agency.code, token=token)
    try:
        shared = base64.b64decode(answer.access_code_key, validate=True)
    except (binascii.Error, ValueError):
        raise transport.PeerFailed("peer_error", transient=False) from None
    if len(shared) != 32 or not 1 <= answer.lane < numbering.LANES:
        raise transport.PeerFailed("peer_error", transient=False)
    sent = _Sent()
    _numbers_send(url=url, agency_code=agency.code, token=token, sent=sent)
    with transaction.atomic():
        fields = {"url": url, "token_hash": "", "token_encrypted": vault.encrypt(token),
                  "signing_key_encrypted": signing_key_encrypt(signing_key(token)),
                  "lane": answer.lane, "is_active": True}
        if existing is None:
            link = Link.objects.create(role=LinkRole.UPSTREAM, agency=agency,
                                       created_at=clock.now(), **fields)
        else:
            Link.objects.filter(pk=existing.pk).update(**fields)
            link = Link.objects.select_related("agency").get(pk=existing.pk)
        numbering.number_lane_take(answer.lane, reserved=answer.reserved_numbers)
        keys.shared_key_store(shared)
        # Reports filed here while the numbers were on their way (drawn before the lane
        # was taken): sent too, before the link commits (usually none, no request).
        _numbers_send(url=url, agency_code=agency.code, token=token, sent=sent)
        audit_record(action="federation.upstream_set", target_type="federation_link",
                     target_id=link.pk,
                     payload={"agency": agency.code, "url": url, "lane": answer.lane,
                              "reserved_numbers": len(answer.reserved_numbers),
                              "numbers_sent": sent.numbers,
                              "numbers_already_issued": sent.already_issued})
    if sent.already_issued:
        logger.warning(
            "federation: %d tracking number(s) of this instance were already issued by the "
            "national instance before the link (those reports cannot be shared): %s",
            sent.already_issued, ", ".join(sent.issued_numbers))
    return UpstreamSet(link=link, numbers_sent=sent.numbers, reserved=sent.reserved,
                       already_issued=sent.already_issued,
                       already_issued_numbers=list(sent.issued_numbers))


def upstream_set(*, url: str, agency_code: str, token: str) -> Link:
    """:func:`upstream_set_detail`, only the link."""
    return upstream_set_detail(url=url, agency_code=agency_code, token=token).link


def numbers_receive(link: Link, numbers: object) -> dict[str, object]:
    """A region's existing tracking numbers (national side, over ``link``, a peer row):
    each must be twelve ASCII digits with a valid check digit (422 ``invalid_entry`` naming
    the first bad one, ``request_too_large`` beyond ``transport.NUMBERS_BATCH``; nothing
    stored then). Reserves them all (never drawn here from now on) and counts those a report
    of this instance already holds (not a copy received over ``link``): issued here before
    the link, a collision that cannot be undone, logged and named in the answer."""
    if not isinstance(numbers, list):
        raise ValidationFailed("required", field="numbers")
    if len(numbers) > transport.NUMBERS_BATCH:
        raise ValidationFailed("request_too_large", field="numbers")
    for index, number in enumerate(numbers):
        if not _strict_number(number):
            raise ValidationFailed("invalid_entry", field=f"numbers.{index}")
    distinct: list[str] = sorted(set(numbers))
    from_link = MirroredReport.objects.filter(report=OuterRef("pk"), link=link,
                                              origin=Origin.PEER)
    issued = sorted(Report.objects.filter(tracking_number__in=distinct)
                    .filter(~Exists(from_link)).values_list("tracking_number", flat=True))
    with transaction.atomic():
        reserved = numbering.numbers_reserve(distinct)
        audit_record(action="federation.numbers_reserved", target_type="federation_link",
                     target_id=link.pk,
                     payload={"agency": link.agency.code, "reserved": reserved,
                              "already_issued": len(issued)})
    if issued:
        logger.warning(
            "federation: %d tracking number(s) the regional instance %s issued before its "
            "link were already issued here (those reports cannot be shared with it): %s",
            len(issued), link.agency.code, ", ".join(issued[:ISSUED_SAMPLE]))
    return {"reserved": reserved, "already_issued": len(issued),
            "already_issued_numbers": issued[:ISSUED_SAMPLE]}


def hello_answer(link: Link) -> dict[str, object]:
    """The national instance's answer to a region's handshake over ``link`` (a peer row):
    its agency, lane, the numbers already issued here in that lane, the shared key."""
    key = keys.shared_key_ensure()
    return {"agency": link.agency.code, "lane": link.lane,
            "reserved_numbers": numbering.numbers_in_lane(link.lane),
            "access_code_key": base64.b64encode(key).decode()}

"""Making links between instances (``lapor federation peer add`` / ``upstream set``), audited.

On the **national** instance :func:`peer_add` registers a regional instance as the home of
one hub agency's subtree: a new token (returned once, stored hashed), the lowest free
tracking-number lane ≥ 1 (never drawn here again), and the shared access-code key made at
the first peering. On the **regional** instance :func:`upstream_set` first makes the signed
handshake with the national instance (``GET /api/v1/federation/hello``): only when it works
does it store the link, its lane with the numbers already issued in it, and the shared key.
"""

from __future__ import annotations

import base64
import binascii
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.core.errors import Conflict, ValidationFailed
from lapor.federation import keys, transport
from lapor.federation.models import Link, LinkRole
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

URL_MAX = 300
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


def upstream_set(*, url: str, agency_code: str, token: str) -> Link:
    """Link this regional instance to the national instance at ``url`` for its hub agency
    ``agency_code``, with the token ``peer add`` printed there. The signed handshake comes
    first: if it fails nothing is stored and :class:`lapor.federation.transport.PeerFailed`
    says why (``peer_unreachable`` or the national instance's code, e.g. ``unknown_peer``).
    Setting it again for the same agency replaces the URL and credentials (the journal
    positions stay); another agency is refused (409 ``already_linked``)."""
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
        audit_record(action="federation.upstream_set", target_type="federation_link",
                     target_id=link.pk,
                     payload={"agency": agency.code, "url": url, "lane": answer.lane,
                              "reserved_numbers": len(answer.reserved_numbers)})
    return link


def hello_answer(link: Link) -> dict[str, object]:
    """The national instance's answer to a region's handshake over ``link`` (a peer row):
    its agency, lane, the numbers already issued here in that lane, the shared key."""
    key = keys.shared_key_ensure()
    return {"agency": link.agency.code, "lane": link.lane,
            "reserved_numbers": numbering.numbers_in_lane(link.lane),
            "access_code_key": base64.b64encode(key).decode()}

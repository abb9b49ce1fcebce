"""The one place that encrypts and decrypts a reporter's identity.

* :func:`identity_store` encrypts name, e-mail, phone and NIK into ``ReporterContact`` and
  writes the blind indexes.
* :func:`identity_read` decrypts them and appends a processing record (UU PDP, Law 27/2022,
  "processing record for every identity read") for every read. For an anonymous report it
  returns ``None`` without decrypting anything, unless the read is a reveal (which the caller,
  :func:`lapor.privacy.services.identity_reveal`, has authorised) or the reporter's own access.
* :func:`reports_with_contact` finds reports by phone or e-mail through the blind index only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet

from lapor.core import clock
from lapor.orgs.actors import Actor, ActorKind
from lapor.privacy import vault
from lapor.privacy.models import IdentityAccess, Purpose
from lapor.reports.models import Report, ReporterContact

_FIELDS = ("name", "email", "phone", "nik")


@dataclass(frozen=True)
class Identity:
    name: str
    email: str
    phone: str
    nik: str

    def __repr__(self) -> str:
        # Keep identities out of tracebacks, debug pages and log lines.
        return "Identity(<redacted>)"

    __str__ = __repr__


def identity_store(
    *, report: Report, name: str = "", email: str = "", phone: str = "", nik: str = ""
) -> ReporterContact:
    """Encrypt and store the reporter's identity for ``report`` (values already validated:
    phone in E.164, e-mail lower-cased, NIK 16 digits). Runs in the caller's transaction."""
    return ReporterContact.objects.create(
        report=report,
        name=vault.encrypt(name),
        email=vault.encrypt(email),
        phone=vault.encrypt(phone),
        nik=vault.encrypt(nik),
        phone_index=vault.phone_index(phone),
        email_index=vault.email_index(email),
    )


def _is_own_report(actor: Actor, report: Report) -> bool:
    if actor.kind != ActorKind.REPORTER:
        return False
    if actor.report_id is not None:
        return actor.report_id == report.pk
    return actor.user is not None and report.reporter_user_id == actor.user.pk


def identity_read(
    *, actor: Actor, report: Report, purpose: Purpose, reason: str = ""
) -> Identity | None:
    """The reporter's identity, with one processing record per read.

    ``None`` when there is nothing to read or the report is anonymous (unless ``purpose`` is a
    reveal, authorised by the caller, or the reporter reading their own report). Callers check
    the actor's access to ``report`` first; this function records, it does not authorise.
    """
    own_access = purpose in (Purpose.REPORTER_ACCESS, Purpose.DATA_SUBJECT_ACCESS)
    if report.is_anonymous and not (
        purpose == Purpose.REVEAL or (own_access and _is_own_report(actor, report))
    ):
        return None
    if own_access and not _is_own_report(actor, report):
        return None
    row = ReporterContact.objects.filter(report=report).first()
    if row is None:
        return None
    identity = Identity(**{field: vault.decrypt(getattr(row, field)) for field in _FIELDS})
    with transaction.atomic():
        IdentityAccess.objects.create(
            report=report,
            user=actor.user,
            actor_kind=str(actor.kind),
            actor_role=actor.role_label if actor.kind == ActorKind.STAFF else "",
            actor_node_id=(actor.assignments[0].node_id
                           if actor.kind == ActorKind.STAFF and actor.assignments else None),
            purpose=purpose,
            reason=vault.encrypt(reason) if reason else "",
            created_at=clock.now(),
        )
    return identity



def reporter_address_for_delivery(*, report_id: int, field: str) -> str:
    """The reporter's ``email`` or ``phone`` for one delivery by the platform itself, with one
    processing record (purpose ``channel_continuity``, actor: the system); "" when none.

    Anonymous reports too: DOMAIN.md lets staff ask an anonymous reporter questions *through the
    platform*, so the platform may answer the reporter on their own channel; the address goes
    only to the sender that delivers it, never to any agency-side role or stored message."""
    if field not in ("email", "phone"):
        raise ValueError(f"not a delivery address: {field}")
    token = (ReporterContact.objects.filter(report_id=report_id)
             .values_list(field, flat=True).first())
    if not token:
        return ""
    address = vault.decrypt(token)
    with transaction.atomic():
        IdentityAccess.objects.create(
            report_id=report_id, user=None, actor_kind=str(ActorKind.SYSTEM), actor_role="",
            actor_node=None, purpose=Purpose.CHANNEL_CONTINUITY, reason="",
            created_at=clock.now(),
        )
    return address

def channel_address_for_delivery(*, token: str, report_id: int | None) -> str:
    """A channel identity (phone number, Telegram chat, X account) kept encrypted by
    lapor.channels, decrypted for one delivery by the platform itself. A delivery about a
    report is recorded like :func:`reporter_address_for_delivery` (purpose
    ``channel_continuity``); an answer to a message that concerns no report (a status query,
    a conversation prompt) only echoes the sender's own address back to them."""
    address = vault.decrypt(token)
    if report_id is not None:
        with transaction.atomic():
            IdentityAccess.objects.create(
                report_id=report_id, user=None, actor_kind=str(ActorKind.SYSTEM),
                actor_role="", actor_node=None, purpose=Purpose.CHANNEL_CONTINUITY, reason="",
                created_at=clock.now(),
            )
    return address


def reports_with_contact(*, phone: str = "", email: str = "") -> QuerySet[Report]:
    """Reports whose reporter used this phone number or e-mail address, found through the
    blind index (nothing is decrypted and nothing plaintext is stored or compared)."""
    condition = Q()
    phone_key = vault.phone_index(phone)
    email_key = vault.email_index(email)
    if phone_key:
        condition |= Q(contact__phone_index=phone_key)
    if email_key:
        condition |= Q(contact__email_index=email_key)
    if not condition:
        return Report.objects.none()
    return Report.objects.filter(condition)


def identity_for_peer(*, report: Report) -> Identity | None:
    """The reporter's identity of a non-anonymous report, decrypted once to hand it to the
    federated instance that will hold the report too (lapor.federation.mirror; it is
    re-encrypted there with that instance's vault). Never for an anonymous report: that
    identity stays on the instance where it was filed. One processing record, by the system,
    role ``federation``."""
    if report.is_anonymous:
        return None
    row = ReporterContact.objects.filter(report=report).first()
    if row is None:
        return None
    identity = Identity(**{field: vault.decrypt(getattr(row, field)) for field in _FIELDS})
    with transaction.atomic():
        IdentityAccess.objects.create(
            report=report, user=None, actor_kind=str(ActorKind.SYSTEM), actor_role="federation",
            actor_node=None, purpose=Purpose.CHANNEL_CONTINUITY, reason="",
            created_at=clock.now(),
        )
    return identity

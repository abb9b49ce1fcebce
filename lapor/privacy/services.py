"""Writes of the privacy app: identity reveals, the reveal permission, key rotation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db import models, transaction
from django.db.models import Q

from lapor.accounts.models import User
from lapor.attachments.models import Attachment
from lapor.audit.services import audit_record
from lapor.core.errors import NotFound, PermissionDenied, ValidationFailed
from lapor.notifications.models import PushSubscription
from lapor.orgs.actors import Actor, ActorKind
from lapor.orgs.models import Role
from lapor.privacy import vault
from lapor.privacy.identity import Identity, identity_read
from lapor.privacy.models import IdentityAccess, Purpose
from lapor.reports.models import ReporterContact
from lapor.reports.selectors import report_for_staff

REVEAL_REASON_MIN = 20
REVEAL_PERMISSION = ("privacy", "reveal_identity")

# Every encrypted column in the database: ``lapor keys rotate`` re-encrypts exactly these.
ENCRYPTED_COLUMNS: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (ReporterContact, ("name", "email", "phone", "nik")),
    (IdentityAccess, ("reason",)),
    (Attachment, ("original_name_encrypted",)),
    (PushSubscription, ("endpoint", "p256dh", "auth")),
)


# ---------------------------------------------------------------- reveal permission


def _reveal_permission() -> Permission:
    app_label, codename = REVEAL_PERMISSION
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def can_reveal(user: User | None) -> bool:
    """Whether ``user`` holds ``privacy.reveal_identity`` directly or through a group.

    Deliberately not ``user.has_perm``: superuser status grants every Django permission, and
    this one must be given explicitly by a national verifier."""
    if user is None or not user.is_active:
        return False
    app_label, codename = REVEAL_PERMISSION
    return Permission.objects.filter(
        Q(user=user) | Q(group__user=user),
        content_type__app_label=app_label, codename=codename,
    ).exists()


def _check_granter(actor: Actor) -> None:
    if actor.kind != ActorKind.STAFF or not actor.has_role(Role.NATIONAL_VERIFIER):
        raise PermissionDenied("permission_denied")


def reveal_grant(*, actor: Actor, user: User) -> bool:
    """Give ``user`` the reveal permission. Only a national verifier may; audited.
    Returns False when the user already held it (nothing written)."""
    _check_granter(actor)
    with transaction.atomic():
        if user.user_permissions.filter(pk=_reveal_permission().pk).exists():
            return False
        user.user_permissions.add(_reveal_permission())
        audit_record(action="identity.reveal_grant", actor=actor, target_type="user",
                     target_id=user.pk)
    return True


def reveal_revoke(*, actor: Actor, user: User) -> bool:
    """Take the reveal permission away again (national verifier only; audited)."""
    _check_granter(actor)
    with transaction.atomic():
        if not user.user_permissions.filter(pk=_reveal_permission().pk).exists():
            return False
        user.user_permissions.remove(_reveal_permission())
        audit_record(action="identity.reveal_revoke", actor=actor, target_type="user",
                     target_id=user.pk)
    return True


# ---------------------------------------------------------------- reveal


def identity_reveal(*, actor: Actor, report_id: int, reason: str) -> Identity:
    """Reveal the reporter's identity of a report (anonymous or not) to ``actor`` once.

    Check: read access to the report (else 404, never confirming it exists), the reveal
    permission (else 403), a written reason of at least 20 characters. Do: one processing
    record (with the reason, encrypted) and one audit entry without personal data.
    """
    report = report_for_staff(actor, report_id)
    if not can_reveal(actor.user):
        raise PermissionDenied("permission_denied")
    reason = reason.strip()
    if len(reason) < REVEAL_REASON_MIN:
        raise ValidationFailed("text_too_short", field="reason",
                               detail={"min_length": REVEAL_REASON_MIN})
    with transaction.atomic():
        identity = identity_read(actor=actor, report=report, purpose=Purpose.REVEAL,
                                 reason=reason)
        if identity is None:
            raise NotFound("not_found")
        audit_record(action="identity.reveal", actor=actor, target_type="report",
                     target_id=report.pk, payload={"reason_length": len(reason)})
    return identity


# ---------------------------------------------------------------- key rotation


@dataclass(frozen=True)
class RotationCount:
    table: str
    rows: int
    values: int


def _batches(model: type[models.Model], batch_size: int) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(model._default_manager.filter(pk__gt=last).order_by("pk")
                   .values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def keys_rotate(*, batch_size: int = 500) -> list[RotationCount]:
    """Re-encrypt every encrypted column under the first key, one transaction per batch.

    Tokens under an older key become readable with the first key alone; the blind index is
    untouched (its key never rotates). Safe to re-run and to run while the site serves: a row
    written meanwhile is already under the first key.
    """
    counts: list[RotationCount] = []
    for model, fields in ENCRYPTED_COLUMNS:
        rows = values = 0
        for ids in _batches(model, batch_size):
            with transaction.atomic():
                objects = list(model._default_manager.select_for_update()
                               .filter(pk__in=ids).only("pk", *fields))
                for obj in objects:
                    for field in fields:
                        token = getattr(obj, field)
                        if token:
                            setattr(obj, field, vault.rotate(token))
                            values += 1
                model._default_manager.bulk_update(objects, fields)
                rows += len(objects)
        counts.append(RotationCount(table=model._meta.db_table, rows=rows, values=values))
    audit_record(action="keys.rotate", target_type="vault",
                 payload={c.table: {"rows": c.rows, "values": c.values} for c in counts})
    return counts

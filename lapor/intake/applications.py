"""Integrated applications: created, listed and revoked by an operator
(``lapor intake app …``), audited. The token is shown once; only its SHA-256 is kept (256
random bits need no slow hash: the scheme of API tokens and Open311 keys). The callback
secret is shown once too, but kept as is: the outbox needs it to sign every callback.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet

from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.core.errors import NotFound, ValidationFailed
from lapor.core.text import clean_text
from lapor.intake.models import IntegrationApp
from lapor.notifications.models import CallbackEndpoint
from lapor.orgs.models import NodeKind, OrgNode

TOKEN_PREFIX = "lapp_"  # noqa: S105  (a public prefix, not a secret)
_SHOWN_PREFIX = 8
NAME_MAX = 100
URL_MAX = 500


@dataclass(frozen=True)
class CreatedApp:
    app: IntegrationApp
    token: str
    callback_secret: str


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _check_url(url: str) -> str:
    try:
        if len(url) > URL_MAX:
            raise DjangoValidationError("too long")
        URLValidator(schemes=["http", "https"])(url)
    except DjangoValidationError:
        raise ValidationFailed("validation_error", field="callback_url") from None
    return url


@transaction.atomic
def integration_app_create(*, agency_code: str, name: str,
                           callback_url: str = "") -> CreatedApp:
    """A new application of the agency ``agency_code``; token (and callback secret) are
    returned only here."""
    name = clean_text(name, field="name", max_length=NAME_MAX, min_length=1)
    agency = OrgNode.objects.filter(code=agency_code, kind=NodeKind.AGENCY,
                                    is_active=True).first()
    if agency is None:
        raise ValidationFailed("unknown_node", field="agency")
    now = clock.now()
    endpoint = None
    secret = ""
    if callback_url:
        secret = secrets.token_urlsafe(32)
        endpoint = CallbackEndpoint.objects.create(
            node=agency, name=name, url=_check_url(callback_url), secret=secret, created_at=now)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    app = IntegrationApp.objects.create(
        agency=agency, name=name, token_hash=_digest(raw),
        prefix=raw[len(TOKEN_PREFIX):][:_SHOWN_PREFIX], callback=endpoint, created_at=now)
    audit_record(action="intake.app_created", target_type="integration_app", target_id=app.pk,
                 payload={"name": name, "prefix": app.prefix, "agency": agency.code,
                          "callback": bool(endpoint)})
    return CreatedApp(app=app, token=raw, callback_secret=secret)


@transaction.atomic
def integration_app_revoke(*, app_id: int) -> IntegrationApp:
    """Revoke the token and switch the callbacks off (idempotent)."""
    app = IntegrationApp.objects.select_for_update().filter(pk=app_id).first()
    if app is None:
        raise NotFound("not_found")
    if app.revoked_at is None:
        app.revoked_at = clock.now()
        app.save(update_fields=["revoked_at"])
        if app.callback_id is not None:
            CallbackEndpoint.objects.filter(pk=app.callback_id).update(is_active=False)
        audit_record(action="intake.app_revoked", target_type="integration_app",
                     target_id=app.pk, payload={"name": app.name, "prefix": app.prefix})
    return app


def integration_app_authenticate(raw: str) -> IntegrationApp | None:
    """The active application holding token ``raw``, or ``None``."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    return (IntegrationApp.objects.select_related("agency")
            .filter(token_hash=_digest(raw), revoked_at__isnull=True).first())


def integration_apps() -> QuerySet[IntegrationApp]:
    return IntegrationApp.objects.select_related("agency", "callback").order_by("created_at", "id")

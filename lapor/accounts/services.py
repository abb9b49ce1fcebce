"""Accounts without a request: API tokens (create, look up, revoke) and the authenticator
being enrolled. Signing in needs the request (django-axes, the session, the client address):
:mod:`lapor.accounts.signin`."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from lapor.accounts import two_factor
from lapor.accounts.models import ApiToken, User
from lapor.audit.services import audit_record
from lapor.core import clock


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(user: User) -> tuple[str, ApiToken]:
    """A new bearer token for ``user`` (the raw token, shown once, and its row)."""
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    row = ApiToken.objects.create(
        user=user,
        token_hash=_digest(raw),
        created_at=now,
        expires_at=now + timedelta(hours=settings.LAPOR_API_TOKEN_HOURS),
    )
    return raw, row


def otp_enroll(*, user: User) -> TOTPDevice:
    """Start enrolling an authenticator for ``user`` (proven by an enrollment token)."""
    device = two_factor.totp_enroll(user=user)
    audit_record(action="auth.otp_enroll", actor_id=user.pk, target_type="user",
                 target_id=user.pk)
    return device


def otp_pending(*, user: User) -> TOTPDevice | None:
    """The authenticator ``user`` is enrolling (not confirmed yet), if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def token_user(raw: str) -> User | None:
    """The active user a bearer token belongs to, or ``None``."""
    row = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_digest(raw), revoked_at__isnull=True, expires_at__gt=clock.now())
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    return row.user


def token_revoke(*, raw: str) -> None:
    ApiToken.objects.filter(token_hash=_digest(raw), revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )

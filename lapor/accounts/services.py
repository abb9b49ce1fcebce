"""Sign-in and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate

from lapor.accounts.models import ApiToken, User
from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.core.errors import NotAuthenticated


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(*, username: str, password: str) -> tuple[str, ApiToken]:
    """Check the password and return a new bearer token (shown once) and its row."""
    user = authenticate(username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        # The attempted user name is personal data: record only that a login failed.
        known = User.objects.filter(username=username).values_list("pk", flat=True).first()
        audit_record(action="auth.login_failed", actor_id=known, target_type="user",
                     target_id=known or "")
        raise NotAuthenticated("invalid_credentials")
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    row = ApiToken.objects.create(
        user=user,
        token_hash=_digest(raw),
        created_at=now,
        expires_at=now + timedelta(hours=settings.LAPOR_API_TOKEN_HOURS),
    )
    audit_record(action="auth.login", actor_id=user.pk, target_type="user", target_id=user.pk)
    return raw, row


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

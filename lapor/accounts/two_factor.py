"""TOTP two-factor devices and recovery codes (django-otp), required for every staff role.

A staff account has one confirmed :class:`TOTPDevice` (an authenticator app) and one
:class:`StaticDevice` holding single-use recovery codes. Devices are written only here.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lapor.accounts.models import OtpEnrollmentToken, User
from lapor.core import clock
from lapor.core.errors import Conflict, PermissionDenied
from lapor.orgs.actors import actor_for_user

TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def requires_two_factor(user: User) -> bool:
    """Every account holding a staff role (any role on any node) must use 2FA."""
    return actor_for_user(user).is_staff


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def otp_verify(*, user: User, code: str) -> bool:
    """A current TOTP code of the user's confirmed authenticator (not reused), or one unused
    recovery code, which is spent by this call."""
    code = _normalise(code)
    if not code:
        return False
    if code.isdigit():
        with transaction.atomic():
            # The lock serialises concurrent checks, so one code cannot be replayed in parallel
            # (django-otp remembers the last time step used).
            device = (TOTPDevice.objects.select_for_update()
                      .filter(user=user, confirmed=True).order_by("pk").first())
            return device is not None and bool(device.verify_token(code))
    # A recovery code is spent by deleting it: of two parallel uses only one deletes the row.
    deleted, _ = StaticToken.objects.filter(
        device__user=user, device__confirmed=True, device__name=RECOVERY_DEVICE_NAME, token=code
    ).delete()
    return deleted > 0


def enrollment_token_issue(*, user: User) -> tuple[str, OtpEnrollmentToken]:
    """A short-lived token that only lets ``user`` enroll an authenticator (shown once)."""
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    row = OtpEnrollmentToken.objects.create(
        user=user, token_hash=_digest(raw), created_at=now,
        expires_at=now + timedelta(minutes=settings.LAPOR_OTP_ENROLLMENT_MINUTES),
    )
    return raw, row


def enrollment_user(raw: str) -> User | None:
    """The active staff user an unexpired, unused enrollment token belongs to, or ``None``."""
    row = (
        OtpEnrollmentToken.objects.select_related("user")
        .filter(token_hash=_digest(raw), used_at__isnull=True, expires_at__gt=clock.now())
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    return row.user


def totp_enroll(*, user: User) -> TOTPDevice:
    """A new unconfirmed authenticator with a fresh secret (replacing an unconfirmed one)."""
    with transaction.atomic():
        if confirmed_totp(user) is not None:
            raise PermissionDenied("permission_denied")
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def totp_confirm(*, user: User, code: str, enrollment_raw: str) -> list[str] | None:
    """Confirm the pending authenticator with a current ``code``, spend the enrollment token
    and return fresh recovery codes (shown once); ``None`` when the code is wrong."""
    code = _normalise(code)
    with transaction.atomic():
        device = (TOTPDevice.objects.select_for_update()
                  .filter(user=user, confirmed=False).order_by("-pk").first())
        if device is None:
            raise Conflict("otp_not_enrolled")
        if not code.isdigit() or not device.verify_token(code):
            return None
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        OtpEnrollmentToken.objects.filter(token_hash=_digest(enrollment_raw)).update(
            used_at=clock.now())
        return recovery_codes_replace(user=user)


def recovery_codes_replace(*, user: User) -> list[str]:
    """Replace all recovery codes of ``user`` with ``RECOVERY_CODE_COUNT`` new ones."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
        device.token_set.all().delete()
        codes: list[str] = []
        while len(codes) < RECOVERY_CODE_COUNT:
            code = StaticToken.random_token()
            # All-digit input is checked as a TOTP code, so a recovery code must hold a letter.
            if code not in codes and not code.isdigit():
                codes.append(code)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
        return codes


def totp_set(*, user: User, key_hex: str) -> TOTPDevice:
    """Give ``user`` a confirmed authenticator with a known key (the demo data and tests)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=key_hex,
                                         confirmed=True)


def two_factor_reset(*, user: User) -> int:
    """Remove every 2FA device of ``user`` (lost phone and codes): the next sign-in enrolls
    again. For administrators only (``lapor user reset-2fa``)."""
    with transaction.atomic():
        deleted_totp, _ = TOTPDevice.objects.filter(user=user).delete()
        deleted_static, _ = StaticDevice.objects.filter(user=user).delete()
        return deleted_totp + deleted_static

"""Signing in: password, lockout (django-axes), second factor, sessions, and the bearer token
an API sign-in returns. Everything here needs the request (axes counts failures per client
address, a session lives on the request), so it is not a domain module: the staff pages
(:mod:`lapor.workspace.views.auth`) and the API (:mod:`lapor.api.accounts.routes`) call it, and the
request-free account rules stay in :mod:`lapor.accounts.services`."""

from __future__ import annotations

from datetime import timedelta
from typing import NoReturn

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice

from lapor.accounts import two_factor
from lapor.accounts.models import ApiToken, User
from lapor.accounts.services import token_create
from lapor.audit.services import audit_record
from lapor.core.errors import NotAuthenticated, PermissionDenied, TooManyRequests
from lapor.core.ratelimit import client_ip

_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _locked_out() -> TooManyRequests:
    # Every attempt during a lockout restarts the cool-off (AXES_RESET_COOL_OFF_ON_FAILURE_...
    # defaults to True), so the whole cool-off is what is left.
    cool_off = settings.AXES_COOLOFF_TIME
    seconds = int(cool_off.total_seconds()) if isinstance(cool_off, timedelta) else 900
    return TooManyRequests("too_many_attempts", retry_after=seconds)


def _login_failed(*, request: HttpRequest, username: str, user_id: int | None, reason: str,
                  count: bool) -> None:
    """Audit a failed sign-in (no user name: it is personal data) and, for failures Django's
    ``authenticate`` did not see (a wrong OTP code), count it toward the lockout."""
    if count:
        user_login_failed.send(sender=__name__, credentials={"username": username},
                               request=request)
    audit_record(action="auth.login_failed", actor_id=user_id, target_type="user",
                 target_id=user_id or "", payload={"reason": reason})


def _is_locked(request: HttpRequest) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


def credentials_check(
    *, request: HttpRequest, username: str, password: str, otp: str | None = None
) -> User:
    """Check the password (django-axes refuses a locked-out pair first) and, for staff, the
    second factor; return the user. Shared by :func:`token_issue` (API) and
    :func:`session_login` (staff pages); failures are audited and counted the same way.

    Refusals: ``invalid_credentials`` (401); ``too_many_attempts`` (429) while the
    (username, client address) pair is locked out by django-axes; for staff with an
    authenticator ``otp_required`` / ``otp_invalid`` (401, a wrong code counts toward the
    lockout); for staff without one ``otp_enrollment_required`` (403) whose ``detail`` carries
    an enrollment token for the enrollment steps only.
    """
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        known = User.objects.filter(username=username).values_list("pk", flat=True).first()
        locked = _is_locked(request)
        _login_failed(request=request, username=username, user_id=known,
                      reason="locked_out" if locked else "password", count=False)
        if locked:
            raise _locked_out()
        raise NotAuthenticated("invalid_credentials")
    if two_factor.requires_two_factor(user):
        if two_factor.confirmed_totp(user) is None:
            enrollment_raw, enrollment = two_factor.enrollment_token_issue(user=user)
            audit_record(action="auth.otp_enrollment_started", actor_id=user.pk,
                         target_type="user", target_id=user.pk)
            raise PermissionDenied("otp_enrollment_required", detail={
                "enrollment_token": enrollment_raw,
                "expires_at": enrollment.expires_at.isoformat()})
        if not otp:
            raise NotAuthenticated("otp_required", field="otp")
        if not two_factor.otp_verify(user=user, code=otp):
            _login_failed(request=request, username=username, user_id=user.pk, reason="otp",
                          count=True)
            if _is_locked(request):
                raise _locked_out()
            raise NotAuthenticated("otp_invalid", field="otp")
    return user


def _login_succeeded(request: HttpRequest, user: User) -> None:
    AxesProxyHandler.reset_attempts(username=user.username, ip_address=client_ip(request))
    audit_record(action="auth.login", actor_id=user.pk, target_type="user", target_id=user.pk)


def token_issue(
    *, request: HttpRequest, username: str, password: str, otp: str | None = None
) -> tuple[str, ApiToken]:
    """Check the credentials (:func:`credentials_check`, same refusals) and return a new bearer
    token (shown once) and its row."""
    user = credentials_check(request=request, username=username, password=password, otp=otp)
    raw, row = token_create(user)
    _login_succeeded(request, user)
    return raw, row


def _session_start(request: HttpRequest, user: User, *, recovery: bool) -> None:
    """A Django session verified with the second factor (``request.user.is_verified()``)."""
    auth_login(request, user, backend=_MODEL_BACKEND)
    device: Device | None = two_factor.confirmed_totp(user)
    if recovery:
        device = StaticDevice.objects.filter(
            user=user, name=two_factor.RECOVERY_DEVICE_NAME).first() or device
    if device is not None:
        otp_login(request, device)


def session_login(
    *, request: HttpRequest, username: str, password: str, otp: str | None = None
) -> User:
    """Sign a staff member in to the staff pages: the checks of :func:`credentials_check`,
    then a session verified with the second factor. Accounts without any staff role are
    refused (``permission_denied``): the staff pages are not for citizens."""
    user = credentials_check(request=request, username=username, password=password, otp=otp)
    if not two_factor.requires_two_factor(user):
        audit_record(action="auth.login_failed", actor_id=user.pk, target_type="user",
                     target_id=user.pk, payload={"reason": "not_staff"})
        raise PermissionDenied("permission_denied")
    _session_start(request, user, recovery=not (otp or "").strip().isdigit())
    _login_succeeded(request, user)
    return user


def session_logout(*, request: HttpRequest) -> None:
    user = request.user
    if isinstance(user, User):
        audit_record(action="auth.logout", actor_id=user.pk, target_type="user",
                     target_id=user.pk)
    auth_logout(request)


def _otp_guard(request: HttpRequest, user: User) -> None:
    if AxesProxyHandler.is_locked(request, {"username": user.username}):
        raise _locked_out()


def _otp_failed(request: HttpRequest, user: User) -> NoReturn:
    _login_failed(request=request, username=user.username, user_id=user.pk, reason="otp",
                  count=True)
    if _is_locked(request):
        raise _locked_out()
    raise NotAuthenticated("otp_invalid", field="code")


def _otp_confirm_check(
    *, request: HttpRequest, user: User, code: str, enrollment_raw: str
) -> list[str]:
    _otp_guard(request, user)
    codes = two_factor.totp_confirm(user=user, code=code, enrollment_raw=enrollment_raw)
    if codes is None:
        _otp_failed(request, user)
    audit_record(action="auth.otp_confirmed", actor_id=user.pk, target_type="user",
                 target_id=user.pk)
    return codes


def otp_confirm(
    *, request: HttpRequest, user: User, code: str, enrollment_raw: str
) -> tuple[list[str], str, ApiToken]:
    """Confirm the pending authenticator with a current code: returns the recovery codes
    (shown once) and a normal bearer token. A wrong code counts toward the lockout."""
    codes = _otp_confirm_check(request=request, user=user, code=code,
                               enrollment_raw=enrollment_raw)
    raw, row = token_create(user)
    _login_succeeded(request, user)
    return codes, raw, row


def session_otp_confirm(
    *, request: HttpRequest, user: User, code: str, enrollment_raw: str
) -> list[str]:
    """As :func:`otp_confirm` for the staff pages: confirm the authenticator, start a
    verified session, return the recovery codes (shown once)."""
    codes = _otp_confirm_check(request=request, user=user, code=code,
                               enrollment_raw=enrollment_raw)
    _session_start(request, user, recovery=False)
    _login_succeeded(request, user)
    return codes


def recovery_codes_regenerate(*, request: HttpRequest, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), for a user proving a current TOTP code:
    a stolen bearer token alone cannot mint a lasting way past the second factor."""
    if two_factor.confirmed_totp(user) is None:
        raise PermissionDenied("permission_denied")
    _otp_guard(request, user)
    if not code.strip().isdigit() or not two_factor.otp_verify(user=user, code=code):
        _otp_failed(request, user)
    codes = two_factor.recovery_codes_replace(user=user)
    audit_record(action="auth.recovery_codes_regenerated", actor_id=user.pk,
                 target_type="user", target_id=user.pk)
    return codes

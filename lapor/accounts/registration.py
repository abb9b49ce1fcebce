"""Optional citizen accounts for the portal: sign up and sign in with an e-mail or phone number.

A citizen account only links reports to a person so they can follow them without access codes;
it never carries staff powers (those come only from role assignments, which sign-up never
creates). A staff account may not sign in here: staff use /petugas/masuk/ with two factors.

Follow-up (notifications issue): the e-mail address or phone number is not verified yet. Until
it is, an account proves only that its holder knows the password, so nothing sent to the
address or number must depend on it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from lapor.accounts.models import User
from lapor.audit.services import audit_record
from lapor.core.contact import valid_email, valid_phone
from lapor.core.errors import NotAuthenticated, PermissionDenied, TooManyRequests, ValidationFailed
from lapor.core.text import clean_text
from lapor.orgs.models import RoleAssignment

NAME_MAX = 120


def normalise_identifier(raw: str) -> tuple[str, str]:
    """``("email", "siti@example.org")`` or ``("phone", "+6281234567890")`` from what was typed.

    An entry with ``@`` is an e-mail address (lower-cased); anything else is read as a phone
    number, Indonesian by default ("0812-3456-7890" and "+62 812 3456 7890" are one number).
    """
    value = raw.strip()
    if "@" in value:
        return "email", valid_email(value, field="identifier")
    return "phone", valid_phone(value, field="identifier")


def citizen_register(*, identifier: str, display_name: str, password: str) -> User:
    """Create a citizen account whose user name is the normalised e-mail or phone number.

    Refusals (422): ``invalid_email`` / ``invalid_phone`` (field ``identifier``),
    ``duplicate`` when the address or number already has an account, text errors for the
    name, and ``validation_error`` on ``password`` whose ``detail`` lists the messages of
    Django's password validators (already in the active language).
    """
    kind, username = normalise_identifier(identifier)
    name = clean_text(display_name, field="display_name", max_length=NAME_MAX, min_length=1)
    try:
        validate_password(password, user=User(username=username, display_name=name))
    except DjangoValidationError as exc:
        raise ValidationFailed("validation_error", field="password",
                               detail=list(exc.messages)) from exc
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed("duplicate", field="identifier")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, password=password, display_name=name,
                email=username if kind == "email" else "",
                phone=username if kind == "phone" else "",
            )
            audit_record(action="auth.citizen_registered", actor_id=user.pk,
                         target_type="user", target_id=user.pk, payload={"with": kind})
            return user
    except IntegrityError as exc:
        # Two sign-ups for the same address at once: the unique user name decides.
        raise ValidationFailed("duplicate", field="identifier") from exc


def citizen_login(*, request: HttpRequest, identifier: str, password: str) -> User:
    """Check a citizen's password through django-axes (lockouts count like the API's).

    Every attempt leaves an audit entry (no user name in it). Returns the user; the caller
    starts the session. Refusals: ``invalid_credentials`` (401),
    ``too_many_attempts`` (429) while locked out, ``permission_denied`` (403) for a staff
    account, which must sign in at /petugas/masuk/ with its second factor.
    """
    try:
        _, username = normalise_identifier(identifier)
    except ValidationFailed:
        # Not a valid e-mail or phone number: no account can match, but axes still counts it.
        username = identifier.strip()
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        # No user name in the audit entry: it is personal data.
        known = User.objects.filter(username=username).values_list("pk", flat=True).first()
        locked = bool(getattr(request, "axes_locked_out", False))
        audit_record(action="auth.login_failed", actor_id=known, target_type="user",
                     target_id=known or "",
                     payload={"reason": "locked_out" if locked else "password",
                              "surface": "portal"})
    if getattr(request, "axes_locked_out", False):
        cool_off = settings.AXES_COOLOFF_TIME
        seconds = int(cool_off.total_seconds()) if isinstance(cool_off, timedelta) else 900
        raise TooManyRequests("too_many_attempts", retry_after=seconds)
    if not isinstance(user, User) or not user.is_active:
        raise NotAuthenticated("invalid_credentials")
    if RoleAssignment.objects.filter(user=user).exists():
        audit_record(action="auth.login_failed", actor_id=user.pk, target_type="user",
                     target_id=user.pk, payload={"reason": "staff_on_portal",
                                                 "surface": "portal"})
        raise PermissionDenied("permission_denied", field="identifier")
    audit_record(action="auth.login", actor_id=user.pk, target_type="user", target_id=user.pk,
                 payload={"surface": "portal"})
    return user

"""Sign-in for the JSON API."""

from __future__ import annotations

from base64 import b32encode
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer

from lapor.accounts.models import ApiToken, User
from lapor.accounts.services import otp_enroll, token_revoke
from lapor.accounts.signin import otp_confirm, recovery_codes_regenerate, token_issue
from lapor.accounts.two_factor import enrollment_user
from lapor.api.auth import BearerAuth, request_actor
from lapor.core.api import ObjectBody, errors
from lapor.core.errors import NotAuthenticated
from lapor.orgs.actors import actor_for_user
from lapor.orgs.models import OrgNode

router = Router(tags=["auth"])


class LoginIn(ObjectBody):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=200)
    otp: str | None = Field(
        None, max_length=32,
        description="Staff only: the current 6-digit code of the authenticator app, or one "
                    "unused recovery code (each recovery code works once)",
    )


class OtpCodeIn(ObjectBody):
    code: str = Field(min_length=1, max_length=32,
                      description="The current 6-digit code of the authenticator app")


class EnrollOut(Schema):
    otpauth_uri: str = Field(description="otpauth://totp/… URI: show it as a QR code")
    secret: str = Field(description="The same secret in base32, for typing into an app")
    digits: int
    period: int


class RecoveryCodesOut(Schema):
    recovery_codes: list[str] = Field(
        description="Single-use codes for when the authenticator is lost; shown only now")


class RoleOut(Schema):
    role: str
    node: str


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[RoleOut]


class LoginOut(Schema):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'")
    expires_at: datetime
    user: MeOut


class ConfirmOut(LoginOut):
    recovery_codes: list[str] = Field(
        description="Single-use codes for when the authenticator is lost; shown only now")


class EnrollmentAuth(HttpBearer):
    """``Authorization: Bearer <enrollment token>`` from a 403 ``otp_enrollment_required``;
    accepted by the two enrollment endpoints only. Yields the :class:`User`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return enrollment_user(token)


def _me(request: HttpRequest) -> dict[str, Any]:
    actor = request_actor(request)
    assert actor.user is not None  # noqa: S101  (BearerAuth always sets a user)
    codes = dict(
        OrgNode.objects.filter(pk__in=[a.node_id for a in actor.assignments]).values_list(
            "pk", "code"
        )
    )
    return {
        "username": actor.user.username,
        "display_name": actor.user.display_name,
        "roles": [{"role": a.role, "node": codes[a.node_id]} for a in actor.assignments],
    }


def _logged_in(request: HttpRequest, raw: str, row: ApiToken) -> dict[str, Any]:
    request.auth = actor_for_user(row.user)  # type: ignore[attr-defined]
    return {"token": raw, "expires_at": row.expires_at, "user": _me(request)}


@router.post(
    "/auth/login", response={200: LoginOut, **errors(401, 403, 429)},
    summary="Exchange a username and password (and, for staff, a 2FA code) for a bearer token",
    description=(
        "Citizen accounts (no staff role) need only the password. Every staff account must "
        "also send `otp`: the current code of its authenticator app or one unused recovery "
        "code; without it the answer is 401 `otp_required`, with a wrong one 401 "
        "`otp_invalid`. A staff account without an authenticator gets 403 "
        "`otp_enrollment_required` whose `detail` holds `enrollment_token` and `expires_at`: "
        "that token (valid a few minutes) is accepted only by `POST /auth/otp/enroll` and "
        "`POST /auth/otp/confirm`. After repeated failures (wrong passwords and wrong codes "
        "alike) the username is locked out from that client address: 429 "
        "`too_many_attempts` with `Retry-After` (seconds)."
    ),
)
def login(request: HttpRequest, payload: LoginIn) -> dict[str, Any]:
    raw, row = token_issue(request=request, username=payload.username,
                           password=payload.password, otp=payload.otp)
    return _logged_in(request, raw, row)


def _enrollment_user(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise NotAuthenticated("not_authenticated")
    return user


@router.post(
    "/auth/otp/enroll", auth=EnrollmentAuth(), response={200: EnrollOut, **errors(401, 403)},
    summary="Start setting up the authenticator app (needs the enrollment token)",
    description=(
        "Send the `enrollment_token` of a 403 `otp_enrollment_required` login answer as "
        "`Authorization: Bearer <token>`. Returns a new TOTP secret (as an `otpauth://` URI "
        "for a QR code and in base32); calling it again replaces the unconfirmed secret. "
        "Then confirm with `POST /auth/otp/confirm`."
    ),
)
def otp_enroll_start(request: HttpRequest) -> dict[str, Any]:
    device = otp_enroll(user=_enrollment_user(request))
    return {"otpauth_uri": device.config_url, "secret": b32encode(device.bin_key).decode(),
            "digits": device.digits, "period": device.step}


@router.post(
    "/auth/otp/confirm", auth=EnrollmentAuth(),
    response={200: ConfirmOut, **errors(401, 409, 429)},
    summary="Confirm the authenticator app with a current code; returns recovery codes",
    description=(
        "Needs the enrollment token (as for `/auth/otp/enroll`) and a current code from the "
        "app. Answers a normal bearer token and 10 single-use recovery codes, shown only "
        "now; the enrollment token is spent. A wrong code is 401 `otp_invalid` and counts "
        "toward the login lockout; 409 `otp_not_enrolled` before `/auth/otp/enroll`."
    ),
)
def otp_confirm_endpoint(request: HttpRequest, payload: OtpCodeIn) -> dict[str, Any]:
    enrollment_raw = request.headers.get("Authorization", "").partition(" ")[2].strip()
    codes, raw, row = otp_confirm(request=request, user=_enrollment_user(request),
                                  code=payload.code, enrollment_raw=enrollment_raw)
    return {**_logged_in(request, raw, row), "recovery_codes": codes}


@router.post(
    "/auth/otp/recovery-codes", auth=BearerAuth(),
    response={200: RecoveryCodesOut, **errors(401, 403, 429)},
    summary="Replace the recovery codes (needs a current authenticator code)",
    description=(
        "For a signed-in account with an authenticator: send a current code of the app; the "
        "old recovery codes stop working and 10 new ones are returned, shown only now. 403 "
        "for accounts without an authenticator; a wrong code is 401 `otp_invalid` and counts "
        "toward the login lockout."
    ),
)
def recovery_codes(request: HttpRequest, payload: OtpCodeIn) -> dict[str, Any]:
    actor = request_actor(request)
    assert actor.user is not None  # noqa: S101  (BearerAuth always sets a user)
    codes = recovery_codes_regenerate(request=request, user=actor.user, code=payload.code)
    return {"recovery_codes": codes}


@router.post("/auth/logout", auth=BearerAuth(), response={204: None, **errors(401)},
             summary="Revoke the token used for this request")
def logout(request: HttpRequest) -> Status[None]:
    token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    token_revoke(raw=token)
    return Status(204, None)


@router.get("/auth/me", auth=BearerAuth(), response={200: MeOut, **errors(401)},
            summary="Who the token belongs to, with roles")
def me(request: HttpRequest) -> dict[str, Any]:
    return _me(request)

"""Sign-in for the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from lapor.accounts.services import token_issue, token_revoke
from lapor.core.api import BearerAuth, errors, request_actor
from lapor.orgs.actors import actor_for_user
from lapor.orgs.models import OrgNode

router = Router(tags=["auth"])


class LoginIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=200)


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


@router.post("/auth/login", response={200: LoginOut, **errors(401)},
             summary="Exchange a username and password for a bearer token")
def login(request: HttpRequest, payload: LoginIn) -> dict[str, Any]:
    raw, row = token_issue(username=payload.username, password=payload.password)
    request.auth = actor_for_user(row.user)  # type: ignore[attr-defined]
    return {"token": raw, "expires_at": row.expires_at, "user": _me(request)}


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

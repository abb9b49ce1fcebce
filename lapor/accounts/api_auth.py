"""Who is asking the JSON API: bearer-token auth and the actor of a request, for every router.

API-wide (not the accounts API's own): it moves with the routers when they gather in one API
package. Kept out of :mod:`lapor.core.api` because it needs accounts (tokens) and orgs (actors).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from lapor.accounts.services import token_user
from lapor.core.errors import NotAuthenticated, PermissionDenied
from lapor.orgs.actors import PUBLIC, Actor, actor_for_user


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>`` from ``POST /auth/login``; yields an :class:`Actor`."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        user = token_user(token)
        return actor_for_user(user) if user is not None else None


def optional_actor(request: HttpRequest) -> Actor:
    """The signed-in actor if a valid bearer token came with the request, else the public.

    A token that was sent but is invalid is refused rather than silently ignored.
    """
    header = request.headers.get("Authorization", "")
    if not header:
        return PUBLIC
    scheme, _, token = header.partition(" ")
    user = token_user(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        raise NotAuthenticated("not_authenticated")
    return actor_for_user(user)


def request_actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise NotAuthenticated("not_authenticated")
    return actor


def request_staff(request: HttpRequest) -> Actor:
    """The authenticated actor, who must hold a staff role (citizen accounts get 403)."""
    actor = request_actor(request)
    if not actor.is_staff:
        raise PermissionDenied("permission_denied")
    return actor

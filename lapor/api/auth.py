"""Who is asking the JSON API: bearer-token auth and the actor of a request, for every router.

Also the reporter's door for the ``/track/{n}/…`` endpoints (:func:`reporter_from_request`
with the :data:`AccessCode` header), built on the one gate in :mod:`lapor.reports.access`.
Kept out of :mod:`lapor.core.api` because it needs accounts (tokens) and orgs (actors).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Header
from ninja.security import HttpBearer

from lapor.accounts.services import token_user
from lapor.core import ratelimit
from lapor.core.errors import NotAuthenticated, PermissionDenied
from lapor.orgs.actors import PUBLIC, Actor, actor_for_user
from lapor.reports import access
from lapor.reports.models import Report


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


# The header every API reporter endpoint reads the access code from.
AccessCode = Header(
    None, alias="X-Access-Code",
    description="The one-time access code (or send the reporter account's bearer token)",
)


def reporter_from_request(request: HttpRequest, tracking_number: str,
                          access_code: str | None) -> tuple[Actor, Report]:
    """The reporter of the tracked report and the report, for an API request: proven by
    ``access_code`` (:func:`lapor.reports.access.reporter_by_access_code`: wrong codes slow
    down only the client address that typed them, and its 429 comes before the code is even
    checked) or, without
    one, by the bearer token of the account that owns the report. 404 for an unknown number,
    401 ``invalid_access_code`` otherwise."""
    report = access.report_from_request(request, tracking_number)
    if access_code:
        actor = access.reporter_by_access_code(
            tracking_number=report.tracking_number, access_code=access_code,
            address=ratelimit.client_ip(request))
        return actor, report
    owner = access.reporter_by_account(optional_actor(request), report)
    if owner is None:
        raise NotAuthenticated("invalid_access_code")
    return owner, report

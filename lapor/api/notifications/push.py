"""Web Push opt-in for a tracked report (public; docs/notifications.md "Web Push").

``POST /track/{n}/push`` with the access code (``X-Access-Code``) or the reporter account's
bearer token, like every other /track/ action; the body is the browser's
``PushSubscription.toJSON()``. Nothing here ever returns a stored subscription.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status

from lapor.api.auth import AccessCode, reporter_from_request
from lapor.core.api import ObjectBody, errors
from lapor.notifications import push

router = Router(tags=["citizen"])


class PushKeyOut(Schema):
    enabled: bool
    public_key: str


class PushKeysIn(Schema):
    p256dh: str
    auth: str


class PushSubscriptionIn(ObjectBody):
    endpoint: str
    keys: PushKeysIn
    # Browsers send a DOMHighResTimeStamp (a float, milliseconds) or null.
    expirationTime: float | None = None


class PushEndpointIn(ObjectBody):
    endpoint: str


class PushStateOut(Schema):
    subscribed: bool


@router.get("/push/key", response={200: PushKeyOut},
            summary="The VAPID public key for Web Push (enabled false: not offered)")
def push_key(request: HttpRequest) -> dict[str, object]:
    return {"enabled": push.configured(), "public_key": push.public_key()}


@router.post(
    "/track/{tracking_number}/push", response={201: PushStateOut, **errors(401, 404, 429)},
    summary="Send this report's status updates to a browser (Web Push opt-in)",
    description=(
        "Body: the browser's `PushSubscription` JSON. The endpoint must be a push service "
        "(https); the subscription is stored encrypted and only ever used to deliver this "
        "report's updates. Every push carries a one-tap unsubscribe link. "
        "`422 push_unavailable` when the deployment has no VAPID key."
    ),
)
def push_subscribe(request: HttpRequest, tracking_number: str, payload: PushSubscriptionIn,
                   access_code: str | None = AccessCode) -> Status[dict[str, bool]]:
    actor, report = reporter_from_request(request, tracking_number, access_code)
    push.push_subscribe(actor=actor, report=report, endpoint=payload.endpoint,
                        p256dh=payload.keys.p256dh, auth=payload.keys.auth)
    return Status(201, {"subscribed": True})


@router.post(
    "/track/{tracking_number}/push/unsubscribe",
    response={200: PushStateOut, **errors(401, 404, 429)},
    summary="Stop this report's Web Push updates to a browser",
)
def push_unsubscribe(request: HttpRequest, tracking_number: str, payload: PushEndpointIn,
                     access_code: str | None = AccessCode) -> dict[str, bool]:
    actor, report = reporter_from_request(request, tracking_number, access_code)
    push.push_unsubscribe(actor=actor, report=report, endpoint=payload.endpoint)
    return {"subscribed": False}
